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

    private static Vector512<ulong> Rotl(Vector512<ulong> x, int k) => Vector512.ShiftLeft(x, k) | Vector512.ShiftRightLogical(x, 64 - k);

    /// <summary>The next 64 random bits of each lane (xoshiro256**; ×5 and ×9 as shift-adds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<ulong> NextBits()
    {
        var s1 = _s1;
        var m5 = Vector512.ShiftLeft(s1, 2) + s1;
        var r = Rotl(m5, 7);
        var result = Vector512.ShiftLeft(r, 3) + r;
        var t = Vector512.ShiftLeft(s1, 17);
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = Rotl(_s3, 45);
        return result;
    }

    private Vector512<double> NextUniform() =>
        (Vector512.ConvertToDouble(Vector512.ShiftRightLogical(NextBits(), 11)) + Vector512.Create(1.0)) * Vector512.Create(1.0 / (1UL << 53));

    /// <summary>One standard normal per lane.</summary>
    public Vector512<double> Next()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        var (cos, sin) = Pair();
        _spare = sin;
        _hasSpare = true;
        return cos;
    }

    /// <summary>Fills a lane-interleaved span (length a multiple of 8) with normals, one lane vector at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fill(Span<double> target)
    {
        var v = MemoryMarshal.Cast<double, Vector512<double>>(target);
        int i = 0;
        if (_hasSpare && v.Length > 0) v[i++] = Next();
        for (; i + 1 < v.Length; i += 2) (v[i], v[i + 1]) = Pair();  // both normals of each pair, no spare bookkeeping
        if (i < v.Length) v[i] = Next();
    }

    /// <summary>One Box–Muller pair per lane: (√(−2 ln u₁) cos φ, √(−2 ln u₁) sin φ), φ uniform.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (Vector512<double> Cos, Vector512<double> Sin) Pair()
    {
        var radius = Vector512.Sqrt(Vector512.Create(-2.0) * Vector512.Log(NextUniform()));
        var (cos, sin) = UnitCircle(NextBits());
        return (radius * cos, radius * sin);
    }

    /// <summary>1/(2k+1)! for sin and 1/(2k)! for cos, highest order first (to ψ¹⁷ and ψ¹⁶).</summary>
    private static readonly double[] SinCoefficients = [1.0 / 355687428096000.0, 1.0 / 1307674368000.0, 1.0 / 6227020800.0, 1.0 / 39916800.0, 1.0 / 362880.0, 1.0 / 5040.0, 1.0 / 120.0, 1.0 / 6.0, 1.0];
    private static readonly double[] CosCoefficients = [1.0 / 20922789888000.0, 1.0 / 87178291200.0, 1.0 / 479001600.0, 1.0 / 3628800.0, 1.0 / 40320.0, 1.0 / 720.0, 1.0 / 24.0, 0.5, 1.0];

    /// <summary>
    /// (cos φ, sin φ) of a uniform angle φ from 64 random bits: the top two bits pick the quadrant, the next 52 a uniform offset
    /// ψ ∈ [−π/4, π/4); cos ψ and sin ψ by their Taylor series (truncation ≤ (π/4)¹⁸/18! ≈ 1e-17), then rotated by the quadrant.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector512<double> Cos, Vector512<double> Sin) UnitCircle(Vector512<ulong> bits)
    {
        var quadrant = Vector512.ShiftRightLogical(bits, 62);
        var offset = Vector512.ConvertToDouble(Vector512.ShiftRightLogical(bits, 10) & Vector512.Create((1UL << 52) - 1)) * Vector512.Create(1.0 / (1UL << 52));
        var psi = (offset - Vector512.Create(0.5)) * Vector512.Create(Math.PI / 2);
        var minusX2 = -(psi * psi);
        Vector512<double> sp = Vector512<double>.Zero, cp = Vector512<double>.Zero;
        for (int k = 0; k < SinCoefficients.Length; k++)
        {
            sp = Vector512.FusedMultiplyAdd(sp, minusX2, Vector512.Create(SinCoefficients[k]));
            cp = Vector512.FusedMultiplyAdd(cp, minusX2, Vector512.Create(CosCoefficients[k]));
        }
        var sin = psi * sp;
        var cos = cp;
        // Rotate by q·90°: q = 1 → (−sin, cos), q = 2 → (−cos, −sin), q = 3 → (sin, −cos).
        var odd = Vector512.Equals(quadrant & Vector512.Create(1UL), Vector512.Create(1UL)).AsDouble();
        var c = Vector512.ConditionalSelect(odd, sin, cos);
        var s = Vector512.ConditionalSelect(odd, cos, sin);
        var negCos = Vector512.Equals((quadrant + Vector512.Create(1UL)) & Vector512.Create(2UL), Vector512.Create(2UL)).AsDouble(); // q ∈ {1, 2}
        var negSin = Vector512.GreaterThanOrEqual(quadrant, Vector512.Create(2UL)).AsDouble();                                       // q ∈ {2, 3}
        return (Vector512.ConditionalSelect(negCos, -c, c), Vector512.ConditionalSelect(negSin, -s, s));
    }
}
