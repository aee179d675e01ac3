using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Models;

/// <summary>
/// Chen et al.'s looped transformer in the row layout: Z(t) = Z(t−1) − η·Attn(Z(t−1); Q, P), read out as
/// TF = −q(T), the first d entries of the last row. Literal: forms the (n+1)×(n+1) score matrix every loop.
/// </summary>
public sealed class ChenLoopedTransformer<T> where T : struct, IScalar<T>
{
    public AttentionLayer<T> Layer { get; }
    public T StepSize { get; }
    public AttentionMask Mask { get; }
    public ResidualSign Sign { get; }

    /// <param name="sign">Minus is Chen et al.'s update; Plus (gradient ascent) exists for negative controls.</param>
    public ChenLoopedTransformer(AttentionLayer<T> layer, T stepSize, AttentionMask mask = AttentionMask.QueryOnly, ResidualSign sign = ResidualSign.Minus)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (!(stepSize > T.Zero)) throw new ArgumentException($"{nameof(stepSize)} (η) must be > 0 (got {stepSize}).", nameof(stepSize));
        Layer = layer;
        StepSize = stepSize;
        Mask = mask;
        Sign = sign;
    }

    /// <summary>Z(0), …, Z(T).</summary>
    public IReadOnlyList<Mat<T>> Trajectory(Mat<T> z0, int loops)
    {
        ArgumentNullException.ThrowIfNull(z0);
        Guard.NonNegative(loops, nameof(loops));
        Guard.Shape(z0.Rows, z0.Cols, z0.Rows, Layer.Width, nameof(z0));
        var states = new List<Mat<T>>(loops + 1) { z0 };
        var z = z0;
        for (int t = 0; t < loops; t++)
        {
            var step = StepSize * RowAttention.Apply(Layer.Q, Layer.P, z, Mask);
            z = Sign == ResidualSign.Minus ? z - step : z + step;
            states.Add(z);
        }
        return states;
    }

    /// <summary>TF = −q, q the first d entries of the last row (as a d×1 column).</summary>
    public static Mat<T> Readout(Mat<T> z) => -(z.Block(z.Rows - 1, 0, 1, z.Cols - 1).Transpose());
}
