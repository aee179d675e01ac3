namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// A batched model of the column-layout transformer with a θ layout (<see cref="Family"/>): the batch-mean in-context loss and its
/// gradient. <see cref="IclEngine"/> (linear attention, Gram path) and <see cref="NonLinearAttentionEngine"/> (softmax/ReLU) implement it,
/// so one <see cref="InContextLoss"/> trains either.
/// </summary>
public interface IInContextModel
{
    Parameterisation Family { get; }
    int Threads { get; }

    /// <summary>The batch-mean loss (1/B)Σ(ŷ − y_q)² at θ; when <paramref name="gradient"/> is not empty, also ∂/∂θ into it.</summary>
    double Loss(ReadOnlySpan<double> theta, PromptBatch batch, Span<double> gradient);
}
