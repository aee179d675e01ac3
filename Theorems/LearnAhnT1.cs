using LoopedIcl.Numerics.Engine;

namespace LoopedIcl.Theorems;

/// <summary>
/// LEARN-AHN-T1: one layer with all 2(d+1)² entries of P and Q trainable, x ~ N(0, Σ) with κ(Σ) = 4, w* ~ N(0, I): training
/// reaches f* and the learned effective preconditioner is Γ⁻¹ = (((n+1)/n)Σ + (tr Σ/n)I)⁻¹, not Σ⁻¹.
/// </summary>
[TestFixture, Category(ClaimIds.LearnAhnT1)]
public class LearnAhnT1
{
    /// <summary>The reduced recipe (<see cref="Recipes.AhnT1Reduced"/>) under this run's seeds.</summary>
    public static Recipe Reduced(TaskLaw task, string name) => Recipes.AhnT1Reduced(TestSettings.Plan, name, task);

    /// <summary>What a trained single layer is, read through the theorem's reduction (last row of P, first d columns of Q).</summary>
    public sealed record Reading(double PopulationLoss, Matrix<double> Preconditioner, double EvenPart, double IrrelevantMax, double SmallestOverLargestSingularValue);

    public static Reading Read(LearningSetup setup, double[] theta)
    {
        int d = setup.Model.D, n = setup.Recipe.Data.N;
        var (p, q) = new LearnedModel(setup.Model, theta).PQ(0);
        var prm = new SingleLayerParameters(Vector<double>.Build.Dense(d, j => p[d, j]), p[d, d], q.SubMatrix(0, d, 0, d), Vector<double>.Build.Dense(d, j => q[d, j]));
        // The w-odd part of the prediction is −K S w* with K = βAᵀ + a uᵀ (invariant under (P, Q) → (γP, Q/γ) and (−P, −Q)); Γ̂⁻¹ = −Kᵀ.
        var k = prm.A.Transpose() * prm.Beta + prm.LastRowOfQ.OuterProduct(prm.U);
        double even = (prm.A.Transpose() * prm.U).L2Norm() + Math.Abs(prm.Beta) * prm.LastRowOfQ.L2Norm();
        double irrelevant = Math.Max(p.SubMatrix(0, d, 0, d + 1).Enumerate().Max(Math.Abs), q.Column(d).Enumerate().Max(Math.Abs));
        var sv = k.Svd().S;
        double loss = setup.Recipe.Data.Task == TaskLaw.Isotropic ? AhnLosses.SingleLayer(setup.Sigma, n, prm) : double.NaN;
        return new Reading(loss, -k.Transpose(), even / k.FrobeniusNorm(), irrelevant, sv[^1] / sv[0]);
    }

    /// <summary>‖Σ^{1/2}(M − R)Σ^{1/2}‖_F / ‖Σ^{1/2}RΣ^{1/2}‖_F: the error in the basis where the loss Hessian (Σ ⊗ ΣΓ) is well scaled.</summary>
    public static double WhitenedError(Matrix<double> m, Matrix<double> reference, Matrix<double> sigma) =>
        LearnedMetrics.Whitened(m - reference, sigma).FrobeniusNorm() / LearnedMetrics.Whitened(reference, sigma).FrobeniusNorm();

    // Tolerances (reduced recipe): observed excess ≤ 0.4% of f*, whitened error ≤ 0.06 over 4 seeds; the wrong-law optimum is 0.25 away.
    private const double LossTolerance = 0.02, PreconditionerTolerance = 0.12;

    /// <summary>Training reaches f* and Γ⁻¹ (not Σ⁻¹); the wrong task law (w* ~ N(0, Σ⁻¹)) trains to n/(n+d+1)·Σ⁻¹ and fails the Γ⁻¹ check (control).</summary>
    [Test]
    public void LEARN_AHN_T1_Training_reaches_Gamma_inverse() => Run(task => Reduced(task, task == TaskLaw.Isotropic ? "LEARN-AHN-T1" : "LEARN-AHN-T1.control"), 1);

    /// <summary>
    /// Larger scale: d = 5, n = 20, Σ eigenvalues (1, 1, 1/2, 1/4, 1) in a random basis, batch 20000 (the authors' batch), 300 SGD
    /// + 3000 Adam steps (lr 0.01 halved every 750); same checks, tolerances halved.
    /// </summary>
    [Test, Category(CategoryLabels.Slow)]
    public void LEARN_AHN_T1_Larger_scale() => Run(task =>
    {
        var r = Reduced(task, task == TaskLaw.Isotropic ? "LEARN-AHN-T1.slow" : "LEARN-AHN-T1.slow.control");
        return r with
        {
            Model = new ModelSpec(ModelFamily.Full, 5, 1),
            Data = new DataSpec(20, [1, 1, 0.5, 0.25, 1], r.Data.RotationSeed, task),
            Optimizer = OptimizerSettings.Adam(0.01, halveEvery: 750),
            Schedule = r.Schedule with { Steps = 3000, BatchSize = 20000, EvaluateEvery = 250 },
            Warm = r.Warm! with { Steps = 300 },
        };
    }, 0.5, Environment.ProcessorCount);

    /// <summary>
    /// Trains from two small random inits and keeps the one with the lower loss on a common selection batch (2000 prompts, own seed).
    /// Why: a small-init start can stall at a stationary point with both branches mixed (seed 8 of 20: loss 1.67f*, even part 0.57‖K‖);
    /// the theorem is about the global optimum, and best-of-starts is how the notes (C6 g) reach it.
    /// </summary>
    // Three starts: the Adam phase can stall on the rank-one branch (finding 4) from both of two starts (base seed 69: loss 33× the tolerance).
    private static (LearningSetup Setup, TrainingResult Run) BestOfStarts(Recipe recipe, int threads) =>
        Learn.BestOfStarts(recipe, threads, $"LEARN-AHN-T1 ({recipe.Data.Task})", recipe.Name + recipe.Data.Task, starts: 3);

    private static void Run(Func<TaskLaw, Recipe> recipe, double toleranceScale, int threads = 1)
    {
        double LossTolerance = LearnAhnT1.LossTolerance * toleranceScale, PreconditionerTolerance = LearnAhnT1.PreconditionerTolerance * toleranceScale;
        var (setup, run) = BestOfStarts(recipe(TaskLaw.Isotropic), threads);
        int n = setup.Recipe.Data.N, d = setup.Model.D;
        var (gammaInv, fStar) = LearningTheory.AhnSingleLayer(setup.Sigma, n);
        var r = Read(setup, run.Theta);
        ClaimLedger.Note($"LEARN-AHN-T1: exact population loss of the trained layer {r.PopulationLoss:G8} vs f* = {fStar:G8} (excess {(r.PopulationLoss - fStar) / fStar:E2} relative); " +
                         $"even part ‖Aᵀu‖ + |β|‖a‖ = {r.EvenPart:E2}·‖K‖; irrelevant entries (P rows 1..d, Q last column) max |θ| = {r.IrrelevantMax:E2}; σ_min/σ_max(K) = {r.SmallestOverLargestSingularValue:F3}");

        Checks.AtLeast(r.PopulationLoss, fStar * (1 - 1e-12), "no trained point beats f* (exact closed form)");
        Checks.AtMost(r.PopulationLoss - fStar, LossTolerance * fStar, "exact population loss − f* ≤ 3% f* (optimisation tolerance)");
        double error = WhitenedError(r.Preconditioner, gammaInv, setup.Sigma);
        Checks.AtMost(error, PreconditionerTolerance, "whitened ‖Γ̂⁻¹ − Γ⁻¹‖/‖Γ⁻¹‖");
        var naive = setup.Sigma.Inverse();
        Checks.Exceeds(WhitenedError(r.Preconditioner, naive, setup.Sigma), PreconditionerTolerance, "the trained preconditioner is not Σ⁻¹");

        // The engine's held-out loss agrees with the exact closed form at the trained θ (MC, CI only: same θ, no optimisation slack).
        var heldOut = setup.TestLoss(run.Theta, Learn.HeldOutBatch(setup, "LEARN-AHN-T1"));
        Learn.LossMatches(heldOut, r.PopulationLoss, 0, "held-out MC loss vs exact loss of the trained layer");

        // Control: the same recipe with w* ~ N(0, Σ⁻¹) learns n/(n+d+1)·Σ⁻¹ (its own theory) and fails the Γ⁻¹ check.
        var (wrong, wrongRun) = BestOfStarts(recipe(TaskLaw.InverseCovariance), threads);
        var w = Read(wrong, wrongRun.Theta);
        var ownOptimum = naive * (n / (n + d + 1.0));
        Checks.AtMost(WhitenedError(w.Preconditioner, ownOptimum, setup.Sigma), PreconditionerTolerance, "control trained to its own optimum n/(n+d+1)Σ⁻¹");
        using (ClaimLedger.Suspend())
        {
            double wrongError = WhitenedError(w.Preconditioner, gammaInv, setup.Sigma);
            ClaimLedger.Note($"LEARN-AHN-T1 control (w* ~ N(0, Σ⁻¹)): whitened error to Γ⁻¹ {wrongError:F3} (tolerance {PreconditionerTolerance}); trained {error:F3}");
            Checks.Exceeds(wrongError, PreconditionerTolerance, "wrong task law fails the Γ⁻¹ check");
        }
        ClaimLedger.RecordNegativeControl("a model trained with w* ~ N(0, Σ⁻¹) fails the Γ⁻¹ check");
    }
}
