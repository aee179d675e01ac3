using System.Text.Json;
using System.Text.Json.Serialization;
using LoopedIcl.Experiments;

namespace LoopedIcl.Report;

/// <summary>claims.json beside REPORT.md: the run facts and, per claim, its status, outcome counts, margins by kind, counts and key values.</summary>
internal static class ClaimsJson
{
    public sealed record ClaimRow(string Id, string Family, string Source, string Statement, string Status, int Tests,
        IReadOnlyDictionary<string, int> Outcomes, double? OwnWorstMargin, string? OwnMarginKind, string? OwnWorstCheck,
        IReadOnlyList<KindSummary> Checks, int NegativeControls, IReadOnlyDictionary<string, long> Counts,
        IReadOnlyDictionary<string, double> Values, IReadOnlyList<object> Figures, IReadOnlyList<object> Findings);

    public sealed record Document(RunFacts Run, bool Partial, IReadOnlyList<ClaimRow> Claims);

    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string Write(RunFacts run, IReadOnlyList<Verdict> verdicts, IReadOnlyList<(CurveSet Curve, string File)> curves, IReadOnlyList<ClaimSection> sections)
    {
        var rows = verdicts.Select(v => new ClaimRow(v.Claim.Id, v.Claim.Family, $"{v.Claim.Paper}, {v.Claim.Place}", v.Claim.Statement, v.Status,
            v.Tests.Count, v.Outcomes, v.Own?.WorstMargin, v.Own?.Kind, v.Own?.WorstCheck, v.Kinds, v.NegativeControls.Count, v.Counts, WithSection(v, sections),
            curves.Where(c => c.Curve.Claim == v.Claim.Id).Select(c => (object)new { c.Curve.Id, c.Curve.Title, c.File, c.Curve.Parameters }).ToArray(),
            v.Claim.Findings.Select(f => (object)new { f.Title, Reproduced = v.IsHeld, Notes = v.IsHeld ? Markdown.FindingNotes(v, f).Take(8).ToArray() : [] }).ToArray()))
            .ToArray();
        return JsonSerializer.Serialize(new Document(run, run.Partial.Count > 0, rows), Options);
    }

    /// <summary>The claim's key values from the ledger plus those its report section's retraining measured (keys "CLAIM-ID.name" as "report.name"), sorted.</summary>
    private static IReadOnlyDictionary<string, double> WithSection(Verdict v, IReadOnlyList<ClaimSection> sections)
    {
        var merged = new SortedDictionary<string, double>(v.Values.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
        var own = sections.FirstOrDefault(s => s.Key == v.Claim.Section)?.Trained?.KeyValues ?? new Dictionary<string, double>();
        foreach (var kv in own.Where(kv => kv.Key.StartsWith(v.Claim.Id + ".", StringComparison.Ordinal)))
            merged["report." + kv.Key[(v.Claim.Id.Length + 1)..]] = kv.Value;
        return merged;
    }

    /// <summary>Claim ID → status, read from a claims.json.</summary>
    public static Dictionary<string, string> Statuses(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("Claims").EnumerateArray()
            .ToDictionary(c => c.GetProperty("Id").GetString()!, c => c.GetProperty("Status").GetString()!, StringComparer.Ordinal);
    }
}
