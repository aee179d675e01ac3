using LoopedIcl.Numerics.Statistics;

namespace LoopedIcl.Experiments;

/// <summary>
/// The shared pieces of round three (X-QUAD-*, X-SOFTMAX) that the tests and the report both use: the fixed M of the quadratic labels,
/// the run names of the trained models, the covariance shift and loop counts of the test-time curves, and the alignment with L-step GD.
/// </summary>
public static class BeyondLinear
{
    /// <summary>The attentions compared by X-SOFTMAX (linear first: the differences are non-linear − linear).</summary>
    public static readonly AttentionKind[] Kinds = [AttentionKind.Linear, AttentionKind.Softmax, AttentionKind.Relu];

    /// <summary>An integer symmetric M (exact in rationals and in double) with eigenvalues of both signs.</summary>
    public static Mat<Rational> ExactM(int d) =>
        Mat<Rational>.Build(d, d, (i, j) => Rational.FromInt(i == j ? (i % 2 == 0 ? 2 + i : -1 - i) : (Math.Abs(i - j) == 1 ? 1 : 0)));

    /// <summary><see cref="ExactM"/> in double.</summary>
    public static Matrix<double> M(int d)
    {
        var m = ExactM(d);
        return Matrix<double>.Build.Dense(d, d, (i, j) => m[i, j].ToDouble());
    }

    /// <summary>The run name (seed stream) of X-QUAD-FLOOR's trained looped or untied model.</summary>
    public static string FloorRun(bool tied) => $"X-QUAD-FLOOR trained {(tied ? "looped" : "untied")}";

    /// <summary>The run name of an X-SOFTMAX model: the comparison's tag (<see cref="LinearReduced"/> …), the attention, the training loops.</summary>
    public static string SoftmaxRun(string tag, AttentionKind kind, int loops) => $"X-SOFTMAX {tag} {kind} L={loops}";

    /// <summary>One model trained at each of several learning rates, and the rate kept (lowest mean loss on the selection batch).</summary>
    public sealed record TunedRun(LearningSetup Setup, TrainingResult Run, double LearningRate, double[] SelectionLosses);

    /// <summary>
    /// Trains <paramref name="recipe"/> at every rate (concurrently, one per core; each run is a function of its recipe only) and keeps the one
    /// with the lowest mean squared error on <paramref name="selection"/>: per-model tuning, so a comparison of attentions is not one of
    /// learning rates. The selection batch must not be the batch the kept model is then judged on.
    /// </summary>
    public static TunedRun TrainTuned(Func<double, Recipe> recipe, IReadOnlyList<double> rates, PromptBatch selection, int threads)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(selection);
        if (rates is null || rates.Count == 0) throw new ArgumentException("rates must hold at least one learning rate.", nameof(rates));
        var setups = rates.Select(r => new LearningSetup(recipe(r), threads)).ToArray();
        var runs = new TrainingResult[setups.Length];
        Parallel.For(0, setups.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount / threads) }, i => runs[i] = setups[i].Train(null));
        var losses = setups.Select((s, i) => s.SquaredErrors(runs[i].Theta, selection).Average()).ToArray();
        // A diverged run (NaN) ranks as +∞, so it never wins.
        var ranks = losses.Select(l => double.IsNaN(l) ? double.PositiveInfinity : l).ToArray();
        int best = Array.IndexOf(ranks, ranks.Min());
        return new TunedRun(setups[best], runs[best], rates[best], losses);
    }

    /// <summary>
    /// Every attention of <see cref="Kinds"/> tuned by <see cref="TrainTuned"/> over <see cref="Recipes.XSoftmaxFullLearningRates"/>, all judged on one
    /// selection batch of the linear model's law from the stream "X-SOFTMAX {tag} L={loops} selection" (the test and the report share it).
    /// </summary>
    public static (AttentionKind Kind, TunedRun Tuned)[] TrainTunedKinds(Func<AttentionKind, double, Recipe> recipe, SeedPlan plan, string tag, int loops, int threads)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var rates = Recipes.XSoftmaxFullLearningRates;
        var selection = new LearningSetup(recipe(AttentionKind.Linear, rates[0])).Draw(Recipes.XSoftmaxSelectionPrompts, plan.Stream($"X-SOFTMAX {tag} L={loops} selection"));
        return Kinds.Select(kind => (kind, TrainTuned(lr => recipe(kind, lr), rates, selection, threads))).ToArray();
    }

    /// <summary>X-SOFTMAX comparison tags (part of the run names).</summary>
    public const string LinearReduced = "linear task reduced", QuadraticReduced = "quadratic reduced", LinearFull = "linear task full", QuadraticFull = "quadratic full";

    /// <summary>The test-time loop counts of the curves (1…50).</summary>
    public static readonly int[] TestTimeLoops = [1, 2, 3, 5, 10, 20, 50];

    /// <summary>The shifted test covariance: eigenvalues evenly spread over [0.5, 1.2] on the axes (d = 3: diag(0.5, 0.85, 1.2)); decimal so they are the literals.</summary>
    public static Matrix<double> ShiftedSigma(int d)
    {
        if (d < 2) throw new ArgumentException($"{nameof(d)} must be ≥ 2 for a spread of eigenvalues (got {d}).", nameof(d));
        return Matrix<double>.Build.DenseOfDiagonalArray(Enumerable.Range(0, d).Select(i => (double)(0.5m + 0.7m * i / (d - 1))).ToArray());
    }

    /// <summary>
    /// Medians of the per-prompt squared error of a looped model at each of <paramref name="loops"/> test-time loops on <paramref name="batch"/>, with
    /// exact binomial intervals at <paramref name="falseAlarm"/> (per-prompt losses at many loops are heavy-tailed; a non-finite error counts as the largest).
    /// </summary>
    public static (int Loops, double Median, double Low, double High)[] TestTimeMedians(LearningSetup setup, double[] theta, PromptBatch batch, IReadOnlyList<int> loops, double falseAlarm) =>
        loops.Select(t =>
        {
            var e = setup.With(loops: t).SquaredErrors(theta, batch);
            var finite = e.Select(v => double.IsFinite(v) ? v : double.MaxValue).ToArray();
            var (lo, hi) = SampleStatistics.QuantileInterval(finite, 0.5, falseAlarm);
            return (t, SampleStatistics.Median(finite), lo, hi);
        }).ToArray();

    /// <summary>θ of L-step GD with step η in the sparse family (A_l = ηI: GD by AHN-L1).</summary>
    public static (Parameterisation Family, double[] Theta) Gd(int d, int steps, double eta)
    {
        var family = Parameterisation.Sparse(d, steps);
        var theta = new double[family.Dimension];
        for (int l = 0; l < steps; l++) for (int a = 0; a < d; a++) theta[l * d * d + a * d + a] = eta;
        return (family, theta);
    }

    /// <summary>The step η ∈ {1/20 … 19/20} of L-step GD with the lowest mean squared error on <paramref name="held"/> (the exact loss stops at L = 2).</summary>
    public static double BestGdStep(int d, int steps, PromptBatch held) =>
        Enumerable.Range(1, 19).Select(k => k / 20.0).MinBy(eta =>
        {
            var (family, theta) = Gd(d, steps, eta);
            var y = new double[held.Count];
            new IclEngine(family).Predict(theta, held, y);
            return Enumerable.Range(0, held.Count).Select(p => (y[p] - held.Target[p]) * (y[p] - held.Target[p])).ToArray().Average();
        });

    /// <summary>∂ŷ/∂x_q of every prompt by central differences, h = 1e-5 (all prompts' a-th query entry moved at once: each ŷ reads only its own query).</summary>
    public static double[] QueryGradients(LearningSetup setup, double[] theta, PromptBatch batch)
    {
        int d = batch.D, lanes = PromptBatch.Lanes;
        var g = new double[batch.Count * d];
        const double h = 1e-5;
        for (int a = 0; a < d; a++)
        {
            void Shift(double by) { for (int p = 0; p < batch.Count; p++) batch.Query[(p / lanes * d + a) * lanes + p % lanes] += by; }
            Shift(h);
            var up = setup.Predict(theta, batch);
            Shift(-2 * h);
            var down = setup.Predict(theta, batch);
            Shift(h);
            for (int p = 0; p < batch.Count; p++) g[p * d + a] = (up[p] - down[p]) / (2 * h);
        }
        return g;
    }

    /// <summary>LEARN-ALIGN's metrics of a trained model (query gradients by central differences) against L-step GD with step η on <paramref name="batch"/>.</summary>
    public static AlignmentMetrics AlignWithGd(LearningSetup setup, double[] theta, int gdSteps, double eta, PromptBatch batch)
    {
        var (family, gdTheta) = Gd(batch.D, gdSteps, eta);
        var gdPred = new double[batch.Count];
        var gdGrad = new double[batch.Count * batch.D];
        new IclEngine(family).PredictWithQueryGradient(gdTheta, batch, gdPred, gdGrad);
        return Alignment.Measure(1, setup.Predict(theta, batch), QueryGradients(setup, theta, batch), gdPred, gdGrad);
    }
}
