using System.Collections.Concurrent;
using System.Text.Json;
using NUnit.Framework;

namespace LoopedIcl.TestSupport;

/// <summary>
/// What the tests measured, per claim ID (the test's [Category]): how many checks ran, the worst observed
/// margin (LHS/RHS of a bound, or error/tolerance of an identity; ≤ 1 means it held), which check that was,
/// the seed to replay, and the negative controls that failed as they must. Written as JSON at the end of
/// each test assembly; the report reads it.
/// </summary>
public static class ClaimLedger
{
    public sealed class Entry
    {
        public string Claim { get; init; } = "";
        public long Checks { get; set; }
        public double WorstMargin { get; set; }
        public string WorstCheck { get; set; } = "";
        public long Violations { get; set; }
        public long NegativeControls { get; set; }
        public int Seed { get; set; }
        public List<string> Notes { get; } = new();
    }

    private static readonly ConcurrentDictionary<string, Entry> Entries = new();

    /// <summary>The worst margin of each test (full name), so a claim with several bounds shows each one's tightness.</summary>
    private static readonly ConcurrentDictionary<string, (string Claim, double Worst, string What, long Checks)> Tests = new();

    private static readonly AsyncLocal<int> SuspendDepth = new();

    /// <summary>
    /// Inside a negative control the checks are expected to fail; they must not count as violations of the claim.
    /// Dispose the returned scope to resume recording.
    /// </summary>
    public static IDisposable Suspend()
    {
        SuspendDepth.Value++;
        return new Resume();
    }

    private sealed class Resume : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            SuspendDepth.Value--;
        }
    }

    /// <summary>The claim ID of the running test: the first category on the test or its fixture that looks like an ID (e.g. AHN-T1).</summary>
    public static string CurrentClaim()
    {
        var cats = new List<string>();
        for (NUnit.Framework.Interfaces.ITest? t = NUnit.Framework.Internal.TestExecutionContext.CurrentContext.CurrentTest; t is not null; t = t.Parent)
            cats.AddRange(t.Properties["Category"].Cast<string>());
        return cats.FirstOrDefault(c => c.Contains('-') && c.ToUpperInvariant() == c) ?? cats.FirstOrDefault() ?? "UNCATEGORISED";
    }

    private static Entry For(string claim) => Entries.GetOrAdd(claim, c => new Entry { Claim = c, WorstMargin = double.NegativeInfinity, Seed = TestSettings.Seed });

    public static void RecordCheck(double margin, string what, bool held)
    {
        if (SuspendDepth.Value > 0) return;
        var claim = CurrentClaim();
        var testName = NUnit.Framework.Internal.TestExecutionContext.CurrentContext.CurrentTest.Name;
        var m = double.IsNaN(margin) ? double.PositiveInfinity : margin;
        Tests.AddOrUpdate(testName, _ => (claim, m, what, 1),
            (_, old) => m > old.Worst ? (claim, m, what, old.Checks + 1) : (old.Claim, old.Worst, old.What, old.Checks + 1));
        var e = For(claim);
        lock (e)
        {
            e.Checks++;
            if (!held) e.Violations++;
            // NaN margins count as the worst possible.
            if (double.IsNaN(margin) || margin > e.WorstMargin || double.IsNaN(e.WorstMargin))
            {
                e.WorstMargin = double.IsNaN(margin) ? double.PositiveInfinity : margin;
                e.WorstCheck = what;
            }
        }
    }

    public static void RecordNegativeControl(string what)
    {
        var e = For(CurrentClaim());
        lock (e) { e.NegativeControls++; e.Notes.Add("negative control failed as required: " + what); }
    }

    public static void Note(string text)
    {
        var e = For(CurrentClaim());
        lock (e) e.Notes.Add(text);
        TestContext.Out.WriteLine(text);
    }

    public static IReadOnlyCollection<Entry> Snapshot() => Entries.Values.ToArray();

    /// <summary>Writes the ledger of this assembly to &lt;LedgerDirectory&gt;/&lt;assembly&gt;.json and a one-line-per-claim summary.</summary>
    public static void Write(string assemblyName)
    {
        if (Entries.IsEmpty) return;
        var dir = TestSettings.LedgerDirectory;
        if (!Path.IsPathRooted(dir)) dir = Path.Combine(TestSettings.RepositoryRoot(), dir);
        Directory.CreateDirectory(dir);
        var rows = Entries.Values.OrderBy(e => e.Claim, StringComparer.Ordinal).Select(e => new
        {
            e.Claim,
            Status = e.Violations == 0 ? "held" : "violated",
            e.Checks,
            WorstMargin = double.IsFinite(e.WorstMargin) ? e.WorstMargin : (double?)null,
            e.WorstCheck,
            e.Violations,
            e.NegativeControls,
            e.Seed,
            Notes = e.Notes.Distinct().Take(50).ToArray(),
            Tests = Tests.Where(t => t.Value.Claim == e.Claim).OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => new { Test = t.Key, WorstMargin = double.IsFinite(t.Value.Worst) ? t.Value.Worst : (double?)null, WorstCheck = t.Value.What, t.Value.Checks }).ToArray(),
        }).ToArray();
        var json = JsonSerializer.Serialize(new { Assembly = assemblyName, WrittenUtc = DateTime.UtcNow, Claims = rows },
            new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(dir, assemblyName + ".json"), json);
        foreach (var r in rows)
            TestContext.Progress.WriteLine($"[ledger] {r.Claim,-12} {r.Status,-8} checks={r.Checks} worst margin={r.WorstMargin:G4} ({r.WorstCheck}) negative controls={r.NegativeControls}");
    }
}
