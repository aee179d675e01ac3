using LoopedIcl.Numerics.Prompts;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.TestSupport;

/// <summary>Covariances the theorem tests share: random ones with κ(Σ) up to 100, and the fixed references of the notes.</summary>
public static class Sigmas
{
    /// <summary>Σ = O diag(λ) Oᵀ with a geometric spectrum of condition number κ in a Haar basis, from a seed.</summary>
    public static Matrix<double> Random(int d, double kappa, int seed) => Covariance.WithConditionNumber(d, kappa, Numerics.Prompts.Rng.Create(seed));

    /// <summary>The dense reference Σ of Ahn et al.'s notes (§3.3).</summary>
    public static Matrix<double> AhnDense() => Matrix<double>.Build.DenseOfArray(new double[,] { { 2, 0.5, 0 }, { 0.5, 1, 0.3 }, { 0, 0.3, 0.5 } });

    public static Matrix<double> Identity(int d) => Matrix<double>.Build.DenseIdentity(d);

    /// <summary>Relative Frobenius distance of M from the span of B: ‖M − (⟨M,B⟩/‖B‖²)B‖/‖M‖.</summary>
    public static double ResidualFromSpan(Matrix<double> m, Matrix<double> b)
    {
        var coefficient = m.PointwiseMultiply(b).Enumerate().Sum() / b.PointwiseMultiply(b).Enumerate().Sum();
        return (m - b * coefficient).FrobeniusNorm() / m.FrobeniusNorm();
    }
}
