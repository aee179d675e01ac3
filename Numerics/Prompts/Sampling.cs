using LoopedIcl.Numerics.Algebra;
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
