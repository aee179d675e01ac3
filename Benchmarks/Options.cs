namespace LoopedIcl.Benchmarks;

/// <summary>The quick mode's command line, validated before any work: unknown or valueless flags and an unwritable --json path are errors.</summary>
internal sealed record Options(string? JsonPath, int Rounds, string? OldMain, int? WidthChild = null, string? Anchor = null)
{
    public const string Usage = "usage: --quick [--json FILE] [--rounds N (1..50, default 5)] [--old-main DIR (from Benchmarks/old-main.sh)]   or   --bdn [BenchmarkDotNet args]";

    /// <summary>Parses the quick-mode arguments; on an error returns null and the message.</summary>
    public static (Options? Options, string? Error) Parse(string[] args)
    {
        string? json = null, oldMain = null, anchor = null;
        int? widthChild = null;
        int rounds = 5;
        bool quick = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? Value()
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)) return null;
                return args[++i];
            }
            switch (a)
            {
                case "--quick": quick = true; break;
                case "--json":
                    json = Value();
                    if (json is null) return (null, "--json needs a file path");
                    break;
                case "--rounds":
                    var r = Value();
                    if (r is null || !int.TryParse(r, System.Globalization.CultureInfo.InvariantCulture, out rounds) || rounds < 1 || rounds > 50)
                        return (null, "--rounds needs an integer in 1..50");
                    break;
                case "--old-main":
                    oldMain = Value();
                    if (oldMain is null) return (null, "--old-main needs the directory made by Benchmarks/old-main.sh");
                    break;
                case "--width-child":   // internal: one width's measurements, in a child process started by --quick
                    var w = Value();
                    if (w is null || !int.TryParse(w, System.Globalization.CultureInfo.InvariantCulture, out int bits) || !LoopedIcl.Numerics.Engine.SimdWidth.All.Contains(bits))
                        return (null, "--width-child needs 512, 256 or 128");
                    widthChild = bits;
                    break;
                case "--anchor":        // internal: the C anchor built for the child's width
                    anchor = Value();
                    if (anchor is null) return (null, "--anchor needs the compiled C anchor");
                    break;
                default:
                    return (null, $"unknown argument '{a}'");
            }
        }
        if (!quick) return (null, "--quick is required");
        if (json is not null && !Writable(json, out var why)) return (null, $"--json path '{json}' is not writable: {why}");
        if (oldMain is not null && !File.Exists(OldMainDll(oldMain))) return (null, $"--old-main: '{OldMainDll(oldMain)}' does not exist (run Benchmarks/old-main.sh {oldMain})");
        return (new Options(json, rounds, oldMain, widthChild, anchor), null);
    }

    public static string OldMainDll(string dir) => Path.Combine(dir, "OldBench", "out", "OldBench.dll");

    private static bool Writable(string path, out string why)
    {
        try
        {
            bool existed = File.Exists(path);
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write)) { }
            if (!existed) File.Delete(path);
            why = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            why = e.Message;
            return false;
        }
    }
}
