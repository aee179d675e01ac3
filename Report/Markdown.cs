using System.Globalization;
using System.Text;
using LoopedIcl.Claims;
using LoopedIcl.Experiments;
using LoopedIcl.Numerics.Training;

namespace LoopedIcl.Report;

/// <summary>What the page's header states about the run it reports.</summary>
internal sealed record RunFacts(string Seeds, string Trials, string Commit, string TestsWritten, string ReportWritten, string Machines,
    string TestRun, int Scale, IReadOnlyList<string> Partial);

/// <summary>The report page: header, claims table (verdicts from the ledger), other checks, failures, figures, findings.</summary>
internal static class Markdown
{
    /// <summary>
    /// One row of an alignment table (LEARN-ALIGN metrics against GD/PGD) and its two cosines in claims.json under
    /// <paramref name="keyPrefix"/>; <paramref name="cosineFormat"/> shows as many digits as the table's cosines differ in.
    /// </summary>
    public static void AlignmentRow(StringBuilder md, IDictionary<string, double> keys, string label, string keyPrefix, AlignmentMetrics a, string cosineFormat)
    {
        string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
        md.AppendLine($"| {label} | {F(a.PredictionCosine, cosineFormat)} | {F(a.PredictionRelativeL2, "F4")} | {F(a.GradientCosine, cosineFormat)} | {F(a.GradientRelativeL2, "F4")} |");
        keys[$"{keyPrefix}.prediction_cosine"] = a.PredictionCosine;
        keys[$"{keyPrefix}.gradient_cosine"] = a.GradientCosine;
    }

    /// <summary>The header row the provenance check reads.</summary>
    public const string SeedRow = "| base seed |";

    /// <summary>The page; the claims' own sections (<see cref="ClaimSection"/>) come after the paper-scale tier, in <see cref="ReportSection"/> order.</summary>
    public static string Page(RunFacts run, IReadOnlyList<Verdict> verdicts, IReadOnlyList<(CurveSet Curve, string File)> curves, IReadOnlyList<ClaimSection> sections,
        IReadOnlyList<PaperScale.Row>? paperScale = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# LoopedIcl.Verification — verification report");
        sb.AppendLine();
        if (run.Partial.Count > 0)
        {
            sb.AppendLine("> **PARTIAL REPORT** (accepted with `--partial`): this is not one complete, fresh run of the current build.");
            foreach (var p in run.Partial) sb.AppendLine($"> - {Escape(p)}");
            sb.AppendLine();
        }
        sb.AppendLine("| run | |");
        sb.AppendLine("|---|---|");
        sb.AppendLine($"{SeedRow} {run.Seeds} |");
        sb.AppendLine($"| trials per property | {run.Trials} |");
        sb.AppendLine($"| commit | {run.Commit} |");
        sb.AppendLine($"| tests run (UTC) | {run.TestsWritten} |");
        sb.AppendLine($"| report written (UTC) | {run.ReportWritten} |");
        sb.AppendLine($"| machine | {Escape(run.Machines)} |");
        sb.AppendLine($"| test run | {Escape(run.TestRun)} |");
        sb.AppendLine($"| figures | scale {run.Scale} (fixed seeds) |");
        sb.AppendLine();
        sb.AppendLine("Statistical checks use a false-alarm probability of 1e-6 per check (from the sample's own standard error where the tail is light; exact or distribution-free bounds otherwise); identities are proved exactly in rationals (Schwartz–Zippel) and checked in double within a rounding budget.");
        sb.AppendLine();
        sb.AppendLine("## Claims");
        sb.AppendLine();
        sb.AppendLine("A claim **held** only if at least one test of its category ran and every one passed; a failed, errored or skipped test makes it not held whatever its margins say. **Own margin** is the worst margin of the claim's own inequality (LHS/RHS, kind *bound*) or identity (error/tolerance, kind *identity*): ≤ 1 held, near 1 tight. Thresholds a test chose (R², monotonicity steps) and sanity checks are listed separately below. **Controls**: negative controls that failed the claim's check as they must. **Counts**: informative instances the tests recorded.");
        sb.AppendLine();
        sb.AppendLine("| ID | source | statement | status | tests | own margin | checks | controls | counts |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var v in verdicts)
        {
            var own = v.Own;
            var margin = own is null ? "—" : $"{Fmt(own.WorstMargin)} ({own.Kind.ToLowerInvariant()})";
            var checks = v.Kinds.Where(k => k.Kind is nameof(CheckKind.Bound) or nameof(CheckKind.Identity)).Sum(k => k.Checks);
            sb.AppendLine($"| {v.Claim.Id} | {Escape(v.Claim.Paper)}, {Escape(v.Claim.Place)} | {Escape(v.Claim.Statement)} | {Status(v)} | {Tests(v)} | {margin} | {checks} | {v.NegativeControls.Count} | {Escape(string.Join("; ", v.Counts.Select(kv => $"{kv.Key}: {kv.Value}")))} |");
        }
        sb.AppendLine();

        var failing = verdicts.SelectMany(v => v.Tests.Where(t => !t.Passed)).ToArray();
        if (failing.Length > 0)
        {
            sb.AppendLine("## Tests that did not pass");
            sb.AppendLine();
            foreach (var t in failing)
            {
                sb.AppendLine($"- **{t.Outcome}** `{t.FullName}` ({t.Claim}): {Escape(FirstLine(t.Message ?? ""))}  ");
                sb.AppendLine($"  replay: `{t.Replay}`");
            }
            sb.AppendLine();
        }

        sb.AppendLine("## Threshold and sanity checks");
        sb.AppendLine();
        sb.AppendLine("Checks that are not the claim's own inequality: a threshold the test chose (margin = threshold side over value; ≤ 1 held) and sanity conditions (pass/fail). They are not the claim's tightness.");
        sb.AppendLine();
        sb.AppendLine("| claim | kind | checks | failed | worst margin | where |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var v in verdicts)
            foreach (var k in v.Kinds.Where(k => k.Kind is nameof(CheckKind.Threshold) or nameof(CheckKind.Sanity)))
                sb.AppendLine($"| {v.Claim.Id} | {k.Kind.ToLowerInvariant()} | {k.Checks} | {k.Failed} | {Fmt(k.WorstMargin)} | {Escape(Shorten(k.WorstCheck, 110))} |");
        sb.AppendLine();
        sb.AppendLine("<details><summary>worst margin of every test, by kind</summary>");
        sb.AppendLine();
        sb.AppendLine("| claim | test | outcome | kind | checks | worst margin | where |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var v in verdicts)
            foreach (var t in v.Tests)
                foreach (var k in t.Checks.Where(k => k.Kind != nameof(CheckKind.NegativeControl)))
                    sb.AppendLine($"| {v.Claim.Id} | `{Escape(t.FullName.Replace("LoopedIcl.", "", StringComparison.Ordinal))}` | {t.Outcome} | {k.Kind.ToLowerInvariant()} | {k.Checks} | {Fmt(k.WorstMargin)} | {Escape(Shorten(k.WorstCheck, 110))} |");
        sb.AppendLine();
        sb.AppendLine("</details>");
        sb.AppendLine();

        sb.AppendLine("## Figures");
        sb.AppendLine();
        sb.AppendLine("Solid lines are measured (through the transformer, or exact from moments where stated); dashed lines are the theoretical bound or formula. Log axes are labelled in powers of ten.");
        sb.AppendLine();
        var status = verdicts.ToDictionary(v => v.Claim.Id, StringComparer.Ordinal);
        foreach (var (curve, file) in curves)
        {
            sb.AppendLine($"### {curve.Claim}: {curve.Title}");
            sb.AppendLine();
            if (status.TryGetValue(curve.Claim, out var cv) && !cv.IsHeld) sb.AppendLine($"> {curve.Claim} is **{cv.Status}** in this run: read this figure as unverified.\n");
            sb.AppendLine($"![{curve.Title}]({file.Replace('\\', '/')})");
            sb.AppendLine();
            sb.AppendLine(curve.Caption + " Parameters: " + string.Join(", ", curve.Parameters.Select(kv => $"{kv.Key} = {Convert.ToString(kv.Value, CultureInfo.InvariantCulture)}")) + ".");
            sb.AppendLine();
        }

        if (paperScale is { Count: > 0 } && paperScale.Any(r => r.Test is not null))
        {
            sb.AppendLine(PaperScale.Section(paperScale));
            sb.AppendLine();
        }

        foreach (var section in sections) section.Writer.Write(sb, section.Claims, section.Trained);

        sb.AppendLine("## Findings");
        sb.AppendLine();
        sb.AppendLine("Each finding is reproduced by a test that would fail if it were not so; the numbers are the ones passing tests measured in this run. A finding whose claim did not hold is not shown as reproduced.");
        sb.AppendLine();
        int n = 1;
        foreach (var v in verdicts)
            foreach (var f in v.Claim.Findings)
            {
                sb.AppendLine($"{n++}. **{Escape(f.Title)}**  ");
                sb.AppendLine($"   Test: {Escape(f.Tests)}.");
                if (!v.IsHeld)
                {
                    sb.AppendLine($"   - **not reproduced in this run**: {v.Claim.Id} is {v.Status}.");
                    sb.AppendLine();
                    continue;
                }
                var notes = FindingNotes(v, f).Take(8).ToArray();
                foreach (var note in notes) sb.AppendLine($"   - {Escape(note)}");
                if (notes.Length == 0 && f.NotePrefixes.Length > 0) sb.AppendLine("   - (no measurement in this ledger)");
                sb.AppendLine();
            }
        return sb.ToString();
    }

    /// <summary>The notes and negative-control records of a held claim's passing tests that carry a finding's numbers.</summary>
    public static IEnumerable<string> FindingNotes(Verdict v, Finding f) =>
        v.Notes.Concat(v.Tests.Where(t => t.Passed).SelectMany(t => t.NegativeControls.Select(c => NoteKey.ControlPrefix + c)))
            .Where(s => f.Notes.Any(k => k.Matches(s)))
            .Distinct();

    private static string Status(Verdict v) => v.Status switch
    {
        Verdict.Held => "held",
        Verdict.NotRun => "not run",
        _ => $"**{v.Status.ToUpperInvariant()}**",
    };

    private static string Tests(Verdict v) =>
        v.Tests.Count == 0 ? "0" : $"{v.Outcomes.GetValueOrDefault("Passed")}/{v.Tests.Count} passed" +
            string.Concat(v.Outcomes.Where(kv => kv.Key != "Passed").Select(kv => $", {kv.Value} {kv.Key.ToLowerInvariant()}"));

    public static string Fmt(double? v) => v is null ? "—" : v.Value.ToString(v.Value != 0 && Math.Abs(v.Value) < 1e-3 ? "0.0E0" : "0.####", CultureInfo.InvariantCulture);
    private static string FirstLine(string s) => Shorten(s.Split('\n')[0].Trim(), 240);
    private static string Shorten(string s, int n) => s.Length <= n ? s : s[..n] + "…";
    internal static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
