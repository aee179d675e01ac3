namespace LoopedIcl.Claims;

/// <summary>Where the suite's repository is: the folder holding the solution file, found by walking up from a start folder.</summary>
public static class Repository
{
    public const string SolutionFile = "LoopedIcl.Verification.sln";

    /// <summary>The first folder at or above any of <paramref name="starts"/> (tried in order) that holds the solution file, or null.</summary>
    public static string? FindRoot(params string[] starts)
    {
        foreach (var start in starts)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile))) return dir.FullName;
        return null;
    }
}
