using System.Globalization;
using System.Text;
using LoopedIcl.Claims;
using LoopedIcl.Experiments;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Statistics;
using LoopedIcl.Numerics.Training;
using MathNet.Numerics.LinearAlgebra;
using ScottPlot;

namespace LoopedIcl.Report;

/// <summary>
/// The report's Learning section: trains the LEARN recipes (progress to the section run's writer) and writes the figures (loss vs step with the
/// theory dashed, mean and band over seeds; Dist curves; heatmaps of the learned whitened layers; looped vs untied; test-time loops) and
/// the tables (learned scalars vs exact optimum; alignment metrics).
/// </summary>
[ReportSectionWriter(ReportSection.Learning)]
internal sealed class LearningSection : IClaimSection
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>AHN-F2 runs: seed 0 is the test's, seeds 1… are extra runs.</summary>
    private const int Seeds = 3;

    public void Write(StringBuilder page, IReadOnlyList<Verdict> claims, SectionResult? trained)
    {
        if (trained is null) return;
        page.AppendLine(trained.Markdown);
        page.AppendLine();
    }

    /// <summary>
    /// Trains through the tests' own recipes and run names under the section's plan (the ledger's base seed), so the tables repeat the runs
    /// that gave the verdicts (seed 0 of AHN-F2, GAT-F1's n = 2, 5, 10, 30, GAT-F2, GAT-F3's held-out medians); with <see cref="SectionRun.Full"/>
    /// AHN-F2 trains the authors' Figs. 1–2 recipe (about 6 minutes per seed on 2 cores).
    /// </summary>
    public SectionResult Train(SectionRun section)
    {
        var (outDir, progress, plan) = (section.OutDir, section.Progress, section.Plan);
        Directory.CreateDirectory(Path.Combine(outDir, "figures"));
        var md = new StringBuilder();
        var figures = new List<string>();
        var keys = new Dictionary<string, double>();
        int threads = Environment.ProcessorCount;
        string Figure(string name) { var rel = Path.Combine("figures", name); figures.Add(rel); return rel; }
        string F(double v, string f = "G5") => v.ToString(f, Inv);

        md.AppendLine("## Learning: training finds the theory's solutions");
        md.AppendLine();
        md.AppendLine("Every model below is trained by the suite's trainer (Numerics/Training) on fresh Gaussian prompts through the engine's batched forward and reverse pass. Recipes are data (`Experiments/Recipes`): the tables below retrain the tests' own reduced recipes under their run names and this run's base seed, so they repeat the runs that gave the verdicts; the authors' scale runs in the Slow tier.");
        md.AppendLine();

        // ---- AHN-F2: family (8), loss and Dist vs step over seeds ----
        var runs = new List<(LearningSetup Setup, TrainingResult Run)>();
        for (int s = 0; s < Seeds; s++)
        {
            var recipe = section.Full ? Recipes.AhnFigure1And2(s) : Recipes.AhnF2Reduced(plan, s == 0 ? LearningCurves.AhnF2Run : $"{LearningCurves.AhnF2Run}.report{s}");
            var setup = new LearningSetup(recipe, threads);
            runs.Add((setup, setup.Train(progress, progressSecondsOverride: 30)));
        }
        var (setup0, run0) = runs[0];
        var (steps, gStar) = LearningTheory.SparseOptimum(setup0.Recipe.Data.N, setup0.Model.D, setup0.Model.Layers);
        var x = run0.History.Select(c => (double)c.Step).ToArray();
        double[] Across(Func<TrainingResult, int, double> f, Func<IEnumerable<double>, double> agg) =>
            Enumerable.Range(0, x.Length).Select(i => agg(runs.Select(r => f(r.Run, i)))).ToArray();
        double Loss(TrainingResult r, int i) => Math.Log10(r.History[i].TestLoss);
        var lossCurve = new CurveSet("learn-ahn-f2-loss-seeds", ClaimIds.LearnAhnF2, $"Family (8), {setup0.Recipe.Name}: test loss over {Seeds} seeds", "step", "test loss", true, x,
            [new Series("mean of log10 loss", Across(Loss, v => v.Average())), new Series("min", Across(Loss, v => v.Min())), new Series("max", Across(Loss, v => v.Max())),
             new Series("g* (AHN-T3)", x.Select(_ => Math.Log10(gStar)).ToArray(), IsTheory: true)],
            new Dictionary<string, object>(), "");
        Figures.Render(lossCurve, Path.Combine(outDir, Figure("learn-ahn-f2-loss.png")));
        var dist = LearningCurves.AhnF2Curves(setup0, run0, $"run {LearningCurves.AhnF2Run}, {plan}, {setup0.Recipe.Name}")[1];
        Figures.Render(dist, Path.Combine(outDir, Figure("learn-ahn-f2-dist.png")));
        var heat = Figure("learn-ahn-f2-heatmaps.png");
        Heatmaps(setup0, run0.Theta, Path.Combine(outDir, heat));

        md.AppendLine($"### LEARN-AHN-F2 — family (8), d = {setup0.Model.D}, n = {setup0.Recipe.Data.N}, L = {setup0.Model.Layers} ({setup0.Recipe.Source})");
        md.AppendLine();
        md.AppendLine($"![test loss]({figures[0]}) ![Dist]({figures[1]})");
        md.AppendLine();
        md.AppendLine($"![learned whitened layers]({heat})");
        md.AppendLine();
        md.AppendLine("| seed | learned scalars tr(Σ^½A_lΣ^½)/d (sorted) | exact AHN-T3 optimum | max Dist(Σ^½A_lΣ^½) | min Dist(A_l) | population loss (exact) | g* | wall s | prompt-steps/s |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        for (int s = 0; s < runs.Count; s++)
        {
            var (st, r) = runs[s];
            var m = new LearnedModel(st.Model, r.Theta);
            var w = Enumerable.Range(0, st.Model.Layers).Select(l => LearnedMetrics.Whitened(m.A(l), st.Sigma)).ToArray();
            var sc = w.Select(LearnedMetrics.Scalar).OrderBy(v => v).ToArray();
            double maxDist = w.Max(LearnedMetrics.DistToIdentity), minRaw = Enumerable.Range(0, st.Model.Layers).Min(l => LearnedMetrics.DistToIdentity(m.A(l)));
            double test = GatmiryPopulationLoss.Whitened(w, new Vector<double>?[w.Length], st.Recipe.Data.N).Value; // family (8) = Gatmiry's untied model, u = 0
            md.AppendLine($"| {s} | {string.Join(", ", sc.Select(v => F(v, "F4")))} | {string.Join(", ", steps.Select(v => F(v, "F6")))} | {F(maxDist, "F4")} | {F(minRaw, "F3")} | {F(test, "G6")} | {F(gStar, "F6")} | {F(r.Seconds, "F1")} | {F(r.PromptStepsPerSecond, "E2")} |");
            for (int l = 0; l < sc.Length; l++) keys[$"LEARN-AHN-F2.seed{s}.scalar{l}"] = sc[l];
            keys[$"LEARN-AHN-F2.seed{s}.max_whitened_dist"] = maxDist;
            keys[$"LEARN-AHN-F2.seed{s}.population_loss"] = test;
        }
        keys["LEARN-AHN-F2.g_star"] = gStar;
        md.AppendLine();
        var exported = new List<string>();
        string Export(LearningSetup st, double[] theta, string stem)
        {
            var (safetensors, npz) = ModelExport.Write(Path.Combine(outDir, "models"), stem, st.Recipe.Data.N, st.Family, theta, st.Sigma);
            exported.Add($"`models/{Path.GetFileName(safetensors)}` (and `.npz`)");
            return safetensors;
        }
        for (int s = 0; s < runs.Count; s++) Export(runs[s].Setup, runs[s].Run.Theta, $"learn-ahn-f2_seed{s}_L{runs[s].Setup.Model.Layers}");

        // ---- LEARN-ALIGN on the seed-0 model ----
        var theory = LinearRestriction<PromptBatch>.PerLayerTheta(steps, setup0.Sigma.Inverse());
        var align = setup0.Align(run0.Theta, theory, setup0.Draw(2000, plan.Stream("LEARN-ALIGN.report")), [1, 2, 3]);
        md.AppendLine("### LEARN-ALIGN — trained family (8) (seed 0) vs Σ⁻¹-preconditioned GD at the exact steps");
        md.AppendLine();
        md.AppendLine("| inputs | cos(ŷ) | rel. L2(ŷ) | cos(∂ŷ/∂x_q) | rel. L2(∂ŷ/∂x_q) |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var a in align) Markdown.AlignmentRow(md, keys, $"x → {F(a.InputScale)}x", $"LEARN-ALIGN.scale{a.InputScale}", a, "F5");
        md.AppendLine();

        // ---- GAT-F1: learned b vs b* ----
        md.AppendLine("### LEARN-GAT-F1 — looped (A, u), symmetric A, Σ = I, d = 3, L = 2: learned tr A/d vs the exact b*");
        md.AppendLine();
        md.AppendLine("| n | learned tr A/d | b* (GAT-T1, exact) | Dist(A) | ‖u‖/‖A‖ |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (int n in new[] { 2, 5, 10, 30 })
        {
            var st = new LearningSetup(Recipes.GatmiryReduced(plan, $"LEARN-GAT-F1.n{n}", n), threads);
            var trained = st.Train(progress).Theta;
            var m = new LearnedModel(st.Model, trained);
            Export(st, trained, $"learn-gat-f1_L{st.Model.Layers}");
            var (bStar, _) = LearningTheory.LoopedOptimum(n, 3, 2);
            double b = LearnedMetrics.Scalar(m.A(0));
            md.AppendLine($"| {n}{(n < 3 ? " (n < d)" : "")} | {F(b, "F5")} | {F(bStar, "F6")} | {F(LearnedMetrics.DistToIdentity(m.A(0)), "F4")} | {F(m.U(0).L2Norm() / m.A(0).FrobeniusNorm(), "E2")} |");
            keys[$"LEARN-GAT-F1.n{n}.b"] = b;
            keys[$"LEARN-GAT-F1.n{n}.b_star"] = bStar;
        }
        md.AppendLine();

        // ---- GAT-F2: looped vs untied ----
        var f2 = LearningCurves.GatLoopedVsUntied(plan)[0];
        Figures.Render(f2, Path.Combine(outDir, Figure("learn-gat-f2-loss.png")));
        md.AppendLine("### LEARN-GAT-F2 — looped vs untied");
        md.AppendLine();
        md.AppendLine($"![looped vs untied]({figures[^1]})");
        md.AppendLine();
        md.AppendLine($"The looped model plateaus at ℓ_L(b*) = {F((double)f2.Parameters["l(b*)"])} (not near zero); untied layers reach g* = {F((double)f2.Parameters["g*"])}. Exact population losses of the trained end points: looped {F((double)f2.Parameters["looped exact"])}, untied {F((double)f2.Parameters["untied exact"])} (the curves are small fixed test batches).");
        keys["LEARN-GAT-F2.looped_final"] = (double)f2.Parameters["looped exact"];
        keys["LEARN-GAT-F2.untied_final"] = (double)f2.Parameters["untied exact"];
        md.AppendLine();

        // ---- GAT-F3: test-time loops ----
        int[] loops = [1, 2, 3, 5, 10, 20, 50];
        var series = new List<Series>();
        var identity = Matrix<double>.Build.DenseIdentity(3);
        var shifted = Laws.SpreadCovariance(3, 0.5, 1.2, plan, "LEARN-GAT-F3.Sigma");
        foreach (int trainLoops in new[] { 2, 5 })
        {
            var st = new LearningSetup(Recipes.GatmiryReduced(plan, $"LEARN-GAT-F3.L{trainLoops}.d3", 30, 3, trainLoops), threads);
            var theta = st.Train(progress).Theta;
            foreach (var (label, sigma) in new[] { ("ID", identity), ("OOD", shifted) })
            {
                var batch = st.With(loops: 1, sigma: sigma).Draw(2000, plan.Stream($"LEARN-GAT-F3.L{trainLoops}.{label}.heldout"));
                var med = loops.Select(l => Math.Log10(SampleStatistics.Median(st.With(loops: l, sigma: sigma).SquaredErrors(theta, batch)))).ToArray();
                series.Add(new Series($"L_train={trainLoops}, {label}", med));
                keys[$"LEARN-GAT-F3.Ltrain{trainLoops}.{label}.median_at_50"] = Math.Pow(10, med[^1]);
            }
        }
        var f3 = new CurveSet("learn-gat-f3", ClaimIds.LearnGatF3, "Test-time loops (d = 3, n = 30): median per-prompt loss", "test-time loops", "median loss", true,
            loops.Select(l => Math.Log10(l)).ToArray(), series, new Dictionary<string, object>(), "") { Log10X = true };
        Figures.Render(f3, Path.Combine(outDir, Figure("learn-gat-f3.png")));
        md.AppendLine("### LEARN-GAT-F3 — test-time looping in and out of distribution (OOD: Σ_te eigenvalues 0.5, 0.85, 1.2)");
        md.AppendLine();
        md.AppendLine($"![test-time loops]({figures[^1]})");
        md.AppendLine();
        md.AppendLine("Medians (per-prompt losses at many loops are heavy-tailed, GAT-R1). They keep falling to 50 loops and flatten near (x_qᵀu)², the residual u of training (PGD on shifted labels converges to w* + u).");
        md.AppendLine();
        md.AppendLine("### The trained models, exported");
        md.AppendLine();
        md.AppendLine("Every model above is written beside this report in the suite's layout (per layer P.l, Q.l for the + residual, and Sigma; float64), as safetensors and NumPy .npz, " +
                      "so it loads in PyTorch or NumPy and checks with `dotnet run -c Release --project Report -- check-model FILE` (n is in the file name): " + string.Join(", ", exported) + ".");
        md.AppendLine();
        return new SectionResult(md.ToString(), figures, keys);
    }

    /// <summary>Heatmaps of the learned Σ^½A_lΣ^½ per layer (the paper's Fig. 2 basis; positive = the paper's (8) step sign).</summary>
    private static void Heatmaps(LearningSetup setup, double[] theta, string path)
    {
        var m = new LearnedModel(setup.Model, theta);
        var multi = new Multiplot();
        multi.AddPlots(setup.Model.Layers);
        for (int l = 0; l < setup.Model.Layers; l++)
        {
            var w = LearnedMetrics.Whitened(m.A(l), setup.Sigma);
            var plot = multi.GetPlot(l);
            var hm = plot.Add.Heatmap(w.ToArray());
            hm.Colormap = new ScottPlot.Colormaps.Viridis();
            plot.Add.ColorBar(hm);
            plot.Title($"Σ^½A{l}Σ^½ (tr/d = {LearnedMetrics.Scalar(w):F3})");
        }
        multi.Layout = new ScottPlot.MultiplotLayouts.Columns();
        multi.SavePng(path, 400 * setup.Model.Layers, 380);
    }
}
