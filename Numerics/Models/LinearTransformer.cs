using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Prompts;

namespace LoopedIcl.Numerics.Models;

/// <summary>Sign of the residual update: Ahn et al. add the attention, Gatmiry et al. subtract it.</summary>
public enum ResidualSign
{
    /// <summary>Z ← Z + (1/n)·Attn (Ahn et al. (4)).</summary>
    Plus,
    /// <summary>Z ← Z − (1/n)·Attn (Gatmiry et al.).</summary>
    Minus,
}

/// <summary>
/// The literal L-layer linear transformer in the column layout: Z_{l+1} = Z_l ± (1/n)·Attn_{P_l,Q_l}(Z_l),
/// prediction ŷ = −[Z_L]_{d+1,n+1}. Every layer forms the (n+1)×(n+1) score matrix; see <see cref="GramFastPath"/> for the fast path.
/// </summary>
public sealed class LinearTransformer<T> where T : struct, IScalar<T>
{
    public IReadOnlyList<AttentionLayer<T>> Layers { get; }
    public ResidualSign Sign { get; }
    public AttentionMask Mask { get; }
    public ScoreActivation Activation { get; }

    public LinearTransformer(IReadOnlyList<AttentionLayer<T>> layers, ResidualSign sign = ResidualSign.Plus,
        AttentionMask mask = AttentionMask.QueryExcluded, ScoreActivation activation = ScoreActivation.Identity)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count > 0)
        {
            int w = layers[0].Width;
            for (int l = 0; l < layers.Count; l++)
            {
                Guard.Shape(layers[l].P.Rows, layers[l].P.Cols, w, w, $"{nameof(layers)}[{l}].P");
                Guard.Shape(layers[l].Q.Rows, layers[l].Q.Cols, w, w, $"{nameof(layers)}[{l}].Q");
            }
        }
        Layers = layers;
        Sign = sign;
        Mask = mask;
        Activation = activation;
    }

    public int Depth => Layers.Count;

    /// <summary>Z_0, Z_1, …, Z_L.</summary>
    public IReadOnlyList<Mat<T>> Trajectory(Mat<T> z0)
    {
        ArgumentNullException.ThrowIfNull(z0);
        if (Layers.Count > 0) Guard.Shape(z0.Rows, z0.Cols, Layers[0].Width, z0.Cols, nameof(z0));
        int n = z0.Cols - 1;
        Guard.Positive(n, "n (context tokens)");
        var scale = T.One / T.FromInt(n);
        if (Sign == ResidualSign.Minus) scale = -scale;
        var states = new List<Mat<T>>(Layers.Count + 1) { z0 };
        var z = z0;
        foreach (var layer in Layers)
        {
            z = z + scale * ColumnAttention.Apply(layer.P, layer.Q, z, Mask, Activation);
            states.Add(z);
        }
        return states;
    }

    public Mat<T> Forward(Mat<T> z0) => Trajectory(z0)[^1];

    /// <summary>ŷ = −[Z]_{d+1,n+1}.</summary>
    public static T Readout(Mat<T> z) => -z[z.Rows - 1, z.Cols - 1];

    /// <summary>The prediction for a prompt, with the query's label slot set to <paramref name="querySlot"/> (0 by default).</summary>
    public T Predict(Prompt<T> prompt, T? querySlot = null) => Readout(Forward(Embedding.ColumnTokens(prompt, querySlot)));
}

/// <summary>
/// The looped transformer (Gatmiry et al.): one (P, Q) applied in each of L loops. Built as an L-layer
/// <see cref="LinearTransformer{T}"/> whose layers are the same object, so weight sharing holds by construction.
/// </summary>
public sealed class LoopedTransformer<T> where T : struct, IScalar<T>
{
    public AttentionLayer<T> Layer { get; }
    public int Loops { get; }
    public LinearTransformer<T> Unrolled { get; }

    public LoopedTransformer(AttentionLayer<T> layer, int loops, ResidualSign sign = ResidualSign.Minus,
        AttentionMask mask = AttentionMask.QueryExcluded, ScoreActivation activation = ScoreActivation.Identity)
    {
        ArgumentNullException.ThrowIfNull(layer);
        Guard.NonNegative(loops, nameof(loops));
        Layer = layer;
        Loops = loops;
        Unrolled = new LinearTransformer<T>(Enumerable.Repeat(layer, loops).ToArray(), sign, mask, activation);
    }

    public IReadOnlyList<Mat<T>> Trajectory(Mat<T> z0) => Unrolled.Trajectory(z0);

    public T Predict(Prompt<T> prompt, T? querySlot = null) => Unrolled.Predict(prompt, querySlot);
}
