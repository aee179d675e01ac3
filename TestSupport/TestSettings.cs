using System.Globalization;
using LoopedIcl.Experiments;
using NUnit.Framework;

namespace LoopedIcl.TestSupport;

/// <summary>Run parameters from tests.runsettings (TestRunParameters), with defaults for a bare `dotnet test`.</summary>
public static class TestSettings
{
    public const int DefaultTrials = 100;
    public const int DefaultSeed = SeedPlan.DefaultBase;

    /// <summary>Random instances per property (FsCheck MaxTest); ≥ 1 (checked once by <see cref="Validate"/>).</summary>
    public static int Trials => Int("Trials", DefaultTrials);

    /// <summary>The base seed: FsCheck's replay seed and the default seed of every Monte Carlo stream.</summary>
    public static int Seed => Int("Seed", DefaultSeed);

    /// <summary>Folder of the claim ledger (JSON), relative to the repository root unless absolute.</summary>
    public static string LedgerDirectory => Str("LedgerDirectory", Path.Combine("artifacts", "ledger"));

    /// <summary>
    /// Every run parameter's problem in one message (null when all are valid): Trials a whole number ≥ 1, Seed a 32-bit
    /// integer, LedgerDirectory non-empty. Called once before any test (<see cref="SuiteSetup"/>).
    /// </summary>
    public static string? Validate() => Validate(TestContext.Parameters.Get);

    /// <summary>The same check over any parameter lookup (testable without a run).</summary>
    public static string? Validate(Func<string, string?> get)
    {
        var problems = new List<string>();
        var trials = get("Trials");
        if (trials is not null && !(int.TryParse(trials, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) && t >= 1))
            problems.Add($"Trials must be a whole number ≥ 1 (got '{trials}')");
        var seed = get("Seed");
        if (seed is not null && !int.TryParse(seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            problems.Add($"Seed must be an integer in [{int.MinValue}, {int.MaxValue}] (got '{seed}')");
        var ledger = get("LedgerDirectory");
        if (ledger is not null && string.IsNullOrWhiteSpace(ledger))
            problems.Add("LedgerDirectory must not be empty");
        return problems.Count == 0 ? null
            : "Invalid TestRunParameters: " + string.Join("; ", problems) +
              ". Example: dotnet test LoopedIcl.Verification.sln -c Release --settings tests.runsettings -- 'TestRunParameters.Parameter(name=\"Seed\", value=\"7\")' 'TestRunParameters.Parameter(name=\"Trials\", value=\"100\")'";
    }

    public static int Int(string name, int fallback)
    {
        var s = TestContext.Parameters.Get(name);
        if (s is null) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw new ArgumentException($"TestRunParameter {name} must be an integer (got '{s}').", name);
        return v;
    }

    public static string Str(string name, string fallback) => TestContext.Parameters.Get(name) ?? fallback;

    /// <summary>The seed of one named stream: the base seed mixed with a stable hash of the name.</summary>
    public static int SeedFor(string name) => Plan.Int(name);

    /// <summary>The named seed as the engine's 64-bit seed (<see cref="SeedPlan.EngineSeed"/>: sign-extended; <c>Plan.Stream(name)</c> zero-extends).</summary>
    public static ulong EngineSeedFor(string name) => SeedPlan.EngineSeed(SeedFor(name));

    /// <summary>This run's seed derivation (<see cref="SeedPlan"/>): the same names give the report and the snapshots the same streams.</summary>
    public static SeedPlan Plan => new(Seed);

    /// <summary>The repository root (the folder holding LoopedIcl.Verification.sln).</summary>
    public static string RepositoryRoot() => Repository.FindRoot(AppContext.BaseDirectory) ?? Directory.GetCurrentDirectory();
}
