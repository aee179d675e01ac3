namespace LoopedIcl.TestSupport;

/// <summary>Shared pieces of the LEARN-* tests: seeds, progress, and the trained-loss assertion (CI + optimisation tolerance).</summary>
public static class Learn
{

    /// <summary>Held-out prompts for a trained loss: 100 groups of 200 (group means are close to normal).</summary>
    public const int HeldOut = 20000;

    public static ulong Seed(string name) => TestSettings.Plan.Stream(name);

    public static TextWriter Progress => TestContext.Progress;

    /// <summary>
    /// Trains the setup's recipe (progress to the test output every <paramref name="progressSeconds"/> s unless <paramref name="quiet"/>)
    /// and records its wall time and prompt-steps per second in the ledger, so every recipe's cost is in claims.json.
    /// </summary>
    public static TrainingResult Train(LearningSetup setup, double progressSeconds = 10, bool quiet = false)
    {
        var run = setup.Train(quiet ? null : Progress, progressSecondsOverride: progressSeconds);
        Record(setup, run);
        return run;
    }

    /// <summary>
    /// Trains independent setups at once, one per core (each run is a function of its recipe only, so the results are those of
    /// <see cref="Train"/> in sequence), and records them in order: a test's trainings then use both cores when the tier's tail leaves one free.
    /// </summary>
    public static TrainingResult[] TrainAll(params LearningSetup[] setups)
    {
        var runs = new TrainingResult[setups.Length];
        int parallel = Math.Max(1, Environment.ProcessorCount / Math.Max(1, setups.Max(s => s.Engine.Threads)));
        Parallel.For(0, setups.Length, new ParallelOptions { MaxDegreeOfParallelism = parallel }, i => runs[i] = setups[i].Train(null));
        for (int i = 0; i < setups.Length; i++) Record(setups[i], runs[i]);
        return runs;
    }

    private static void Record(LearningSetup setup, TrainingResult run) =>
        ClaimLedger.Note($"{setup.Recipe.Name} (d = {setup.Model.D}, n = {setup.Recipe.Data.N}, L = {setup.Model.Layers}): {setup.Recipe.Schedule.Steps} steps, " +
                         $"{run.PromptSteps:E3} prompt-steps in {run.Seconds:F2} s = {run.PromptStepsPerSecond:E3} prompt-steps/s on {setup.Engine.Threads} thread(s)");

    /// <summary>
    /// Trains from <paramref name="starts"/> small random inits (start 0 is the recipe's seed, start k its seed ^ k·0x9E3779B97F4A7C15) and keeps
    /// the one with the lowest loss on a common selection batch (2000 prompts, own seed): a single run can stall at a non-global stationary
    /// point or still be crossing a flat valley; the claims are about where training ends up, and best-of-starts (the notes' C6 g) is how the
    /// authors' runs get there. Every start's loss is recorded.
    /// </summary>
    public static (LearningSetup Setup, TrainingResult Run) BestOfStarts(Recipe recipe, int threads, string label, string selectionSeedName, int starts = 2)
    {
        if (starts < 1) throw new ArgumentException($"{nameof(starts)} must be ≥ 1 (got {starts}).", nameof(starts));
        var setup = new LearningSetup(recipe, threads);
        var selection = setup.Draw(2000, Seed(selectionSeedName + ".selection"));
        var runs = TrainAll([setup, .. Enumerable.Range(1, starts - 1).Select(k =>
            new LearningSetup(recipe.WithSeed(recipe.Schedule.Seed ^ ((ulong)k * 0x9E3779B97F4A7C15UL)), threads, setup.Sigma))]);
        var losses = runs.Select(r => setup.TestLoss(r.Theta, selection).Mean).ToArray();
        int best = Array.IndexOf(losses, losses.Min());
        ClaimLedger.Note($"{label}: {starts} starts, selection-batch losses {string.Join(", ", losses.Select(l => l.ToString("G5")))}; kept start {best}");
        return (setup, runs[best]);
    }

    /// <summary>A held-out batch of the setup's law with a seed of its own.</summary>
    public static PromptBatch HeldOutBatch(LearningSetup setup, string name, int count = HeldOut) => setup.Draw(count, Seed(name + ".heldout"));

    /// <summary>
    /// |trained − theory| ≤ t-interval half-width (false alarm 1e-6, from group means) + the stated optimisation tolerance; records both numbers.
    /// </summary>
    public static void LossMatches(Estimate trained, double theory, double optimisationTolerance, string what)
    {
        double hw = LossEstimates.HalfWidth(trained, CheckPolicy.FalseAlarm);
        ClaimLedger.Note($"{what}: trained {trained} vs theory {theory:G6}; CI half-width {hw:G3} (δ = 1e-6, t with {trained.Count - 1} dof) + optimisation tolerance {optimisationTolerance:G3}");
        Checks.AtMost(Math.Abs(trained.Mean - theory), hw + optimisationTolerance, what);
    }

    /// <summary>Per-prompt differences a − b (paired on the same prompts).</summary>
    public static double[] Differences(double[] a, double[] b) => a.Select((v, i) => v - b[i]).ToArray();
}
