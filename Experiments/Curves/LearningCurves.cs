namespace LoopedIcl.Experiments;

/// <summary>
/// The learned curves (one producer for the snapshots and the report): deterministic training runs (fixed seeds, one engine
/// thread) of the reduced recipes, as <see cref="CurveSet"/>s of checkpoint values against the training step.
/// </summary>
public static class LearningCurves
{
    /// <summary>The curve functions the snapshots cover (each returns its curves for one seed index).</summary>
    public static IReadOnlyList<Func<SeedPlan, CurveSet[]>> All() => [AhnF2, GatLoopedVsUntied];

    /// <summary>
    /// LEARN-AHN-F2 reduced, the test's own run (<see cref="AhnF2Run"/>): log10 test loss vs step with g* dashed, and Dist(Σ^½A_lΣ^½),
    /// Dist(A_l) vs step (Fig. 1).
    /// </summary>
    public static CurveSet[] AhnF2(SeedPlan seeds)
    {
        var setup = new LearningSetup(Recipes.AhnF2Reduced(seeds, AhnF2Run));
        var run = setup.Train();
        return AhnF2Curves(setup, run, $"run {AhnF2Run}, {seeds}");
    }

    /// <summary>The run name of LEARN-AHN-F2's reduced test (and of the report's seed-0 row and the snapshot).</summary>
    public const string AhnF2Run = "LEARN-AHN-F2";

    /// <summary>The run names of LEARN-GAT-F2's looped and untied models at dimension d.</summary>
    public static (string Looped, string Untied) GatF2Runs(int d) => ($"LEARN-GAT-F2.looped.{d}", $"LEARN-GAT-F2.untied.{d}");

    /// <summary>The Fig. 1 curves of a sparse-family run.</summary>
    public static CurveSet[] AhnF2Curves(LearningSetup setup, TrainingResult run, string label)
    {
        var (steps, gStar) = LearningTheory.SparseOptimum(setup.Recipe.Data.N, setup.Model.D, setup.Model.Layers);
        var x = run.History.Select(c => (double)c.Step).ToArray();
        var parameters = new Dictionary<string, object> { ["d"] = setup.Model.D, ["n"] = setup.Recipe.Data.N, ["L"] = setup.Model.Layers, ["recipe"] = setup.Recipe.Name, ["run"] = label, ["g*"] = gStar };
        var loss = new CurveSet("learn-ahn-f2-loss", ClaimIds.LearnAhnF2, $"Family (8) training: test loss ({label})", "step", "test loss", true, x,
            [new Series("trained", run.History.Select(c => Math.Log10(c.TestLoss)).ToArray()), new Series("g* (AHN-T3)", x.Select(_ => Math.Log10(gStar)).ToArray(), IsTheory: true)],
            parameters, "Test loss of the trained model; dashed: the exact optimum g* over 𝒮 (kernel polynomial of the Wishart moments).");
        var dist = new List<Series>();
        for (int l = 0; l < setup.Model.Layers; l++)
        {
            int layer = l;
            dist.Add(new Series($"Dist(Σ^½A{layer}Σ^½)", run.History.Select(c => Math.Log10(Math.Max(1e-12, LearnedMetrics.DistToIdentity(LearnedMetrics.Whitened(new LearnedModel(setup.Model, c.Theta).A(layer), setup.Sigma))))).ToArray()));
            dist.Add(new Series($"Dist(A{layer})", run.History.Select(c => Math.Log10(Math.Max(1e-12, LearnedMetrics.DistToIdentity(new LearnedModel(setup.Model, c.Theta).A(layer))))).ToArray()));
        }
        dist.Add(new Series("Dist(Σ⁻¹)", x.Select(_ => Math.Log10(LearnedMetrics.DistToIdentity(setup.Sigma.Inverse()))).ToArray(), IsTheory: true));
        var distances = new CurveSet("learn-ahn-f2-dist", ClaimIds.LearnAhnF2, $"Distance to a multiple of I ({label})", "step", "Dist", true, x, dist, parameters,
            "Dist(M) = ‖M − (tr M/d)I‖/‖M‖: the whitened layers Σ^½A_lΣ^½ go to multiples of I, the raw A_l stay at Dist(Σ⁻¹) (Ahn et al. Fig. 1).");
        return [loss, distances];
    }

    /// <summary>LEARN-GAT-F2 reduced (d = 3, n = 6, L = 2), the test's own runs: looped vs untied test loss vs step with ℓ_L(b*) and the untied optimum dashed.</summary>
    public static CurveSet[] GatLoopedVsUntied(SeedPlan seeds)
    {
        const int d = 3, n = 6, loops = 2;
        var (loopedRun, untiedRun) = GatF2Runs(d);
        var looped = new LearningSetup(Recipes.GatmiryReduced(seeds, loopedRun, n, d, loops, symmetricA: false));
        var untied = new LearningSetup(Recipes.GatmiryReduced(seeds, untiedRun, n, d, loops, symmetricA: false, tied: false));
        var a = looped.Train();
        var b = untied.Train();
        var (_, lStar) = LearningTheory.LoopedOptimum(n, d, loops);
        var (_, gStar) = LearningTheory.SparseOptimum(n, d, loops);
        var x = a.History.Select(c => (double)c.Step).ToArray();
        // The end points' exact population losses (the curves are small fixed test batches, and these losses are heavy-tailed at n/d = 2).
        double Exact(LearningSetup s, double[] theta)
        {
            var m = new LearnedModel(s.Model, theta); // A(l), U(l) read the one tied layer for every l of the looped model
            var layers = Enumerable.Range(0, loops).ToArray();
            return GatmiryPopulationLoss.Whitened(layers.Select(m.A).ToArray(), layers.Select(l => (Vector<double>?)m.U(l)).ToArray(), n).Value;
        }
        return [new CurveSet("learn-gat-f2-loss", ClaimIds.LearnGatF2, "Looped vs untied (d = 3, n = 6, L = 2)", "step", "test loss", true, x,
            [new Series("looped", a.History.Select(c => Math.Log10(c.TestLoss)).ToArray()), new Series("untied", b.History.Select(c => Math.Log10(c.TestLoss)).ToArray()),
             new Series("ℓ_L(b*) (GAT-T1)", x.Select(_ => Math.Log10(lStar)).ToArray(), IsTheory: true), new Series("untied optimum g*", x.Select(_ => Math.Log10(gStar)).ToArray(), IsTheory: true)],
            new Dictionary<string, object> { ["d"] = d, ["n"] = n, ["L"] = loops, ["recipe"] = looped.Recipe.Name, ["seed base"] = seeds.Base, ["l(b*)"] = lStar, ["g*"] = gStar, ["looped exact"] = Exact(looped, a.Theta), ["untied exact"] = Exact(untied, b.Theta) },
            "The looped model plateaus at the population optimum ℓ_L(b*), not near zero; untied layers reach the lower kernel-polynomial optimum.")];
    }
}
