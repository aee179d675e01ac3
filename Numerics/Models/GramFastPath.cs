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

    /// <summary>
    /// Chen et al.'s loop, fast: the context rows never change, so z_qᵀ ← z_qᵀ (I − η Q G_c P) with the fixed
    /// G_c = Σ_{i≤n} z_i z_iᵀ (no 1/n). Returns TF = −q(T).
    /// </summary>
    public static Mat<T> ChenReadout<T>(AttentionLayer<T> layer, T stepSize, Mat<T> x, Mat<T> y, Mat<T> q0, T alpha, int loops)
        where T : struct, IScalar<T> => ChenReadouts(layer, stepSize, x, y, q0, alpha, loops)[^1];

    /// <summary>TF(0), …, TF(T) of Chen's loop through the fast path.</summary>
    public static IReadOnlyList<Mat<T>> ChenReadouts<T>(AttentionLayer<T> layer, T stepSize, Mat<T> x, Mat<T> y, Mat<T> q0, T alpha, int loops)
        where T : struct, IScalar<T>
    {
        Guard.NonNegative(loops, nameof(loops));
        int d = x.Cols;
        Guard.Shape(layer.P.Rows, layer.P.Cols, d + 1, d + 1, "layer.P");
        var context = new Mat<T>(x.Rows, d + 1);
        context.SetBlock(0, 0, x);
        context.SetBlock(0, d, y);
        var gc = context.Transpose() * context;
        var step = Mat<T>.Identity(d + 1) - stepSize * (layer.Q * gc * layer.P);
        var zq = new Mat<T>(1, d + 1);
        zq.SetBlock(0, 0, q0.Transpose());
        zq[0, d] = alpha;
        var readouts = new List<Mat<T>>(loops + 1) { -(zq.Block(0, 0, 1, d).Transpose()) };
        for (int t = 0; t < loops; t++)
        {
            zq = zq * step;
            readouts.Add(-(zq.Block(0, 0, 1, d).Transpose()));
        }
        return readouts;
    }
}
