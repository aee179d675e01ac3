using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Engine;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Random;

namespace LoopedIcl.Numerics.Prompts;

/// <summary>Seeded random streams. Every Monte Carlo or property draw starts from one of these, so a seed replays it.</summary>
public static class Rng
{
    public static Random Create(int seed) => new Xoshiro256StarStar(seed, threadSafe: false);

    public static double[] Gaussians(Random rng, int count)
    {
        var a = new double[count];
        Normal.Samples(rng, a, 0.0, 1.0);
        return a;
    }

    public static Mat<Real> GaussianMatrix(Random rng, int rows, int cols, double scale = 1.0)
    {
        var g = Gaussians(rng, rows * cols);
        return Mat<Real>.Build(rows, cols, (i, j) => scale * g[i * cols + j]);
    }
}

/// <summary>Covariance matrices Σ with a requested spectrum, in a Haar-random eigenbasis.</summary>
public static class Covariance
{
    /// <summary>A Haar-distributed orthogonal matrix (QR of a Gaussian matrix with the sign of diag R fixed).</summary>
    public static Matrix<double> HaarOrthogonal(int d, Random rng)
    {
        Guard.Positive(d, nameof(d));
        var g = Matrix<double>.Build.Dense(d, d, Rng.Gaussians(rng, d * d));
        var qr = g.QR();
        var q = qr.Q.Clone();
        for (int j = 0; j < d; j++)
            if (qr.R[j, j] < 0) q.SetColumn(j, q.Column(j).Negate());
        return q;
    }

    /// <summary>Σ = O diag(λ) Oᵀ with O Haar; eigenvalues must be finite and &gt; 0.</summary>
    public static Matrix<double> FromSpectrum(IReadOnlyList<double> eigenvalues, Random rng)
    {
        ArgumentNullException.ThrowIfNull(eigenvalues);
        Guard.Positive(eigenvalues.Count, "eigenvalues.Count (d)");
        for (int i = 0; i < eigenvalues.Count; i++) Guard.Positive(eigenvalues[i], $"eigenvalues[{i}]");
        var o = HaarOrthogonal(eigenvalues.Count, rng);
        var s = o * Matrix<double>.Build.DiagonalOfDiagonalArray(eigenvalues.ToArray()) * o.Transpose();
        return (s + s.Transpose()) / 2; // exact symmetry, so checks on Σ never see rounding asymmetry
    }

    /// <summary>Eigenvalues geometrically spaced from 1 down to 1/κ (κ ≥ 1; d = 1 needs κ = 1).</summary>
    public static double[] GeometricSpectrum(int d, double kappa)
    {
        Guard.Positive(d, nameof(d));
        Guard.AtLeast(kappa, 1.0, nameof(kappa));
        if (d == 1 && kappa != 1.0) throw new ArgumentException($"kappa must be 1 when d = 1 (got {kappa}).", nameof(kappa));
        return Enumerable.Range(0, d).Select(i => d == 1 ? 1.0 : Math.Pow(kappa, -(double)i / (d - 1))).ToArray();
    }

    /// <summary>Σ^p for a symmetric positive definite Σ (e.g. p = ½ for the symmetric root, −½ for whitening), by eigendecomposition.</summary>
    public static Matrix<double> Power(Matrix<double> sigma, double p)
    {
        var evd = sigma.Evd(Symmetricity.Symmetric);
        var v = evd.EigenVectors;
        return v * Matrix<double>.Build.DiagonalOfDiagonalArray(evd.EigenValues.Select(e => Math.Pow(e.Real, p)).ToArray()) * v.Transpose();
    }

    /// <summary>Σ with condition number exactly κ (geometric spectrum in a random basis).</summary>
    public static Matrix<double> WithConditionNumber(int d, double kappa, Random rng) => FromSpectrum(GeometricSpectrum(d, kappa), rng);
}

/// <summary>The law of the task vector w*.</summary>
public enum TaskLaw
{
    /// <summary>w* ~ N(0, I) (Ahn Theorems 1, 2, 5).</summary>
    Isotropic,
    /// <summary>w* ~ N(0, Σ⁻¹) (Ahn Theorems 3, 4; Gatmiry).</summary>
    InverseCovariance,
    /// <summary>w* uniform on the unit sphere (‖w*‖ = 1, Chen et al.).</summary>
    UnitSphere,
}

/// <summary>
/// Seeded Gaussian prompts one at a time: x_i, x_q ~ N(0, Σ) i.i.d., w* from a <see cref="TaskLaw"/>, y_i = ⟨w*, x_i⟩ + σ ε_i.
/// A thin view over the engine's sampler (<see cref="PromptLaw"/>): one random stream per seed, so Sample(n, seed) is prompt 0 of
/// PromptLaw.Draw(n, ·, seed) and the first prompt of PromptBuffer(Σ, law, n, seed). The Random overloads draw that seed from the
/// caller's stream (one 64-bit value per prompt), so existing call sites still replay from their one seed.
/// </summary>
public sealed class PromptSampler
{
    private readonly PromptLaw _law;

    public Matrix<double> Sigma => _law.Sigma;
    public TaskLaw Task => _law.Task;
    public double NoiseSigma => _law.NoiseSigma;
    public int D => _law.D;

    public PromptSampler(Matrix<double> sigma, TaskLaw task, double noiseSigma = 0.0) => _law = new PromptLaw(sigma, task, noiseSigma);

    public static PromptSampler Isotropic(int d, TaskLaw task, double noiseSigma = 0.0)
    {
        Guard.Positive(d, nameof(d));
        return new PromptSampler(Matrix<double>.Build.DenseIdentity(d), task, noiseSigma);
    }

    /// <summary>The prompt of the engine's stream <paramref name="seed"/> (prompt 0 of PromptLaw.Draw(n, ·, seed)).</summary>
    public Prompt<Real> Sample(int n, ulong seed) => _law.Draw(n, 1, seed).ToPrompt(0);

    /// <summary>A prompt with a fresh task vector, from the engine stream whose seed is the next value of <paramref name="rng"/>.</summary>
    public Prompt<Real> Sample(int n, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Guard.Positive(n, nameof(n));
        return Sample(n, (ulong)rng.NextInt64());
    }

    /// <summary>A task vector w* (the task of a fresh one-example prompt).</summary>
    public Mat<Real> SampleTask(Random rng) => Sample(1, rng).Task;

    /// <summary>n covariate rows x_i ~ N(0, Σ) as an n×d matrix (the context of a fresh prompt).</summary>
    public Mat<Real> SampleCovariates(int n, Random rng) => Sample(n, rng).X;
}
