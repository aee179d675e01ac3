namespace LoopedIcl.Numerics.Engine;

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
        var result = PromptBatch.Empty(batch.Law, n, batch.Count, 0);
        for (int g = 0; g < batch.Groups; g++)
        {
            Array.Copy(batch.X, g * full * d * lanes, result.X, g * n * d * lanes, n * d * lanes);
            Array.Copy(batch.Y, g * full * lanes, result.Y, g * n * lanes, n * lanes);
        }
        Array.Copy(batch.Query, result.Query, batch.Query.Length);
        Array.Copy(batch.Target, result.Target, batch.Target.Length);
        Array.Copy(batch.Task, result.Task, batch.Task.Length);
        // Lanes past Count in the last group are zero, as in FromPrompts.
        for (int p = batch.Count; p < batch.Groups * lanes; p++)
        {
            int g = p / lanes, k = p % lanes;
            for (int i = 0; i < n; i++)
            {
                for (int a = 0; a < d; a++) result.X[((g * n + i) * d + a) * lanes + k] = 0;
                result.Y[(g * n + i) * lanes + k] = 0;
            }
            for (int a = 0; a < d; a++) result.Query[(g * d + a) * lanes + k] = result.Task[(g * d + a) * lanes + k] = 0;
            result.Target[g * lanes + k] = 0;
        }
        return result;
    }
}
