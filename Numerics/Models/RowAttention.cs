using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Models;

/// <summary>
/// Literal self-attention in Chen et al.'s row-token layout: Attn(Z; Q, P) = (M ∘ (Z Q Zᵀ)) Z P,
/// Z ∈ R^{(n+1)×(d+1)}, row j the j-th token (the last is the query). M[j, i] = 1 when query row j may attend to key row i.
/// </summary>
public static class RowAttention
{
    public static Mat<T> Apply<T>(Mat<T> q, Mat<T> p, Mat<T> z, AttentionMask mask = AttentionMask.QueryOnly) where T : struct, IScalar<T>
    {
        int n = z.Rows - 1, dp1 = z.Cols;
        if (n < 1) throw new ArgumentException($"z must have at least 2 rows (n ≥ 1 context tokens and a query); got {z.Rows}.", nameof(z));
        Guard.Shape(q.Rows, q.Cols, dp1, dp1, nameof(q));
        Guard.Shape(p.Rows, p.Cols, dp1, dp1, nameof(p));
        var scores = z * q * z.Transpose(); // scores[j, i] = z_jᵀ Q z_i: query j, key i
        for (int j = 0; j <= n; j++)
            for (int i = 0; i <= n; i++)
                if (!mask.Allows(query: j, key: i, n)) scores[j, i] = T.Zero;
        return scores * z * p;
    }
}
