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
        return p * z * scores;
    }
}
