using LoopedIcl.Numerics.Engine;

namespace LoopedIcl.Theorems;

/// <summary>
/// LEARN-GAT-F2: looped vs untied — the trained untied L-layer (A_l, u_l) model beats the trained looped one (paired, on the
/// same held-out prompts), and the looped loss plateaus at the population optimum ℓ_L(b*) of GAT-T1, not near zero.
/// </summary>
[TestFixture, Category(ClaimIds.LearnGatF2)]
public class LearnGatF2
{
    /// <summary>Both trained with the GAT-F1 reduced recipe at d = 3, n = 6 (n/d = 2, where the skew direction does not help), L = 2.</summary>
    [Test]
    public void LEARN_GAT_F2_Untied_beats_looped_which_plateaus_at_the_scalar_optimum() => Run(3, 6, 2, r => r, 1);

    /// <summary>The claim's example d = 10, n = 20, L = 2 (ℓ_L(b*) = 2.10528): batch 2000, 3000 steps, Adam lr 0.02 halved every 750.</summary>
    [Test, Category(CategoryLabels.Slow)]
    public void LEARN_GAT_F2_Claim_example() => Run(10, 20, 2, r => r with { Optimizer = OptimizerSettings.Adam(0.02, halveEvery: 750), Schedule = r.Schedule with { Steps = 3000, BatchSize = 2000, EvaluateEvery = 250 } }, Environment.ProcessorCount);

    private static void Run(int D, int N, int Loops, Func<Recipe, Recipe> scale, int threads)
    {
        var looped = new LearningSetup(scale(LearnGatF1.Reduced(N, $"LEARN-GAT-F2.looped.{D}", D, Loops, symmetricA: false)), threads);
        var untiedRecipe = scale(LearnGatF1.Reduced(N, $"LEARN-GAT-F2.untied.{D}", D, Loops, symmetricA: false));
        var untied = new LearningSetup(untiedRecipe with { Model = untiedRecipe.Model with { Tied = false } }, threads);
        var loopedTheta = looped.Train(Learn.Progress).Theta;
        var untiedTheta = untied.Train(Learn.Progress).Theta;

        var (bStar, lStar) = LearningTheory.LoopedOptimum(N, D, Loops);
        var (steps, gStar) = LearningTheory.SparseOptimum(N, D, Loops);
        var batch = Learn.HeldOutBatch(looped, "LEARN-GAT-F2", 80_000); // the control (looped > g*) had ≈ 5 SE at 20 000 prompts (failed on 2 of 20 base seeds): 80 000 halves the SE
        var eLooped = looped.SquaredErrors(loopedTheta, batch);
        var eUntied = untied.SquaredErrors(untiedTheta, batch);
        var loopedLoss = LossEstimates.GroupMeans(eLooped, 100);
        var untiedLoss = LossEstimates.GroupMeans(eUntied, 100);
        var diff = LossEstimates.GroupMeans(Learn.Differences(eUntied, eLooped), 100);
        ClaimLedger.Note($"LEARN-GAT-F2 (d = {D}, n = {N}, L = {Loops}): looped {loopedLoss} vs ℓ_L(b*) = {lStar:G6} (b* = {bStar:F6}); untied {untiedLoss} vs the untied optimum g* = {gStar:G6} (steps {{{string.Join(", ", steps.Select(s => s.ToString("F4")))}}}); paired untied − looped {diff}");
        // Optimisation tolerance 3% of the optimum (final lr 0.05/8; GAT-F1 shows the scalar within 3%, and the loss is flat to second order there).
        Learn.LossMatches(loopedLoss, lStar, 0.03 * lStar, "looped loss plateaus at ℓ_L(b*)");
        Learn.LossMatches(untiedLoss, gStar, 0.03 * gStar, "untied loss at the untied optimum g*");
        Learn.SignificantlyNegative(diff, "untied − looped < 0 (upper CI bound below 0)");
        // Control: the looped plateau is not "near zero": its lower CI bound is far above 0 (and above the untied optimum).
        Checks.Exceeds(loopedLoss.Mean - LossEstimates.HalfWidth(loopedLoss, Learn.FalseAlarm), gStar, "looped loss stays above the untied optimum");
        ClaimLedger.RecordNegativeControl("the looped model cannot reach the untied optimum g*");
    }
}
