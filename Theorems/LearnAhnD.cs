using LoopedIcl.Numerics.Algorithms;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Statistics;

namespace LoopedIcl.Theorems;

/// <summary>
/// LEARN-AHN-D (Appendix D, Figs. 6–7): a trained L-layer family-(11) model against L-step GD and PGD with one step chosen on
/// validation prompts, all baselines using all n context examples: trained ≤ PGD ≤ GD, as paired differences with CIs.
/// </summary>
[TestFixture, Category(ClaimIds.LearnAhnD)]
public class LearnAhnD
{
    /// <summary>Per-prompt squared errors of L-step PGD with preconditioner η·C (η chosen by golden section on a validation batch) on <paramref name="batch"/>.</summary>
    public static (double Step, double[] Errors) Baseline(LearningSetup trained, Matrix<double> c, PromptBatch validation, PromptBatch batch, int? n = null)
    {
        var sparse = new LearningSetup(trained.Recipe with { Model = new ModelSpec(ModelFamily.Sparse, trained.Model.D, trained.Model.Layers, Tied: true), Data = trained.Recipe.Data with { N = n ?? trained.Recipe.Data.N } }, 1, trained.Sigma);
        double[] Theta(double eta) => LinearRestriction<PromptBatch>.PerLayerBlocks(1, c * eta)[0];
        double eta = Minimizer.GoldenSection(e => sparse.Objective.Evaluate(Theta(e), validation, Span<double>.Empty), 0, 2.5, 1e-6);
        return (eta, sparse.SquaredErrors(Theta(eta), batch));
    }

    /// <summary>Σ = I, n = 20: trained L = 1 equals PGD (one optimal step), trained L = 2 beats 2-step PGD (= GD here) on the median prompt (paired, n &lt; 8d); the authors' off-by-one (baselines on n − 1 examples) handicaps PGD (control).</summary>
    [Test]
    public void LEARN_AHN_D_Trained_beats_PGD_where_depth_helps()
    {
        var identity = Matrix<double>.Build.DenseIdentity(3);
        var setups = new[] { 1, 2 }.Select(layers =>
        {
            var recipe = Recipes.AhnF4Reduced(TestSettings.Plan, $"LEARN-AHN-D.L{layers}", 20, steps: 1800, halveEvery: 225);
            return new LearningSetup(recipe with { Model = recipe.Model with { Layers = layers } });
        }).ToArray();
        var runs = Learn.TrainAll(setups);
        foreach (var (setup, run) in setups.Zip(runs))
        {
            int layers = setup.Model.Layers;
            var theta = run.Theta;
            var validation = setup.Draw(4000, Learn.Seed($"LEARN-AHN-D.L{layers}.validation"));
            var batch = Learn.HeldOutBatch(setup, $"LEARN-AHN-D.L{layers}");
            var eTrained = setup.SquaredErrors(theta, batch);
            var (eta, ePgd) = Baseline(setup, setup.Sigma.Inverse(), validation, batch);
            var diff = LossEstimates.GroupMeans(Learn.Differences(eTrained, ePgd), 100);
            var pgd = LossEstimates.GroupMeans(ePgd, 100);
            // n = 20 < 8d: the L = 2 losses are degree-(4L+2) polynomials of Ŝ and heavy-tailed, so L = 2 compares medians (as Figs. 6–7 do);
            // one layer's loss is quadratic in Ŝ and light-tailed, so L = 1 compares means.
            var median = Compare(eTrained, ePgd, lightTailed: false);
            ClaimLedger.Note($"LEARN-AHN-D L = {layers}: trained {LossEstimates.GroupMeans(eTrained, 100)}; PGD (Σ⁻¹ = I, η = {eta:F4}) {pgd}; paired trained − PGD {diff}; {median}");
            if (layers == 1) Learn.LossMatches(diff, 0, 0.03 * pgd.Mean, "L = 1: trained equals one optimal PGD step (paired; optimisation tolerance 3%)");
            else AssertNegative(median, "L = 2: trained − PGD < 0 (median, exact binomial interval)");

            if (layers != 2) continue;
            // Control: the authors' baselines drop one context example, which handicaps PGD. With Σ = I, L-step GD with step η has the
            // population loss ℓ_L(η) = E tr(I − ηŴ)^{2L} exactly (Wishart moments), so the handicap of the best step is exact; the Monte
            // Carlo difference with validation-tuned steps is recorded only (its tuned η's noise left it unresolved on 2 seeds of 20).
            var shortened = batch.FirstExamples(batch.N - 1);
            var validationShort = setup.With(n: 19).Draw(4000, Learn.Seed("LEARN-AHN-D.short.validation"));
            var (etaShort, eShort) = Baseline(setup, identity, validationShort, shortened, 19);
            var handicap = LossEstimates.GroupMeans(Learn.Differences(eShort, ePgd), 100);
            var (b19, l19) = LoopedScalar.ExactOptimum(19, 3, layers);
            var (b20, l20) = LoopedScalar.ExactOptimum(20, 3, layers);
            ClaimLedger.Note($"LEARN-AHN-D control: PGD on n − 1 = 19 examples minus PGD on n = 20: exact best-step losses {l19:G6} (η = {b19:F4}) − {l20:G6} (η = {b20:F4}) = {l19 - l20:G4}; "
                             + $"Monte Carlo with validation-tuned steps (η = {etaShort:F4}, same prompts): {handicap}");
            Checks.Exceeds(l19 - l20, 0, "off-by-one baseline is worse than the all-n baseline (exact population losses)", CheckKind.Bound);
            ClaimLedger.RecordNegativeControl("baselines on n − 1 examples (the authors' off-by-one) are significantly worse");
        }
    }

    /// <summary>
    /// Fig. 7 ("variable_L_exp": d = 5, n = 20, rotated Σ = UD²Uᵀ, family (11)) shortened to 3000 of 20000 steps, L ∈ {1, 2, 3, 4}:
    /// paired trained − PGD and PGD − GD, asserted where they are significant and recorded otherwise. n = 20 &lt; 8d is heavy-tailed (at L = 4 the
    /// mean difference trained − PGD came out 43 ± 43), so the comparisons are medians with exact binomial intervals (<see cref="Compare"/>).
    /// </summary>
    [Test, Category(CategoryLabels.Slow)]
    public void LEARN_AHN_D_Figure7_shortened([Values(1, 2, 3, 4)] int layers) => Figure7(layers, 3000, "Fig. 7 shortened");

    /// <summary>
    /// LEARN-AHN-D at one L with the authors' Fig. 7 recipe at full scale (20000 steps, B = 20000 redrawn every 100): the same assertions. First run
    /// (seed 0, 23 min for L = 1…4): trained 1.164, 0.066, 0.0020, 0.00051 against PGD 1.163, 0.508, 0.265, 0.156; trained − PGD significantly
    /// negative at every L (medians), L = 1 included (−0.0006 [−0.0013, −0.00007]).
    /// </summary>
    [Test, Category(CategoryLabels.Slow)]
    public void LEARN_AHN_D_Figure7_authors_recipe([Values(1, 2, 3, 4)] int layers) => Figure7(layers, null, "Fig. 7");

    private static void Figure7(int layers, int? steps, string what)
    {
        var r = Recipes.AhnFigure7(0, layers);
        var setup = new LearningSetup(steps is int t ? r with { Schedule = r.Schedule with { Steps = t } } : r, Environment.ProcessorCount);
        var theta = Learn.Train(setup, 30).Theta;
        var validation = setup.Draw(5000, Learn.Seed($"LEARN-AHN-D.slow.L{layers}.validation"));
        var batch = Learn.HeldOutBatch(setup, $"LEARN-AHN-D.slow.L{layers}");
        var eTrained = setup.SquaredErrors(theta, batch);
        var (etaP, ePgd) = Baseline(setup, setup.Sigma.Inverse(), validation, batch);
        var (etaG, eGd) = Baseline(setup, Matrix<double>.Build.DenseIdentity(5), validation, batch);
        bool light = setup.Model.D * 8 <= r.Data.N;
        var tp = Compare(eTrained, ePgd, light);
        var pg = Compare(ePgd, eGd, light);
        ClaimLedger.Note($"LEARN-AHN-D ({what}) L = {layers}: trained {LossEstimates.GroupMeans(eTrained, 100)}, PGD (η = {etaP:F4}) {LossEstimates.GroupMeans(ePgd, 100)}, GD (η = {etaG:F4}) {LossEstimates.GroupMeans(eGd, 100)}; trained − PGD {tp}; PGD − GD {pg}");
        AssertNegative(pg, $"L = {layers}: PGD − GD ({pg}) < 0");
        if (layers > 1) AssertNegative(tp, $"L = {layers}: trained − PGD ({tp}) < 0");
    }

    /// <summary>A paired comparison a − b: the mean with its t-interval (light tails) or the median with its exact binomial interval.</summary>
    public sealed record Comparison(string Statistic, double Centre, double Low, double High)
    {
        public bool Negative => High < 0;
        public bool Positive => Low > 0;
        public override string ToString() => $"{Statistic} {Centre:G4} [{Low:G4}, {High:G4}]";
    }

    /// <summary>One n of the sweep: losses (group-mean estimates), tuned steps, the paired comparisons and which statistic was used.</summary>
    public sealed record SweepRow(int N, double EtaPgd, double EtaGd, Estimate Trained, Estimate Pgd, Estimate Gd, Estimate Ls, bool LightTailed, Comparison TrainedMinusPgd, Comparison PgdMinusGd)
    {
        public override string ToString() =>
            $"n = {N,2}: trained {Trained.Mean:G4}, PGD {Pgd.Mean:G4} (η {EtaPgd:F3}), GD {Gd.Mean:G4} (η {EtaGd:F3}), LS {Ls.Mean:G3}; " +
            $"trained − PGD {TrainedMinusPgd}; PGD − GD {PgdMinusGd}";
    }

    /// <summary>
    /// Paired a − b on the same prompts at false alarm 1e-6: light tails → mean of the differences with the t-interval of 100 group means;
    /// otherwise (n &lt; 8d: GD's and PGD's losses are degree-(4L+2) polynomials of Ŝ, heavy-tailed unless Ŝ concentrates; at d = 2 the mean CI of PGD − GD spanned [−1.43, 0.16] at n = 4 and [−0.64, 0.04] at n = 8) the median difference with its exact binomial interval.
    /// </summary>
    public static Comparison Compare(double[] a, double[] b, bool lightTailed)
    {
        var diff = Learn.Differences(a, b);
        if (lightTailed)
        {
            var est = LossEstimates.GroupMeans(diff, 100);
            double hw = LossEstimates.HalfWidth(est, CheckPolicy.FalseAlarm);
            return new Comparison("mean", est.Mean, est.Mean - hw, est.Mean + hw);
        }
        var (lo, hi) = SampleStatistics.QuantileInterval(diff, 0.5, CheckPolicy.FalseAlarm);
        return new Comparison("median", diff.OrderBy(v => v).ElementAt(diff.Length / 2), lo, hi);
    }

    /// <summary>Fig. 6 at one n: trains the recipe, tunes PGD (Σ⁻¹) and GD (I) steps on validation prompts, compares on held-out prompts (all n examples).</summary>
    public static SweepRow SweepPoint(Recipe recipe, int threads, int validationSize, int heldOut, TextWriter? progress)
    {
        var setup = new LearningSetup(recipe, threads);
        int n = recipe.Data.N, d = recipe.Model.D;
        var theta = Learn.Train(setup, quiet: progress is null).Theta;
        var validation = setup.Draw(validationSize, Learn.Seed($"{recipe.Name}.n{n}.validation"));
        var batch = Learn.HeldOutBatch(setup, $"{recipe.Name}.n{n}", heldOut);
        var eTrained = setup.SquaredErrors(theta, batch);
        var (etaP, ePgd) = Baseline(setup, setup.Sigma.Inverse(), validation, batch);
        var (etaG, eGd) = Baseline(setup, Matrix<double>.Build.DenseIdentity(d), validation, batch);
        var eLs = Baselines.LeastSquaresErrors(batch, Math.Min(heldOut, 2000)); // recorded only (≈ 0 for n ≥ d: noiseless labels)
        bool light = n >= 8 * d;
        return new SweepRow(n, etaP, etaG, LossEstimates.GroupMeans(eTrained, 100), LossEstimates.GroupMeans(ePgd, 100), LossEstimates.GroupMeans(eGd, 100),
            LossEstimates.GroupMeans(eLs, 100), light, Compare(eTrained, ePgd, light), Compare(ePgd, eGd, light));
    }

    /// <summary>The reduced Fig. 6 recipe (<see cref="Recipes.AhnFigure6Reduced"/>) under this run's seeds.</summary>
    public static Recipe ReducedFigure6(int n) => Recipes.AhnFigure6Reduced(TestSettings.Plan, n);

    /// <summary>
    /// PGD − GD &lt; 0 at false alarm 1e-6: the interval's upper reach above the centre ≤ −centre, i.e. its upper end is below 0
    /// (recorded margin = reach / improvement, ≤ 1 when it holds; a non-negative centre fails).
    /// </summary>
    private static void AssertPgdBeatsGd(SweepRow row, string what) => AssertNegative(row.PgdMinusGd, $"{what} n = {row.N}: PGD − GD ({row.PgdMinusGd}) < 0");

    /// <summary>A paired comparison is significantly negative: its interval's upper reach above the centre is ≤ −centre.</summary>
    private static void AssertNegative(Comparison c, string claim) => Checks.AtLeast(-c.Centre, c.High - c.Centre, claim);

    /// <summary>Records trained − PGD as a finding: significantly below, above, or neither.</summary>
    private static void RecordTrainedVsPgd(SweepRow row, string what) =>
        ClaimLedger.Note($"{what} n = {row.N}: trained − PGD {row.TrainedMinusPgd} — " +
            (row.TrainedMinusPgd.Negative ? "trained < PGD" : row.TrainedMinusPgd.Positive ? "trained > PGD (training short of the PGD point)" : "not resolved"));

    /// <summary>
    /// LEARN-AHN-D over n (reduced Fig. 6: d = 2, L = 3, n ∈ {2, 4, 16}): PGD (Σ⁻¹) &lt; GD at every n (medians below n = 8d, means from there);
    /// trained − PGD is recorded (240 steps do not reliably reach the PGD point: below it on some seeds, above on others); GD − PGD fails the same check (control).
    /// </summary>
    [Test]
    public void LEARN_AHN_D_PGD_beats_GD_over_n_with_trained_recorded()
    {
        SweepRow? last = null;
        foreach (int n in SweepNs)
        {
            var row = SweepPoint(ReducedFigure6(n), 1, 2000, 8000, null);
            ClaimLedger.Note($"LEARN-AHN-D n-sweep (d = 2, L = 3, reduced): {row}");
            AssertPgdBeatsGd(row, "LEARN-AHN-D reduced");
            RecordTrainedVsPgd(row, "LEARN-AHN-D reduced");
            last = row;
        }
        var swapped = last! with { PgdMinusGd = last.PgdMinusGd with { Centre = -last.PgdMinusGd.Centre, Low = -last.PgdMinusGd.High, High = -last.PgdMinusGd.Low } };
        Properties.ExpectViolation("GD − PGD in place of PGD − GD (the order reversed)", () => AssertPgdBeatsGd(swapped, "control"));
    }

    /// <summary>
    /// LEARN-AHN-D over n at Fig. 6 scale ("variable_N_exp": d = 5, L = 3, rotated Σ = UD²Uᵀ, family (11)), shortened to 2000 of 8000 steps
    /// and B = 10000 of 40000, n ∈ {2, 4, …, 20}: PGD &lt; GD and trained &lt; PGD asserted at every n (both held at every n when first run: 3.3 min on 2 cores).
    /// </summary>
    [Test, Category(CategoryLabels.Slow)]
    public void LEARN_AHN_D_Figure6_shortened() => Figure6(r => r with { Schedule = r.Schedule with { Steps = 2000, BatchSize = 10000, ValidationSize = 5000 } }, "Fig. 6 shortened");

    /// <summary>
    /// LEARN-AHN-D at one n with the authors' Fig. 6 recipe at full scale (8000 steps, B = 40000 fresh every step), n ∈ {2, 4, …, 20}: the same
    /// assertions. One test per n (5–7 min each on 2 cores), so a subset can be run with a name filter. First run (seed 0, n = 4 and 20): trained 1.982
    /// vs PGD 2.312 vs GD 3.076 at n = 4; 0.0035 vs 0.266 vs 1.40 at n = 20; trained − PGD and PGD − GD significantly negative at both (medians).
    /// </summary>
    [Test, Category(CategoryLabels.Slow)]
    public void LEARN_AHN_D_Figure6_authors_recipe([Values(2, 4, 6, 8, 10, 12, 14, 16, 18, 20)] int n) => Figure6(r => r, "Fig. 6", [n]);

    private static void Figure6(Func<Recipe, Recipe> scale, string what, int[]? ns = null)
    {
        foreach (int n in ns ?? Enumerable.Range(1, 10).Select(k => 2 * k).ToArray())
        {
            var row = SweepPoint(scale(Recipes.AhnFigure6(0, n)), Environment.ProcessorCount, 5000, Learn.HeldOut, Learn.Progress);
            ClaimLedger.Note($"LEARN-AHN-D ({what}): {row}");
            TestContext.Progress.WriteLine(row);
            AssertPgdBeatsGd(row, $"LEARN-AHN-D {what}");
            RecordTrainedVsPgd(row, $"LEARN-AHN-D {what}");
            AssertNegative(row.TrainedMinusPgd, $"LEARN-AHN-D {what} n = {row.N}: trained − PGD ({row.TrainedMinusPgd}) < 0");
        }
    }

    private static readonly int[] SweepNs = [2, 4, 16];
}
