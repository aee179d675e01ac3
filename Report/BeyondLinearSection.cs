using System.Globalization;
using System.Text;
using LoopedIcl.Claims;
using LoopedIcl.Experiments;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Statistics;
using LoopedIcl.Numerics.Training;

namespace LoopedIcl.Report;

/// <summary>
/// The report's numbers for "Beyond linear" (issue 22): retrains the X-QUAD-FLOOR and X-SOFTMAX recipes under the tests' run names and the
/// ledger's base seed (so the rows repeat the tests' runs) and writes the floor against the trained losses, the test-time-loop figure of linear
/// vs softmax vs ReLU in and out of distribution, and the alignment with L-step GD. Reduced recipes by default; the Slow ones when <c>full</c>.
/// </summary>
[ReportSectionWriter(ReportSection.BeyondLinear)]
internal sealed class BeyondLinearSection : IClaimSection
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// Issue 22's section: the measurements of this ledger's claims of the section (X-QUAD-*, X-SOFTMAX) grouped as the floor and the constructions, trained losses
    /// against the floor, the linear task, test-time loops and alignment (the last two only when the Slow comparison ran). Each note goes to
    /// the first group whose prefix it starts with (the last group takes the rest, so no note is dropped). Then the report's own retraining of the same recipes (<see cref="Train"/>).
    /// </summary>
    public void Write(StringBuilder sb, IReadOnlyList<Verdict> claims, SectionResult? retrained)
    {
        var notes = claims.SelectMany(v => v.Notes).Distinct().ToArray();
        if (notes.Length == 0 && retrained is null) return;
        (string Title, string[] Prefixes)[] groups =
        [
            ("The floor γ² and the constructions", ["X-QUAD-GD L =", "X-QUAD-GD fixed step", "X-QUAD-FLOOR least squares", "X-QUAD-FLOOR control", "X-SOFTMAX quadratic labels (d = 3, n = 10): the best"]),
            ("Trained models against the floor", ["X-QUAD-FLOOR trained", "X-SOFTMAX quadratic labels"]),
            ("Linear task: linear vs softmax vs ReLU attention (equal loops and parameters)", ["X-SOFTMAX linear task ("]),
            ("Test-time loops (medians of the squared error with exact binomial intervals)", ["X-SOFTMAX test-time loops"]),
            ("Alignment with GD (LEARN-ALIGN metrics)", ["X-SOFTMAX alignment"]),
            ("Further measurements of these claims", [""]),   // every other note: a new claim's notes appear without a report edit
        ];
        sb.AppendLine("## Beyond linear: quadratic labels and softmax/ReLU attention");
        sb.AppendLine();
        sb.AppendLine("Labels y = ⟨w*, x⟩ + γq(x); every linear transformer's prediction is linear in x_q (X-QUAD-LIN), so its loss is ≥ γ² (X-QUAD-FLOOR). " +
                      "Values are mean ± half-width of the t interval on 100 group means at δ = 1e-6 unless marked as medians.");
        sb.AppendLine();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (title, prefixes) in groups)
        {
            var lines = notes.Where(note => !used.Contains(note) && prefixes.Any(p => note.StartsWith(p, StringComparison.Ordinal))).ToArray();
            if (lines.Length == 0) continue;
            sb.AppendLine($"### {title}");
            sb.AppendLine();
            foreach (var line in lines)
            {
                used.Add(line);
                sb.AppendLine($"- {Markdown.Escape(line)}");
            }
            sb.AppendLine();
        }
        if (retrained is null) return;
        // The retrained rows are of the claims that own recipes.
        var status = claims.Where(v => v.Claim.Recipes.Length > 0 && !v.IsHeld).Select(v => $"{v.Claim.Id} is **{v.Status}**").ToArray();
        if (status.Length > 0) sb.AppendLine($"> {string.Join("; ", status)} in this run: read the retrained rows below as unverified.\n");
        sb.AppendLine(retrained.Markdown);
    }

    public SectionResult Train(SectionRun section)
    {
        var (outDir, full, progress, plan) = (section.OutDir, section.Full, section.Progress, section.Plan);
        Directory.CreateDirectory(Path.Combine(outDir, "figures"));
        var md = new StringBuilder();
        var figures = new List<string>();
        var keys = new Dictionary<string, double>();
        int threads = Environment.ProcessorCount;
        string F(double v, string f = "G4") => v.ToString(f, Inv);
        (Estimate Loss, double HalfWidth) Interval(double[] errors)
        {
            var est = LossEstimates.GroupMeans(errors, 100);
            return (est, LossEstimates.HalfWidth(est, CheckPolicy.FalseAlarm));
        }
        TrainingResult TrainWithProgress(LearningSetup setup) => setup.Train(progress, progressSecondsOverride: 30);

        md.AppendLine($"### Retrained here: the {(full ? "Slow" : "reduced")} recipes at this run's base seed");
        md.AppendLine();
        md.AppendLine("The rows below retrain `Experiments/Recipes`' round-three recipes under the tests' run names and this run's base seed, so they repeat the tests' runs " +
                      "(except where marked). Losses are means of 100 group means ± the t half-width at δ = 1e-6; test-time losses are medians with exact binomial intervals.");
        md.AppendLine();

        // ---- X-QUAD-FLOOR: trained linear models against γ² and the best exact 2-step GD ----
        Recipe FloorRecipe(bool tied) => full ? Recipes.XQuadFloorFull(plan, BeyondLinear.FloorRun(tied), tied) : Recipes.XQuadFloorReduced(plan, BeyondLinear.FloorRun(tied), tied);
        var floorSpec = FloorRecipe(true);
        double gamma = floorSpec.Data.Quadratic!.Gamma, floor = gamma * gamma;
        if (gamma != 1) throw new InvalidOperationException("the exact GD rows assume the recipes' γ = 1 (γ² = 1 as a rational)");
        int fd = floorSpec.Model.D, fn = floorSpec.Data.N, fl = floorSpec.Model.Layers;
        var bestGd = Enumerable.Range(1, 19).Select(k => Rational.Of(k, 20))
            .Select(eta => (Eta: eta, Loss: QuadraticLabelLoss.GradientDescent(fn, fd, fl, eta, Rational.One, BeyondLinear.ExactM(fd)).Loss.ToDouble())).MinBy(t => t.Loss);
        keys["X-QUAD-FLOOR.gamma_squared"] = floor;
        keys["X-QUAD-FLOOR.best_exact_gd_loss"] = bestGd.Loss;
        md.AppendLine($"#### X-QUAD-FLOOR and X-SOFTMAX: trained losses on quadratic labels against the floor γ² = {F(floor)}");
        md.AppendLine();
        md.AppendLine("| model | d, n, L | recipe (run) | loss | loss − γ² | against | wall s | prompt-steps/s |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        var floorHeld = new LearningSetup(floorSpec).Draw(full ? Recipes.XQuadFloorHeldOutFull : Recipes.XQuadFloorHeldOutReduced, plan.Stream("X-QUAD-FLOOR trained.heldout"));
        foreach (bool tied in new[] { true, false })
        {
            var setup = new LearningSetup(FloorRecipe(tied), threads);
            var run = TrainWithProgress(setup);
            var (loss, hw) = Interval(setup.SquaredErrors(run.Theta, floorHeld));
            string mark = !tied && !full ? " — report only: the test trains the untied model in the Slow recipe" : "";
            md.AppendLine($"| linear, {(tied ? "looped" : "untied")} | {fd}, {fn}, {fl} | {setup.Recipe.Name} (`{BeyondLinear.FloorRun(tied)}`){mark} | {F(loss.Mean)} ± {F(hw, "G3")} | {F(loss.Mean - floor)} | best exact 2-step GD (η = {bestGd.Eta}) {F(bestGd.Loss, "G5")}: {F(loss.Mean - bestGd.Loss)} ± {F(hw, "G3")} | {F(run.Seconds, "F2")} | {F(run.PromptStepsPerSecond, "E2")} |");
            string key = $"X-QUAD-FLOOR.{(tied ? "looped" : "untied")}";
            keys[key + ".loss"] = loss.Mean;
            keys[key + ".half_width"] = hw;
        }

        // ---- X-SOFTMAX on quadratic labels: linear vs softmax vs ReLU, paired ----
        int loops = full ? 3 : 2;
        (LearningSetup Setup, TrainingResult Run)[] TrainKinds(string tag, double g)
        {
            if (!full)
                return BeyondLinear.Kinds.Select(kind => { var s = new LearningSetup(Recipes.XSoftmaxReduced(plan, BeyondLinear.SoftmaxRun(tag, kind, loops), kind, g), threads); return (s, TrainWithProgress(s)); }).ToArray();
            // The Slow test's tuning, under its run and selection-stream names.
            return BeyondLinear.TrainTunedKinds((kind, lr) => Recipes.XSoftmaxFull(plan, BeyondLinear.SoftmaxRun(tag, kind, loops), kind, loops, g, lr), plan, tag, loops, threads)
                .Select(k => (k.Tuned.Setup, k.Tuned.Run)).ToArray();
        }
        int heldOut = full ? Recipes.XSoftmaxHeldOutFull : Recipes.XSoftmaxHeldOutReduced;
        var quad = TrainKinds(full ? BeyondLinear.QuadraticFull : BeyondLinear.QuadraticReduced, gamma);
        var quadHeld = quad[0].Setup.Draw(heldOut, plan.Stream(full ? "X-SOFTMAX quadratic full" : "X-SOFTMAX quadratic reduced"));
        var quadErrors = quad.Select(m => m.Setup.SquaredErrors(m.Run.Theta, quadHeld)).ToArray();
        for (int k = 0; k < quad.Length; k++)
        {
            var (setup, run) = quad[k];
            var kind = setup.Model.Attention;
            var (loss, hw) = Interval(quadErrors[k]);
            string against = k == 0 ? "—" : $"{kind} − linear (paired): {F(Interval(Diff(quadErrors[k], quadErrors[0])).Loss.Mean)} ± {F(Interval(Diff(quadErrors[k], quadErrors[0])).HalfWidth, "G3")}";
            md.AppendLine($"| {Name(kind)}, looped | {setup.Model.D}, {setup.Recipe.Data.N}, {setup.Model.Layers} | {setup.Recipe.Name} (`{BeyondLinear.SoftmaxRun(full ? BeyondLinear.QuadraticFull : BeyondLinear.QuadraticReduced, kind, loops)}`) | {F(loss.Mean)} ± {F(hw, "G3")} | {F(loss.Mean - floor)} | {against} | {F(run.Seconds, "F2")} | {F(run.PromptStepsPerSecond, "E2")} |");
            keys[$"X-SOFTMAX.quadratic.{kind}.loss"] = loss.Mean;
            keys[$"X-SOFTMAX.quadratic.{kind}.half_width"] = hw;
        }
        md.AppendLine();
        md.AppendLine("A linear transformer cannot go below γ² (X-QUAD-FLOOR); a non-linear one could, by predicting part of q(x_q). A softmax or ReLU row whose loss + half-width is below γ² would be that.");
        md.AppendLine();

        // ---- X-SOFTMAX on the linear task: test-time loops in and out of distribution ----
        var lin = TrainKinds(full ? BeyondLinear.LinearFull : BeyondLinear.LinearReduced, 0);
        int d = lin[0].Setup.Model.D;
        var held = lin[0].Setup.Draw(heldOut, plan.Stream(full ? "X-SOFTMAX linear full" : "X-SOFTMAX linear reduced"));
        var shifted = BeyondLinear.ShiftedSigma(d);
        var ood = lin[0].Setup.With(sigma: shifted).Draw(heldOut, plan.Stream("X-SOFTMAX linear ood"));
        var series = new List<Series>();
        var table = new StringBuilder();
        table.AppendLine("| model | batch | " + string.Join(" | ", BeyondLinear.TestTimeLoops.Select(t => $"T = {t}")) + " |");
        table.AppendLine("|---|---|" + string.Concat(BeyondLinear.TestTimeLoops.Select(_ => "---|")));
        foreach (var (label, batch) in new[] { ("ID", held), ("OOD", ood) })
            foreach (var (setup, run) in lin)
            {
                var kind = setup.Model.Attention;
                var med = BeyondLinear.TestTimeMedians(setup, run.Theta, batch, BeyondLinear.TestTimeLoops, CheckPolicy.FalseAlarm);
                // A median that overflowed (a diverging loop) is left out of the figure, not drawn at 1e308.
                series.Add(new Series($"{Name(kind)}, {label}", med.Select(m => m.Median < 1e100 ? Math.Log10(m.Median) : double.NaN).ToArray()));
                table.AppendLine($"| {Name(kind)} | {label} | " + string.Join(" | ", med.Select(m => $"{F(m.Median, "G3")} [{F(m.Low, "G2")}, {F(m.High, "G2")}]")) + " |");
                foreach (var m in med) keys[$"X-SOFTMAX.test_time.{label}.{kind}.T{m.Loops}.median"] = m.Median;
            }
        var curve = new CurveSet("x-softmax-test-time-loops", ClaimIds.XSoftmax, $"Test-time loops, linear task (d = {d}, n = {lin[0].Setup.Recipe.Data.N}, trained at L = {loops}): median squared error",
            "test-time loops", "median squared error", true, BeyondLinear.TestTimeLoops.Select(t => Math.Log10(t)).ToArray(), series, new Dictionary<string, object>(), "") { Log10X = true };
        var figure = Path.Combine("figures", curve.Id + ".png");
        Figures.Render(curve, Path.Combine(outDir, figure));
        figures.Add(figure);
        md.AppendLine($"#### X-SOFTMAX: test-time loops on the linear task (OOD: Σ_te = diag({string.Join(", ", Enumerable.Range(0, d).Select(i => F(shifted[i, i])))}))");
        md.AppendLine();
        var (linLoss, linHw) = Interval(lin[0].Setup.SquaredErrors(lin[0].Run.Theta, held));
        md.AppendLine($"Linear, softmax and ReLU looped models of one recipe ({lin[0].Setup.Recipe.Name.Replace("linear attention", "each attention", StringComparison.Ordinal)}; runs `{BeyondLinear.SoftmaxRun(full ? BeyondLinear.LinearFull : BeyondLinear.LinearReduced, AttentionKind.Linear, loops)}` and its softmax and ReLU siblings), the same θ layout and parameter count; the linear model's in-distribution loss at T = {loops} is {F(linLoss.Mean)} ± {F(linHw, "G3")}.");
        md.AppendLine();
        md.AppendLine($"![test-time loops]({figure.Replace('\\', '/')})");
        md.AppendLine();
        md.Append(table);
        md.AppendLine();

        // ---- Alignment with L-step GD (LEARN-ALIGN metrics); last, since the query differences touch the batch's queries ----
        var eta = BeyondLinear.BestGdStep(d, loops, held);
        var align = held.Count > Recipes.XSoftmaxAlignPrompts ? lin[0].Setup.Draw(Recipes.XSoftmaxAlignPrompts, plan.Stream("X-SOFTMAX align")) : held;
        md.AppendLine($"#### X-SOFTMAX: alignment with {loops}-step GD (η = {F(eta)}, the best on the held-out batch; Σ = I, so PGD = GD) on {align.Count} prompts");
        md.AppendLine();
        md.AppendLine("| model | cos(ŷ) | rel. L2(ŷ) | cos(∂ŷ/∂x_q) | rel. L2(∂ŷ/∂x_q) |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var (setup, run) in lin)
        {
            var a = BeyondLinear.AlignWithGd(setup, run.Theta, loops, eta, align);
            var kind = setup.Model.Attention;
            Markdown.AlignmentRow(md, keys, Name(kind), $"X-SOFTMAX.align.{kind}", a, "F4");
        }
        md.AppendLine();
        md.AppendLine("Query gradients of the trained models by central differences (h = 1e-5); GD's exactly. Recipes this small do not train to GD; the Slow comparison's numbers are in the notes above when it ran.");
        md.AppendLine();
        return new SectionResult(md.ToString(), figures, keys);
    }

    private static double[] Diff(double[] a, double[] b) => a.Select((v, i) => v - b[i]).ToArray();

    private static string Name(AttentionKind kind) => kind switch { AttentionKind.Relu => "ReLU", _ => kind.ToString().ToLowerInvariant() };
}
