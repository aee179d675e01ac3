using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// Eight independent standard-normal streams, one per SIMD lane: xoshiro256** per lane (state from SplitMix64 of
/// (seed, stream, lane)), uniforms u = (⌊r/2¹¹⌋ + 1)·2⁻⁵³ ∈ (0, 1], Box–Muller pairs (√(−2 ln u₁) cos 2πu₂, √(−2 ln u₁) sin 2πu₂).
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
        var u1 = NextUniform();
        var u2 = NextUniform();
        var radius = Vector512.Sqrt(Vector512.Create(-2.0) * Vector512.Log(u1));
        var (sin, cos) = Vector512.SinCos(Vector512.Create(2 * Math.PI) * u2);
        _spare = radius * sin;
        _hasSpare = true;
        return radius * cos;
    }

    /// <summary>Fills a lane-interleaved span (length a multiple of 8) with normals, one lane vector at a time.</summary>
    public void Fill(Span<double> target)
    {
        var v = MemoryMarshal.Cast<double, Vector512<double>>(target);
        for (int i = 0; i < v.Length; i++) v[i] = Next();
    }
}
