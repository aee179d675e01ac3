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

    public static string Write(RunFacts run, IReadOnlyList<Verdict> verdicts, IReadOnlyList<(CurveSet Curve, string File)> curves, LearningSectionResult? learning = null,
        LearningSectionResult? beyond = null)
    {
        var rows = verdicts.Select(v => new ClaimRow(v.Claim.Id, v.Claim.Family, $"{v.Claim.Paper}, {v.Claim.Place}", v.Claim.Statement, v.Status,
            v.Tests.Count, v.Outcomes, v.Own?.WorstMargin, v.Own?.Kind, v.Own?.WorstCheck, v.Kinds, v.NegativeControls.Count, v.Counts, WithLearned(v, learning, beyond),
            curves.Where(c => c.Curve.Claim == v.Claim.Id).Select(c => (object)new { c.Curve.Id, c.Curve.Title, c.File, c.Curve.Parameters }).ToArray(),
            v.Claim.Findings.Select(f => (object)new { f.Title, Reproduced = v.IsHeld, Notes = v.IsHeld ? Markdown.FindingNotes(v, f).Take(8).ToArray() : [] }).ToArray()))
            .ToArray();
        return JsonSerializer.Serialize(new Document(run, run.Partial.Count > 0, rows), Options);
    }

    /// <summary>The claim's key values from the ledger plus those the report's own training measured (keys "CLAIM-ID.name").</summary>
    private static IReadOnlyDictionary<string, double> WithLearned(Verdict v, params LearningSectionResult?[] sections)
    {
        if (sections.All(s => s is null)) return v.Values;
        var merged = new SortedDictionary<string, double>(v.Values.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
        foreach (var section in sections.OfType<LearningSectionResult>())
            foreach (var kv in section.KeyValues.Where(kv => kv.Key.StartsWith(v.Claim.Id + ".", StringComparison.Ordinal)))
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
