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
        var results = new (long Count, double Mean, double M2)[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            var prompts = new PromptBuffer(sigma, law, n, unchecked(seed * 7919 + c));
            var predict = predictorFactory();
            int count = Math.Min(ChunkSize, samples - c * ChunkSize);
            double mean = 0, m2 = 0;
            for (int i = 0; i < count; i++)
            {
                prompts.Next();
                var e = predict(prompts) - prompts.QueryTarget;
                var v = e * e;
                var delta = v - mean;
                mean += delta / (i + 1);
                m2 += delta * (v - mean);
            }
            results[c] = (count, mean, m2);
        });
        long total = 0;
        double m = 0, s2 = 0;
        foreach (var (count, mean, m2) in results)
        {
            var delta = mean - m;
            var combined = total + count;
            m += delta * count / combined;
            s2 += m2 + delta * delta * total * count / combined;
            total = combined;
        }
        if (!double.IsFinite(m)) return new Estimate(double.NaN, double.NaN, total);
        return new Estimate(m, Math.Sqrt(s2 / (total - 1) / total), total);
    }
}
