using System.Globalization;
using System.Text;
using LoopedIcl.Claims;

namespace LoopedIcl.Report;

/// <summary>
/// The paper-scale (Slow) tier in a merged ledger: every Slow test the ledgers know, run or not, with its outcome, time, machine and
/// what it measured (its notes and values), so the learned numbers the README quotes come from one report, not from single runs.
/// </summary>
internal static class PaperScale
{
    /// <summary>A Slow test: its latest record (null when no ledger has it run).</summary>
    public sealed record Row(string Assembly, string FullName, string Claim, LedgerTest? Test, string? Machine);

    public static IReadOnlyList<Row> Rows(LedgerSet ledger)
    {
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (var (key, (test, from)) in ledger.Tests)
            if (test.Categories.Contains(CategoryLabels.Slow))
                rows[key] = new Row(from.Assembly, test.FullName, test.Claim, test, from.Machine);
        foreach (var doc in ledger.Documents.Select(d => d.Doc))
            foreach (var n in doc.NotRun.Where(n => n.Slow))
                rows.TryAdd(doc.Assembly + "|" + n.FullName, new Row(doc.Assembly, n.FullName, n.Claim, null, null));
        var order = ClaimRegistry.All.Select((c, i) => (c.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        return rows.Values.OrderBy(r => order.GetValueOrDefault(r.Claim, int.MaxValue)).ThenBy(r => r.FullName, StringComparer.Ordinal).ToArray();
    }

    public static string Section(IReadOnlyList<Row> rows)
    {
        var sb = new StringBuilder();
        var ran = rows.Where(r => r.Test is not null).ToArray();
        sb.AppendLine("## Paper-scale tier (Slow tests)");
        sb.AppendLine();
        sb.AppendLine($"{ran.Length} of {rows.Count} Slow tests ran ({ran.Count(r => r.Test!.Passed)} passed); each row is the test's latest ledger record. " +
                      "*Measured* lists what a passing test recorded (a failing test's numbers are never shown as measurements). " +
                      "Run the tier with `bash .ci/slow --shard i/N` on N machines and merge with `bash .ci/slow --merge`.");
        sb.AppendLine();
        sb.AppendLine("| claim | test | outcome | time | measured |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var name = $"`{Markdown.Escape(r.FullName.Replace("LoopedIcl.", "", StringComparison.Ordinal))}`";
            if (r.Test is not { } t) { sb.AppendLine($"| {r.Claim} | {name} | **not run** | — | — |"); continue; }
            var measured = t.Passed
                ? string.Join("; ", t.Notes.Concat(t.Values.Select(kv => $"{kv.Key} = {kv.Value.ToString("G6", CultureInfo.InvariantCulture)}")))
                : "(failed: " + (t.Message ?? "").Split('\n')[0].Trim() + ")";
            sb.AppendLine($"| {r.Claim} | {name} | {t.Outcome} | {Duration(t.DurationSeconds)} | {Markdown.Escape(measured.Length > 0 ? measured : "—")} |");
        }
        var machines = ran.Select(r => r.Machine).Distinct().ToArray();
        if (machines.Length > 0) { sb.AppendLine(); sb.AppendLine($"Machines: {Markdown.Escape(string.Join("; ", machines))}."); }
        return sb.ToString();
    }

    private static string Duration(double seconds) =>
        seconds >= 90 ? $"{seconds / 60:F1} min" : $"{seconds:F0} s";
}
