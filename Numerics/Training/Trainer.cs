using System.Diagnostics;
using LoopedIcl.Numerics.Optimization;
using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Statistics;

namespace LoopedIcl.Numerics.Training;

/// <summary>
/// How long and on what data a model is trained (part of a recipe): <see cref="Steps"/> optimiser steps on mini-batches of
/// <see cref="BatchSize"/> prompts, a fresh batch every <see cref="RedrawEvery"/> steps; θ₀ ~ N(0, InitScale²) entrywise; every
/// <see cref="EvaluateEvery"/> steps (and at the end) a checkpoint with its loss on a fixed validation batch and a fixed test
/// batch; the result is the checkpoint with the least validation loss among the last <see cref="KeepCheckpoints"/>. The test
/// batch is <see cref="TestBatches"/> independent sub-batches of <see cref="TestBatchSize"/> prompts, so the test loss has a
/// standard error from batch means. All streams derive from <see cref="Seed"/>.
/// </summary>
public sealed record TrainingSchedule(
    int Steps,
    int BatchSize,
    int RedrawEvery = 1,
    double InitScale = 1e-4,
    int EvaluateEvery = 100,
    int KeepCheckpoints = 10,
    int ValidationSize = 2000,
    int TestBatches = 100,
    int TestBatchSize = 100,
    ulong Seed = 0)
{
    public void Validate()
    {
        Guard.Positive(Steps, nameof(Steps));
        Guard.Positive(BatchSize, nameof(BatchSize));
        Guard.Positive(RedrawEvery, nameof(RedrawEvery));
        Guard.AtLeast(InitScale, 0, nameof(InitScale));
        Guard.Positive(EvaluateEvery, nameof(EvaluateEvery));
        Guard.Positive(KeepCheckpoints, nameof(KeepCheckpoints));
        Guard.Positive(ValidationSize, nameof(ValidationSize));
        if (TestBatches < 2) throw new ArgumentException($"TestBatches must be ≥ 2 for a standard error (got {TestBatches}).", nameof(TestBatches));
        Guard.Positive(TestBatchSize, nameof(TestBatchSize));
    }

    /// <summary>The seed of stream <paramref name="purpose"/>, index <paramref name="index"/> (SplitMix64 of the schedule seed).</summary>
    public ulong StreamSeed(int purpose, long index = 0) => Seeds.Mix(Seeds.Mix(Seed, (ulong)purpose), (ulong)index);
}

/// <summary>Stable 64-bit seed mixing (SplitMix64 finaliser): the same in every process and on every thread count.</summary>
public static class Seeds
{
    public static ulong Mix(ulong a, ulong b)
    {
        ulong z = a + 0x9E3779B97F4A7C15UL * (b + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A 32-bit seed for the suite's int-seeded generators.</summary>
    public static int ToInt(ulong s) => (int)(s ^ (s >> 32));
}

/// <summary>One checkpoint: the step, the last training-batch loss, the validation and test losses, and θ.</summary>
public sealed record Checkpoint(int Step, double TrainLoss, double ValidationLoss, double TestLoss, double[] Theta);

/// <summary>What a run produced: the selected θ, its test loss with standard error, every checkpoint, and the cost.</summary>
public sealed record TrainingResult(
    double[] Theta,
    Checkpoint Selected,
    Estimate TestLoss,
    IReadOnlyList<Checkpoint> History,
    double Seconds,
    long PromptSteps)
{
    /// <summary>Training throughput: prompts × steps per wall-clock second (forward + reverse pass + update).</summary>
    public double PromptStepsPerSecond => PromptSteps / Math.Max(Seconds, 1e-9);
}

/// <summary>
/// Mini-batch training of any <see cref="IBatchObjective{TBatch}"/> (the engine's transformer losses, or any test problem):
/// deterministic given the schedule's seed (one thread of control; the objective's own parallelism must be deterministic).
/// </summary>
public static class Trainer
{
    private const int InitStream = 1, TrainStream = 2, ValidationStream = 3, TestStream = 4;

    /// <summary>
    /// Trains from θ₀ = <paramref name="start"/> (default: the small random initialisation). <paramref name="blockOffsets"/>:
    /// the parameter blocks for per-block clipping (see <see cref="Optimizer"/>). Progress lines (step, losses, ETA) go to
    /// <paramref name="progress"/> about every <paramref name="progressSeconds"/>.
    /// </summary>
    public static TrainingResult Train<TBatch>(IBatchObjective<TBatch> objective, OptimizerSettings optimizer, TrainingSchedule schedule,
        int[]? blockOffsets = null, double[]? start = null, TextWriter? progress = null, double progressSeconds = 10, string label = "")
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(schedule);
        schedule.Validate();
        int dim = objective.Dimension;
        var opt = new Optimizer(optimizer, dim, blockOffsets);
        var theta = start is null ? Initial(dim, schedule) : (double[])start.Clone();
        Guard.Length(theta.Length, dim, nameof(start));
        var gradient = new double[dim];
        var validation = objective.Draw(schedule.ValidationSize, schedule.StreamSeed(ValidationStream));
        var test = Enumerable.Range(0, schedule.TestBatches)
            .Select(j => objective.Draw(schedule.TestBatchSize, schedule.StreamSeed(TestStream, j))).ToArray();
        double TestMean(double[] t) => test.Average(b => objective.Evaluate(t, b, Span<double>.Empty));

        var history = new List<Checkpoint>();
        var clock = Stopwatch.StartNew();
        double lastReport = 0, trainLoss = double.NaN;
        TBatch batch = default!;
        for (int step = 0; step < schedule.Steps; step++)
        {
            if (step % schedule.RedrawEvery == 0)
            {
                ulong seed = schedule.StreamSeed(TrainStream, step / schedule.RedrawEvery);
                batch = step == 0 ? objective.Draw(schedule.BatchSize, seed) : objective.Redraw(batch, schedule.BatchSize, seed);  // refilled in place
            }
            if (step % schedule.EvaluateEvery == 0) history.Add(Record(step));
            trainLoss = objective.Evaluate(theta, batch, gradient);
            if (!double.IsFinite(trainLoss)) throw new ArgumentException($"training diverged: loss {trainLoss} at step {step} ({label}); lower the learning rate.", nameof(optimizer));
            opt.Step(theta, gradient);
            if (progress is not null && clock.Elapsed.TotalSeconds - lastReport >= progressSeconds)
            {
                lastReport = clock.Elapsed.TotalSeconds;
                double eta = lastReport / (step + 1) * (schedule.Steps - step - 1);
                progress.WriteLine($"[train {label}] step {step + 1}/{schedule.Steps}  batch loss {trainLoss:G5}  lr {opt.CurrentLearningRate:G3}  {lastReport:F0}s elapsed, ETA {eta:F0}s");
            }
        }
        history.Add(Record(schedule.Steps));
        double seconds = clock.Elapsed.TotalSeconds;

        var recent = history.Skip(Math.Max(0, history.Count - schedule.KeepCheckpoints)).ToArray();
        var selected = recent.OrderBy(c => c.ValidationLoss).First();
        var testLoss = SampleStatistics.MeanAndError(test.Select(b => objective.Evaluate(selected.Theta, b, Span<double>.Empty)).ToArray());
        progress?.WriteLine($"[train {label}] done in {seconds:F1}s: selected step {selected.Step}, test loss {testLoss}");
        return new TrainingResult((double[])selected.Theta.Clone(), selected, testLoss, history, seconds, (long)schedule.Steps * schedule.BatchSize);

        Checkpoint Record(int step) =>
            new(step, trainLoss, objective.Evaluate(theta, validation, Span<double>.Empty), TestMean(theta), (double[])theta.Clone());
    }

    /// <summary>
    /// Restarts for landscapes with non-global stationary points (AHN-T1's full single layer): <paramref name="starts"/> small
    /// random initialisations each trained for <paramref name="warmupSteps"/> on batches of <paramref name="warmupBatch"/>, the one with the least validation loss trained
    /// for the full schedule. Returns that run, every start's warm-up validation loss, and the chosen start.
    /// </summary>
    public static (TrainingResult Result, double[] WarmupValidation, int Chosen) TrainWithRestarts<TBatch>(IBatchObjective<TBatch> objective,
        OptimizerSettings optimizer, TrainingSchedule schedule, int starts, int warmupSteps, int warmupBatch, int[]? blockOffsets = null, TextWriter? progress = null, string label = "")
    {
        Guard.Positive(starts, nameof(starts));
        Guard.Positive(warmupSteps, nameof(warmupSteps));
        Guard.Positive(warmupBatch, nameof(warmupBatch));
        var warm = schedule with { Steps = warmupSteps, BatchSize = warmupBatch, EvaluateEvery = warmupSteps, KeepCheckpoints = 1, TestBatches = 2, TestBatchSize = 1 };
        var validation = new double[starts];
        double[]? best = null;
        int chosen = 0;
        for (int s = 0; s < starts; s++)
        {
            var init = Initial(objective.Dimension, schedule with { Seed = Seeds.Mix(schedule.Seed, (ulong)(1000 + s)) });
            var r = Train(objective, optimizer, warm, blockOffsets, init, null, label: $"{label} start {s}");
            validation[s] = r.Selected.ValidationLoss;
            if (best is null || validation[s] < validation[chosen]) { best = init; chosen = s; }
        }
        progress?.WriteLine($"[train {label}] warm-up validation losses of {starts} starts: {string.Join(", ", validation.Select(v => v.ToString("G4")))}; chose {chosen}");
        return (Train(objective, optimizer, schedule, blockOffsets, best, progress, label: label), validation, chosen);
    }

    /// <summary>θ₀ ~ N(0, InitScale²) entrywise from the schedule's init stream.</summary>
    public static double[] Initial(int dimension, TrainingSchedule schedule)
    {
        var g = Rng.Gaussians(Rng.Create(Seeds.ToInt(schedule.StreamSeed(InitStream))), dimension);
        for (int i = 0; i < g.Length; i++) g[i] *= schedule.InitScale;
        return g;
    }

    /// <summary>The loss at θ on <paramref name="batches"/> fresh batches of <paramref name="prompts"/> prompts (seeded), as batch-mean ± SE.</summary>
    public static Estimate Evaluate<TBatch>(IBatchObjective<TBatch> objective, ReadOnlySpan<double> theta, int batches, int prompts, ulong seed)
    {
        if (batches < 2) throw new ArgumentException($"batches must be ≥ 2 for a standard error (got {batches}).", nameof(batches));
        var values = new double[batches];
        for (int j = 0; j < batches; j++) values[j] = objective.Evaluate(theta, objective.Draw(prompts, Seeds.Mix(seed, (ulong)j)), Span<double>.Empty);
        return SampleStatistics.MeanAndError(values);
    }
}
