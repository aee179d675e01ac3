using LoopedIcl.Experiments.ModelCheck;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LoopedIcl.Numerics.Checkpoints;
using LoopedIcl.Experiments;
using LoopedIcl.Numerics.ModelCheck;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Report;

/// <summary>
/// <c>check-model FILE</c>: reads a checkpoint (Numerics.Checkpoints), maps it through a layout (<see cref="ModelLayouts"/>), checks every snapshot
/// against the data law (<see cref="ModelChecker"/>) and writes MODEL.md, model.json and figures. Exit 0 every check held (the last snapshot of a
/// log), 1 one did not, 2 bad input (one line). Runs outside the repository (no claims, no ledger).
/// </summary>
internal static class CheckModelCommand
{
    public const string Usage =
        """
        check-model FILE [options]    check a trained linear transformer against the theory (claim BYOM)
          FILE                 a PyTorch checkpoint (torch.save zip), .safetensors, .npy or .npz
          --layout NAME|F.json ahn-allparam, suite, sparse, gdpp, looped, or a JSON mapping (default: detected when unambiguous)
          --n N                context examples per prompt (default: from the file name's _N<n>_ pattern)
          --sigma S            identity, file (the checkpoint's U and D: Σ = U D² Uᵀ) or a FILE holding Sigma or U and D
                               (default: the checkpoint's U and D when present, else identity)
          --loops L            loop count of a looped (A, u) model when the file has no 'loops' tensor
          --seed S             seed of the Monte Carlo parts (default 1)
          --out DIR            where MODEL.md, model.json and figures/ go (default: model-check)
        Exit codes: 0 every check held; 1 a check did not hold; 2 bad input (one line naming the file or parameter).
        """;

    public static int Run(string[] args)
    {
        var o = Parse(args);
        if (o.Help) { Console.WriteLine(Usage); return 0; }
        var file = o.File!;
        IReadOnlyList<NamedTensor> tensors = ReadTensors(file);
        ModelFile model;
        try
        {
            model = o.Layout is not null && o.Layout.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                ? ModelLayouts.FromJson(tensors, ReadText(o.Layout, "--layout"), o.Layout, file)
                : ModelLayouts.Map(tensors, o.Layout, o.Loops, file);
        }
        catch (ArgumentException e) { throw new UsageException(OneLine(e)); }

        var law = Law(o, model, file);
        Console.WriteLine($"[check-model] {file}: layout {model.Layout}{(model.LayoutDetected ? " (detected)" : "")}, {model.Snapshots.Count} snapshot(s), d = {law.D}, n = {law.N}");
        var results = new List<SnapshotCheck>();
        try
        {
            for (int k = 0; k < model.Snapshots.Count; k++)
                results.Add(ModelChecker.Check(model.Snapshots[k], law, SeedPlan.EngineSeed(o.Seed), full: k == model.Snapshots.Count - 1));
        }
        catch (ArgumentException e) { throw new UsageException($"{file}: {OneLine(e)}"); }

        Directory.CreateDirectory(Path.Combine(o.Out, "figures"));
        var figures = new List<(string Title, string File)>();
        var last = results[^1];
        if (last.TestTimeLoops.Count > 0)
        {
            var c = LoopsCurve(last, law);
            Figures.Render(c, Path.Combine(o.Out, "figures", c.Id + ".png"));
            figures.Add((c.Title, $"figures/{c.Id}.png"));
        }
        if (results.Count > 1)
            foreach (var c in LogCurves(results))
            {
                Figures.Render(c, Path.Combine(o.Out, "figures", c.Id + ".png"));
                figures.Add((c.Title, $"figures/{c.Id}.png"));
            }
        File.WriteAllText(Path.Combine(o.Out, "MODEL.md"), Page(file, model, law, results, figures));
        File.WriteAllText(Path.Combine(o.Out, "model.json"), Json(file, model, law, results));
        foreach (var c in last.Checks.Where(c => c.Held == false)) Console.Error.WriteLine($"[check-model] {c.Name}: NOT HELD ({c.Detail}: {Num(c.Value)} vs {Num(c.Threshold)})");
        Console.WriteLine($"[check-model] {(last.Held ? "every check held" : "a check did not hold")}; wrote {Path.Combine(o.Out, "MODEL.md")}, model.json and {figures.Count} figure(s)");
        return last.Held ? 0 : 1;
    }

    private sealed class Parsed
    {
        public string? File, Layout, Sigma;
        public int? N, Loops;
        public int Seed = 1;
        public string Out = "model-check";
        public bool Help;
    }

    private static Parsed Parse(string[] args)
    {
        var o = new Parsed();
        for (int i = 0; i < args.Length; i++)
        {
            var a = args[i];
            switch (a)
            {
                case "--layout": o.Layout = Value(args, ref i); break;
                case "--n": o.N = Whole(Value(args, ref i), "--n", 1, 1_000_000); break;
                case "--loops": o.Loops = Whole(Value(args, ref i), "--loops", 1, 1000); break;
                case "--seed": o.Seed = Whole(Value(args, ref i), "--seed", 0, int.MaxValue); break;
                case "--sigma": o.Sigma = Value(args, ref i); break;
                case "--out": o.Out = Value(args, ref i); break;
                case "-h" or "--help": o.Help = true; break;
                default:
                    if (a.StartsWith('-')) throw new UsageException($"check-model: unknown option '{a}'");
                    if (o.File is not null) throw new UsageException($"check-model: one FILE only (got '{o.File}' and '{a}')");
                    o.File = a;
                    break;
            }
        }
        if (o.Help) return o;
        if (o.File is null) throw new UsageException("check-model needs a FILE (a .pt/.pth, .safetensors, .npy or .npz checkpoint)");
        if (!File.Exists(o.File)) throw new UsageException($"check-model: no such file '{o.File}'");
        if (o.Layout is not null && o.Layout.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !File.Exists(o.Layout))
            throw new UsageException($"--layout: no such file '{o.Layout}'");
        o.Out = Path.GetFullPath(o.Out);
        if (File.Exists(o.Out)) throw new UsageException($"--out: '{o.Out}' exists and is not a folder");
        try
        {
            Directory.CreateDirectory(o.Out);
            var probe = Path.Combine(o.Out, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"--out: cannot write to '{o.Out}' ({e.Message})");
        }
        return o;
    }

    private static string Value(string[] args, ref int i)
    {
        var flag = args[i];
        if (i + 1 >= args.Length) throw new UsageException($"{flag} needs a value");
        var v = args[i + 1];
        if (v.StartsWith("--", StringComparison.Ordinal) || v.Length == 0) throw new UsageException($"{flag} needs a value, got '{v}'");
        i++;
        return v;
    }

    private static int Whole(string s, string flag, int min, int max) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max ? v
            : throw new UsageException($"{flag} takes a whole number from {min} to {max}, got '{s}'");

    private static IReadOnlyList<NamedTensor> ReadTensors(string path)
    {
        try { return CheckpointReader.Read(path); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            var m = OneLine(e);
            throw new UsageException(m.Contains(path, StringComparison.Ordinal) || m.Contains(Path.GetFileName(path), StringComparison.Ordinal) ? m : $"{path}: {m}");
        }
    }

    private static string ReadText(string path, string flag)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"{flag}: cannot read '{path}' ({e.Message})"); }
    }

    private static string OneLine(Exception e) => e.Message.Replace('\n', ' ').Replace('\r', ' ');

    /// <summary>n and Σ, each with where it came from.</summary>
    private static DataLaw Law(Parsed o, ModelFile model, string file)
    {
        int d = model.Snapshots[0].D;
        int n;
        string nSource;
        if (o.N is { } given) (n, nSource) = (given, "--n");
        else if (DataLaw.NFromFileName(file) is { } fromName) (n, nSource) = (fromName, $"the file name's _N{fromName}_ pattern");
        else throw new UsageException($"{file}: n (context examples per prompt) is not in the file name (…_N20_…); pass --n N");
        Matrix<double> sigma;
        string sigmaSource;
        switch (o.Sigma)
        {
            case "identity": (sigma, sigmaSource) = (Matrix<double>.Build.DenseIdentity(d), "--sigma identity"); break;
            case "file":
                sigma = model.Sigma ?? throw new UsageException($"--sigma file: {file} holds no U and D (or Sigma)");
                sigmaSource = "the checkpoint's U and D (Σ = U D² Uᵀ)";
                break;
            case null:
                (sigma, sigmaSource) = model.Sigma is { } s ? (s, "the checkpoint's U and D (Σ = U D² Uᵀ)") : (Matrix<double>.Build.DenseIdentity(d), "default (identity; the checkpoint holds no U and D)");
                break;
            default:
                if (!File.Exists(o.Sigma)) throw new UsageException($"--sigma takes identity, file or an existing FILE, got '{o.Sigma}'");
                try { sigma = ModelLayouts.SigmaFromTensors(ReadTensors(o.Sigma), o.Sigma); }
                catch (ArgumentException e) { throw new UsageException(OneLine(e)); }
                sigmaSource = $"--sigma {o.Sigma}";
                break;
        }
        if (sigma.RowCount != d) throw new UsageException($"{(o.Sigma is null or "file" ? file : o.Sigma)}: Σ is {sigma.RowCount}×{sigma.RowCount} but the model has d = {d}");
        try { Numerics.Guard.SymmetricPositiveDefinite(sigma, "Σ"); }
        catch (ArgumentException e) { throw new UsageException($"{sigmaSource}: {OneLine(e)}"); }
        return new DataLaw(n, sigma, nSource, sigmaSource);
    }

    // ---- figures ----

    private static CurveSet LoopsCurve(SnapshotCheck s, DataLaw law)
    {
        var x = s.TestTimeLoops.Select(p => (double)p.Loops).ToArray();
        return new CurveSet("test-time-loops", "BYOM", $"Test-time loops (trained at L = {s.Layers}, n = {law.N}, d = {law.D})", "loops k", "log10 loss", true, x,
        [
            new Series("model: median per-prompt loss", s.TestTimeLoops.Select(p => Math.Log10(p.Median)).ToArray()),
            new Series("model: exact mean (k ≤ 3)", s.TestTimeLoops.Select(p => p.ExactMean is { } e ? Math.Log10(e) : double.NaN).ToArray()),
            new Series("theory: l_k(b*) at the trained L's b*", s.TestTimeLoops.Select(p => Math.Log10(p.ScalarOptimumLoss)).ToArray(), IsTheory: true),
        ], new Dictionary<string, object>(), "");
    }

    private static IEnumerable<CurveSet> LogCurves(IReadOnlyList<SnapshotCheck> r)
    {
        var x = Enumerable.Range(0, r.Count).Select(k => (double)k).ToArray();
        var withLoss = r.Where(s => s.Loss is not null).ToArray();
        if (withLoss.Length == r.Count)
            yield return new CurveSet("log-loss", "BYOM", "Training log: population loss against the snapshot (Ahn et al. Fig. 1)", "snapshot", "log10 loss", true, x,
            [
                new Series("model: " + (r[^1].Loss!.Exact ? "exact loss" : "median per-prompt loss"), r.Select(s => Math.Log10(s.Loss!.Exact ? s.Loss.Value : s.Loss.Median)).ToArray()),
                new Series("theory: optimum", r.Select(s => Math.Log10(s.Loss!.Reference)).ToArray(), IsTheory: true),
            ], new Dictionary<string, object>(), "");
        if (r.All(s => s.WhitenedDist.Length > 0))
            yield return new CurveSet("log-dist", "BYOM", "Training log: Dist against the snapshot (Ahn et al. Fig. 1)", "snapshot", "Dist", false, x,
            [
                new Series("max_l Dist(S^1/2 A_l S^1/2)", r.Select(s => s.WhitenedDist.Max()).ToArray()),
                new Series("max_l Dist(A_l)", r.Select(s => s.RawDist.Max()).ToArray()),
            ], new Dictionary<string, object>(), "");
    }

    // ---- the page ----

    private static string Num(double v) => double.IsNaN(v) ? "—" : v.ToString("G6", CultureInfo.InvariantCulture);

    private static string List(IEnumerable<double> v) => string.Join(", ", v.Select(Num));

    private static string Verdict(bool? held) => held switch { true => "held", false => "**NOT HELD**", null => "n/a" };

    internal static string Page(string file, ModelFile model, DataLaw law, IReadOnlyList<SnapshotCheck> results, IReadOnlyList<(string Title, string File)> figures)
    {
        var s = results[^1];
        var b = new StringBuilder();
        b.AppendLine($"# Model check: `{Path.GetFileName(file)}`").AppendLine();
        b.AppendLine($"**Verdict: {(s.Held ? "every check held" : "NOT HELD")}** (exit code {(s.Held ? 0 : 1)}; claim BYOM of the LoopedIcl.Verification suite" +
                     $"{(results.Count > 1 ? $"; the verdict is the last of {results.Count} snapshots" : "")}).").AppendLine();
        b.AppendLine("## Data law").AppendLine();
        b.AppendLine("| part | value | from |").AppendLine("|---|---|---|");
        b.AppendLine($"| n (context examples) | {law.N} | {law.NSource} |");
        var eig = law.Sigma.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(e => e.Real).OrderByDescending(v => v);
        b.AppendLine($"| x ~ N(0, Σ), d = {law.D} | eigenvalues of Σ: {List(eig)} | {law.SigmaSource} |");
        b.AppendLine("| w* | N(0, Σ⁻¹) (= N(0, I) when Σ = I) | fixed: the law of AHN-T3 and GAT-T1, and of the Ahn et al. code (X ← UDX, w ← UD⁻¹w) |");
        b.AppendLine("| label noise | none | fixed (realizable labels) |").AppendLine();
        b.AppendLine("## What was read").AppendLine();
        b.AppendLine($"Layout **{model.Layout}**{(model.LayoutDetected ? " (detected from the tensor names)" : " (given)")}; weights stored as {model.DType}; " +
                     $"{results.Count} snapshot(s); L = {s.Layers}, d = {s.D}. Mapped onto the suite's literal model (column tokens, Z_{{l+1}} = Z_l + (1/n)·P_l Z M Zᵀ Q_l Z, ŷ = −[Z_L]_{{d+1,n+1}}).").AppendLine();
        b.AppendLine($"## Checks{(results.Count > 1 ? " (last snapshot)" : "")}").AppendLine();
        b.AppendLine("| check | verdict | value | threshold | what |").AppendLine("|---|---|---|---|---|");
        foreach (var c in s.Checks) b.AppendLine($"| {c.Name} | {Verdict(c.Held)} | {Num(c.Value)} | {Num(c.Threshold)} | {c.Detail} |");
        b.AppendLine();
        b.AppendLine("## The algorithm it implements").AppendLine();
        b.AppendLine($"Family: **{s.Family}**; relative size of what leaves it: {Num(s.OutsideFamily)}.");
        if (s.LayerScale.Any(g => g != 1)) b.AppendLine($"Each layer was rescaled (P, Q) → (P/γ, γQ) (the same layer) with γ = P[d+1,d+1] = {List(s.LayerScale)}.");
        if (s.Scalars.Length > 0)
        {
            b.AppendLine().AppendLine(s.Family.StartsWith("GD++", StringComparison.Ordinal)
                ? "Inside family (11) the layers are Ahn et al.'s GD++: the covariates move by X ← (I + (1/n)B_l X M Xᵀ A_l) X (AHN-E11). A_l below is −(the Q block), the sign of (8)."
                : "Inside family (8) the model is L steps of preconditioned GD from w_0 = 0 with Γ_l = A_lᵀ (AHN-L1)" + (s.ShiftNorm.Length > 0 ? ", on the shifted labels y + Xu_l (GAT-L1)." : "."));
            b.AppendLine().AppendLine("| layer | scalar tr(Σ^½A_lΣ^½)/d | optimum (sorted) | Dist(Σ^½A_lΣ^½) | Dist(A_l) |" + (s.BDist.Length > 0 ? " Dist(B_l) |" : "") + (s.ShiftNorm.Length > 0 ? " ‖Σ^½u_l‖/‖Σ^½A_lΣ^½‖ |" : ""));
            b.AppendLine("|---|---|---|---|---|" + (s.BDist.Length > 0 ? "---|" : "") + (s.ShiftNorm.Length > 0 ? "---|" : ""));
            for (int l = 0; l < s.Layers; l++)
                b.AppendLine($"| {l} | {Num(s.Scalars[l])} | {Num(s.OptimalScalars[l])} | {Num(s.WhitenedDist[l])} | {Num(s.RawDist[l])} |" +
                             (s.BDist.Length > 0 ? $" {(l < s.BDist.Length ? Num(s.BDist[l]) : "— (never reaches the output)")} |" : "") + (s.ShiftNorm.Length > 0 ? $" {Num(s.ShiftNorm[l])} |" : ""));
            if (s.D <= 6 && s.Layers <= 4)
            {
                b.AppendLine().AppendLine(s.BDist.Length > 0 ? "A_lᵀ (rows; layer 0's is its PGD preconditioner, later layers also move the covariates by B_l):" : "Preconditioners Γ_l = A_lᵀ (rows):").AppendLine();
                for (int l = 0; l < s.Layers; l++)
                    b.AppendLine($"- Γ_{l} = [{string.Join("; ", Enumerable.Range(0, s.D).Select(i => List(s.Preconditioners[l].Row(i))))}]");
            }
        }
        b.AppendLine();
        if (s.Loss is { } loss)
        {
            b.AppendLine("## Population loss").AppendLine();
            if (loss.Exact)
                b.AppendLine($"Exact population loss (Wishart word moments, rounding ≤ {Num(loss.RoundingBound)}): **{Num(loss.Value)}**; reference {loss.ReferenceName}: {Num(loss.Reference)}; " +
                             $"relative excess {Num(loss.Value / loss.Reference - 1)}.");
            else
                b.AppendLine($"Monte Carlo over {loss.Prompts} prompts (the per-prompt loss is heavy-tailed, so no mean ± SE): median {Num(loss.Median)} " +
                             $"[{Num(loss.MedianLow)}, {Num(loss.MedianHigh)}] (exact binomial interval, false alarm 1e-6), distribution-free lower bound of the mean {Num(loss.MeanLowerBound)}; " +
                             $"reference {loss.ReferenceName}: {Num(loss.Reference)}.");
            b.AppendLine();
        }
        if (s.Alignment.Count > 0)
        {
            b.AppendLine("## Alignment with the theory's construction (LEARN-ALIGN)").AppendLine();
            b.AppendLine($"Against L-step PGD with A_l = a*_lΣ⁻¹ (a* = {List(s.OptimalScalars)}), on 512 held-out prompts; reported, not judged.").AppendLine();
            b.AppendLine("| inputs | prediction cosine | prediction rel. L2 | ∂ŷ/∂x_q cosine | ∂ŷ/∂x_q rel. L2 |").AppendLine("|---|---|---|---|---|");
            foreach (var a in s.Alignment) b.AppendLine($"| x → {Num(a.InputScale)}x | {Num(a.PredictionCosine)} | {Num(a.PredictionRelativeL2)} | {Num(a.GradientCosine)} | {Num(a.GradientRelativeL2)} |");
            b.AppendLine();
        }
        if (s.TestTimeLoops.Count > 0)
        {
            b.AppendLine("## Test-time loops (GAT-R1)").AppendLine();
            b.AppendLine("The same (A, u) run for k loops. Per-prompt losses are heavy-tailed at many loops (rare large Wishart eigenvalues), so the model's column is the median with its exact " +
                         "binomial interval (false alarm 1e-6) over 2000 draws, plus the exact mean where word moments allow (k ≤ 3); ℓ_k(b*) is exact (b* of GAT-T1 at the trained L).").AppendLine();
            b.AppendLine("| k | median [interval] | exact mean | ℓ_k(b*) |").AppendLine("|---|---|---|---|");
            foreach (var p in s.TestTimeLoops.Where(p => p.Loops is <= 5 or 10 or 20 or 30 or 40 or 50))
                b.AppendLine($"| {p.Loops} | {Num(p.Median)} [{Num(p.MedianLow)}, {Num(p.MedianHigh)}] | {(p.ExactMean is { } e ? Num(e) : "—")} | {Num(p.ScalarOptimumLoss)} |");
            b.AppendLine();
        }
        if (results.Count > 1)
        {
            b.AppendLine("## Training log (Ahn et al. Fig. 1)").AppendLine();
            b.AppendLine("| snapshot | family | max Dist(Σ^½A_lΣ^½) | max Dist(A_l) | loss | reference | checks held |").AppendLine("|---|---|---|---|---|---|---|");
            foreach (var r in results)
                b.AppendLine($"| {r.Label} | {r.Family} | {(r.WhitenedDist.Length > 0 ? Num(r.WhitenedDist.Max()) : "—")} | {(r.RawDist.Length > 0 ? Num(r.RawDist.Max()) : "—")} | " +
                             $"{(r.Loss is null ? "—" : Num(r.Loss.Exact ? r.Loss.Value : r.Loss.Median))} | {(r.Loss is null ? "—" : Num(r.Loss.Reference))} | {(r.Held ? "all" : string.Join(", ", r.Checks.Where(c => c.Held == false).Select(c => "not " + c.Name)))} |");
            b.AppendLine();
        }
        foreach (var (title, f) in figures) b.AppendLine($"![{title}]({f})").AppendLine();
        b.AppendLine("## Tolerances").AppendLine();
        b.AppendLine($"- read: the FAST-PATH rounding budget (64·u·n(d+1)(L+1)·z(1 + (d+1)²z²), z the largest trajectory entry).");
        b.AppendLine($"- family: what leaves the family ≤ {ModelChecker.FamilyTolerance:G2} of the weights (float32 stores 2⁻²⁴ ≈ 6e-8 relative; anything larger is a real part of the model).");
        b.AppendLine($"- preconditioner, scalars, loss: Dist ≤ {ModelChecker.DistTolerance}, scalars within {ModelChecker.ScalarTolerance:P0}, loss ≤ (1 + {ModelChecker.LossTolerance})·optimum — " +
                     "the suite's own trained models are judged so (LEARN-AHN-F2, default tier); an exact optimum written in float32 is ~1e-7 off in Dist and scalars and ~1e-14 in loss (quadratic at the optimum).");
        b.AppendLine("- Monte Carlo parts: intervals and bounds at false alarm 1e-6; medians with exact binomial intervals and distribution-free bounds, never mean ± SE.");
        return b.ToString();
    }

    // ---- model.json ----

    private static JsonNode? N(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    private static JsonArray A(IEnumerable<double> v) => new(v.Select(N).ToArray());

    internal static string Json(string file, ModelFile model, DataLaw law, IReadOnlyList<SnapshotCheck> results)
    {
        var root = new JsonObject
        {
            ["file"] = Path.GetFileName(file),
            ["layout"] = model.Layout,
            ["layoutDetected"] = model.LayoutDetected,
            ["dtype"] = model.DType,
            ["dataLaw"] = new JsonObject
            {
                ["n"] = law.N, ["nFrom"] = law.NSource, ["sigma"] = new JsonArray(Enumerable.Range(0, law.D).Select(i => (JsonNode)A(law.Sigma.Row(i))).ToArray()),
                ["sigmaFrom"] = law.SigmaSource, ["task"] = "w* ~ N(0, Σ⁻¹)", ["noise"] = 0,
            },
            ["held"] = results[^1].Held,
            ["snapshots"] = new JsonArray(results.Select(s => (JsonNode)new JsonObject
            {
                ["label"] = s.Label, ["L"] = s.Layers, ["d"] = s.D, ["family"] = s.Family, ["looped"] = s.Looped, ["outsideFamily"] = N(s.OutsideFamily),
                ["scalars"] = A(s.Scalars), ["optimalScalars"] = A(s.OptimalScalars), ["distWhitened"] = A(s.WhitenedDist), ["distRaw"] = A(s.RawDist),
                ["distB"] = A(s.BDist), ["shift"] = A(s.ShiftNorm),
                ["loss"] = s.Loss is null ? null : new JsonObject
                {
                    ["exact"] = s.Loss.Exact, ["value"] = N(s.Loss.Value), ["roundingBound"] = N(s.Loss.RoundingBound), ["median"] = N(s.Loss.Median),
                    ["medianInterval"] = A([s.Loss.MedianLow, s.Loss.MedianHigh]), ["meanLowerBound"] = N(s.Loss.MeanLowerBound), ["prompts"] = s.Loss.Prompts,
                    ["reference"] = N(s.Loss.Reference), ["referenceName"] = s.Loss.ReferenceName,
                },
                ["alignment"] = new JsonArray(s.Alignment.Select(a => (JsonNode)new JsonObject
                {
                    ["inputScale"] = a.InputScale, ["predictionCosine"] = N(a.PredictionCosine), ["predictionRelativeL2"] = N(a.PredictionRelativeL2),
                    ["gradientCosine"] = N(a.GradientCosine), ["gradientRelativeL2"] = N(a.GradientRelativeL2),
                }).ToArray()),
                ["testTimeLoops"] = new JsonArray(s.TestTimeLoops.Select(p => (JsonNode)new JsonObject
                {
                    ["k"] = p.Loops, ["median"] = N(p.Median), ["medianInterval"] = A([p.MedianLow, p.MedianHigh]),
                    ["exactMean"] = p.ExactMean is { } e ? N(e) : null, ["scalarOptimumLoss"] = N(p.ScalarOptimumLoss),
                }).ToArray()),
                ["checks"] = new JsonArray(s.Checks.Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c.Name, ["held"] = c.Held, ["value"] = N(c.Value), ["threshold"] = N(c.Threshold), ["detail"] = c.Detail,
                }).ToArray()),
                ["held"] = s.Held,
            }).ToArray()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }
}
