using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Statistics;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Losses;

/// <summary>
/// Monte Carlo over fixed-size chunks, each with its own seeded prompt stream (seed, chunk) and its own predictor, combined in
/// chunk order (Chan et al.'s pairwise mean/variance update). The result is therefore bit-for-bit the same for any thread count.
/// </summary>
public static class ParallelMonteCarlo
{
    public const int ChunkSize = 4096;

    /// <summary>E[(ŷ − y_q)²] with the predictor built once per chunk by <paramref name="predictorFactory"/> (predictors own scratch buffers).</summary>
    public static Estimate PredictionLoss(Matrix<double> sigma, TaskLaw law, int n, int samples, int seed,
        Func<Func<PromptBuffer, double>> predictorFactory, int threads)
    {
        Guard.Positive(samples, nameof(samples));
        Guard.Positive(threads, nameof(threads));
        ArgumentNullException.ThrowIfNull(predictorFactory);
        int chunks = (samples + ChunkSize - 1) / ChunkSize;
        var results = new RunningMoments[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            var prompts = new PromptBuffer(sigma, law, n, unchecked(seed * 7919 + c));
            var predict = predictorFactory();
            int count = Math.Min(ChunkSize, samples - c * ChunkSize);
            var moments = new RunningMoments();
            for (int i = 0; i < count; i++)
            {
                prompts.Next();
                var e = predict(prompts) - prompts.QueryTarget;
                moments.Add(e * e);
            }
            results[c] = moments;
        });
        var total = new RunningMoments();
        foreach (var r in results) total.Merge(r); // chunk order, whatever the thread count
        return total.ToEstimate();
    }
}
