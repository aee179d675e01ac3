using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Prompts;

namespace LoopedIcl.Numerics.Engine;

/// <summary>Single prompts from a <see cref="PromptLaw"/>: prompt 0 of the engine's stream, for per-prompt checks against the literal model.</summary>
public static class PromptLawSamples
{
    /// <summary>The prompt of the engine's stream <paramref name="seed"/> (prompt 0 of law.Draw(n, ·, seed)).</summary>
    public static Prompt<Real> Sample(this PromptLaw law, int n, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(law);
        return law.Draw(n, 1, seed).ToPrompt(0);
    }

    /// <summary>A prompt (fresh task) from the engine stream whose seed is the next value of <paramref name="rng"/> (one 64-bit draw per prompt).</summary>
    public static Prompt<Real> Sample(this PromptLaw law, int n, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return law.Sample(n, unchecked((ulong)rng.NextInt64()));
    }
}

/// <summary>Batch-level views of a <see cref="PromptBatch"/> built from its lane arrays (no per-prompt copies).</summary>
public static class PromptBatches
{
    /// <summary>
    /// The same prompts with only their first <paramref name="n"/> context examples (same query, target and task): equal to
    /// rebuilding every prompt with <see cref="PromptBatch.FromPrompts"/>, but by block copies of the lane layout, in which each
    /// lane group's examples are contiguous (example-major).
    /// </summary>
    public static PromptBatch FirstExamples(this PromptBatch batch, int n)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (n < 1 || n > batch.N) throw new ArgumentException($"n must be in [1, {batch.N}] (the batch's context size), got {n}.", nameof(n));
        int d = batch.D, lanes = PromptBatch.Lanes, full = batch.N;
        var result = new PromptBatch(batch.Law, n, batch.Count, 0);
        for (int g = 0; g < batch.Groups; g++)
        {
            Array.Copy(batch.X, g * full * d * lanes, result.X, g * n * d * lanes, n * d * lanes);
            Array.Copy(batch.Y, g * full * lanes, result.Y, g * n * lanes, n * lanes);
        }
        Array.Copy(batch.Query, result.Query, batch.Query.Length);
        Array.Copy(batch.Target, result.Target, batch.Target.Length);
        Array.Copy(batch.Task, result.Task, batch.Task.Length);
        // Lanes past Count are zero in every batch (drawn or built), so the copies keep them zero, as FromPrompts does.
        return result;
    }
}
