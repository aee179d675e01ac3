using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Optimization;

namespace LoopedIcl.Theorems;

/// <summary>Which attention a trained looped/untied model uses (the linear one runs on <see cref="IclEngine"/>'s Gram path).</summary>
public enum AttentionKind { Linear, Softmax, Relu }

/// <summary>
/// Shared pieces of the X-QUAD-* and X-SOFTMAX tests: the fixed M, the objectives of full-(P, Q) models with each attention (all with
/// the same θ layout <see cref="Parameterisation.Full"/>, so equal parameter counts hold by construction), per-prompt squared errors and
/// the floor check.
/// </summary>
internal static class XQuad
{

    /// <summary>An integer symmetric M (exact in rationals and in double) with eigenvalues of both signs.</summary>
    public static Mat<Rational> ExactM(int d) =>
        Mat<Rational>.Build(d, d, (i, j) => Rational.FromInt(i == j ? (i % 2 == 0 ? 2 + i : -1 - i) : (Math.Abs(i - j) == 1 ? 1 : 0)));

    public static Matrix<double> M(int d)
    {
        var m = ExactM(d);
        return Matrix<double>.Build.Dense(d, d, (i, j) => m[i, j].ToDouble());
    }

    public static Parameterisation Family(int d, int layers, bool tied) => Parameterisation.Full(d, layers, ResidualSign.Plus, tied);

    /// <summary>The model's objective on the isotropic law (w* ~ N(0, I)) at context size n, with quadratic labels when given.</summary>
    public static IBatchObjective<PromptBatch> Objective(AttentionKind kind, Parameterisation family, int n, QuadraticLabels? labels, int threads = 1)
    {
        var law = PromptLaw.Isotropic(family.D, TaskLaw.Isotropic);
        IInContextModel engine = kind == AttentionKind.Linear
            ? new IclEngine(family, threads)
            : new NonLinearAttentionEngine(family, kind == AttentionKind.Softmax ? ScoreActivation.Softmax : ScoreActivation.Relu, threads);
        IBatchObjective<PromptBatch> inner = new InContextLoss(engine, law, n);
        return labels is null ? inner : new QuadraticLabelObjective(inner, labels);
    }

    /// <summary>Per-prompt predictions of θ under the objective's engine (another family, e.g. more loops, may be given).</summary>
    public static double[] Predict(AttentionKind kind, Parameterisation family, double[] theta, PromptBatch batch)
    {
        var yhat = new double[batch.Count];
        if (kind == AttentionKind.Linear) new IclEngine(family).Predict(theta, batch, yhat);
        else new NonLinearAttentionEngine(family, kind == AttentionKind.Softmax ? ScoreActivation.Softmax : ScoreActivation.Relu).Predict(theta, batch, yhat);
        return yhat;
    }

    public static double[] SquaredErrors(double[] yhat, PromptBatch batch) =>
        Enumerable.Range(0, batch.Count).Select(p => (yhat[p] - batch.Target[p]) * (yhat[p] - batch.Target[p])).ToArray();

    /// <summary>A loss as the mean of 100 group means with its two-sided t half-width at δ = 1e-6.</summary>
    public static (Estimate Loss, double HalfWidth) Interval(double[] squaredErrors)
    {
        var est = LossEstimates.GroupMeans(squaredErrors, 100);
        return (est, LossEstimates.HalfWidth(est, CheckPolicy.FalseAlarm));
    }

    /// <summary>
    /// X-QUAD-FLOOR's own check on a measured loss: it is not below γ² beyond its interval (mean + half-width ≥ γ²). A model that is
    /// handed q(x_q) must fail it on finite values.
    /// </summary>
    public static void NotBelowFloor(Estimate loss, double halfWidth, double gammaSquared, string what) =>
        Checks.AtLeast(loss.Mean + halfWidth, gammaSquared, $"{what}: loss {loss.Mean:G6} + CI half-width {halfWidth:G3} ≥ γ² = {gammaSquared:G4}");

    /// <summary>q(x_q) of each prompt of a batch whose labels were transformed: (target after − target before)/γ.</summary>
    public static double[] QueryQ(double[] targetBefore, PromptBatch after, double gamma) =>
        Enumerable.Range(0, after.Count).Select(p => (after.Target[p] - targetBefore[p]) / gamma).ToArray();

    /// <summary>Trains θ for a reduced recipe: Adam (lr, halved every steps/4), init std 0.1 (full (P, Q) at 1e-4 sits on the saddle at 0).</summary>
    public static TrainingResult Train(IBatchObjective<PromptBatch> objective, string name, int steps, int batch, double lr = 0.02)
    {
        var schedule = new TrainingSchedule(steps, batch, InitScale: 0.1, EvaluateEvery: Math.Max(1, steps / 8), KeepCheckpoints: 3, ValidationSize: 1000,
            TestBatches: 2, TestBatchSize: 8, Seed: Learn.Seed(name));
        var run = Trainer.Train(objective, OptimizerSettings.Adam(lr, halveEvery: Math.Max(1, steps / 4)), schedule, label: name);
        ClaimLedger.Note($"{name}: {steps} steps × {batch} prompts in {run.Seconds:F2} s = {run.PromptStepsPerSecond:E3} prompt-steps/s (1 thread)");
        return run;
    }
}
