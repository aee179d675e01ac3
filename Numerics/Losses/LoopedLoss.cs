using LoopedIcl.Numerics.Moments;
using LoopedIcl.Numerics.Statistics;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Losses;

/// <summary>
/// Gatmiry et al.'s looped model (Q = [[A,0],[0,0]], P = [[0,0],[uᵀ,1]], Z ← Z − (1/n)Attn, L loops) on a fixed sample of
/// sample covariances Ŝ, w* ~ N(0, Σ⁻¹), x_q ~ N(0, Σ) integrated exactly (Lemma R3 of the notes):
/// E[(TF_L − y_q)² | X] = tr(CᵀΣCΣ⁻¹) + uᵀ(I − C)ᵀΣ(I − C)u, C = (I − AᵀŜ)^L.
/// The A-part is the sparse family with L tied layers, so its gradient is the sum of the per-layer gradients.
/// </summary>
public sealed class LoopedLoss
{
    private readonly SparseFamilyLoss _tied;
    public int Loops { get; }
    public Matrix<double> Sigma => _tied.Sigma;
    public IReadOnlyList<Matrix<double>> Samples => _tied.Samples;

    public LoopedLoss(IReadOnlyList<Matrix<double>> samples, Matrix<double> sigma, int loops, Matrix<double>? taskCovariance = null)
    {
        Guard.Positive(loops, nameof(loops));
        Loops = loops;
        _tied = new SparseFamilyLoss(samples, sigma, taskCovariance ?? sigma.Inverse());
    }

    private Matrix<double>[] Tied(Matrix<double> a) => Enumerable.Repeat(a, Loops).ToArray();

    /// <summary>L(A, u) on the sample (u = null means u = 0).</summary>
    public double Value(Matrix<double> a, Vector<double>? u = null) => _tied.Value(Tied(a)) + (u is null ? 0 : ShiftTerm(a, u).Average());

    /// <summary>Per-sample conditional losses (for paired differences).</summary>
    public double[] PerSample(Matrix<double> a, Vector<double>? u = null)
    {
        var v = _tied.PerSample(Tied(a));
        if (u is null) return v;
        var shift = ShiftTerm(a, u);
        return v.Select((x, i) => x + shift[i]).ToArray();
    }

    /// <summary>uᵀ(I − C)ᵀΣ(I − C)u per sample: what a non-zero u costs (≥ 0; 0 iff (I − C)u = 0).</summary>
    public double[] ShiftTerm(Matrix<double> a, Vector<double> u)
    {
        int d = Sigma.RowCount;
        var id = Matrix<double>.Build.DenseIdentity(d);
        return Samples.Select(s =>
        {
            var c = id;
            var step = id - a.TransposeThisAndMultiply(s);
            for (int l = 0; l < Loops; l++) c = step * c;
            var v = (id - c) * u;
            return v * (Sigma * v);
        }).ToArray();
    }

    /// <summary>L(A, 0) as an allocation-free objective over A (column-major d² entries; <paramref name="symmetric"/>: A = (V + Vᵀ)/2).</summary>
    public SparseFamilyObjective Objective(bool symmetric = false) => new(_tied, Loops, tied: true, symmetric);

    /// <summary>(L(A, 0), ∇_A L(A, 0)): the tied layers' gradients summed.</summary>
    public (double Value, Matrix<double> Gradient) ValueAndGradient(Matrix<double> a)
    {
        var (v, grads) = _tied.ValueAndGradient(Tied(a));
        var g = grads[0].Clone();
        for (int l = 1; l < grads.Length; l++) g += grads[l];
        return (v, g);
    }
}

/// <summary>
/// Gatmiry's scalar restriction on the line A = bΣ⁻¹ (B = bI): ℓ_L(b) = E tr(I − bŴ)^{2L} = Σ_k C(2L, k)(−b)^k m_k.
/// Exact from Wishart moments for L ≤ 4; for larger L from a sample of eigenvalues of Ŵ (an estimate with its own error).
/// </summary>
public static class LoopedScalar
{
    /// <summary>The exact minimiser b* and ℓ_L(b*) from moments (L ≤ 4): the real root of ℓ_L' in (0, 2) with the least ℓ_L.</summary>
    public static (double B, double Loss) ExactOptimum(int n, int d, int loops)
    {
        Guard.Positive(loops, nameof(loops));
        if (2 * loops > WishartMoments.MaxOrder) throw new ArgumentException($"loops must be ≤ {WishartMoments.MaxOrder / 2} for the exact moments (got {loops}).", nameof(loops));
        var m = WishartMoments.WhitenedMoments(2 * loops, n, d).Select(r => r.ToDouble()).ToArray();
        // ℓ(b) = Σ_k c_k b^k with c_k = C(2L,k)(−1)^k m_k; ℓ'(b) = Σ_k k c_k b^{k−1}.
        var c = Enumerable.Range(0, 2 * loops + 1).Select(k => Binomial(2 * loops, k) * (k % 2 == 0 ? 1 : -1) * m[k]).ToArray();
        var derivative = Enumerable.Range(1, 2 * loops).Select(k => k * c[k]).ToArray();
        var roots = MathNet.Numerics.FindRoots.Polynomial(derivative)
            .Where(r => Math.Abs(r.Imaginary) < 1e-9 && r.Real > 0 && r.Real < 2).Select(r => r.Real).ToArray();
        if (roots.Length == 0) throw new InvalidOperationException($"ℓ_{loops}' has no real root in (0, 2) for n={n}, d={d}.");
        double Loss(double b) => c.Select((ck, k) => ck * Math.Pow(b, k)).Sum();
        var best = roots.OrderBy(Loss).First();
        return (best, Loss(best));
    }

    private static double Binomial(int n, int k) => MathNet.Numerics.SpecialFunctions.Binomial(n, k);

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
