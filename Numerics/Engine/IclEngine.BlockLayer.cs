using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LoopedIcl.Numerics.Engine;

// The block layer: P = [[B,0],[0,1]], Q = [[A,0],[0,0]] and the + residual (GD++, Ahn et al. (11)). With G = [[H,g],[gᵀ,c]] and
// z = (x, s), T = I + PGQ = [[M,0],[mᵀ,1]] with M = I + BHA and m = Aᵀg, so one layer is
//   s ← mᵀx + s,  x ← Mx,  g ← M(Hm + g),  H ← MHMᵀ
// (c never reaches the output: Q has no label row or column). That is d×d work where the general layer does (d+1)×(d+1) with T's
// zero blocks. Its reverse pass, with u = Hm + g and Ḡ = [[H̄, ḡ], …]:
//   M̄ = x̄′xᵀ + ḡ′uᵀ + 2H̄′MH,  ū = Mᵀḡ′,  m̄ = s̄x + Hū,  x̄ = Mᵀx̄′ + s̄m,
//   B̄ = M̄(HA)ᵀ,  Ā = H(BᵀM̄) + g m̄ᵀ,  H̄ = sym(MᵀH̄′M + (BᵀM̄)Aᵀ + ū mᵀ),  ḡ = ū + Am̄.
// Above the last layer x̄′, ḡ′ and H̄′ are zero, so there M̄ = 0 (B̄ = 0, only A reaches ŷ, through m) and H̄ = 0; one layer lower H̄′
// is still zero. Only s̄ = −ȳ never changes. The predictions and loss have the general layer's bits (its zero blocks add exact zeros
// in the same order); FAST-PATH and LEARN-GRAD test the layer against the literal model and its exact derivatives. Compact d×d lane
// matrices have entry (i, j) at double offset (i·d + j)·8; H sits in G with row offset w·8 and g in G's last column.
public sealed partial class IclEngine
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockLayer(Span<double> p, Span<double> q, Span<Vector512<double>> g, Span<Vector512<double>> z,
        Span<Vector512<double>> gOut, Span<Vector512<double>> zOut, Span<Vector512<double>> ha, Span<Vector512<double>> mt,
        Span<Vector512<double>> m, Span<Vector512<double>> u, Workspace work, bool needG)
    {
        int w = work.W, d = w - 1;
        nint row = w * Lanes, compact = d * Lanes;
        mt = mt[..(d * d)];
        m = m[..d];
        u = u[..d];
        ref double h = ref Doubles(g);
        ref double a = ref MemoryMarshal.GetReference(q);
        Product<ScalarOperand>(ref h, row, Lanes, ref a, w, 1, ref Doubles(ha), compact, Lanes, d);               // HA
        Product<ScalarOperand>(ref Doubles(ha), Lanes, compact, ref MemoryMarshal.GetReference(p), 1, w, ref Doubles(mt), Lanes, compact, d); // B(HA), as (HA)ᵀBᵀ stored transposed
        for (int i = 0; i < d; i++) mt[i * d + i] += Vector512<double>.One;                                      // M = I + BHA
        MatVec<ScalarOperand>(ref a, 1, w, ref Unsafe.Add(ref h, d * Lanes), row, ref Doubles(m), d);             // m = Aᵀg
        // Every sum in the general layer's order (its zero blocks add exact zeros), so ŷ and the loss keep its bits: s′ = mᵀx + s
        // with s last, and g′ = M(Hm + g), the label row of (TG)Tᵀ.
        var s = Vector512<double>.Zero;
        for (int j = 0; j < d; j++) s = Vector512.FusedMultiplyAdd(m[j], z[j], s);
        var xNew = work.A.AsSpan(0, d);
        MatVec<LaneOperand>(ref Doubles(mt), compact, Lanes, ref Doubles(z), Lanes, ref Doubles(xNew), d);      // Mx
        zOut[d] = s + z[d];
        xNew.CopyTo(zOut);
        if (!needG) return;
        MatVec<LaneOperand>(ref h, row, Lanes, ref Doubles(m), Lanes, ref Doubles(u), d);
        for (int i = 0; i < d; i++) u[i] += g[i * w + d];                                                        // u = Hm + g
        ref double mh = ref Doubles(work.Tmp);   // forward scratch (the reverse pass's Tmp is not in use)
        Product<LaneOperand>(ref Doubles(mt), compact, Lanes, ref h, row, Lanes, ref mh, compact, Lanes, d);     // MH
        var gNew = work.H.AsSpan(0, d);
        MatVec<LaneOperand>(ref Doubles(mt), compact, Lanes, ref Doubles(u), Lanes, ref Doubles(gNew), d);      // g′ = Mu
        Product<LaneOperand>(ref mh, compact, Lanes, ref Doubles(mt), Lanes, compact, ref Doubles(gOut), row, Lanes, d); // H′ = (MH)Mᵀ
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < i; j++) gOut[j * w + i] = gOut[i * w + j];   // exactly symmetric, as the general layer keeps it
            gOut[i * w + d] = gNew[i];
        }
    }

    /// <summary>One layer of the block reverse pass; <paramref name="top"/>: the last layer, <paramref name="belowTop"/>: the one below it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockBackward(Span<double> p, Span<double> q, Span<Vector512<double>> g, Span<Vector512<double>> z,
        Span<Vector512<double>> ha, Span<Vector512<double>> mt, Span<Vector512<double>> m, Span<Vector512<double>> u,
        Span<Vector512<double>> zBar, Span<Vector512<double>> hBar, Span<Vector512<double>> adjP, Span<Vector512<double>> adjQ,
        Workspace work, bool top, bool belowTop, bool parameters, bool propagateG)
    {
        int w = work.W, d = w - 1, d2 = d * d;
        nint row = w * Lanes, compact = d * Lanes;
        mt = mt[..d2];
        m = m[..d];
        u = u[..d];
        hBar = hBar[..d2];
        ref double h = ref Doubles(g);
        ref double a = ref MemoryMarshal.GetReference(q);
        var sBar = zBar[d];
        var xNew = work.ZBarNext.AsSpan(0, d);
        if (top) for (int i = 0; i < d; i++) xNew[i] = sBar * m[i];                                                // x̄′ = 0
        else
        {
            MatVec<LaneOperand>(ref Doubles(mt), Lanes, compact, ref Doubles(zBar), Lanes, ref Doubles(xNew), d);  // Mᵀx̄′
            for (int i = 0; i < d; i++) xNew[i] = Vector512.FusedMultiplyAdd(sBar, m[i], xNew[i]);               // x̄ = Mᵀx̄′ + s̄m
        }
        if (parameters)
        {
            var gBar = work.GColumnBar.AsSpan(0, d);
            var mBar = work.H.AsSpan(0, d);
            if (top)
            {
                for (int i = 0; i < d; i++) mBar[i] = sBar * z[i];                                                 // m̄ = s̄x
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++) adjQ[i * w + j] = Vector512.FusedMultiplyAdd(g[i * w + d], mBar[j], adjQ[i * w + j]); // Ā = g m̄ᵀ
                // H̄ = 0: not stored, as the layer below (belowTop) does not read H̄′.
                if (propagateG) MatVec<ScalarOperand>(ref a, w, 1, ref Doubles(mBar), Lanes, ref Doubles(gBar), d); // ḡ = Am̄
            }
            else
            {
                var y = work.Tmp.AsSpan(0, d2);
                var mBarMatrix = work.Tmp2.AsSpan(0, d2);
                var uBar = work.V.AsSpan(0, d);
                if (belowTop)
                {
                    for (int i = 0; i < d; i++)
                        for (int j = 0; j < d; j++) mBarMatrix[i * d + j] = Vector512.FusedMultiplyAdd(zBar[i], z[j], gBar[i] * u[j]);
                }
                else
                {
                    Product<LaneOperand>(ref Doubles(hBar), compact, Lanes, ref Doubles(mt), compact, Lanes, ref Doubles(y), compact, Lanes, d);   // Y = H̄′M
                    Product<LaneOperand>(ref Doubles(y), compact, Lanes, ref h, row, Lanes, ref Doubles(mBarMatrix), compact, Lanes, d);     // YH
                    var two = B(2);
                    for (int i = 0; i < d; i++)
                        for (int j = 0; j < d; j++)
                            mBarMatrix[i * d + j] = Vector512.FusedMultiplyAdd(two, mBarMatrix[i * d + j], Vector512.FusedMultiplyAdd(zBar[i], z[j], gBar[i] * u[j]));
                }
                MatVec<LaneOperand>(ref Doubles(mt), Lanes, compact, ref Doubles(gBar), Lanes, ref Doubles(uBar), d);   // ū = Mᵀḡ′
                MatVec<LaneOperand>(ref h, row, Lanes, ref Doubles(uBar), Lanes, ref Doubles(mBar), d);                  // Hū
                for (int i = 0; i < d; i++) mBar[i] = Vector512.FusedMultiplyAdd(sBar, z[i], mBar[i]);              // m̄ = s̄x + Hū
                var tmp = work.TBar.AsSpan(0, d2);
                Product<LaneOperand>(ref Doubles(mBarMatrix), compact, Lanes, ref Doubles(ha), Lanes, compact, ref Doubles(tmp), compact, Lanes, d); // B̄ = M̄(HA)ᵀ
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++) adjP[i * w + j] += tmp[i * d + j];
                var n = work.Tmp3.AsSpan(0, d2);
                Product<ScalarOperand>(ref Doubles(mBarMatrix), Lanes, compact, ref MemoryMarshal.GetReference(p), w, 1, ref Doubles(n), Lanes, compact, d); // N = BᵀM̄, as M̄ᵀB stored transposed
                Product<LaneOperand>(ref h, row, Lanes, ref Doubles(n), compact, Lanes, ref Doubles(tmp), compact, Lanes, d);   // HN
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++) adjQ[i * w + j] = Vector512.FusedMultiplyAdd(g[i * w + d], mBar[j], adjQ[i * w + j] + tmp[i * d + j]); // Ā = HN + g m̄ᵀ
                if (propagateG)
                {
                    var next = work.GBarNext.AsSpan(0, d2);
                    Product<ScalarOperand>(ref Doubles(n), compact, Lanes, ref a, 1, w, ref Doubles(next), compact, Lanes, d);   // NAᵀ
                    if (!belowTop) Product<LaneOperand>(ref Doubles(mt), Lanes, compact, ref Doubles(y), compact, Lanes, ref Doubles(tmp), compact, Lanes, d); // MᵀY
                    for (int i = 0; i < d; i++)
                        for (int j = 0; j < d; j++)
                        {
                            var e = next[i * d + j] + uBar[i] * m[j];
                            next[i * d + j] = belowTop ? e : e + tmp[i * d + j];
                        }
                    Symmetrise(next, hBar, d);                                                                       // H̄
                    var am = work.A.AsSpan(0, d);
                    MatVec<ScalarOperand>(ref a, w, 1, ref Doubles(mBar), Lanes, ref Doubles(am), d);                // Am̄
                    for (int i = 0; i < d; i++) gBar[i] = uBar[i] + am[i];                                           // ḡ = ū + Am̄
                }
            }
        }
        xNew.CopyTo(zBar);
    }
}
