using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Algorithms;

namespace LoopedIcl.Numerics.Moments;

/// <summary>
/// The optimal per-layer step sizes of L-step GD on the whitened problem (Ahn et al. Theorem 3, our derivation):
/// minimise g(a) = E tr Π_l (I − a_l S̃)² = ∫ p(μ)² dν over polynomials p of degree ≤ L with p(0) = 1. The minimiser is the
/// kernel polynomial p*(μ) = 1 + Σ c_k μ^k, c = −H⁻¹(m_1..m_L), H_jk = m_{j+k}; g* = m_0 − mᵀH⁻¹m, a_l = 1/root_l.
/// </summary>
public static class KernelPolynomial
{
    public sealed record Optimum(double[] StepSizes, Rational OptimalLoss, Rational[] Coefficients);

    /// <summary>The optimum for L layers from moments m_0 … m_{2L} (exact except for the final root-finding).</summary>
    public static Optimum Solve(IReadOnlyList<Rational> moments, int layers)
    {
        Guard.Positive(layers, nameof(layers));
        if (moments.Count < 2 * layers + 1) throw new ArgumentException($"moments must hold m_0..m_{2 * layers} (got {moments.Count}).", nameof(moments));
        var h = Mat<Rational>.Build(layers, layers, (j, k) => moments[j + k + 2]);
        var m = Mat<Rational>.Build(layers, 1, (j, _) => moments[j + 1]);
        var c = -LinearSolve.Solve(h, m);
        var gStar = moments[0] + Mat<Rational>.Dot(m, c);
        var coefficients = new Rational[layers + 1];
        coefficients[0] = Rational.One;
        for (int k = 1; k <= layers; k++) coefficients[k] = c[k - 1, 0];
        var roots = MathNet.Numerics.FindRoots.Polynomial(coefficients.Select(v => v.ToDouble()).ToArray());
        // Moments of a measure on (0, ∞) give real positive roots (p* is orthogonal for μ·ν there); anything else is not such a sequence.
        foreach (var r in roots)
            if (Math.Abs(r.Imaginary) > 1e-8 * Math.Max(1, Math.Abs(r.Real)) || r.Real <= 0)
                throw new ArgumentException($"moments must be those of a measure on (0, ∞): the kernel polynomial's roots must be real and positive (got {(r.Imaginary == 0 ? $"{r.Real:G6}" : $"{r.Real:G6} ± {Math.Abs(r.Imaginary):G6}i")}).", nameof(moments));
        var steps = roots.Select(r => 1 / r.Real).OrderBy(a => a).ToArray();
        return new Optimum(steps, gStar, coefficients);
    }

    /// <summary>Ahn's scalar objective g(a) = Σ_j c_j(a) m_j with Π_l(1 − a_l μ)² = Σ_j c_j(a) μ^j, exactly in the moments.</summary>
    public static double Loss(IReadOnlyList<Rational> moments, IReadOnlyList<double> stepSizes) => Loss(Rounded(moments, stepSizes.Count), stepSizes);

    /// <summary><see cref="Loss(IReadOnlyList{Rational}, IReadOnlyList{double})"/> from the moments m_0 … m_{2L} each rounded once to double (<see cref="Rounded"/>): the same value.</summary>
    public static double Loss(double[] moments, IReadOnlyList<double> stepSizes)
    {
        var poly = new double[] { 1 };
        foreach (var a in stepSizes) poly = Multiply(poly, [1, -a]);
        poly = Multiply(poly, poly);
        if (moments.Length < poly.Length) throw new ArgumentException($"moments must hold m_0..m_{poly.Length - 1}.", nameof(moments));
        double g = 0;
        for (int j = 0; j < poly.Length; j++) g += poly[j] * moments[j];
        return g;
    }

    /// <summary>m_0 … m_{2L} rounded to double once (the hot loops of the scalar-line flows evaluate g thousands of times).</summary>
    public static double[] Rounded(IReadOnlyList<Rational> moments, int layers)
    {
        ArgumentNullException.ThrowIfNull(moments);
        if (moments.Count < 2 * layers + 1) throw new ArgumentException($"moments must hold m_0..m_{2 * layers}.", nameof(moments));
        var m = new double[2 * layers + 1];
        for (int j = 0; j < m.Length; j++) m[j] = moments[j].ToDouble();
        return m;
    }

    /// <summary>The Gatmiry looped restriction ℓ_L(b) = E tr(I − bS̃)^{2L} = Σ_k C(2L, k)(−b)^k m_k.</summary>
    public static double LoopedLoss(IReadOnlyList<Rational> moments, double b, int loops) => Loss(moments, Enumerable.Repeat(b, loops).ToArray());

    /// <summary>∂g/∂a_l: g is a quadratic in each a_l, so the central difference with step 1 is exact (up to rounding).</summary>
    public static double[] Gradient(IReadOnlyList<Rational> moments, IReadOnlyList<double> stepSizes) => Gradient(Rounded(moments, stepSizes.Count), stepSizes);

    /// <summary><see cref="Gradient(IReadOnlyList{Rational}, IReadOnlyList{double})"/> from the rounded moments (<see cref="Rounded"/>): the same values.</summary>
    public static double[] Gradient(double[] moments, IReadOnlyList<double> stepSizes)
    {
        var grad = new double[stepSizes.Count];
        var s = stepSizes.ToArray();
        for (int l = 0; l < s.Length; l++)
        {
            // g is quadratic in a_l: g(a_l) = α + βa_l + γa_l²; recover β + 2γa_l from three exact evaluations.
            double a = s[l];
            s[l] = a - 1; double gm = Loss(moments, s);
            s[l] = a + 1; double gp = Loss(moments, s);
            s[l] = a;
            grad[l] = (gp - gm) / 2; // exact for a quadratic: β + 2γa
        }
        return grad;
    }

    internal static double[] Multiply(double[] p, double[] q)
    {
        var r = new double[p.Length + q.Length - 1];
        for (int i = 0; i < p.Length; i++)
            for (int j = 0; j < q.Length; j++) r[i + j] += p[i] * q[j];
        return r;
    }
}
