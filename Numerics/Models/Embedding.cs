using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Prompts;

namespace LoopedIcl.Numerics.Models;

/// <summary>How a prompt becomes the transformer's input matrix, in both token layouts.</summary>
public static class Embedding
{
    /// <summary>
    /// Column layout (Ahn/Gatmiry): Z_0 = [[x_1 … x_n x_q], [y_1 … y_n c]] ∈ R^{(d+1)×(n+1)}, c the query's label slot (0 by default).
    /// </summary>
    public static Mat<T> ColumnTokens<T>(Prompt<T> prompt, T? querySlot = null) where T : struct, IScalar<T>
    {
        int n = prompt.N, d = prompt.D;
        var z = new Mat<T>(d + 1, n + 1);
        z.SetBlock(0, 0, prompt.X.Transpose());
        z.SetBlock(d, 0, prompt.Y.Transpose());
        z.SetBlock(0, n, prompt.Query);
        z[d, n] = querySlot ?? T.Zero;
        return z;
    }

    /// <summary>
    /// Row layout (Chen et al.): Z(0) ∈ R^{(n+1)×(d+1)} with rows [x_iᵀ, y_i] and the last row [q(0)ᵀ, α].
    /// </summary>
    public static Mat<T> RowTokens<T>(Mat<T> x, Mat<T> y, Mat<T> q0, T alpha) where T : struct, IScalar<T>
    {
        int n = x.Rows, d = x.Cols;
        Guard.Shape(y.Rows, y.Cols, n, 1, nameof(y));
        Guard.Shape(q0.Rows, q0.Cols, d, 1, nameof(q0));
        var z = new Mat<T>(n + 1, d + 1);
        z.SetBlock(0, 0, x);
        z.SetBlock(0, d, y);
        z.SetBlock(n, 0, q0.Transpose());
        z[n, d] = alpha;
        return z;
    }
}
