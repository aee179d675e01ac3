namespace LoopedIcl.Theorems;

/// <summary>
/// LEARN-GAT-SKEW (finding 5): does training the looped model with unconstrained A from a small random init leave the scalar
/// saddle b*·I for the skew direction? Measured: the skew share ‖(A − Aᵀ)/2‖/‖A‖ and the held-out loss against ℓ_L(b*).
/// Observed (asserted): yes — the loss ends significantly below the best symmetric loss ℓ_L(b*), with a large skew share.
/// </summary>
[TestFixture, Category(ClaimIds.LearnGatSkew)]
public class LearnGatSkew
{
    /// <summary>Reduced: d = 4, n = 30, L = 4, Σ = I; Adam lr 0.05 halved every 75, batch 500 fresh, 300 steps.</summary>
    public static Recipe Reduced(string name, int d = 4, int n = 30, int loops = 4, int steps = 300, int batch = 500, double lr = 0.05, int halveEvery = 75) => new(
        "GAT-SKEW reduced", "suite (reduced)",
        new ModelSpec(ModelFamily.Gatmiry, d, loops, Tied: true),
        DataSpec.Isotropic(d, n),
        OptimizerSettings.Adam(lr, halveEvery: halveEvery),
        new TrainingSchedule(steps, batch, EvaluateEvery: 50, KeepCheckpoints: 2, ValidationSize: 1000, TestBatches: 2, TestBatchSize: 8, Seed: Learn.Seed(name)));

    /// <summary>
    /// Asserts and records the finding for a trained θ: skew share ≥ <paramref name="minimumSkew"/> and the paired held-out difference
    /// loss(trained) − loss(b*I) has its upper CI bound below 0 (E loss(b*I) = ℓ_L(b*), the best symmetric loss). Returns the
    /// skew share, the paired difference of the trained A and of its symmetric part.
    /// </summary>
    public static (double Skew, Estimate Difference, Estimate SymmetrisedDifference) Measure(LearningSetup setup, double[] theta, string name, double minimumSkew)
    {
        var a = new LearnedModel(setup.Model, theta).A(0);
        int d = setup.Model.D;
        var (bStar, lStar) = LearningTheory.LoopedOptimum(setup.Recipe.Data.N, d, setup.Model.Layers);
        var batch = Learn.HeldOutBatch(setup, name, 160_000); // the paired effect is ≈ 5–15 SE at 80 000 prompts (5.1 SE on base seed 6 of 20): 160 000 gives ×1.4
        double[] WithA(Matrix<double> m)
        {
            var t = (double[])theta.Clone();
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) t[i * d + j] = m[i, j];
            return t;
        }
        var reference = WithA(Matrix<double>.Build.DenseIdentity(d) * bStar);
        Array.Clear(reference, d * d, d); // u = 0 at the symmetric optimum
        var eRef = setup.SquaredErrors(reference, batch);
        var eTrained = setup.SquaredErrors(theta, batch);
        var eSym = setup.SquaredErrors(WithA((a + a.Transpose()) / 2), batch);
        var diff = LossEstimates.GroupMeans(Learn.Differences(eTrained, eRef), 100);
        var symDiff = LossEstimates.GroupMeans(Learn.Differences(eSym, eRef), 100);
        double skew = LearnedMetrics.SkewFraction(a);
        ClaimLedger.Note($"{name} (d = {d}, n = {setup.Recipe.Data.N}, L = {setup.Model.Layers}): skew share {skew:F4}, tr A/d = {LearnedMetrics.Scalar(a):F4} (b* = {bStar:F4}); " +
                         $"held-out loss {LossEstimates.GroupMeans(eTrained, 100)} vs ℓ_L(b*) = {lStar:G5} (b*I on the same prompts: {LossEstimates.GroupMeans(eRef, 100)}); " +
                         $"paired trained − b*I {diff}; symmetrised − b*I {symDiff}");
        Checks.AtLeast(skew, minimumSkew, "skew share of the trained A");
        Learn.SignificantlyNegative(diff, "paired loss(trained) − loss(b*I): upper CI bound below 0");
        return (skew, diff, symDiff);
    }

    /// <summary>Training finds the skew direction: skew share ≥ 0.2 and the loss below ℓ_L(b*); its symmetrised A is not below ℓ_L(b*) (control).</summary>
    [Test]
    public void LEARN_GAT_SKEW_Training_leaves_the_scalar_saddle()
    {
        var setup = new LearningSetup(Reduced("LEARN-GAT-SKEW"));
        var run = setup.Train(Learn.Progress);
        // Observed skew share 0.33–0.35 at 200–500 steps (2 seeds); 0.2 leaves room for slower escapes.
        var (_, _, symmetrised) = Measure(setup, run.Theta, "LEARN-GAT-SKEW", 0.2);
        using (ClaimLedger.Suspend())
            Checks.Exceeds(symmetrised.Mean + LossEstimates.HalfWidth(symmetrised, Learn.FalseAlarm), 0, "the symmetrised A fails the below-ℓ_L(b*) check");
        ClaimLedger.RecordNegativeControl("the trained A's symmetric part does not beat ℓ_L(b*)");
    }

    /// <summary>The finding's reference point d = 6, n = 100, L = 4 (saddle 0.00207, skew point 0.00129): batch 1000, 3000 steps, lr 0.02 halved every 750.</summary>
    [Test, Category(CategoryLabels.Slow)]
    public void LEARN_GAT_SKEW_Reference_point()
    {
        var setup = new LearningSetup(Reduced("LEARN-GAT-SKEW.reference", 6, 100, 4, 3000, 1000, 0.02, 750), Environment.ProcessorCount);
        var run = setup.Train(Learn.Progress, progressSecondsOverride: 30);
        ClaimLedger.Note($"LEARN-GAT-SKEW reference run: {run.Seconds:F0} s, {run.PromptStepsPerSecond:E3} prompt-steps/s");
        Measure(setup, run.Theta, "LEARN-GAT-SKEW (d = 6, n = 100, L = 4)", 0.1);
    }
}
