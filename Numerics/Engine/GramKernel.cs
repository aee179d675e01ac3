using LoopedIcl.Numerics.Models;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Prompts;

namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// A stack of (P, Q) layers (column layout, linear attention, query-excluded mask) evaluated one prompt at a time: a thin view over
/// <see cref="IclEngine"/> (the family — label-row or full, tied, block Q — is read off the layer values by
/// <see cref="Parameterisation.Of"/>). Allocation-free per prompt. Not thread-safe; use one per thread. New code should use the
/// engine's batches directly.
/// </summary>
public sealed class GramKernel
{
    private readonly IclEngine.Evaluator _evaluator;

    public int D { get; }
    public int Layers { get; }

    public GramKernel(IReadOnlyList<AttentionLayer<Real>> layers, ResidualSign sign)
    {
        var (family, theta) = Parameterisation.Of(layers, sign);
        D = family.D;
        Layers = family.Layers;
        _evaluator = new IclEngine(family).CreateEvaluator(theta);
    }

    /// <summary>ŷ = −[z_q]_{d+1} after all layers, for the prompt in the buffer, the query's label slot set to <paramref name="querySlot"/>.</summary>
    public double Predict(PromptBuffer prompt, double querySlot = 0)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.D != D) throw new ArgumentException($"prompt has d = {prompt.D}, the kernel d = {D}.", nameof(prompt));
        return _evaluator.Predict(prompt.X, prompt.Y, prompt.Query, querySlot);
    }
}
