namespace LoopedIcl.Claims;

/// <summary>
/// What a check is, so the report can tell the claim's own tightness from everything else (CLAIMS.md, "What a verdict
/// means"): only <see cref="Bound"/> and <see cref="Identity"/> margins are the claim's margin.
/// </summary>
public enum CheckKind
{
    /// <summary>The claim's own inequality (lhs ≤ rhs or lhs ≥ rhs); margin lhs/rhs (resp. rhs/lhs), ≤ 1 when it holds.</summary>
    Bound,
    /// <summary>The claim's own identity in double (error over its rounding budget) or in exact arithmetic (margin 0).</summary>
    Identity,
    /// <summary>A threshold the test chose (a fit's R², a monotonicity step, a slope ratio): reported as such, never as the claim's tightness.</summary>
    Threshold,
    /// <summary>A sanity condition (finite output, shape, convergence of a solver, a count).</summary>
    Sanity,
    /// <summary>A broken variant that must fail the claim's check (recorded when it did).</summary>
    NegativeControl,
}

/// <summary>
/// The schema of one ledger file (one test-assembly run), written by TestSupport's LedgerFile and read by the report: every test
/// that ran with its NUnit outcome and what it recorded, plus the tests the run left out.
/// </summary>
public sealed class LedgerDocument
{
    public const int CurrentSchema = 2;

    public int Schema { get; set; }
    public string Assembly { get; set; } = "";
    public string RunId { get; set; } = "";
    public DateTime StartedUtc { get; set; }
    public DateTime WrittenUtc { get; set; }
    public int Seed { get; set; }
    public int Trials { get; set; }
    public string? Commit { get; set; }
    public string Machine { get; set; } = "";
    /// <summary>When the test assembly that wrote this file was built (its file time).</summary>
    public DateTime? AssemblyWriteTimeUtc { get; set; }
    /// <summary>True when every test outside [Category("Slow")] ran.</summary>
    public bool Complete { get; set; }
    public List<LedgerTest> Tests { get; set; } = new();
    public List<LedgerNotRun> NotRun { get; set; } = new();
}

/// <summary>One test's outcome and records.</summary>
public sealed class LedgerTest
{
    public string FullName { get; set; } = "";
    public string Claim { get; set; } = "";
    public List<string> Categories { get; set; } = new();
    /// <summary>Passed, Failed, Error, Skipped, Inconclusive, Warning or Cancelled (NUnit's outcome).</summary>
    public string Outcome { get; set; } = "";
    public string? Message { get; set; }
    public string Replay { get; set; } = "";
    public double DurationSeconds { get; set; }
    public List<LedgerCheck> Checks { get; set; } = new();
    public List<string> NegativeControls { get; set; } = new();
    /// <summary>Finding notes of a passed test (measured numbers).</summary>
    public List<string> Notes { get; set; } = new();
    /// <summary>Notes a test recorded before it failed: never shown as measurements.</summary>
    public List<string> NotesFromFailingTest { get; set; } = new();
    /// <summary>Named counts, e.g. "informative pairs".</summary>
    public Dictionary<string, long> Counts { get; set; } = new();
    /// <summary>Named key values the findings and figures quote (only from passed tests).</summary>
    public Dictionary<string, double> Values { get; set; } = new();

    public bool Passed => Outcome == "Passed";
}

/// <summary>The checks of one kind in one test.</summary>
public sealed class LedgerCheck
{
    /// <summary>Bound, Identity, Threshold, Sanity or NegativeControl.</summary>
    public string Kind { get; set; } = "";
    public long Checks { get; set; }
    public long Failed { get; set; }
    /// <summary>The worst finite margin (≤ 1 held); null when no check of this kind has a margin.</summary>
    public double? WorstMargin { get; set; }
    /// <summary>A check met NaN or ∞.</summary>
    public bool NonFinite { get; set; }
    public string WorstCheck { get; set; } = "";
}

/// <summary>A test the run did not execute (filtered out, or Slow in the default tier).</summary>
public sealed class LedgerNotRun
{
    public string FullName { get; set; } = "";
    public string Claim { get; set; } = "";
    public bool Slow { get; set; }
}
