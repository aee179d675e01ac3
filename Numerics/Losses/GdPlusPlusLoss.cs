using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Losses;

/// <summary>
/// Ahn et al.'s family (11) (GD++) on a fixed sample of sample covariances S, with the query and the task integrated exactly.
/// In d×d form: T_k = I + B_kS_kA_k, S_{k+1} = T_kS_kT_kᵀ, the label moment r_k = R_k w* with R_0 = S, R_{k+1} = T_k(R_k + S_kA_kᵀR_k),
/// and ŷ = vᵀx_q with v = −Σ_k Q_kᵀA_kᵀR_k w*, Q_k = T_{k−1}···T_0. So E[(ŷ − y_q)² | S] = tr((M − I)ᵀΣ(M − I)C),
/// M = −Σ_k Q_kᵀA_kᵀR_k. (Our derivation; tested against Monte Carlo through the literal transformer.)
/// Note the family's sign: Q = +[[A,0],[0,0]] and the + residual, so useful A are negative.
/// </summary>
public sealed class GdPlusPlusLoss
{
    public IReadOnlyList<Matrix<double>> Samples { get; }
    public Matrix<double> Sigma { get; }
    public Matrix<double> TaskCovariance { get; }

    public GdPlusPlusLoss(IReadOnlyList<Matrix<double>> samples, Matrix<double> sigma, Matrix<double> taskCovariance)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("samples must not be empty.", nameof(samples));
        Guard.SymmetricPositiveDefinite(sigma, nameof(sigma));
        int d = sigma.RowCount;
        foreach (var sample in samples) Guard.Shape(sample.RowCount, sample.ColumnCount, d, d, nameof(samples));
        ArgumentNullException.ThrowIfNull(taskCovariance);
        Guard.Shape(taskCovariance.RowCount, taskCovariance.ColumnCount, d, d, nameof(taskCovariance));
        Guard.AllFinite(taskCovariance, nameof(taskCovariance));
        Samples = samples;
        Sigma = sigma;
        TaskCovariance = taskCovariance;
    }

    /// <summary>M(S) with ŷ = x_qᵀ M w* for a realizable prompt whose context has sample covariance S.</summary>
    public static Matrix<double> PredictionMatrix(Matrix<double> s0, IReadOnlyList<Matrix<double>> a, IReadOnlyList<Matrix<double>> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"a and b must have one matrix per layer (got {a.Count} and {b.Count}).", nameof(b));
        return Forward(s0, a, b, null);
    }

    /// <summary>The recursion; when <paramref name="tape"/> is given, records each layer's (s_k, r_k, q_k, t_k) for the backward pass.</summary>
    private static Matrix<double> Forward(Matrix<double> s0, IReadOnlyList<Matrix<double>> a, IReadOnlyList<Matrix<double>> b,
        (Matrix<double> S, Matrix<double> R, Matrix<double> Q, Matrix<double> T)[]? tape)
    {
        int d = s0.RowCount;
        var id = Matrix<double>.Build.DenseIdentity(d);
        var s = s0;
        var r = s0;
        var q = id;
        var m = Matrix<double>.Build.Dense(d, d);
        for (int k = 0; k < a.Count; k++)
        {
            m -= q.TransposeThisAndMultiply(a[k].TransposeThisAndMultiply(r));
            var t = id + b[k] * s * a[k];
            if (tape is not null) tape[k] = (s, r, q, t);
            r = t * (r + s * a[k].TransposeThisAndMultiply(r));
            s = t * s * t.Transpose();
            q = t * q;
        }
        return m;
    }

    /// <summary>
    /// f̂ and its exact gradients with respect to every A_l and B_l, by reverse-mode differentiation of the d×d recursion
    /// (forward: m ← m − qᵀAᵀr, t = I + BsA, r ← t(r + sAᵀr), s ← tstᵀ, q ← tq; loss tr(eᵀΣeC), e = m − I).
    /// </summary>
    public (double Value, Matrix<double>[] GradA, Matrix<double>[] GradB) ValueAndGradient(IReadOnlyList<Matrix<double>> a, IReadOnlyList<Matrix<double>> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"a and b must have one matrix per layer (got {a.Count} and {b.Count}).", nameof(b));
        int d = Sigma.RowCount, layers = a.Count;
        var id = Matrix<double>.Build.DenseIdentity(d);
        var gradA = Enumerable.Range(0, layers).Select(_ => Matrix<double>.Build.Dense(d, d)).ToArray();
        var gradB = Enumerable.Range(0, layers).Select(_ => Matrix<double>.Build.Dense(d, d)).ToArray();
        double total = 0;
        var tape = new (Matrix<double> S, Matrix<double> R, Matrix<double> Q, Matrix<double> T)[layers];
        foreach (var s0 in Samples)
        {
            var m = Forward(s0, a, b, tape);
            var e = m - id;
            total += (e.TransposeThisAndMultiply(Sigma) * e * TaskCovariance).Trace();
            // Backward. m̄ is the same at every step (m accumulates additively).
            var mBar = Sigma * e * TaskCovariance * 2;
            var rBar = Matrix<double>.Build.Dense(d, d);
            var sBar = Matrix<double>.Build.Dense(d, d);
            var qBar = Matrix<double>.Build.Dense(d, d);
            for (int k = layers - 1; k >= 0; k--)
            {
                var (sk, rk, qk, t) = tape[k];
                var (ak, bk) = (a[k], b[k]);
                var u = rk + sk * ak.TransposeThisAndMultiply(rk);
                // q_{k+1} = t q_k
                var tBar = qBar * qk.Transpose();
                var qBarK = t.TransposeThisAndMultiply(qBar);
                // s_{k+1} = t s_k tᵀ
                tBar += sBar * t * sk.Transpose() + sBar.TransposeThisAndMultiply(t) * sk;
                var sBarK = t.TransposeThisAndMultiply(sBar) * t;
                // r_{k+1} = t u, u = r_k + s_k A_kᵀ r_k
                tBar += rBar * u.Transpose();
                var uBar = t.TransposeThisAndMultiply(rBar);
                var rBarK = uBar + ak * sk.TransposeThisAndMultiply(uBar);
                sBarK += uBar * (ak.TransposeThisAndMultiply(rk)).Transpose();
                gradA[k] += rk * uBar.Transpose() * sk;
                // t = I + B_k s_k A_k
                gradB[k] += tBar * (sk * ak).Transpose();
                sBarK += bk.TransposeThisAndMultiply(tBar) * ak.Transpose();
                gradA[k] += (bk * sk).TransposeThisAndMultiply(tBar);
                // m_{k+1} = m_k − q_kᵀ A_kᵀ r_k
                qBarK -= ak.TransposeThisAndMultiply(rk) * mBar.Transpose();
                gradA[k] -= rk * mBar.Transpose() * qk.Transpose();
                rBarK -= ak * qk * mBar;
                (rBar, sBar, qBar) = (rBarK, sBarK, qBarK);
            }
        }
        int count = Samples.Count;
        foreach (var g in gradA) g.Divide(count, g);
        foreach (var g in gradB) g.Divide(count, g);
        return (total / count, gradA, gradB);
    }

    public double Value(IReadOnlyList<Matrix<double>> a, IReadOnlyList<Matrix<double>> b)
    {
        var id = Matrix<double>.Build.DenseIdentity(Sigma.RowCount);
        double total = 0;
        foreach (var s in Samples)
        {
            var e = PredictionMatrix(s, a, b) - id;
            total += (e.TransposeThisAndMultiply(Sigma) * e * TaskCovariance).Trace();
        }
        return total / Samples.Count;
    }
}

/// <summary>
/// The scalar reduction g(a, b) of family (11) on 𝒮 (A_l = a_lΣ⁻¹, B_l = b_lI), which is Σ-free: in whitened coordinates every matrix of
/// the recursion is a polynomial in S̃, so each eigenvalue μ of S̃ evolves alone: s₀ = r₀ = μ, q₀ = 1, m₀ = 0;
/// m ← m − q·a_k·r, t = 1 + a_kb_ks, r ← t(r + a_k s r), s ← t²s, q ← tq; and g = mean over samples of Σ_μ (m(μ) − 1)².
/// </summary>
public sealed class ScalarGdPlusPlusLoss
{
    private readonly double[][] _eigenvalues;

    public ScalarGdPlusPlusLoss(IEnumerable<Matrix<double>> whitenedSamples)
    {
        ArgumentNullException.ThrowIfNull(whitenedSamples);
        _eigenvalues = whitenedSamples.Select(s => s.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray()).ToArray();
        if (_eigenvalues.Length == 0) throw new ArgumentException("whitenedSamples must not be empty.", nameof(whitenedSamples));
    }

    public double Value(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"a and b must have one value per layer (got {a.Count} and {b.Count}).", nameof(b));
        // Copies, so the hot loop indexes arrays rather than calling an interface indexer per eigenvalue and layer.
        var ak = a.ToArray();
        var bk = b.ToArray();
        double total = 0;
        foreach (var mus in _eigenvalues)
            foreach (var mu in mus)
            {
                double s = mu, r = mu, q = 1, m = 0;
                for (int k = 0; k < ak.Length; k++)
                {
                    m -= q * ak[k] * r;
                    var t = 1 + ak[k] * bk[k] * s;
                    r = t * (r + ak[k] * s * r);
                    s = t * t * s;
                    q *= t;
                }
                total += (m - 1) * (m - 1);
            }
        return total / _eigenvalues.Length;
    }
}
