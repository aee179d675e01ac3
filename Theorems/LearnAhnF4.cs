using LoopedIcl.Numerics.Algorithms;

namespace LoopedIcl.Theorems;

/// <summary>
/// LEARN-AHN-F4 (Ahn et al. Figs. 3–5, family (11)): at n = 20 training drives B_l → multiples of I and Σ^{1/2}A_lΣ^{1/2} →
/// multiples of I, with the scalars at a critical point of the 𝒮-restricted objective; at n = 10 training does not reach the
/// n = 20 loss (finding 3, shown by training).
/// </summary>
[TestFixture, Category(ClaimIds.LearnAhnF4)]
public class LearnAhnF4
{
    /// <summary>The reduced recipe (<see cref="Recipes.AhnF4Reduced"/>) under this run's seeds.</summary>
    public static Recipe Reduced(int n, string name, int steps = 3000, int halveEvery = 375) => Recipes.AhnF4Reduced(TestSettings.Plan, name, n, steps, halveEvery);

    /// <summary>The trained scalars (a_l = tr(Σ^½A_lΣ^½)/d, b_l = tr B_l/d) and the Dist of each whitened A_l and of B_0 … B_{L−2}.</summary>
    public static (double[] A, double[] B, double[] DistA, double[] DistB) Read(LearningSetup setup, double[] theta)
    {
        var m = new LearnedModel(setup.Model, theta);
        var layers = Enumerable.Range(0, setup.Model.Layers).ToArray();
        var wa = layers.Select(l => LearnedMetrics.Whitened(m.A(l), setup.Sigma)).ToArray();
        var bs = layers.Take(setup.Model.Layers - 1).Select(m.B).ToArray(); // B_{L−1} never reaches the output
        return (wa.Select(LearnedMetrics.Scalar).ToArray(), bs.Select(LearnedMetrics.Scalar).ToArray(),
            wa.Select(LearnedMetrics.DistToIdentity).ToArray(), bs.Select(LearnedMetrics.DistToIdentity).ToArray());
    }

    /// <summary>θ of family (11) with A_l = a_lΣ⁻¹, B_l = b_l I (b_{L−1} = 0).</summary>
    public static double[] OnS(LearningSetup setup, IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        int d = setup.Model.D;
        var sigmaInv = setup.Sigma.Inverse();
        var theta = new double[setup.Model.Dimension];
        for (int l = 0; l < setup.Model.Layers; l++)
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                {
                    theta[l * 2 * d * d + i * d + j] = a[l] * sigmaInv[i, j];
                    theta[l * 2 * d * d + d * d + i * d + j] = i == j && l < b.Count ? b[l] : 0;
                }
        return theta;
    }

    /// <summary>n = 20: whitened A_l and B_0 are multiples of I and the scalars sit at a critical point of the 𝒮-restricted loss (BFGS from them moves little, paired loss equal); n = 10 does not reach the n = 20 loss (control).</summary>
    [Test]
    public void LEARN_AHN_F4_GD_plus_plus_learns_scalar_preconditioners_and_covariate_steps() => Run(n => Reduced(n, n == 20 ? "LEARN-AHN-F4" : "LEARN-AHN-F4.n10"), 1);

    /// <summary>
    /// The authors' Figs. 3–5 recipe ("rotation demonstration-Adam": d = 5, L = 3, rotated Σ = UD²Uᵀ, Adam lr 0.1, β = (0.99, 0.9),
    /// per-matrix clip 0.01, B = 20000 redrawn every 100, 100000 steps halved every 4000) at full scale, n = 20 and the n = 10 control:
    /// 74 min on 2 cores shared with other jobs (30 min for n = 20, 44 min for n = 10). First run (seed 0): a = (−0.3770, −2.3936, −9.5290),
    /// b = (0.9043, 0.5639) against the critical point (−0.3785, −2.4093, −9.6407; 0.9057, 0.5662), whitened Dist ≤ 0.030, held-out loss
    /// 5.66e-4 ± 0.36e-4; at n = 10 the median loss 4.2e-3 against 7.3e-5. (A 10% budget had left Dist(Σ^½A_0Σ^½) = 0.135.)
    /// </summary>
    [Test, Category(CategoryLabels.Slow)]
    public void LEARN_AHN_F4_Authors_recipe() => Run(n => Recipes.AhnFigure3To5(0, n), Environment.ProcessorCount);

    private static void Run(Func<int, Recipe> recipe, int threads)
    {
        var setup = new LearningSetup(recipe(20), threads);
        var ten = new LearningSetup(recipe(10), threads);
        var runs = Learn.TrainAll(setup, ten);
        var theta = runs[0].Theta;
        var (a, b, distA, distB) = Read(setup, theta);
        // The 𝒮-restricted critical point nearest to the trained scalars: BFGS on the Σ-free scalar objective (20 000 whitened draws).
        var scalar = new ScalarGdPlusPlusLoss(SparseFamilyLoss.DrawSamples(Matrix<double>.Build.DenseIdentity(setup.Model.D), 20, 20000, TestSettings.SeedFor("LEARN-AHN-F4.saa")));
        int L = setup.Model.Layers;
        double G(Vector<double> v) => scalar.Value(v.Take(L).ToArray(), v.Skip(L).Concat([0.0]).ToArray());
        var start = Vector<double>.Build.DenseOfEnumerable(a.Concat(b));
        var critical = Minimizer.Bfgs(v => (G(v), Minimizer.FiniteDifferenceGradient(G, v)), start, 1e-10, 300);
        ClaimLedger.Note($"LEARN-AHN-F4 n = 20: a = [{string.Join(", ", a.Select(v => v.ToString("F4")))}], b = [{string.Join(", ", b.Select(v => v.ToString("F4")))}]; " +
                         $"Dist(Σ^½A_lΣ^½) = [{string.Join(", ", distA.Select(v => v.ToString("F4")))}], Dist(B_l) = [{string.Join(", ", distB.Select(v => v.ToString("F4")))}]; " +
                         $"critical point from there: [{string.Join(", ", critical.Point.Select(v => v.ToString("F4")))}] (SAA loss {critical.Value:E3}, |∇| {critical.GradientNorm:E1})");
        foreach (var (v, l) in distA.Select((v, l) => (v, l))) Checks.AtMost(v, 0.1, $"Dist(Σ^½A_{l}Σ^½)");
        foreach (var (v, l) in distB.Select((v, l) => (v, l))) Checks.AtMost(v, 0.1, $"Dist(B_{l})");
        // The scalars are compared with the 𝒮-restricted critical point BFGS reaches from them, which must be a converged critical point.
        // Their distance is recorded, not asserted: the loss is flat along the scalars (over 20 seeds a_0 sat up to 11% from the critical
        // point at a loss gap < 1%), and 𝒮 has at least two critical points (≈ (−0.81, −2.48; 0.35), loss 0.0216, and ≈ (−0.55, −3.2; 0.79),
        // loss 0.0152 on the same draws; runs end near either). Convergence is asserted where it is well posed: the paired loss gap below.
        // BFGS on central differences stops where their rounding dominates (|∇| 1e-11 … 4e-9 over 20 seeds); 1e-6 is far above that floor.
        Checks.True(critical.GradientNorm <= 1e-6, $"BFGS from the trained scalars ends at a critical point ({critical.Reason}, |∇| {critical.GradientNorm:E1} ≤ 1e-6)");
        for (int i = 0; i < start.Count; i++)
            ClaimLedger.Value($"scalar {i} relative distance to the critical point", Math.Abs(critical.Point[i] - start[i]) / Math.Abs(critical.Point[i]));

        var batch = Learn.HeldOutBatch(setup, "LEARN-AHN-F4");
        var eTrained = setup.SquaredErrors(theta, batch);
        var eCritical = setup.SquaredErrors(OnS(setup, critical.Point.Take(L).ToArray(), critical.Point.Skip(L).ToArray()), batch);
        var trained = LossEstimates.GroupMeans(eTrained, 100);
        var diff = LossEstimates.GroupMeans(Learn.Differences(eTrained, eCritical), 100);
        ClaimLedger.Note($"LEARN-AHN-F4 n = 20: held-out loss {trained}; paired trained − critical point {diff}");
        // A mean at n = 20 < 8d, where single losses are heavy-tailed: for this two-sided equality check that is safe, since one extreme prompt
        // moves the mean by X/m but the t half-width by ≈ 5.5·X/m (its group's mean dominates the SE), so a tail event cannot fail it.
        Learn.LossMatches(diff, 0, 0.05 * trained.Mean, "paired loss difference trained − critical point (optimisation tolerance 5% of the loss)");

        // Control: trained at n = 10 (same recipe) the loss stays above the n = 20 loss. The n = 10 squared errors are heavy-tailed
        // (mean ≈ 13× median), so compare medians with distribution-free order-statistic intervals (false alarm 1e-6 each).
        var e10 = ten.SquaredErrors(runs[1].Theta, Learn.HeldOutBatch(ten, "LEARN-AHN-F4.n10"));
        var (low10, _) = SampleStatistics.QuantileInterval(e10, 0.5, CheckPolicy.FalseAlarm);
        var (_, high20) = SampleStatistics.QuantileInterval(eTrained, 0.5, CheckPolicy.FalseAlarm);
        ClaimLedger.Note($"LEARN-AHN-F4 n = 10: held-out mean {e10.Average():G4}, median {SampleStatistics.Median(e10):G4} (lower bound {low10:G4}); n = 20 median {SampleStatistics.Median(eTrained):G4} (upper bound {high20:G4})");
        Checks.Exceeds(low10, high20, "n = 10 training does not reach the n = 20 loss (medians)");
        ClaimLedger.RecordNegativeControl("training at n = 10 does not reach the n = 20 loss");
    }
}
