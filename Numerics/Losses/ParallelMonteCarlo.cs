using LoopedIcl.Numerics.Engine;
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

    /// <summary>
    /// E[(ŷ − y_q)²] with the predictor built once per chunk by <paramref name="predictorFactory"/> (predictors own scratch buffers); chunk c
    /// is the prompt sequence of seed <paramref name="seed"/>·7919 + c (as an int, sign-extended).
    /// </summary>
    public static Estimate PredictionLoss(Matrix<double> sigma, TaskLaw law, int n, int samples, int seed,
        Func<BatchPredictor> predictorFactory, int threads)
    {
        Guard.Positive(samples, nameof(samples));
        Guard.Positive(threads, nameof(threads));
        ArgumentNullException.ThrowIfNull(predictorFactory);
        int chunks = (samples + ChunkSize - 1) / ChunkSize;
        var results = new RunningMoments[chunks];
        var promptLaw = new PromptLaw(sigma, law);
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            int count = Math.Min(ChunkSize, samples - c * ChunkSize);
            var prompts = promptLaw.Draw(n, count, EngineSeed.FromInt(unchecked(seed * 7919 + c)));
            var predictions = new double[count];
            predictorFactory()(prompts, predictions);
            var moments = new RunningMoments();
            for (int i = 0; i < count; i++)
            {
                var e = predictions[i] - prompts.Target[i];
                moments.Add(e * e);
            }
            results[c] = moments;
        });
        var total = new RunningMoments();
        foreach (var r in results) total.Merge(r); // chunk order, whatever the thread count
        return total.ToEstimate();
    }

    /// <summary>Prompts per chunk of the engine's Monte Carlo: small enough that each thread's batch buffer stays in cache.</summary>
    public const int EngineChunkSize = 512;

    /// <summary>
    /// E[(ŷ − y_q)²] of the engine's model at θ over <paramref name="samples"/> fresh prompts: chunk c of <see cref="EngineChunkSize"/> prompts
    /// is drawn from the law with seed (seed, c) into a per-thread buffer and predicted in SIMD lane groups; chunks merge in order,
    /// so any thread count gives the same bits.
    /// </summary>
    public static Estimate Loss(Parameterisation family, ReadOnlySpan<double> theta, PromptLaw law, int n, int samples, ulong seed, int threads)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(law);
        Guard.Positive(n, nameof(n));
        Guard.Positive(samples, nameof(samples));
        Guard.Positive(threads, nameof(threads));
        if (theta.Length != family.Dimension) throw new ArgumentException($"theta must have length {family.Dimension} (got {theta.Length}).", nameof(theta));
        var engine = new IclEngine(family);
        var th = theta.ToArray();
        int chunks = (samples + EngineChunkSize - 1) / EngineChunkSize;
        var results = new RunningMoments[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => (Batch: law.Draw(n, EngineChunkSize, 0), Predictions: new double[EngineChunkSize]),
            (c, _, local) =>
            {
                int count = Math.Min(EngineChunkSize, samples - c * EngineChunkSize);
                var batch = count == EngineChunkSize ? local.Batch : law.Draw(n, count, ChunkSeed(seed, c));
                if (count == EngineChunkSize) law.Redraw(batch, ChunkSeed(seed, c));
                engine.Predict(th, batch, local.Predictions);
                var moments = new RunningMoments();
                for (int p = 0; p < count; p++)
                {
                    var e = local.Predictions[p] - batch.Target[p];
                    moments.Add(e * e);
                }
                results[c] = moments;
                return local;
            }, _ => { });
        var total = new RunningMoments();
        foreach (var r in results) total.Merge(r);
        return total.ToEstimate();
    }

    /// <summary>The seed of chunk c: a fixed function of (seed, c), so a chunk's prompts never depend on which thread draws them.</summary>
    public static ulong ChunkSeed(ulong seed, int chunk) => unchecked(seed * 0x9E3779B97F4A7C15UL + (ulong)chunk * 0xD1B54A32D192ED03UL + 1);
}
