using System.Collections.Concurrent;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace LoopedIcl.TestSupport;

/// <summary>
/// What each test measured, under its claim ID (the test's [Category]): every check with its <see cref="CheckKind"/> and worst
/// margin (LHS/RHS of a bound, error/tolerance of an identity; ≤ 1 means it held), the negative controls that failed as they
/// must, informative-instance counts, named key values, and finding notes. At the end of the assembly each test's NUnit
/// outcome is attached (<see cref="LedgerFile"/>), so a verdict never outlives a failing test: a note or value of a test that
/// did not pass is kept only marked as such.
/// </summary>
public static class ClaimLedger
{
    /// <summary>Per kind: how many checks, how many failed, the worst margin and which check it was.</summary>
    public sealed class KindStats
    {
        public long Checks { get; set; }
        public long Failed { get; set; }
        /// <summary>Checks that carry a margin (booleans do not).</summary>
        public long WithMargin { get; set; }
        public double WorstMargin { get; set; } = double.NegativeInfinity;
        public string WorstCheck { get; set; } = "";
    }

    /// <summary>Everything one test (or a fixture's one-time set-up) recorded, keyed by NUnit's test id.</summary>
    public sealed class TestRecord
    {
        public string Id { get; init; } = "";
        public string FullName { get; init; } = "";
        public Dictionary<CheckKind, KindStats> Kinds { get; } = new();
        public List<string> NegativeControls { get; } = new();
        public List<string> Notes { get; } = new();
        public Dictionary<string, long> Counts { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, double> Values { get; } = new(StringComparer.Ordinal);
    }

    private static readonly ConcurrentDictionary<string, TestRecord> Records = new(StringComparer.Ordinal);

    private static readonly AsyncLocal<int> SuspendDepth = new();

    /// <summary>
    /// Inside a negative control the checks are expected to fail; they must not count as checks of the claim.
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

    /// <summary>True inside <see cref="Suspend"/>.</summary>
    public static bool Suspended => SuspendDepth.Value > 0;

    private static TestRecord Current()
    {
        var test = TestExecutionContext.CurrentContext.CurrentTest;
        return Records.GetOrAdd(test.Id, _ => new TestRecord { Id = test.Id, FullName = test.FullName });
    }

    /// <summary>The claim ID of the running test (see <see cref="LedgerFile.ClaimOf"/>).</summary>
    public static string CurrentClaim() => LedgerFile.ClaimOf(TestExecutionContext.CurrentContext.CurrentTest);

    /// <summary>Records one check of the given kind. A NaN margin means the check has none (a boolean condition).</summary>
    public static void RecordCheck(CheckKind kind, double margin, string what, bool held)
    {
        if (Suspended) return;
        var r = Current();
        lock (r)
        {
            if (!r.Kinds.TryGetValue(kind, out var k)) r.Kinds[kind] = k = new KindStats();
            k.Checks++;
            if (!held) k.Failed++;
            if (double.IsNaN(margin)) return;
            k.WithMargin++;
            if (margin > k.WorstMargin) { k.WorstMargin = margin; k.WorstCheck = what; }
        }
    }

    /// <summary>Backward-compatible form: an identity check (e.g. an exact enumeration).</summary>
    public static void RecordCheck(double margin, string what, bool held) => RecordCheck(CheckKind.Identity, margin, what, held);

    /// <summary>A negative control that failed the claim's check as it must (call after that failure was established).</summary>
    public static void RecordNegativeControl(string what)
    {
        var r = Current();
        lock (r)
        {
            r.NegativeControls.Add(what);
            if (!r.Kinds.TryGetValue(CheckKind.NegativeControl, out var k)) r.Kinds[CheckKind.NegativeControl] = k = new KindStats();
            k.Checks++;
        }
    }

    /// <summary>
    /// A finding or measurement to show in the report. Printed now; kept in the ledger as a measured number only if the
    /// test passes (otherwise marked "from a failing test").
    /// </summary>
    public static void Note(string text)
    {
        var r = Current();
        lock (r) r.Notes.Add(text);
        TestContext.Out.WriteLine(text);
    }

    /// <summary>
    /// Adds <paramref name="n"/> to a named count of this test, e.g. Count("informative pairs", 37) for a bound asserted only
    /// where it is ≫ its rounding floor, so the report can say on how many instances the claim was actually tested.
    /// </summary>
    public static void Count(string what, long n = 1)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "a count must be ≥ 0");
        var r = Current();
        lock (r) r.Counts[what] = r.Counts.GetValueOrDefault(what) + n;
    }

    /// <summary>A named key value the findings or figures quote (e.g. "f* d=5 n=20"); claims.json lists it under the claim.</summary>
    public static void Value(string name, double value)
    {
        var r = Current();
        lock (r) r.Values[name] = value;
    }

    /// <summary>Everything recorded so far (a copy per test).</summary>
    public static IReadOnlyCollection<TestRecord> Snapshot() => Records.Values.ToArray();

    /// <summary>Writes the ledger of this assembly run (outcomes attached): see <see cref="LedgerFile.Write"/>.</summary>
    public static void Write(string assemblyName) =>
        LedgerFile.Write(assemblyName, TestExecutionContext.CurrentContext.CurrentTest, TestExecutionContext.CurrentContext.CurrentResult, Records);
}
