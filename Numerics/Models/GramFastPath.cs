using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Prompts;

namespace LoopedIcl.Numerics.Models;

/// <summary>
/// Fast path for linear attention with the query-excluded mask. Since P Z M Zᵀ Q Z = n·P G Q Z with
/// G = (1/n) Z M Zᵀ, every layer is Z ← (I ± P G Q) Z; so only G ((d+1)×(d+1), built once from XᵀX, Xᵀy, yᵀy)
/// and the query column need to be carried: G ← T G Tᵀ, z_q ← T z_q. Cost O(nd²) once plus O(Ld³), never O(n²).
/// </summary>
public static class GramFastPath
{
    /// <summary>G_0 = (1/n) Σ_{i≤n} z_i z_iᵀ = (1/n)[[XᵀX, Xᵀy], [yᵀX, yᵀy]].</summary>
    public static Mat<T> ContextGram<T>(Prompt<T> prompt) where T : struct, IScalar<T>
    {
        int d = prompt.D;
        var xt = prompt.X.Transpose();
        var g = new Mat<T>(d + 1, d + 1);
        g.SetBlock(0, 0, xt * prompt.X);
        var xty = xt * prompt.Y;
        g.SetBlock(0, d, xty);
        g.SetBlock(d, 0, xty.Transpose());
        g[d, d] = Mat<T>.Dot(prompt.Y, prompt.Y);
        return (T.One / T.FromInt(prompt.N)) * g;
    }

    /// <summary>The final query column z_q (length d+1) after all layers.</summary>
    public static Mat<T> QueryColumn<T>(IReadOnlyList<AttentionLayer<T>> layers, ResidualSign sign, Prompt<T> prompt, T? querySlot = null)
        where T : struct, IScalar<T>
    {
        ArgumentNullException.ThrowIfNull(layers);
        int d = prompt.D;
        var g = ContextGram(prompt);
        var zq = new Mat<T>(d + 1, 1);
        zq.SetBlock(0, 0, prompt.Query);
        zq[d, 0] = querySlot ?? T.Zero;
        var id = Mat<T>.Identity(d + 1);
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            Guard.Shape(layer.P.Rows, layer.P.Cols, d + 1, d + 1, $"{nameof(layers)}[{l}].P");
            Guard.Shape(layer.Q.Rows, layer.Q.Cols, d + 1, d + 1, $"{nameof(layers)}[{l}].Q");
            var pgq = layer.P * g * layer.Q;
            var t = sign == ResidualSign.Plus ? id + pgq : id - pgq;
            zq = t * zq;
            if (l + 1 < layers.Count) g = t * g * t.Transpose();
        }
        return zq;
    }

    /// <summary>ŷ = −[z_q]_{d+1} after all layers.</summary>
    public static T Predict<T>(IReadOnlyList<AttentionLayer<T>> layers, ResidualSign sign, Prompt<T> prompt, T? querySlot = null)
        where T : struct, IScalar<T> => -QueryColumn(layers, sign, prompt, querySlot)[prompt.D, 0];
}
