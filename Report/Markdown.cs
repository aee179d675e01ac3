using System.Globalization;
using System.Text;
using LoopedIcl.Numerics.Curves;

namespace LoopedIcl.Report;

/// <summary>The report page: claims table (from the ledger), figures with captions, findings with the numbers the tests measured.</summary>
internal static class Markdown
{
    public static string Page(Ledger ledger, IReadOnlyList<(CurveSet Curve, string File)> curves, int scale)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# LoopedIcl.Verification — verification report");
        sb.AppendLine();
        sb.AppendLine($"Ledger written {ledger.Written:yyyy-MM-dd HH:mm} UTC by {string.Join(", ", ledger.Assemblies)}; figures at scale {scale} (fixed seeds, reproducible).");
        sb.AppendLine("Statistical checks use a false-alarm probability of 1e-6 per check (z = 4.89 from the sample's own standard error, or exact binomial/DKW bounds for heavy tails);");
        sb.AppendLine("identities are proved exactly in rationals (Schwartz–Zippel) and checked in double within a rounding budget.");
        sb.AppendLine();
        sb.AppendLine("## Claims");
        sb.AppendLine();
        sb.AppendLine("**Worst margin** is the largest LHS/RHS over every bound of the claim (identities: error/tolerance); ≤ 1 means every check held, and the closer to 1 the tighter the bound is on some instance. **Checks** counts the instances checked; **controls** the negative controls that failed as they must.");
        sb.AppendLine();
        sb.AppendLine("| ID | paper | statement | status | checks | worst margin | controls | seed |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var c in ClaimCatalog.All.Concat(ClaimCatalog.Support))
        {
            if (ledger.Claims.TryGetValue(c.Id, out var e))
            {
                var status = e.Violations == 0 ? "held" : $"**FAILED** ({e.Violations})";
                sb.AppendLine($"| {c.Id} | {c.Paper} | {Escape(c.Statement)} | {status} | {e.Checks} | {Fmt(e.WorstMargin)} | {e.NegativeControls} | {e.Seed} |");
            }
            else sb.AppendLine($"| {c.Id} | {c.Paper} | {Escape(c.Statement)} | not run | 0 | — | 0 | — |");
        }
        sb.AppendLine();
        sb.AppendLine("Replay any claim with its seed: `dotnet test --settings tests.runsettings --filter Category=<ID> -- TestRunParameters.Parameter(name=\\\"Seed\\\", value=\\\"<seed>\\\")`.");
        sb.AppendLine();
        sb.AppendLine("### Per-test tightness");
        sb.AppendLine();
        sb.AppendLine("<details><summary>worst margin of every test that checked a bound</summary>");
        sb.AppendLine();
        sb.AppendLine("| claim | test | checks | worst margin | where |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var e in ledger.Claims.Values.OrderBy(e => e.Claim, StringComparer.Ordinal))
            foreach (var t in e.Tests)
                sb.AppendLine($"| {e.Claim} | `{t.Test}` | {t.Checks} | {Fmt(t.Worst)} | {Escape(Shorten(t.What, 110))} |");
        sb.AppendLine();
        sb.AppendLine("</details>");
        sb.AppendLine();
        sb.AppendLine("## Figures");
        sb.AppendLine();
        sb.AppendLine("Solid lines are measured (through the transformer, or exact from moments where stated); dashed lines are the theoretical bound or formula. Log axes are labelled in powers of ten.");
        sb.AppendLine();
        foreach (var (curve, file) in curves)
        {
            sb.AppendLine($"### {curve.Claim}: {curve.Title}");
            sb.AppendLine();
            sb.AppendLine($"![{curve.Title}]({file.Replace('\\', '/')})");
            sb.AppendLine();
            sb.AppendLine(curve.Caption + " Parameters: " + string.Join(", ", curve.Parameters.Select(kv => $"{kv.Key} = {Convert.ToString(kv.Value, CultureInfo.InvariantCulture)}")) + ".");
            sb.AppendLine();
        }
        sb.AppendLine("## Findings");
        sb.AppendLine();
        sb.AppendLine("Each finding is reproduced by a test that would fail if it were not so; the numbers are the ones the tests measured in this run.");
        sb.AppendLine();
        int k = 1;
        foreach (var f in Findings.All)
        {
            sb.AppendLine($"{k++}. **{Escape(f.Title)}**  ");
            sb.AppendLine($"   Test: {Escape(f.Test)}.");
            var notes = ledger.Claims.Values.SelectMany(e => e.Notes).Where(n => f.NotePrefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal))).Distinct().Take(8).ToArray();
            foreach (var n in notes) sb.AppendLine($"   - {Escape(n)}");
            if (notes.Length == 0 && f.NotePrefixes.Length > 0) sb.AppendLine("   - (no measurement in this ledger — run the tests of that claim)");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static string Fmt(double? v) => v is null ? "—" : v.Value.ToString(v.Value != 0 && Math.Abs(v.Value) < 1e-3 ? "0.0E0" : "0.####", CultureInfo.InvariantCulture);
    private static string Shorten(string s, int n) => s.Length <= n ? s : s[..n] + "…";
    private static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
