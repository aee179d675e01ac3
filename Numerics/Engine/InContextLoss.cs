using LoopedIcl.Numerics.Optimization;

namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// The in-context loss as a training objective: batches of n-example prompts from one <see cref="PromptLaw"/>, the batch-mean
/// (ŷ − y_q)² of the engine's model at θ and its exact gradient (reverse pass). Draw is deterministic in (law, n, count, seed).
/// </summary>
public sealed class InContextLoss : IBatchObjective<PromptBatch>
{
    public IclEngine Engine { get; }
    public PromptLaw Law { get; }
    public int ContextSize { get; }

    public InContextLoss(IclEngine engine, PromptLaw law, int n)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(law);
        Guard.Positive(n, nameof(n));
        if (law.D != engine.Family.D) throw new ArgumentException($"law has d = {law.D}, the engine d = {engine.Family.D}.", nameof(law));
        Engine = engine;
        Law = law;
        ContextSize = n;
    }

    public int Dimension => Engine.Family.Dimension;

    public PromptBatch Draw(int prompts, ulong seed) => Law.Draw(ContextSize, prompts, seed, Engine.Threads);

    /// <summary>Refills <paramref name="previous"/> in place when it has this law, n and size (no allocation); otherwise a fresh Draw.</summary>
    public PromptBatch Redraw(PromptBatch previous, int prompts, ulong seed)
    {
        if (previous is null || !ReferenceEquals(previous.Law, Law) || previous.N != ContextSize || previous.Count != prompts) return Draw(prompts, seed);
        Law.Redraw(previous, seed, Engine.Threads);
        return previous;
    }

    public double Evaluate(ReadOnlySpan<double> x, PromptBatch batch, Span<double> gradient) => Engine.Loss(x, batch, gradient);
}
