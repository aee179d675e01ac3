using System.Collections.Concurrent;
using System.Numerics;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Moments;
using LoopedIcl.Numerics.Statistics;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Losses;

/// <summary>
/// Gatmiry's scalar restriction on the line A = bΣ⁻¹ (B = bI): ℓ_L(b) = E tr(I − bŴ)^{2L} = Σ_k C(2L, k)(−b)^k m_k, Ŵ = W/n the whitened
/// real Wishart matrix. Evaluated exactly: the moments are integers (<see cref="RealWishartMoments"/>, L ≤ 50) and b is a rational (a
/// double is a dyadic rational, so a double b is used exactly); the alternating sum of huge terms is formed in integers and rounded once.
/// Also sample-based helpers (eigenvalues of drawn Ŵ) for the light-tailed cross-checks.
/// </summary>
public static class LoopedScalar
{
    public const int MaxLoops = RealWishartMoments.MaxOrder / 2;

    /// <summary>Bisection steps for b*: the bracket [0, 2^j] shrinks to width 2^{j−48} (≈ 4e-15 for b* &lt; 1).</summary>
    private const int BisectionSteps = 48;

    private static readonly ConcurrentDictionary<(int, int, int), (Rational B, Rational Loss)> Optima = new();

    /// <summary>ℓ_L(b) exactly, for a rational b.</summary>
    public static Rational ExactLoss(int n, int d, int loops, Rational b)
    {
        var (p, q) = Parts(b);
        return Rational.Of(Numerator(Moments(n, d, loops), n, loops, p, q, derivative: false), BigInteger.Pow(q * n, 2 * loops));
    }

    /// <summary>ℓ_L(b) evaluated exactly at the double b and rounded once to double.</summary>
    public static double ExactLoss(int n, int d, int loops, double b)
    {
        Guard.Finite(b, nameof(b));
        var (p, q) = Dyadic(b);
        return ExactLoss(n, d, loops, Rational.Of(p, q)).ToDouble();
    }

    /// <summary>
    /// The exact minimiser b* of ℓ_L (any L ≤ 50) and ℓ_L(b*): ℓ_L is convex in b (a mean of even powers of affine functions), so ℓ_L' is increasing
    /// and its one root is bracketed and bisected with the exact sign of ℓ_L' at dyadic points; b* is that dyadic point (within 2^{−48}·bracket) and the
    /// loss is exact there (its excess over the true minimum is ≤ ℓ''·Δb²/2, far below double precision).
    /// </summary>
    public static (double B, double Loss) ExactOptimum(int n, int d, int loops)
    {
        var (b, loss) = ExactOptimumRational(n, d, loops);
        return (b.ToDouble(), loss.ToDouble());
    }

    /// <summary><see cref="ExactOptimum"/> with b* (a dyadic rational) and ℓ_L(b*) as exact rationals.</summary>
    public static (Rational B, Rational Loss) ExactOptimumRational(int n, int d, int loops) => Optima.GetOrAdd((n, d, loops), _ =>
    {
        var t = Moments(n, d, loops);
        int Sign(BigInteger p, BigInteger q) => Numerator(t, n, loops, p, q, derivative: true).Sign;
        // ℓ'(0) = −2L m_1 < 0; double the right end until ℓ' > 0 there.
        BigInteger hi = 1, scale = 1; // the bracket is [lo/scale, hi/scale]
        while (Sign(hi, 1) <= 0) hi *= 2;
        BigInteger lo = 0;
        for (int i = 0; i < BisectionSteps; i++)
        {
            lo *= 2; hi *= 2; scale *= 2;
            var mid = (lo + hi) / 2;
            if (Sign(mid, scale) < 0) lo = mid; else hi = mid;
        }
        var bStar = Rational.Of(lo + hi, 2 * scale);
        return (bStar, ExactLoss(n, d, loops, bStar));
    });

    private static BigInteger[] Moments(int n, int d, int loops)
    {
        Guard.Positive(loops, nameof(loops));
        if (loops > MaxLoops) throw new ArgumentException($"loops must be ≤ {MaxLoops} for the exact moments (got {loops}).", nameof(loops));
        return RealWishartMoments.TraceMoments(n, d, 2 * loops);
    }

    /// <summary>
    /// The numerator N of ℓ_L(p/q) = N / (qn)^{2L}, N = Σ_k c_k p^k (qn)^{2L−k}, c_k = C(2L, k)(−1)^k t_k (t_k = E tr W^k, m_k = t_k/n^k); or
    /// that of ℓ_L'(p/q) = N' / (q^{2L−1} n^{2L}), N' = Σ_{k≥1} k c_k p^{k−1} (qn)^{2L−k}, whose sign is ℓ_L'’s (q &gt; 0). Horner in integers.
    /// </summary>
    private static BigInteger Numerator(BigInteger[] t, int n, int loops, BigInteger p, BigInteger q, bool derivative)
    {
        int top = 2 * loops, low = derivative ? 1 : 0;
        var c = new BigInteger[top + 1];
        BigInteger binomial = 1; // C(2L, k)
        for (int k = 0; k <= top; k++)
        {
            c[k] = (k % 2 == 0 ? binomial : -binomial) * t[k] * (derivative ? k : 1);
            binomial = binomial * (top - k) / (k + 1);
        }
        var qn = q * n;
        BigInteger acc = c[top], qnPower = 1;
        for (int k = top - 1; k >= low; k--)
        {
            qnPower *= qn;
            acc = acc * p + c[k] * qnPower;
        }
        return acc;
    }

    private static (BigInteger P, BigInteger Q) Parts(Rational b) => (b.Numerator, b.Denominator);

    /// <summary>A finite double as the exact dyadic rational p/q it stores.</summary>
    public static (BigInteger P, BigInteger Q) Dyadic(double b)
    {
        if (b == 0) return (0, 1);
        long bits = BitConverter.DoubleToInt64Bits(b);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent++; else mantissa |= 1L << 52;
        exponent -= 1075; // b = ±mantissa · 2^exponent
        BigInteger p = b < 0 ? -mantissa : mantissa;
        return exponent >= 0 ? (p << exponent, 1) : (p, BigInteger.One << -exponent);
    }

    /// <summary>Eigenvalues of K whitened sample covariances Ŵ = (1/n)ΣzzT, z ~ N(0, I_d).</summary>
    public static double[][] EigenvalueSample(int n, int d, int count, int seed) =>
        SparseFamilyLoss.DrawSamples(Matrix<double>.Build.DenseIdentity(d), n, count, seed)
            .Select(w => w.Evd(Symmetricity.Symmetric).EigenValues.Select(e => e.Real).ToArray()).ToArray();

    /// <summary>Per-draw Σ_j (1 − bλ_j)^{2L}.</summary>
    public static double[] PerSample(double[][] eigenvalues, double b, int loops) =>
        eigenvalues.Select(ls => ls.Sum(l => Math.Pow(1 - b * l, 2 * loops))).ToArray();

    public static Estimate Loss(double[][] eigenvalues, double b, int loops) => SampleStatistics.MeanAndError(PerSample(eigenvalues, b, loops));

    /// <summary>
    /// Standard error of the sample minimiser b̂ (delta method): b̂ − b* ≈ −ℓ̂'(b*)/ℓ''(b*), so SE(b̂) = sd(ℓ'_i)/(√m · mean ℓ''_i)
    /// with the per-draw derivatives ℓ'_i = Σ_j −2Lλ_j(1 − bλ_j)^{2L−1}, ℓ''_i = Σ_j 2L(2L−1)λ_j²(1 − bλ_j)^{2L−2}.
    /// </summary>
    public static double MinimizerStandardError(double[][] eigenvalues, double b, int loops)
    {
        int p = 2 * loops;
        var first = eigenvalues.Select(ls => ls.Sum(l => -p * l * Math.Pow(1 - b * l, p - 1))).ToArray();
        var second = eigenvalues.Select(ls => ls.Sum(l => p * (p - 1) * l * l * Math.Pow(1 - b * l, p - 2))).ToArray();
        return SampleStatistics.MeanAndError(first).StandardError / second.Average();
    }

    /// <summary>The minimiser of the sample ℓ̂_L on (0, 2) (golden-section search; ℓ̂_L is convex in b, a sum of even powers of affine maps).</summary>
    public static double Minimize(double[][] eigenvalues, int loops, double tolerance = 1e-9) =>
        Algorithms.Minimizer.GoldenSection(b => PerSample(eigenvalues, b, loops).Average(), 0, 2, tolerance);
}
