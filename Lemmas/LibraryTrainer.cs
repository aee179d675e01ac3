using static LoopedIcl.TestSupport.Refusals;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Optimization;
using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Statistics;
using LoopedIcl.Numerics.Training;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// TRAINER (library level): the training loop against its definition, observed through an objective that records every draw and every
/// evaluation — which batch each step trains on (stream 2, one seed per RedrawEvery steps, drawn once and then refilled), the
/// checkpoint steps, each checkpoint's θ, batch, validation and test loss against plain SGD worked here, the selection among the last
/// KeepCheckpoints, progress lines; restarts, the fresh-batch evaluation, θ₀, refusals; a recipe's warm start; the export's names.
/// </summary>
[TestFixture, Category(ClaimIds.Trainer), Category(CategoryLabels.Library)]
public sealed class LibraryTrainer
{
    /// <summary>A batch that knows its draw: prompt count, seed, serial number, and whether it was refilled from a previous batch.</summary>
    private sealed record Batch(int Prompts, ulong Seed, int Serial, int? RefilledFrom);

    /// <summary>
    /// Loss ‖θ − t‖² with t a fixed function of the batch's seed (entries in [−1, 1)), gradient 2(θ − t): every batch has its own optimum,
    /// so a step on the wrong batch, a checkpoint at the wrong step or a test mean over the wrong batches changes the numbers.
    /// </summary>
    private sealed class RecordingObjective(int dimension) : IBatchObjective<Batch>
    {
        public readonly List<Batch> Draws = [];
        public readonly List<(Batch Batch, double[] Theta, bool Gradient)> Evaluations = [];
        public int Dimension => dimension;

        public Batch Draw(int prompts, ulong seed) => Add(new Batch(prompts, seed, Draws.Count, null));
        public Batch Redraw(Batch previous, int prompts, ulong seed) => Add(new Batch(prompts, seed, Draws.Count, previous.Serial));
        private Batch Add(Batch b) { Draws.Add(b); return b; }

        public static double[] Target(ulong seed, int dimension) =>
            Enumerable.Range(0, dimension).Select(i => ((Seeds.Mix(seed, (ulong)i) >> 11) * (1.0 / (1UL << 53))) * 2 - 1).ToArray();

        public static double Loss(ReadOnlySpan<double> theta, ulong seed)
        {
            var t = Target(seed, theta.Length);
            double s = 0;
            for (int i = 0; i < t.Length; i++) s += (theta[i] - t[i]) * (theta[i] - t[i]);
            return s;
        }

        public double Evaluate(ReadOnlySpan<double> x, Batch batch, Span<double> gradient)
        {
            Evaluations.Add((batch, x.ToArray(), !gradient.IsEmpty));
            var t = Target(batch.Seed, dimension);
            for (int i = 0; i < gradient.Length; i++) gradient[i] = 2 * (x[i] - t[i]);
            return Loss(x, batch.Seed);
        }
    }

    /// <summary>A loss that does not depend on θ (zero gradient): every start of a restart search ties, or diverges when NaN.</summary>
    private sealed class FlatObjective(int dimension, double value) : IBatchObjective<Batch>
    {
        public int Dimension => dimension;
        public Batch Draw(int prompts, ulong seed) => new(prompts, seed, 0, null);
        public Batch Redraw(Batch previous, int prompts, ulong seed) => new(prompts, seed, 0, previous.Serial);
        public double Evaluate(ReadOnlySpan<double> x, Batch batch, Span<double> gradient)
        {
            gradient.Clear();
            return value;
        }
    }

    private static readonly OptimizerSettings Sgd = OptimizerSettings.Sgd(0.1);

    /// <summary>
    /// Steps = 7, BatchSize = 3, RedrawEvery = 2, EvaluateEvery = 3, KeepCheckpoints = 2: the training batches are stream 2's seeds 0,0,1,1,2,2,3
    /// (drawn at step 0, refilled from the previous batch at steps 2, 4, 6), checkpoints at steps 0, 3, 6 and 7, θ after each step is
    /// θ − 0.1·2(θ − t) from θ₀ = Initial(2, schedule), every checkpoint's losses are the objective's at that θ on the validation batch
    /// (stream 3) and the mean over the 3 test batches (stream 4, index j), and the selected checkpoint is the least validation loss of
    /// the last two. Identities (the reference repeats the optimiser's arithmetic; 1e-15 relative allows the operation order).
    /// </summary>
    [Test]
    public void TRAINER_Training_loop_draws_steps_and_checkpoints_by_definition()
    {
        var schedule = new TrainingSchedule(Steps: 7, BatchSize: 3, RedrawEvery: 2, InitScale: 0.5, EvaluateEvery: 3, KeepCheckpoints: 2,
            ValidationSize: 4, TestBatches: 3, TestBatchSize: 2, Seed: 6);
        var objective = new RecordingObjective(2);
        var progress = new StringWriter();
        var run = Trainer.Train(objective, Sgd, schedule, progress: progress, progressSeconds: 0, label: "lib");

        // The draws: validation, the test batches, then the training batches (drawn once, then refilled in place).
        var draws = objective.Draws;
        Checks.True(draws.Count == 1 + 3 + 4, $"1 validation + 3 test + 4 training draws (got {draws.Count})", CheckKind.Identity);
        Checks.True(draws[0] == new Batch(4, schedule.StreamSeed(3), 0, null), $"validation: ValidationSize prompts from stream 3 ({draws[0]})", CheckKind.Identity);
        for (int j = 0; j < 3; j++)
            Checks.True(draws[1 + j] == new Batch(2, schedule.StreamSeed(4, j), 1 + j, null), $"test batch {j}: TestBatchSize prompts from stream 4, index {j} ({draws[1 + j]})", CheckKind.Identity);
        for (int r = 0; r < 4; r++)
        {
            var expected = new Batch(3, schedule.StreamSeed(2, r), 4 + r, r == 0 ? null : 3 + r);
            Checks.True(draws[4 + r] == expected, $"training batch {r}: BatchSize prompts from stream 2, index {r}, {(r == 0 ? "drawn" : "refilled from the previous one")} ({draws[4 + r]})", CheckKind.Identity);
        }

        // The steps: one gradient evaluation per step on batch ⌊step/2⌋, from the reference SGD trajectory.
        var steps = objective.Evaluations.Where(e => e.Gradient).ToArray();
        Checks.True(steps.Length == 7, $"Steps = 7 gradient evaluations (got {steps.Length})", CheckKind.Identity);
        var theta = Trainer.Initial(2, schedule);
        var trajectory = new List<double[]> { (double[])theta.Clone() };
        var trainLosses = new List<double>();
        for (int step = 0; step < 7; step++)
        {
            Checks.True(steps[step].Batch.Serial == 4 + step / 2, $"step {step} trains on batch {step / 2} (got serial {steps[step].Batch.Serial})", CheckKind.Identity);
            for (int i = 0; i < 2; i++) Checks.Close(steps[step].Theta[i], theta[i], 1e-15 * Math.Max(1, Math.Abs(theta[i])), $"θ{i} before step {step}");
            trainLosses.Add(RecordingObjective.Loss(theta, steps[step].Batch.Seed));
            var t = RecordingObjective.Target(steps[step].Batch.Seed, 2);
            for (int i = 0; i < 2; i++) theta[i] -= 0.1 * (2 * (theta[i] - t[i]));
            trajectory.Add((double[])theta.Clone());
        }

        // The checkpoints: steps 0, 3, 6 and the end, each with θ, the last batch loss, the validation loss and the test mean at that θ.
        int[] checkpointSteps = [0, 3, 6, 7];
        Checks.True(run.History.Select(c => c.Step).SequenceEqual(checkpointSteps), $"checkpoints every EvaluateEvery = 3 steps and at the end (got {string.Join(", ", run.History.Select(c => c.Step))})", CheckKind.Identity);
        foreach (var c in run.History)
        {
            var at = trajectory[c.Step];
            for (int i = 0; i < 2; i++) Checks.Close(c.Theta[i], at[i], 1e-15 * Math.Max(1, Math.Abs(at[i])), $"checkpoint {c.Step}: θ{i}");
            Checks.Close(c.ValidationLoss, RecordingObjective.Loss(at, schedule.StreamSeed(3)), 1e-14, $"checkpoint {c.Step}: the validation loss at its θ");
            double testMean = Enumerable.Range(0, 3).Average(j => RecordingObjective.Loss(at, schedule.StreamSeed(4, j)));
            Checks.Close(c.TestLoss, testMean, 1e-14, $"checkpoint {c.Step}: the mean test loss over the 3 test batches");
            if (c.Step == 0) Checks.True(double.IsNaN(c.TrainLoss), "checkpoint 0 has no batch loss yet");
            else Checks.Close(c.TrainLoss, trainLosses[c.Step - 1], 1e-14, $"checkpoint {c.Step}: the loss of the last step's batch");
        }
        var testLosses = Enumerable.Range(0, 3).Select(j => RecordingObjective.Loss(trajectory[3], schedule.StreamSeed(4, j))).ToArray();
        Checks.True(testLosses.Distinct().Count() == 3, "the test batches differ (a mean is not a min or a single batch)");

        // The selection: the least validation loss among the last KeepCheckpoints = 2 (steps 6 and 7).
        var lastTwo = run.History.Skip(2).OrderBy(c => c.ValidationLoss).First();
        var overall = run.History.OrderBy(c => c.ValidationLoss).First();
        Checks.True(run.Selected == lastTwo && run.Selected.Step != 7, $"selected: the least validation loss of steps 6 and 7 (step {run.Selected.Step})", CheckKind.Identity);
        Checks.True(overall.Step < 6, $"the case discriminates: the overall least validation loss is earlier (step {overall.Step})");
        Checks.True(run.Theta.SequenceEqual(run.Selected.Theta) && !ReferenceEquals(run.Theta, run.Selected.Theta), "the result's θ is a copy of the selected θ", CheckKind.Identity);
        var expectedTest = SampleStatistics.MeanAndError(Enumerable.Range(0, 3).Select(j => RecordingObjective.Loss(run.Selected.Theta, schedule.StreamSeed(4, j))).ToArray());
        Checks.True(run.TestLoss == expectedTest, $"the test loss: batch mean ± SE at the selected θ ({run.TestLoss} vs {expectedTest})", CheckKind.Identity);
        Checks.True(run.PromptSteps == 21, $"prompt-steps = Steps × BatchSize = 21 (got {run.PromptSteps})", CheckKind.Identity);

        // Progress every step at progressSeconds = 0, then the closing line; none between steps when the interval is long.
        var lines = progress.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Checks.True(lines.Length == 8 && lines[0].StartsWith("[train lib] step 1/7  batch loss ", StringComparison.Ordinal) && lines[6].StartsWith("[train lib] step 7/7 ", StringComparison.Ordinal)
                    && lines[6].Contains("ETA 0s", StringComparison.Ordinal) && lines[7].StartsWith("[train lib] done in ", StringComparison.Ordinal) && lines[7].Contains($"selected step {run.Selected.Step}", StringComparison.Ordinal),
            $"one progress line per step, the last with ETA 0 s, then the closing line:\n{progress}");
        var quiet = new StringWriter();
        Trainer.Train(new RecordingObjective(2), Sgd, schedule, progress: quiet, progressSeconds: 1e9, label: "q");
        Checks.True(quiet.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries) is [var only] && only.StartsWith("[train q] done in ", StringComparison.Ordinal), $"a long interval: the closing line only ({quiet})");

        // A given start replaces θ₀; the next run of the same schedule replays bit for bit.
        var fromStart = Trainer.Train(new RecordingObjective(2), Sgd, schedule, start: [0.25, -0.5]);
        Checks.True(fromStart.History[0].Theta.SequenceEqual([0.25, -0.5]), "start is θ₀", CheckKind.Identity);
        var again = Trainer.Train(new RecordingObjective(2), Sgd, schedule);
        Checks.True(again.Theta.SequenceEqual(run.Theta) && again.History.Zip(run.History).All(p => p.First.Theta.SequenceEqual(p.Second.Theta)), "the same schedule replays", CheckKind.Identity);
    }

    /// <summary>
    /// θ₀ = InitScale · N(0, 1) from stream 1 (exactly linear in the scale; zero at scale 0); Seeds.ToInt folds the high word into the low;
    /// Evaluate is the batch mean ± SE over fresh batches Draw(prompts, Mix(seed, j)); restarts train each start's θ₀ (seed Mix(seed, 1000 + s))
    /// for the warm-up schedule and continue from the least warm-up validation loss; a diverging loss stops with an error naming the
    /// optimiser; throughput is prompt-steps per second; every refusal names its parameter.
    /// </summary>
    [Test]
    public void TRAINER_Initialisation_evaluation_restarts_and_refusals()
    {
        var schedule = new TrainingSchedule(Steps: 4, BatchSize: 2, InitScale: 1, EvaluateEvery: 2, KeepCheckpoints: 1, ValidationSize: 3, TestBatches: 2, TestBatchSize: 1, Seed: 2);
        var unit = Trainer.Initial(3, schedule);
        var reference = Rng.Gaussians(Rng.Create(Seeds.ToInt(schedule.StreamSeed(1))), 3);
        Checks.True(unit.SequenceEqual(reference) && unit.All(v => v != 0), "θ₀ at scale 1: stream 1's standard normals", CheckKind.Identity);
        Checks.True(Trainer.Initial(3, schedule with { InitScale = 2 }).SequenceEqual(unit.Select(v => 2 * v)), "θ₀ at scale 2 is twice θ₀ at scale 1", CheckKind.Identity);
        Checks.True(Trainer.Initial(3, schedule with { InitScale = 0 }).All(v => v == 0), "θ₀ at scale 0 is 0", CheckKind.Identity);
        Checks.True(Seeds.ToInt(0x1_0000_0002UL) == 3 && Seeds.ToInt(0xFFFF_FFFF_0000_0000UL) == -1 && Seeds.ToInt(5) == 5, "ToInt(s) = low word XOR high word", CheckKind.Identity);

        var objective = new RecordingObjective(2);
        var estimate = Trainer.Evaluate(objective, [0.5, -0.5], batches: 3, prompts: 2, seed: 9);
        Checks.True(objective.Draws.Select(b => (b.Prompts, b.Seed)).SequenceEqual(Enumerable.Range(0, 3).Select(j => (2, Seeds.Mix(9, (ulong)j)))), "three fresh batches Draw(2, Mix(9, j))", CheckKind.Identity);
        var values = objective.Draws.Select(b => RecordingObjective.Loss([0.5, -0.5], b.Seed)).ToArray();
        Checks.True(estimate == SampleStatistics.MeanAndError(values) && estimate.Count == 3, $"their batch mean ± SE ({estimate})", CheckKind.Identity);
        Checks.True(Trainer.Evaluate(objective, [0.5, -0.5], batches: 2, prompts: 2, seed: 9).Count == 2, "two batches are enough for a standard error");
        Rejects(() => Trainer.Evaluate(objective, [0.5, -0.5], batches: 1, prompts: 2, seed: 9), "batches", "batches must be ≥ 2 for a standard error (got 1).");

        var sgd = OptimizerSettings.Sgd(0.05);
        var restartLog = new StringWriter();
        var (result, warmup, chosen) = Trainer.TrainWithRestarts(new RecordingObjective(2), sgd, schedule, starts: 4, warmupSteps: 2, warmupBatch: 1, progress: restartLog, label: "r");
        var warm = schedule with { Steps = 2, BatchSize = 1, EvaluateEvery = 2, KeepCheckpoints = 1, TestBatches = 2, TestBatchSize = 1 };
        double[] Start(int s) => Trainer.Initial(2, schedule with { Seed = Seeds.Mix(schedule.Seed, (ulong)(1000 + s)) });
        Checks.True(warmup.Length == 4, "one warm-up loss per start");
        for (int s = 0; s < 4; s++)
        {
            double own = Trainer.Train(new RecordingObjective(2), sgd, warm, start: Start(s)).Selected.ValidationLoss;
            Checks.True(warmup[s] == own, $"start {s}: the validation loss after its warm-up run ({warmup[s]} vs {own})", CheckKind.Identity);
        }
        int argmin = Array.IndexOf(warmup, warmup.Min());
        Checks.True(chosen == argmin && chosen is > 0 and < 3, $"the least warm-up loss is chosen (start {chosen}; the case discriminates: neither the first nor the last)", CheckKind.Identity);
        var direct = Trainer.Train(new RecordingObjective(2), sgd, schedule, start: Start(chosen));
        Checks.True(result.Theta.SequenceEqual(direct.Theta) && result.History[0].Theta.SequenceEqual(Start(chosen)), "the full run continues from the chosen θ₀", CheckKind.Identity);
        string restartLine = restartLog.ToString().Split('\n')[0].TrimEnd('\r');
        string expectedLine = $"[train r] warm-up validation losses of 4 starts: {string.Join(", ", warmup.Select(v => v.ToString("G4")))}; chose {chosen}";
        Checks.True(restartLine == expectedLine, $"the restart line names the run, the losses and the choice: expected '{expectedLine}', got '{restartLine}'", CheckKind.Identity);
        var (_, flat, first) = Trainer.TrainWithRestarts(new FlatObjective(2, 1.5), sgd, schedule, starts: 3, warmupSteps: 2, warmupBatch: 1);
        Checks.True(flat.All(v => v == 1.5) && first == 0, $"equal warm-up losses keep the first start (a later one replaces it only when strictly lower; chose {first})", CheckKind.Identity);
        var diverged = Assert.Throws<ArgumentException>(() => Trainer.TrainWithRestarts(new FlatObjective(2, double.NaN), sgd, schedule, 2, 2, 1, label: "r"))!;
        Checks.True(diverged.Message.Contains("(r start 0)", StringComparison.Ordinal), $"a warm-up that diverges names its start ({diverged.Message})");
        var (single, _, only) = Trainer.TrainWithRestarts(new RecordingObjective(2), sgd, schedule, starts: 1, warmupSteps: 2, warmupBatch: 1);
        Checks.True(only == 0 && single.History[0].Theta.SequenceEqual(Start(0)), "one start: it is chosen and the full run begins at its θ₀", CheckKind.Identity);
        Rejects(() => Trainer.TrainWithRestarts(new RecordingObjective(2), sgd, schedule, 0, 2, 1), "starts");
        Rejects(() => Trainer.TrainWithRestarts(new RecordingObjective(2), sgd, schedule, 2, 0, 1), "warmupSteps");
        Rejects(() => Trainer.TrainWithRestarts(new RecordingObjective(2), sgd, schedule, 2, 2, 0), "warmupBatch");

        foreach (double bad in new[] { double.NaN, double.PositiveInfinity })
        {
            var diverging = new DeterministicBatches(new DelegateObjective(1, _ => (bad, [0.0])));
            Rejects(() => Trainer.Train(diverging, sgd, schedule, label: "div"), "optimizer", $"training diverged: loss {bad} at step 0 (div)");
        }
        Rejects(() => Trainer.Train<Batch>(null!, sgd, schedule), "objective");
        Rejects(() => Trainer.Train(new RecordingObjective(2), sgd, null!), "schedule");
        Rejects(() => Trainer.Train(new RecordingObjective(2), sgd, schedule with { Steps = 0 }), "Steps");
        Rejects(() => Trainer.Train(new RecordingObjective(2), sgd, schedule, start: [1.0]), "start");
        Rejects(() => (schedule with { TestBatches = 1 }).Validate(), "TestBatches", "TestBatches must be ≥ 2 for a standard error (got 1)");

        var checkpoint = new Checkpoint(0, 0, 0, 0, []);
        Checks.True(new TrainingResult([], checkpoint, default, [], 2, 10).PromptStepsPerSecond == 5, "10 prompt-steps in 2 s: 5 per second", CheckKind.Identity);
        Checks.True(new TrainingResult([], checkpoint, default, [], 0, 10).PromptStepsPerSecond == 1e10, "0 s counts as 1 ns", CheckKind.Identity);
    }

    /// <summary>
    /// A recipe's warm start runs WarmStart.Steps of its optimiser and continues with the recipe's from that θ: one history (the warm
    /// phase's checkpoints but its last, then the main phase's shifted by the warm steps), the prompt-steps of both. The setup's
    /// refusals, a given Σ, the quadratic objective when the recipe has labels, re-binding Σ, and the export's tensor names and refusals.
    /// </summary>
    [Test]
    public void TRAINER_Recipe_warm_start_setup_and_export()
    {
        var schedule = new TrainingSchedule(Steps: 3, BatchSize: 4, EvaluateEvery: 1, KeepCheckpoints: 2, ValidationSize: 5, TestBatches: 2, TestBatchSize: 3, Seed: 2);
        var recipe = new Recipe("warm", "suite", new ModelSpec(ModelFamily.Sparse, 2, 1, Tied: true), DataSpec.Isotropic(2, 5, TaskLaw.Isotropic),
            OptimizerSettings.Adam(0.01), schedule, new WarmStart(OptimizerSettings.Sgd(0.02), 2));
        var setup = new LearningSetup(recipe);
        var run = setup.Train(start: [0.1, 0, 0, 0.1]);
        Checks.True(run.History.Select(c => c.Step).SequenceEqual([0, 1, 2, 3, 4, 5]), $"one curve: warm steps 0–1, main steps 2–5 (got {string.Join(", ", run.History.Select(c => c.Step))})", CheckKind.Identity);
        var warmOnly = Trainer.Train(setup.Objective, OptimizerSettings.Sgd(0.02), schedule with { Steps = 2, KeepCheckpoints = 1, TestBatches = 2, TestBatchSize = 1 }, start: [0.1, 0, 0, 0.1]);
        Checks.True(run.History[2].Theta.SequenceEqual(warmOnly.Theta) && run.History[1].Theta.SequenceEqual(warmOnly.History[1].Theta),
            "the main phase starts from the warm phase's θ; the warm phase's checkpoints are kept", CheckKind.Identity);
        Checks.True(run.PromptSteps == (2 + 3) * 4, $"prompt-steps of both phases (got {run.PromptSteps})", CheckKind.Identity);
        Checks.True(double.IsFinite(run.Seconds) && run.Seconds >= 0, "the time of both phases");
        var phases = new StringWriter();
        setup.Train(phases, start: [0.1, 0, 0, 0.1]);
        Checks.True(phases.ToString().Contains("[train warm (warm start)] done in", StringComparison.Ordinal) && phases.ToString().Contains("[train warm] done in", StringComparison.Ordinal),
            $"each phase's progress names its run: the recipe's name, '(warm start)' for the first ({phases})");
        var softmax = new LearningSetup(recipe with { Model = new ModelSpec(ModelFamily.Full, 2, 1, Tied: true, Attention: AttentionKind.Softmax), Warm = null });
        var noExact = Assert.Throws<InvalidOperationException>(() => softmax.PredictWithGradients(new double[softmax.Family.Dimension], softmax.Draw(2, 1)))!;
        Checks.True(noExact.Message == "exact query gradients need linear attention (this model has Softmax); take finite differences of Predict.",
            $"softmax attention has no exact query gradient, and the refusal says what to do instead ({noExact.Message})");

        Rejects(() => _ = new LearningSetup(null!), "recipe");
        Rejects(() => _ = new LearningSetup(recipe with { Optimizer = OptimizerSettings.Adam(0) }), "LearningRate");
        Rejects(() => _ = new LearningSetup(recipe with { Schedule = schedule with { BatchSize = 0 } }), "BatchSize");
        var sigma = Matrix<double>.Build.DenseOfDiagonalArray([2.0, 3.0]);
        Checks.True(new LearningSetup(recipe, sigma: sigma).Sigma.Equals(sigma) && setup.Sigma.Equals(Matrix<double>.Build.DenseIdentity(2)), "a given Σ replaces the recipe's", CheckKind.Identity);
        var rotated = new LearningSetup(recipe with { Data = new DataSpec(5, [1.0, 4.0], 7, TaskLaw.Isotropic) });
        Checks.True(rotated.With(loops: 2).Sigma.Equals(rotated.Sigma) && rotated.With(sigma: sigma).Sigma.Equals(sigma), "re-binding keeps Σ unless another is given", CheckKind.Identity);
        var tiedOnly = Assert.Throws<InvalidOperationException>(() => new LearningSetup(recipe with { Model = new ModelSpec(ModelFamily.Sparse, 2, 2) }).With(loops: 3));
        Checks.True(tiedOnly!.Message.Contains("tied", StringComparison.Ordinal), $"the refusal says why ({tiedOnly.Message})");

        Checks.True(setup.Labels is null && setup.Objective is InContextLoss, "linear labels: the plain in-context loss");
        var m = Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 0.5 }, { 0.5, -1 } });
        var fixedM = new LearningSetup(recipe with { Data = recipe.Data with { Quadratic = new QuadraticPart(0.3, m) } });
        Checks.True(fixedM.Objective is QuadraticLabelObjective { Labels: var l } && ReferenceEquals(l, fixedM.Labels) && l.Gamma == 0.3 && l.M is not null && l.M.Equals(m),
            "a fixed M: the quadratic objective with that M", CheckKind.Identity);
        var perPrompt = new QuadraticPart(0.3).Bind(sigma);
        Checks.True(perPrompt.M is null && perPrompt.Gamma == 0.3 && perPrompt.D == 2 && perPrompt.Sigma.Equals(sigma), "no M: one M per prompt, centred for the given Σ", CheckKind.Identity);
        Checks.True(recipe.WithSeed(9).Data == recipe.Data && recipe.WithSeed(9).Schedule.Seed == 9 && recipe.WithSeed(9, 4).Data.RotationSeed == 4, "WithSeed: the schedule's seed, and the rotation when given", CheckKind.Identity);

        var family = LearningSetup.Parameterise(new ModelSpec(ModelFamily.Sparse, 2, 2));
        double[] theta = [1, 2, 3, 4, 5, 6, 7, 8];
        var tensors = ModelExport.SuiteTensors(family, theta, sigma);
        Checks.True(tensors.Select(t => t.Name).SequenceEqual(["P.0", "Q.0", "P.1", "Q.1", "Sigma"]), $"tensor names P.l, Q.l, Sigma (got {string.Join(", ", tensors.Select(t => t.Name))})", CheckKind.Identity);
        Rejects(() => ModelExport.SuiteTensors(null!, theta, sigma), "family");
        Rejects(() => ModelExport.SuiteTensors(family, theta, null!), "sigma");
        Rejects(() => ModelExport.SuiteTensors(family, theta, Matrix<double>.Build.DenseIdentity(3)), "sigma");
        string dir = Path.Combine(Path.GetTempPath(), "loopedicl-export-" + Guid.NewGuid().ToString("N"));
        Rejects(() => ModelExport.Write(" ", "m", 5, family, theta, sigma), "directory");
        Rejects(() => ModelExport.Write(dir, "", 5, family, theta, sigma), "stem");
        Rejects(() => ModelExport.Write(dir, "m", 0, family, theta, sigma), "n");
        Checks.True(!Directory.Exists(dir), "a refused export writes nothing");
    }
}
