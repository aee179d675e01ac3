using LoopedIcl.Numerics.Moments;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Losses;

/// <summary>The single-layer parameters the loss depends on: last row of P = [uᵀ, β]; first d columns of Q = [A; aᵀ].</summary>
public sealed record SingleLayerParameters(Vector<double> U, double Beta, Matrix<double> A, Vector<double> LastRowOfQ)
{
    public int D => A.RowCount;

    public static SingleLayerParameters Sparse(Matrix<double> preconditioner) =>
        new(Vector<double>.Build.Dense(preconditioner.RowCount), 1.0, -preconditioner, Vector<double>.Build.Dense(preconditioner.RowCount));

    public Vector<double> Pack() => Vector<double>.Build.DenseOfEnumerable(U.Concat([Beta]).Concat(A.ToColumnMajorArray()).Concat(LastRowOfQ));

    public static SingleLayerParameters Unpack(Vector<double> v, int d) => new(
        v.SubVector(0, d), v[d], Matrix<double>.Build.DenseOfColumnMajor(d, d, v.SubVector(d + 1, d * d).ToArray()), v.SubVector(d + 1 + d * d, d));

    public static int Count(int d) => 2 * d + 1 + d * d;

    /// <summary>P and Q with these blocks and the given values elsewhere (the loss must not depend on them).</summary>
    public Algebra.Mat<Algebra.Real>[] ToPQ(Func<int, int, double> other)
    {
        int d = D;
        var p = Algebra.Mat<Algebra.Real>.Build(d + 1, d + 1, (i, j) => i < d ? other(i, j) : (j < d ? U[j] : Beta));
        var q = Algebra.Mat<Algebra.Real>.Build(d + 1, d + 1, (i, j) => j == d ? other(i, j) : (i < d ? A[i, j] : LastRowOfQ[j]));
        return [p, q];
    }
}

/// <summary>
/// Closed-form population losses of Ahn et al.'s models from Gaussian/Wishart moments (our derivations, each tested against
/// Monte Carlo through the transformer).
/// </summary>
public static class AhnLosses
{
    /// <summary>Γ = ((n+1)/n)Σ + (tr Σ/n) I.</summary>
    public static Matrix<double> Gamma(Matrix<double> sigma, int n)
    {
        Guard.Positive(n, nameof(n));
        return sigma * ((n + 1.0) / n) + Matrix<double>.Build.DenseIdentity(sigma.RowCount) * (sigma.Trace() / n);
    }

    /// <summary>Theorem 1's optimal loss Σ_i λ_i(λ_i + tr Σ)/((n+1)λ_i + tr Σ).</summary>
    public static double OptimalSingleLayerLoss(Matrix<double> sigma, int n)
    {
        var lambda = sigma.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
        var t1 = lambda.Sum();
        return lambda.Sum(l => l * (l + t1) / ((n + 1) * l + t1));
    }

    /// <summary>
    /// One layer, all (P, Q), x ~ N(0, Σ), w* ~ N(0, I): with K = βAᵀ + a uᵀ and 𝓔[M] = E[SMS],
    /// f = uᵀ𝓔[AΣAᵀ]u + 2β aᵀΣAᵀ(T₁Σ + (2/n)Σ²)u + β²(aᵀΣa)((n+2)/n)(T₁² + 2T₂) + T₁ + 2tr(ΣKΣ) + tr 𝓔[KᵀΣK].
    /// <paramref name="dropTraceTerm"/> uses a wrong 𝓔 (no (1/n)tr(MΣ)Σ term), for negative controls.
    /// </summary>
    public static double SingleLayer(Matrix<double> sigma, int n, SingleLayerParameters p, bool dropTraceTerm = false)
    {
        Guard.Positive(n, nameof(n));
        var (u, beta, a, q) = (p.U, p.Beta, p.A, p.LastRowOfQ);
        double t1 = sigma.Trace(), t2 = (sigma * sigma).Trace();
        Matrix<double> E(Matrix<double> m) => WishartMoments.ExpectedSBS(sigma, m, n, dropTraceTerm);
        var k = a.Transpose() * beta + q.OuterProduct(u);
        return u * (E(a * sigma * a.Transpose()) * u)
               + 2 * beta * (q * (sigma * a.Transpose() * (sigma * t1 + sigma * sigma * (2.0 / n)) * u))
               + beta * beta * (q * (sigma * q)) * ((n + 2.0) / n) * (t1 * t1 + 2 * t2)
               + t1 + 2 * (sigma * k * sigma).Trace() + E(k.Transpose() * sigma * k).Trace();
    }

    /// <summary>
    /// One sparse layer (8), ŷ = x_qᵀAᵀSw*: f(A) = tr(Aᵀ𝓔[C]AΣ) − 2tr(AᵀΣCΣ) + tr(CΣ) with C = Cov(w*) (I or Σ⁻¹).
    /// </summary>
    public static double SparseSingleLayer(Matrix<double> sigma, int n, Matrix<double> a, Matrix<double> taskCovariance, bool dropTraceTerm = false)
    {
        var c = taskCovariance;
        return (a.Transpose() * WishartMoments.ExpectedSBS(sigma, c, n, dropTraceTerm) * a * sigma).Trace()
               - 2 * (a.Transpose() * sigma * c * sigma).Trace() + (c * sigma).Trace();
    }

    /// <summary>∇_A of <see cref="SparseSingleLayer"/>: 2𝓔[C]AΣ − 2ΣCΣ (𝓔[C] symmetric for symmetric C).</summary>
    public static Matrix<double> SparseSingleLayerGradient(Matrix<double> sigma, int n, Matrix<double> a, Matrix<double> taskCovariance) =>
        WishartMoments.ExpectedSBS(sigma, taskCovariance, n) * a * sigma * 2 - sigma * taskCovariance * sigma * 2;

    /// <summary>Theorem 5 (ReLU, one layer, A = αI, b = e_{d+1}, x, w* ~ N(0, I)): f(α) = d + αd + α²d(n+2d+3)/(4n).</summary>
    public static double ReluScalar(int d, int n, double alpha) => d + alpha * d + alpha * alpha * d * (n + 2.0 * d + 3) / (4.0 * n);
}
