namespace LoopedIcl.Numerics.Optimization;

/// <summary>
/// A differentiable objective on one flat parameter vector: the one contract of the minimisers, the gradient flow
/// and the trainer. Gradients go into caller-owned spans so hot loops allocate nothing.
/// </summary>
public interface IObjective
{
    /// <summary>The length of the parameter vector.</summary>
    int Dimension { get; }

    /// <summary>f(x); when <paramref name="gradient"/> is not empty (then of length <see cref="Dimension"/>) also writes ∇f(x) into it.</summary>
    double Evaluate(ReadOnlySpan<double> x, Span<double> gradient);
}

/// <summary>
/// A loss over batches of prompts, for stochastic training: the trainer draws a batch by seed (deterministic, independent
/// of the thread count), then evaluates the batch-mean loss and its gradient on it.
/// </summary>
public interface IBatchObjective<TBatch>
{
    /// <summary>The length of the parameter vector.</summary>
    int Dimension { get; }

    /// <summary>A batch of <paramref name="prompts"/> fresh prompts drawn from the objective's prompt law with <paramref name="seed"/>.</summary>
    TBatch Draw(int prompts, ulong seed);

    /// <summary>
    /// The batch Draw(<paramref name="prompts"/>, <paramref name="seed"/>) gives, possibly refilled into <paramref name="previous"/>
    /// (which the caller no longer needs) instead of allocated: training loops redraw every step.
    /// </summary>
    TBatch Redraw(TBatch previous, int prompts, ulong seed) => Draw(prompts, seed);

    /// <summary>The batch-mean loss at x; when <paramref name="gradient"/> is not empty also writes its gradient.</summary>
    double Evaluate(ReadOnlySpan<double> x, TBatch batch, Span<double> gradient);
}
