using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Moments;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Losses;

/// <summary>The single-layer parameters the loss depends on: last row of P = [uᵀ, β]; first d columns of Q = [A; aᵀ].</summary>
public sealed record SingleLayerParameters(Vector<double> U, double Beta, Matrix<double> A, Vector<double> LastRowOfQ)
{
    public int D => A.RowCount;

    public static SingleLayerParameters Sparse(Matrix<double> preconditioner) =>
        new(Vector<double>.Build.Dense(preconditioner.RowCount), 1.0, -preconditioner, Vector<double>.Build.Dense(preconditioner.RowCount));

    public Vector<double> Pack() => Vector<double>.Build.DenseOfEnumerable(U.Concat([Beta]).Concat(A.ToRowMajorArray()).Concat(LastRowOfQ));

    public static SingleLayerParameters Unpack(Vector<double> v, int d) => new(
        v.SubVector(0, d), v[d], Matrix<double>.Build.DenseOfRowMajor(d, d, v.SubVector(d + 1, d * d).ToArray()), v.SubVector(d + 1 + d * d, d));

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
        var (u, beta, a, q) = (p.U, p.Beta, p.A, p.LastRowOfQ); // n is checked by ExpectedSBS under the same name
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

/// <summary>
/// <see cref="AhnLosses.SingleLayer"/> over the packed parameters of <see cref="SingleLayerParameters"/> (u, β, A row-major, a) as an
/// allocation-free <see cref="Optimization.IObjective"/> with its exact gradient (the multi-start search's hot loop). With
/// 𝓔(M) = αΣMΣ + γ tr(MΣ)Σ (symmetric M; α = (n+1)/n, γ = 1/n), H = 𝓔(I), W = T₁Σ + (2/n)Σ², c₀ = ((n+2)/n)(T₁² + 2T₂), K = βAᵀ + a uᵀ:
/// f = uᵀ𝓔(AΣAᵀ)u + 2β·(Wu)ᵀA(Σa) + β²c₀·aᵀΣa + T₁ + 2tr(KΣ²) + tr(KᵀΣKH); 𝓔 is self-adjoint for the trace product, which gives
/// ∂_A uᵀ𝓔(AΣAᵀ)u = 2𝓔(uuᵀ)AΣ, ∂_K = 2Σ² + 2ΣKH, and the chain rule through K the rest. Equal to the MathNet form and to finite differences (tested).
/// </summary>
public sealed class SingleLayerObjective : Optimization.IObjective
{
    private readonly int _d;
    private readonly double _alpha, _gamma, _t1, _c0;
    private readonly double[] _sigma, _sigma2, _w, _h;
    private readonly double[] _a, _k, _c, _dm, _e, _gk, _ga, _sk, _tmp;
    private readonly double[] _v, _wv, _sw, _z, _r, _ar, _atz, _gu, _gq;

    public int Dimension => SingleLayerParameters.Count(_d);

    public SingleLayerObjective(Matrix<double> sigma, int n)
    {
        Guard.SymmetricPositiveDefinite(sigma, nameof(sigma));
        Guard.Positive(n, nameof(n));
        int d = _d = sigma.RowCount;
        _alpha = (n + 1.0) / n;
        _gamma = 1.0 / n;
        _t1 = sigma.Trace();
        var s2 = sigma * sigma;
        _c0 = (n + 2.0) / n * (_t1 * _t1 + 2 * s2.Trace());
        _sigma = sigma.ToRowMajorArray();
        _sigma2 = s2.ToRowMajorArray();
        _w = (sigma * _t1 + s2 * (2.0 / n)).ToRowMajorArray();
        _h = (s2 * _alpha + sigma * (_gamma * _t1)).ToRowMajorArray();
        double[] M() => new double[d * d];
        double[] V() => new double[d];
        (_a, _k, _c, _dm, _e, _gk, _ga, _sk, _tmp) = (M(), M(), M(), M(), M(), M(), M(), M(), M());
        (_v, _wv, _sw, _z, _r, _ar, _atz, _gu, _gq) = (V(), V(), V(), V(), V(), V(), V(), V(), V());
    }

    public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
    {
        Guard.Length(x.Length, Dimension, nameof(x));
        int d = _d, dd = d * d;
        var u = x[..d];
        double beta = x[d];
        var q = x.Slice(d + 1 + dd, d);
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) _a[i * d + j] = x[d + 1 + i * d + j];
        // Term 1: v = Σu, w = Aᵀv; uᵀ𝓔(AΣAᵀ)u = α wᵀΣw + γ tr(AΣAᵀΣ)·uᵀΣu.
        MatVec(_sigma, u, _v, d);
        MatTVec(_a, _v, _wv, d);
        MatVec(_sigma, _wv, _sw, d);
        double su = Dot(u, _v), wsw = Dot(_wv, _sw);
        RowMajor.Multiply(_sigma, _a, _c, d);      // C = ΣA
        RowMajor.Multiply(_c, _sigma, _dm, d);     // D = ΣAΣ
        double trASAS = 0;           // tr(AΣAᵀΣ) = Σ (AΣ)∘(ΣA)
        RowMajor.Multiply(_a, _sigma, _tmp, d);
        for (int i = 0; i < dd; i++) trASAS += _tmp[i] * _c[i];
        double f = _alpha * wsw + _gamma * trASAS * su;
        // Term 2: z = Wu, r = Σa; 2β zᵀA r.
        MatVec(_w, u, _z, d);
        MatVec(_sigma, q, _r, d);
        MatVec(_a, _r, _ar, d);
        double zar = Dot(_z, _ar);
        f += 2 * beta * zar;
        // Term 3: β²c₀ aᵀΣa.
        double qr = Dot(q, _r);
        f += beta * beta * _c0 * qr;
        // Terms 4–6: T₁ + 2tr(KΣ²) + tr(KᵀΣKH), K = βAᵀ + a uᵀ.
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) _k[i * d + j] = beta * _a[j * d + i] + q[i] * u[j];
        RowMajor.Multiply(_sigma, _k, _sk, d);
        RowMajor.Multiply(_sk, _h, _e, d);         // E = ΣKH
        double trK = 0, quad = 0;
        for (int i = 0; i < dd; i++) { trK += _k[i] * _sigma2[i]; quad += _k[i] * _e[i]; } // Σ² symmetric: tr(KΣ²) = Σ K∘Σ²
        f += _t1 + 2 * trK + quad;
        if (gradient.IsEmpty) return f;
        Guard.Length(gradient.Length, Dimension, nameof(gradient));
        // ∂A: 2α v(Σw)ᵀ + 2γ(uᵀΣu)ΣAΣ + 2β z rᵀ, plus β·G_Kᵀ from K.
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                _ga[i * d + j] = 2 * _alpha * _v[i] * _sw[j] + 2 * _gamma * su * _dm[i * d + j] + 2 * beta * _z[i] * _r[j];
        // ∂u: 2[αΣAΣw + γ tr(AΣAᵀΣ)Σu] + 2βW(Ar); ∂a: 2βΣ(Aᵀz) + 2β²c₀ r; ∂β: 2zᵀAr + 2βc₀ aᵀΣa.
        MatVec(_dm, _wv, _tmp.AsSpan(0, d), d);
        MatVec(_w, _ar, _gu, d);
        for (int i = 0; i < d; i++) _gu[i] = 2 * (_alpha * _tmp[i] + _gamma * trASAS * _v[i]) + 2 * beta * _gu[i];
        MatTVec(_a, _z, _atz, d);
        MatVec(_sigma, _atz, _gq, d);
        for (int i = 0; i < d; i++) _gq[i] = 2 * beta * _gq[i] + 2 * beta * beta * _c0 * _r[i];
        double gBeta = 2 * zar + 2 * beta * _c0 * qr;
        // G_K = 2Σ² + 2ΣKH; K = βAᵀ + a uᵀ ⇒ ∂β += Σ G_K∘Aᵀ, ∂A += βG_Kᵀ, ∂a += G_K u, ∂u += G_Kᵀ a.
        for (int i = 0; i < dd; i++) _gk[i] = 2 * _sigma2[i] + 2 * _e[i];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double gk = _gk[i * d + j];
                gBeta += gk * _a[j * d + i];
                _ga[j * d + i] += beta * gk;
                _gq[i] += gk * u[j];
                _gu[j] += gk * q[i];
            }
        for (int i = 0; i < d; i++) { gradient[i] = _gu[i]; gradient[d + 1 + dd + i] = _gq[i]; }
        gradient[d] = gBeta;
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) gradient[d + 1 + i * d + j] = _ga[i * d + j];
        return f;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static void MatVec(double[] m, ReadOnlySpan<double> x, Span<double> y, int d)
    {
        for (int i = 0; i < d; i++) { double s = 0; for (int k = 0; k < d; k++) s += m[i * d + k] * x[k]; y[i] = s; }
    }

    private static void MatTVec(double[] m, ReadOnlySpan<double> x, Span<double> y, int d)
    {
        for (int i = 0; i < d; i++) { double s = 0; for (int k = 0; k < d; k++) s += m[k * d + i] * x[k]; y[i] = s; }
    }
}
