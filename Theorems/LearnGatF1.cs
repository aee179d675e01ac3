namespace LoopedIcl.Theorems;

/// <summary>
/// LEARN-GAT-F1: the looped (A, u) model with symmetric A, Σ = I, trained from a small random init: u → 0 (relative to A) and
/// A → b*(n, d, L)·I with b* the exact GAT-T1 scalar optimum; n &lt; d is outside the theorem and only measured.
/// </summary>
[TestFixture, Category(ClaimIds.LearnGatF1)]
public class LearnGatF1
{
    /// <summary>The reduced recipe (<see cref="Recipes.GatmiryReduced"/>) under this run's seeds.</summary>
    public static Recipe Reduced(int n, string name, int d = 3, int loops = 2, bool symmetricA = true) => Recipes.GatmiryReduced(TestSettings.Plan, name, n, d, loops, symmetricA);

    /// <summary>(‖u‖/‖A‖_F, Dist(A), tr A/d) of a trained looped model.</summary>
    public static (double URelative, double Dist, double B) Read(LearningSetup setup, double[] theta)
    {
        var m = new LearnedModel(setup.Model, theta);
        var a = m.A(0);
        return (m.U(0).L2Norm() / a.FrobeniusNorm(), LearnedMetrics.DistToIdentity(a), LearnedMetrics.Scalar(a));
    }

    // Tolerances: observed |b − b*|/b* ≤ 2.3%, Dist ≤ 0.03. u has optimum 0 but Adam moves every coordinate by ≈ lr each step, so u jitters
    // at O(lr_final) = 0.006 per coordinate: ‖u‖/‖A‖ ≈ 0.006·√d·few/‖A‖ (observed ≤ 2.2% at n = 5 where ‖A‖ is smallest).
    private const double BTolerance = 0.05, DistTolerance = 0.08, UTolerance = 0.06;

    /// <summary>For n ∈ {5, 10, 30} (d = 3, L = 2): u → 0, A → b*·I; n = 2 &lt; d measured; the n = 5 model fails the n = 30 b* check (control).</summary>
    [Test]
    public void LEARN_GAT_F1_Looped_model_learns_the_scalar_optimum()
    {
        const int d = 3, loops = 2;
        var learned = new Dictionary<int, double>();
        foreach (int n in new[] { 5, 10, 30 })
        {
            var setup = new LearningSetup(Reduced(n, $"LEARN-GAT-F1.n{n}"));
            var (uRel, dist, b) = Read(setup, Learn.Train(setup).Theta);
            var (bStar, _) = LearningTheory.LoopedOptimum(n, d, loops);
            learned[n] = b;
            ClaimLedger.Note($"LEARN-GAT-F1 n = {n}: tr A/d = {b:F5} vs b* = {bStar:F6}; Dist(A) = {dist:F4}; ‖u‖/‖A‖ = {uRel:E2}");
            Checks.AtMost(Math.Abs(b - bStar) / bStar, BTolerance, $"n = {n}: |b − b*|/b*");
            Checks.AtMost(dist, DistTolerance, $"n = {n}: Dist(A)");
            Checks.AtMost(uRel, UTolerance, $"n = {n}: ‖u‖/‖A‖");
        }
        // n = 2 < d: outside the theorem; measured only.
        var small = new LearningSetup(Reduced(2, "LEARN-GAT-F1.n2"));
        var (u2, dist2, b2) = Read(small, Learn.Train(small).Theta);
        ClaimLedger.Note($"LEARN-GAT-F1 n = 2 < d = 3 (outside the theorem): tr A/d = {b2:F5} vs the scalar-line optimum {LearningTheory.LoopedOptimum(2, d, loops).B:F6}; Dist(A) = {dist2:F4}; ‖u‖/‖A‖ = {u2:E2}");

        var (b30, _) = LearningTheory.LoopedOptimum(30, d, loops);
        using (ClaimLedger.Suspend())
            Checks.Exceeds(Math.Abs(learned[5] - b30) / b30, BTolerance, "the n = 5 model fails the n = 30 b* check");
        ClaimLedger.RecordNegativeControl("a model trained at n = 5 fails the b*(n = 30) check");
    }

    /// <summary>
    /// The protocol's d = 10, n ∈ {5, 10, 20, 40, 100}, L = 2 — at the largest budget that fits minutes on 2 cores: batch 2000,
    /// 3000 steps, Adam lr 0.02 halved every 750 (the protocol's lr 1e-3 × 20000 steps × 4000 prompts would take hours).
    /// </summary>
    [Test, Category(CategoryLabels.Slow)]
    public void LEARN_GAT_F1_Protocol_scale()
    {
        foreach (int n in new[] { 10, 20, 40, 100, 5 })
        {
            var protocol = Recipes.GatmiryLooped(0, n, 2, symmetricA: true, steps: 3000);
            var recipe = protocol with { Optimizer = OptimizerSettings.Adam(0.02, halveEvery: 750), Schedule = protocol.Schedule with { BatchSize = 2000 } };
            var setup = new LearningSetup(recipe, Environment.ProcessorCount);
            var run = Learn.Train(setup, 30);
            var (uRel, dist, b) = Read(setup, run.Theta);
            var (bStar, lStar) = LearningTheory.LoopedOptimum(n, 10, 2);
            ClaimLedger.Note($"LEARN-GAT-F1 (protocol, d = 10, n = {n}): tr A/d = {b:F5} vs b* = {bStar:F6}; Dist(A) = {dist:F4}; ‖u‖/‖A‖ = {uRel:E2}; loss {run.TestLoss} vs ℓ*(b*) {lStar:G6}; {run.Seconds:F0} s");
            if (n < 10) continue; // n < d: measured only
            Checks.AtMost(Math.Abs(b - bStar) / bStar, 0.01, $"n = {n}: |b − b*|/b*");
            Checks.AtMost(dist, 0.05, $"n = {n}: Dist(A)");
            Checks.AtMost(uRel, UTolerance, $"n = {n}: ‖u‖/‖A‖"); // same Adam-jitter argument as the reduced test (observed 0.022 at n = 10)
        }
    }
}
