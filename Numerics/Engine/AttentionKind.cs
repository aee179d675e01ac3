using LoopedIcl.Numerics.Models;

namespace LoopedIcl.Numerics.Engine;

/// <summary>The attention of a batched model: linear (the Gram path of <see cref="IclEngine"/>), softmax or ReLU (<see cref="NonLinearAttentionEngine"/>).</summary>
public enum AttentionKind { Linear, Softmax, Relu }

/// <summary>The batched model of each <see cref="AttentionKind"/> for a θ layout, so one recipe trains and predicts with any of them.</summary>
public static class AttentionModels
{
    /// <summary>The engine of <paramref name="kind"/> for <paramref name="family"/>.</summary>
    public static IInContextModel Create(AttentionKind kind, Parameterisation family, int threads = 1) => kind switch
    {
        AttentionKind.Linear => new IclEngine(family, threads),
        AttentionKind.Softmax => new NonLinearAttentionEngine(family, ScoreActivation.Softmax, threads),
        AttentionKind.Relu => new NonLinearAttentionEngine(family, ScoreActivation.Relu, threads),
        _ => throw new ArgumentException($"{nameof(kind)} must be a defined AttentionKind (got {kind}).", nameof(kind)),
    };

    /// <summary>Per-prompt predictions ŷ of either engine (<see cref="IInContextModel"/> has only the loss).</summary>
    public static void Predict(IInContextModel model, ReadOnlySpan<double> theta, PromptBatch batch, Span<double> predictions)
    {
        switch (model)
        {
            case IclEngine linear: linear.Predict(theta, batch, predictions); break;
            case NonLinearAttentionEngine nonLinear: nonLinear.Predict(theta, batch, predictions); break;
            default: throw new ArgumentException($"{nameof(model)} must be an IclEngine or a NonLinearAttentionEngine (got {model?.GetType().Name ?? "null"}).", nameof(model));
        }
    }
}
