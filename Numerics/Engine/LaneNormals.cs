using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// Eight independent standard-normal streams, one per SIMD lane: xoshiro256** per lane (state from SplitMix64 of
/// (seed, stream, lane)), u₁ = (⌊r/2¹¹⌋ + 1)·2⁻⁵³ ∈ (0, 1] and a uniform angle φ from a second draw, Box–Muller pairs
/// (√(−2 ln u₁) cos φ, √(−2 ln u₁) sin φ), with short series for cos and sin (accurate to ~1e-16; faster than Vector512.SinCos).
/// One lane vector per call; the second normal of each pair is kept for the next call. The one random stream of the engine.
/// </summary>
public struct LaneNormals
{
    private Vector512<ulong> _s0, _s1, _s2, _s3;
    private Vector512<double> _spare;
    private bool _hasSpare;

    public LaneNormals(ulong seed, ulong stream)
    {
        Span<ulong> s = stackalloc ulong[4 * 8];
        for (int k = 0; k < 8; k++)
        {
            ulong x = seed ^ (0x9E3779B97F4A7C15UL * (stream * 8 + (ulong)k + 1));
            for (int j = 0; j < 4; j++) s[j * 8 + k] = SplitMix64(ref x);
        }
        _s0 = Vector512.Create<ulong>(s[..8]);
        _s1 = Vector512.Create<ulong>(s.Slice(8, 8));
        _s2 = Vector512.Create<ulong>(s.Slice(16, 8));
        _s3 = Vector512.Create<ulong>(s.Slice(24, 8));
        _spare = default;
        _hasSpare = false;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// Fills a lane-interleaved span (length a multiple of 8) with normals, one lane vector at a time. Runs at the hardware's width
    /// (<see cref="SimdWidth"/>): on 256- or 128-bit hardware the eight lanes are two or four independent physical streams, the same numbers.
    /// </summary>
    public void Fill(Span<double> target)
    {
        if (Vector512.IsHardwareAccelerated) FillAtWidth<Lanes512, Vector512<double>, Vector512<ulong>>(target);
        else if (Vector256.IsHardwareAccelerated) FillAtWidth<Lanes256, Vector256<double>, Vector256<ulong>>(target);
        else FillAtWidth<Lanes128, Vector128<double>, Vector128<ulong>>(target);
    }

    private const int Lanes = 8;

    /// <summary>Box–Muller pairs per block: the bits are drawn first (the xoshiro state stays in registers), then the pairs are formed.</summary>
    private const int PairsPerBlock = 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void FillAtWidth<W, TD, TU>(Span<double> target) where W : ILaneOps<TD, TU> where TD : struct where TU : struct
    {
        int vectors = target.Length / Lanes;
        if (vectors == 0) return;
        ref double t = ref MemoryMarshal.GetReference(target);
        ref ulong s0 = ref Unsafe.As<Vector512<ulong>, ulong>(ref _s0), s1 = ref Unsafe.As<Vector512<ulong>, ulong>(ref _s1);
        ref ulong s2 = ref Unsafe.As<Vector512<ulong>, ulong>(ref _s2), s3 = ref Unsafe.As<Vector512<ulong>, ulong>(ref _s3);
        ref double spare = ref Unsafe.As<Vector512<double>, double>(ref _spare);
        int first = _hasSpare ? 1 : 0, pairs = (vectors - first + 1) / 2;
        // Each physical part of the lane vector is an independent stream, drawn to the end before the next. Within a block, pass one
        // steps the generator (a serial chain on four registers) and pass two forms the pairs (independent iterations the core overlaps;
        // one pass holding both spilled the lanes at 256 bits).
        int buffered = Math.Min(pairs, PairsPerBlock) * W.Count;   // the buffers are zeroed on entry: no larger than a block needs
        Span<double> uniforms = stackalloc double[buffered];
        Span<ulong> angles = stackalloc ulong[buffered];
        ref double u = ref MemoryMarshal.GetReference(uniforms);
        ref ulong a = ref MemoryMarshal.GetReference(angles);
        for (int part = 0; part < Lanes; part += W.Count)
        {
            if (first == 1) W.Store(W.Load(ref Unsafe.Add(ref spare, part)), ref Unsafe.Add(ref t, part));
            var x0 = W.Load(ref Unsafe.Add(ref s0, part));
            var x1 = W.Load(ref Unsafe.Add(ref s1, part));
            var x2 = W.Load(ref Unsafe.Add(ref s2, part));
            var x3 = W.Load(ref Unsafe.Add(ref s3, part));
            for (int block = 0; block < pairs; block += PairsPerBlock)
            {
                int count = Math.Min(PairsPerBlock, pairs - block);
                for (int j = 0; j < count; j++)
                {
                    W.Store(Uniform<W, TD, TU>(NextBits<W, TD, TU>(ref x0, ref x1, ref x2, ref x3)), ref Unsafe.Add(ref u, j * W.Count));
                    W.Store(NextBits<W, TD, TU>(ref x0, ref x1, ref x2, ref x3), ref Unsafe.Add(ref a, j * W.Count));
                }
                for (int j = 0; j < count; j++)
                {
                    var radius = W.Sqrt(W.Multiply(W.Create(-2.0), Log<W, TD, TU>(W.Load(ref Unsafe.Add(ref u, j * W.Count)))));
                    var (cos, sin) = UnitCircle<W, TD, TU>(W.Load(ref Unsafe.Add(ref a, j * W.Count)));
                    int v = first + 2 * (block + j);
                    W.Store(W.Multiply(radius, cos), ref Unsafe.Add(ref t, v * Lanes + part));
                    W.Store(W.Multiply(radius, sin), ref v + 1 < vectors ? ref Unsafe.Add(ref t, (v + 1) * Lanes + part) : ref Unsafe.Add(ref spare, part));
                }
            }
            W.Store(x0, ref Unsafe.Add(ref s0, part));
            W.Store(x1, ref Unsafe.Add(ref s1, part));
            W.Store(x2, ref Unsafe.Add(ref s2, part));
            W.Store(x3, ref Unsafe.Add(ref s3, part));
        }
        _hasSpare = (vectors - first) % 2 == 1;
    }

    /// <summary>The next 64 random bits of each lane (xoshiro256**; ×5 and ×9 as shift-adds, rotations as shift pairs: AVX2 has neither).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TU NextBits<W, TD, TU>(ref TU s0, ref TU s1, ref TU s2, ref TU s3) where W : ILaneOps<TD, TU> where TD : struct where TU : struct
    {
        var m5 = W.Add(W.ShiftLeft(s1, 2), s1);
        var r = W.Or(W.ShiftLeft(m5, 7), W.ShiftRight(m5, 57));
        var result = W.Add(W.ShiftLeft(r, 3), r);
        var t = W.ShiftLeft(s1, 17);
        s2 = W.Xor(s2, s0);
        s3 = W.Xor(s3, s1);
        s1 = W.Xor(s1, s2);
        s0 = W.Xor(s0, s3);
        s2 = W.Xor(s2, t);
        s3 = W.Or(W.ShiftLeft(s3, 45), W.ShiftRight(s3, 19));
        return result;
    }

    /// <summary>
    /// u₁ = (⌊r/2¹¹⌋ + 1)·2⁻⁵³ without an integer→double conversion: with h = ⌊r/2¹²⌋ and b = bit 11 of r, 1 + h·2⁻⁵² is the double
    /// with mantissa h, so u₁ = ((1 + h·2⁻⁵²) − 1) + (1 + b)·2⁻⁵³ — every step exact, the same number the conversion gives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD Uniform<W, TD, TU>(TU r) where W : ILaneOps<TD, TU> where TD : struct where TU : struct
    {
        var h = W.Subtract(W.AsDouble(W.Or(W.ShiftRight(r, 12), W.Create(One))), W.Create(1.0));
        var c = W.AsDouble(W.ShiftLeft(W.Add(W.And(W.ShiftRight(r, 11), W.Create(1UL)), W.Create(970UL)), 52));  // 2⁻⁵³ or 2⁻⁵²
        return W.Add(h, c);
    }

    private const ulong One = 0x3FF0000000000000UL;   // the bits of 1.0

    /// <summary>
    /// ln u for the sampler's u ∈ [2⁻⁵³, 1] (normal, positive: no special cases), inlined and the same operations at every width — the
    /// runtime's Vector256.Log is a call that spills the live lanes and its rounding is its own. u = 2ᵏ·z with z ∈ [√½, √2) (bit
    /// arithmetic: adding 1 − √½ to the bits carries into the exponent exactly when the mantissa passes √2), f = z − 1 exact, s = f/(2 + f),
    /// ln z = f − f²/2 + s(f²/2 + R(s²)) with R(w) ≈ Σ_{j≥1} 2wʲ/(2j+1) by fdlibm's degree-7 minimax fit on w ≤ 0.0295 (error &lt; 2⁻⁵⁸·⁴⁵),
    /// and k·ln 2 in two parts (the high part has 11 trailing zero bits, so k·ln2_hi is exact). Within one ulp of Math.Log (PERF test).
    /// </summary>
    internal static Vector512<double> Log(Vector512<double> u) => Log<Lanes512, Vector512<double>, Vector512<ulong>>(u);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD Log<W, TD, TU>(TD u) where W : ILaneOps<TD, TU> where TD : struct where TU : struct
    {
        var bits = W.AsBits(u);
        var shifted = W.Add(bits, W.Create(One - SqrtHalf));
        var exponentField = W.ShiftLeft(W.ShiftRight(shifted, 52), 52);
        var z = W.AsDouble(W.Subtract(W.Add(bits, W.Create(One)), exponentField));
        // k = biased exponent − 1023 as a double: (2⁵² + e) − (2⁵² + 1023), exact, without an integer→double conversion.
        var k = W.Subtract(W.AsDouble(W.Or(W.ShiftRight(shifted, 52), W.Create(TwoTo52Bits))), W.Create(4503599627370496.0 + 1023.0));
        var f = W.Subtract(z, W.Create(1.0));
        var s = W.Divide(f, W.Add(W.Create(2.0), f));
        var w = W.Multiply(s, s);
        var r = W.FusedMultiplyAdd(W.Create(Lg7), w, W.Create(Lg6));
        r = W.FusedMultiplyAdd(r, w, W.Create(Lg5));
        r = W.FusedMultiplyAdd(r, w, W.Create(Lg4));
        r = W.FusedMultiplyAdd(r, w, W.Create(Lg3));
        r = W.FusedMultiplyAdd(r, w, W.Create(Lg2));
        r = W.FusedMultiplyAdd(r, w, W.Create(Lg1));
        r = W.Multiply(r, w);
        var halfF2 = W.Multiply(W.Create(0.5), W.Multiply(f, f));
        // fdlibm's order: k·ln2_hi − ((f²/2 − (s(f²/2 + R) + k·ln2_lo)) − f).
        var tail = W.FusedMultiplyAdd(s, W.Add(halfF2, r), W.Multiply(k, W.Create(Ln2Low)));
        return W.FusedMultiplyAdd(k, W.Create(Ln2High), W.Negate(W.Subtract(W.Subtract(halfF2, tail), f)));
    }

    private const ulong SqrtHalf = 0x3FE6A09E667F3BCDUL;   // the bits of √½ (rounded)
    private const ulong TwoTo52Bits = 0x4330000000000000UL; // the bits of 2⁵²
    private const double Ln2High = 6.93147180369123816490e-01, Ln2Low = 1.90821492927058770002e-10;
    // fdlibm's e_log.c coefficients of R(w) (close to 2/3, 2/5, 2/7, …; a minimax fit, so seven terms suffice).
    private const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
        Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01, Lg7 = 1.479819860511658591e-01;

    /// <summary>
    /// (cos φ, sin φ) of a uniform angle φ from 64 random bits: the top two bits pick the quadrant, the next 52 a uniform offset
    /// ψ ∈ [−π/4, π/4); cos ψ and sin ψ by their Taylor series (truncation ≤ (π/4)¹⁸/18! ≈ 1e-17), then rotated by the quadrant.
    /// </summary>
    internal static (Vector512<double> Cos, Vector512<double> Sin) UnitCircle(Vector512<ulong> bits) => UnitCircle<Lanes512, Vector512<double>, Vector512<ulong>>(bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TD Cos, TD Sin) UnitCircle<W, TD, TU>(TU bits) where W : ILaneOps<TD, TU> where TD : struct where TU : struct
    {
        // offset = m·2⁻⁵² for the 52-bit m: (1 + m·2⁻⁵²) − 1, exact, without an integer→double conversion.
        var offset = W.Subtract(W.AsDouble(W.Or(W.And(W.ShiftRight(bits, 10), W.Create((1UL << 52) - 1)), W.Create(One))), W.Create(1.0));
        var psi = W.Multiply(W.Subtract(offset, W.Create(0.5)), W.Create(Math.PI / 2));
        var minusX2 = W.Negate(W.Multiply(psi, psi));
        // Horner in −ψ², unrolled with constant coefficients (1/(2k+1)! and 1/(2k)!, highest order first: to ψ¹⁷ and ψ¹⁶).
        var sp = W.FusedMultiplyAdd(W.Create(1.0 / 355687428096000.0), minusX2, W.Create(1.0 / 1307674368000.0));
        var cp = W.FusedMultiplyAdd(W.Create(1.0 / 20922789888000.0), minusX2, W.Create(1.0 / 87178291200.0));
        sp = W.FusedMultiplyAdd(sp, minusX2, W.Create(1.0 / 6227020800.0));
        cp = W.FusedMultiplyAdd(cp, minusX2, W.Create(1.0 / 479001600.0));
        sp = W.FusedMultiplyAdd(sp, minusX2, W.Create(1.0 / 39916800.0));
        cp = W.FusedMultiplyAdd(cp, minusX2, W.Create(1.0 / 3628800.0));
        sp = W.FusedMultiplyAdd(sp, minusX2, W.Create(1.0 / 362880.0));
        cp = W.FusedMultiplyAdd(cp, minusX2, W.Create(1.0 / 40320.0));
        sp = W.FusedMultiplyAdd(sp, minusX2, W.Create(1.0 / 5040.0));
        cp = W.FusedMultiplyAdd(cp, minusX2, W.Create(1.0 / 720.0));
        sp = W.FusedMultiplyAdd(sp, minusX2, W.Create(1.0 / 120.0));
        cp = W.FusedMultiplyAdd(cp, minusX2, W.Create(1.0 / 24.0));
        sp = W.FusedMultiplyAdd(sp, minusX2, W.Create(1.0 / 6.0));
        cp = W.FusedMultiplyAdd(cp, minusX2, W.Create(0.5));
        sp = W.FusedMultiplyAdd(sp, minusX2, W.Create(1.0));
        cp = W.FusedMultiplyAdd(cp, minusX2, W.Create(1.0));
        var sin = W.Multiply(psi, sp);
        var cos = cp;
        // Rotate by q·90° (q = the top two bits): q = 1 → (−sin, cos), q = 2 → (−cos, −sin), q = 3 → (sin, −cos), with bit operations
        // only (exact: a swap and sign flips): odd q (bit 62) swaps the two by an XOR mask; cos takes the sign bit 63 ⊕ 62 (q ∈ {1, 2}),
        // sin the sign bit 63 (q ≥ 2).
        var b62 = W.Create(1UL << 62);
        var b63 = W.Create(1UL << 63);
        var odd = W.Equals(W.And(bits, b62), b62);
        var cosBits = W.AsBits(cos);
        var sinBits = W.AsBits(sin);
        var swap = W.And(W.Xor(cosBits, sinBits), odd);
        var c = W.Xor(W.Xor(cosBits, swap), W.And(W.Xor(bits, W.ShiftLeft(bits, 1)), b63));
        var s = W.Xor(W.Xor(sinBits, swap), W.And(bits, b63));
        return (W.AsDouble(c), W.AsDouble(s));
    }
}
