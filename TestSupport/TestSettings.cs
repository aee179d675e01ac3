using NUnit.Framework;

namespace LoopedIcl.TestSupport;

/// <summary>Run parameters from tests.runsettings (TestRunParameters), with defaults for a bare `dotnet test`.</summary>
public static class TestSettings
{
    /// <summary>Random instances per property (FsCheck MaxTest).</summary>
    public static int Trials => Int("Trials", 100);

    /// <summary>The base seed: FsCheck's replay seed and the default seed of every Monte Carlo stream.</summary>
    public static int Seed => Int("Seed", 20261122);

    /// <summary>Folder of the claim ledger (JSON), relative to the repository root unless absolute.</summary>
    public static string LedgerDirectory => Str("LedgerDirectory", Path.Combine("artifacts", "ledger"));

    public static int Int(string name, int fallback)
    {
        var s = TestContext.Parameters.Get(name);
        if (s is null) return fallback;
        if (!int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v))
            throw new ArgumentException($"TestRunParameter {name} must be an integer (got '{s}').", name);
        return v;
    }

    public static string Str(string name, string fallback) => TestContext.Parameters.Get(name) ?? fallback;

    /// <summary>A hash that is the same in every process (string.GetHashCode is randomised per process): FNV-1a, 32 bits.</summary>
    public static int StableHash(string text)
    {
        unchecked
        {
            uint h = 2166136261;
            foreach (var ch in text) { h ^= ch; h *= 16777619; }
            return (int)h;
        }
    }

    /// <summary>The seed of one named stream: the base seed mixed with a stable hash of the name.</summary>
    public static int SeedFor(string name) => Seed ^ StableHash(name);

    /// <summary>The repository root (the folder holding LoopedIcl.Verification.sln).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LoopedIcl.Verification.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
