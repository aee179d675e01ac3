using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Models;

/// <summary>
/// Literal self-attention in the column-token layout of Ahn et al. / Gatmiry et al.:
/// Attn_{P,Q}(Z) = P Z (mask ∘ σ(Zᵀ Q Z)), Z ∈ R^{(d+1)×(n+1)}, column j the j-th token (the last is the query).
/// With the QueryExcluded mask and σ = identity this is P Z M (Zᵀ Q Z), M = diag(I_n, 0).
/// Costs O(n²d) per call on purpose: this is the path the fast path is tested against.
/// </summary>
public static class ColumnAttention
{
    public static Mat<T> Apply<T>(Mat<T> p, Mat<T> q, Mat<T> z, AttentionMask mask = AttentionMask.QueryExcluded,
        ScoreActivation activation = ScoreActivation.Identity) where T : struct, IScalar<T>
    {
        int dp1 = z.Rows, n = z.Cols - 1;
        if (n < 1) throw new ArgumentException($"z must have at least 2 columns (n ≥ 1 context tokens and a query); got {z.Cols}.", nameof(z));
        Guard.Shape(p.Rows, p.Cols, dp1, dp1, nameof(p));
        Guard.Shape(q.Rows, q.Cols, dp1, dp1, nameof(q));
        // scores[i, j] = z_iᵀ Q z_j: key i, query j.
        var scores = z.Transpose() * q * z;
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++)
            {
                var s = scores[i, j];
                if (activation == ScoreActivation.Relu && !(s > T.Zero)) s = T.Zero;
                if (!mask.Allows(query: j, key: i, n)) s = T.Zero;
                scores[i, j] = s;
            }
        if (activation == ScoreActivation.Softmax) NormaliseColumns(scores, mask, n);
        return p * z * scores;
    }

    /// <summary>
    /// Each column's softmax over its allowed keys, times n: n·exp(s_ij − m_j)/Σ_k exp(s_kj − m_j), m_j the column's largest allowed score
    /// (softmax is shift-invariant, so the shift only avoids overflow; with duals the shift's derivative cancels too).
    /// </summary>
    private static void NormaliseColumns<T>(Mat<T> e, AttentionMask mask, int n) where T : struct, IScalar<T>
    {
        for (int j = 0; j <= n; j++)
        {
            T? max = null;
            for (int i = 0; i <= n; i++) if (mask.Allows(query: j, key: i, n) && (max is null || e[i, j] > max.Value)) max = e[i, j];
            if (max is null) continue;
            for (int i = 0; i <= n; i++) if (mask.Allows(query: j, key: i, n)) e[i, j] = ScalarExp.Exp(e[i, j] - max.Value);
            var sum = T.Zero;   // ≥ 1: the largest allowed score contributes exp(0)
            for (int i = 0; i <= n; i++) if (mask.Allows(query: j, key: i, n)) sum += e[i, j];
            var scale = T.FromInt(n) / sum;
            for (int i = 0; i <= n; i++) e[i, j] = e[i, j] * scale;
        }
    }
}

/// <summary>exp for the scalars that have one (double and forward-mode duals over double); exact rationals do not.</summary>
public static class ScalarExp
{
    public static T Exp<T>(T x) where T : struct, IScalar<T>
    {
        if (typeof(T) == typeof(Real)) return (T)(object)new Real(Math.Exp(((Real)(object)x).Value));
        if (typeof(T) == typeof(Dual<Real>))
        {
            var dual = (Dual<Real>)(object)x;
            var e = Math.Exp(dual.Value.Value);
            return (T)(object)new Dual<Real>(e, e * dual.Derivative.Value);
        }
        throw new NotSupportedException($"softmax attention needs exp, which {typeof(T).Name} arithmetic does not have (use double or Dual<Real>).");
    }
}
