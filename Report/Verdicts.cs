using LoopedIcl.Claims;

namespace LoopedIcl.Report;

/// <summary>The checks of one kind over a claim's tests.</summary>
internal sealed record KindSummary(string Kind, long Checks, long Failed, double? WorstMargin, string WorstCheck, bool NonFinite);

/// <summary>
/// One claim's verdict, by CLAIMS.md's rule: held iff at least one test ran and every test of its category passed. A test that
/// failed, errored, was skipped or inconclusive makes it not held, whatever the margins say.
/// </summary>
internal sealed record Verdict(Claim Claim, string Status, IReadOnlyList<LedgerTest> Tests, IReadOnlyDictionary<string, int> Outcomes,
    IReadOnlyList<KindSummary> Kinds, IReadOnlyList<string> NegativeControls, IReadOnlyDictionary<string, long> Counts,
    IReadOnlyDictionary<string, double> Values, IReadOnlyList<string> Notes)
{
    public const string Held = "held", Failed = "failed", NotHeld = "not held", NotRun = "not run";

    public bool IsHeld => Status == Held;

    /// <summary>The claim's own margin: the worst of its Bound and Identity checks (never a threshold's or sanity check's).</summary>
    public KindSummary? Own => Kinds.Where(k => k.Kind is nameof(CheckKind.Bound) or nameof(CheckKind.Identity) && k.WorstMargin is not null).MaxBy(k => k.WorstMargin);

    public KindSummary? Of(string kind) => Kinds.FirstOrDefault(k => k.Kind == kind);

    public static IReadOnlyList<Verdict> All(LedgerSet ledger)
    {
        var byClaim = ledger.Tests.Values.GroupBy(t => t.Test.Claim).ToDictionary(g => g.Key, g => g.Select(t => t.Test).OrderBy(t => t.FullName, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        return ClaimRegistry.All.Select(c => Of(c, byClaim.GetValueOrDefault(c.Id) ?? [])).ToArray();
    }

    private static Verdict Of(Claim claim, LedgerTest[] tests)
    {
        var outcomes = tests.GroupBy(t => t.Outcome).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        string status = tests.Length == 0 ? NotRun
            : tests.All(t => t.Passed) ? Held
            : tests.Any(t => t.Outcome is "Failed" or "Error" or "Cancelled") ? Failed
            : NotHeld;
        var kinds = tests.SelectMany(t => t.Checks).GroupBy(k => k.Kind).OrderBy(g => Order(g.Key)).Select(g =>
        {
            var worst = g.Where(k => k.WorstMargin is not null).MaxBy(k => k.WorstMargin);
            return new KindSummary(g.Key, g.Sum(k => k.Checks), g.Sum(k => k.Failed), worst?.WorstMargin, worst?.WorstCheck ?? "", g.Any(k => k.NonFinite));
        }).ToArray();
        var counts = tests.SelectMany(t => t.Counts).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value), StringComparer.Ordinal);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in tests.Where(t => t.Passed)) foreach (var kv in t.Values) values[kv.Key] = kv.Value;
        return new Verdict(claim, status, tests, outcomes, kinds, tests.SelectMany(t => t.NegativeControls).ToArray(), counts, values,
            tests.Where(t => t.Passed).SelectMany(t => t.Notes).Distinct().ToArray());
    }

    private static int Order(string kind) => Enum.TryParse<CheckKind>(kind, out var k) ? (int)k : int.MaxValue;
}
