using System.Globalization;

namespace LoopedIcl.Report;

/// <summary>
/// The report's command line, parsed and validated before any work: every flag known, every value present (a flag is never
/// taken as a value), numbers in range, the output folder writable, ledger folders present. A problem is one message and exit 2.
/// </summary>
internal sealed class Options
{
    public const string Usage =
        """
        dotnet run -c Release --project Report -- [options]
          --out DIR            where REPORT.md, claims.json and figures/ go (default: report)
          --ledger DIR [DIR…]  ledger folders to read and merge (default: artifacts/ledger); several only with --no-tests
          --no-tests           do not run the tests; build the report from existing ledgers
          --partial            accept ledgers that miss claims, are stale or mix seeds (the report says so at the top)
          --scale N            sample-size multiplier of the figures (whole number ≥ 1; default 1)
          --check-docs DIR     compare DIR/REPORT.md and DIR/claims.json with this run (seed = tests.runsettings' default,
                               same claim statuses); exit 1 if they differ. Writes nothing unless --out is also given
          --update-readme      rewrite README.md's claims table from the claim registry
          --check-readme       exit 1 if README.md's claims table differs from the claim registry
          --print-filter SEL   print a dotnet test --filter and exit: SEL is a CI shard family (AHN, GAT, CHEN, LEARN, SUITE),
                               a claim ID or a filter expression; the filter runs the default tier unless SEL says Slow
          --list-slow          print the Slow (paper-scale) tests, one per line, and exit
          --print-slow-shard i/N  print the --filter of shard i of N of the Slow tier (tests sorted by name, dealt round-robin)
          --no-figures         write REPORT.md and claims.json without figures and the Learning section (a quick merge)
          -h, --help           this text
        dotnet run -c Release --project Report -- check-model FILE [--layout …] [--n N] [--sigma …] [--out DIR]
                               check your own trained model (see check-model --help)
        Exit codes: 0 every claim held; 1 a claim failed, the test run failed, or a check differs; 2 bad input or unusable ledger.
        """;

    public string OutDir { get; private set; } = "report";
    public bool OutGiven { get; private set; }
    public List<string> LedgerDirs { get; } = new();
    public bool RunTests { get; private set; } = true;
    public bool Partial { get; private set; }
    public int Scale { get; private set; } = 1;
    public string? CheckDocs { get; private set; }
    public bool UpdateReadme { get; private set; }
    public bool CheckReadme { get; private set; }
    public string? PrintFilter { get; private set; }
    public bool ListSlow { get; private set; }
    public (int Index, int Count)? SlowShard { get; private set; }
    public bool Figures { get; private set; } = true;
    public bool Help { get; private set; }

    /// <summary>Parses and validates; throws <see cref="UsageException"/> with one clear message.</summary>
    public static Options Parse(string[] args, string cwd, string root)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            var a = args[i];
            switch (a)
            {
                case "--out": o.OutDir = Value(args, ref i); o.OutGiven = true; break;
                case "--ledger":
                    o.LedgerDirs.Add(Value(args, ref i));
                    while (i + 1 < args.Length && !args[i + 1].StartsWith('-')) o.LedgerDirs.Add(args[++i]);
                    break;
                case "--no-tests": o.RunTests = false; break;
                case "--partial": o.Partial = true; break;
                case "--scale":
                    var s = Value(args, ref i);
                    if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var scale) || scale < 1 || scale > 1000)
                        throw new UsageException($"--scale takes a whole number from 1 to 1000 (1 = default tier, 10 = paper-size samples), got '{s}'");
                    o.Scale = scale;
                    break;
                case "--check-docs": o.CheckDocs = Value(args, ref i); break;
                case "--update-readme": o.UpdateReadme = true; break;
                case "--check-readme": o.CheckReadme = true; break;
                case "--print-filter": o.PrintFilter = Value(args, ref i); break;
                case "--list-slow": o.ListSlow = true; break;
                case "--print-slow-shard":
                    try { o.SlowShard = Claims.TestTiers.ParseShard(Value(args, ref i)); }
                    catch (ArgumentException e) { throw new UsageException("--print-slow-shard: " + e.Message.Split(" (Parameter")[0]); }
                    break;
                case "--no-figures": o.Figures = false; break;
                case "-h" or "--help": o.Help = true; break;
                default:
                    throw new UsageException(a.StartsWith('-') ? $"unknown option '{a}'" : $"unexpected argument '{a}' (options take their value right after the flag)");
            }
        }
        if (o.Help) return o;
        if (o.PrintFilter is not null && Claims.ClaimRegistry.Families.Contains(o.PrintFilter.ToUpperInvariant()) && !Claims.ClaimRegistry.Families.Contains(o.PrintFilter))
            throw new UsageException($"--print-filter: families are upper case ({string.Join(", ", Claims.ClaimRegistry.Families)}), got '{o.PrintFilter}'");
        if (o.PrintFilter is not null && !o.PrintFilter.Contains('=') && !o.PrintFilter.Contains('~') && !Claims.ClaimRegistry.Families.Contains(o.PrintFilter) && !Claims.ClaimRegistry.IsClaim(o.PrintFilter))
            throw new UsageException($"--print-filter takes a family ({string.Join(", ", Claims.ClaimRegistry.Families)}), a claim ID or a filter expression, got '{o.PrintFilter}'");
        if (o.RunTests && o.LedgerDirs.Count > 1)
            throw new UsageException("several --ledger folders are merged only with --no-tests (a test run writes one ledger)");
        if (o.LedgerDirs.Count == 0) o.LedgerDirs.Add(Path.Combine("artifacts", "ledger"));
        for (int k = 0; k < o.LedgerDirs.Count; k++)
        {
            var dir = Path.GetFullPath(o.LedgerDirs[k], o.LedgerDirs[k] == Path.Combine("artifacts", "ledger") ? root : cwd);
            if (!o.RunTests && !Directory.Exists(dir))
                throw new UsageException($"--ledger: no such folder '{dir}'; produce a ledger with: dotnet test LoopedIcl.Verification.sln -c Release --settings tests.runsettings");
            o.LedgerDirs[k] = dir;
        }
        if (o.CheckDocs is not null)
        {
            o.CheckDocs = Path.GetFullPath(o.CheckDocs, cwd);
            if (!File.Exists(Path.Combine(o.CheckDocs, "REPORT.md")))
                throw new UsageException($"--check-docs: no REPORT.md in '{o.CheckDocs}'");
        }
        o.OutDir = Path.GetFullPath(o.OutDir, cwd);
        bool writesOutput = o.PrintFilter is null && !o.ListSlow && o.SlowShard is null && !o.UpdateReadme && !o.CheckReadme && (o.CheckDocs is null || o.OutGiven);
        if (writesOutput) EnsureWritable(o.OutDir);
        return o;
    }

    /// <summary>The value after a flag; a missing value or another flag in its place is an error.</summary>
    private static string Value(string[] args, ref int i)
    {
        var flag = args[i];
        if (i + 1 >= args.Length) throw new UsageException($"{flag} needs a value");
        var v = args[i + 1];
        if (v.StartsWith("--", StringComparison.Ordinal) || v == "-h") throw new UsageException($"{flag} needs a value, got the option '{v}'");
        if (v.Length == 0) throw new UsageException($"{flag} needs a non-empty value");
        i++;
        return v;
    }

    /// <summary>Creates the folder and writes and deletes a probe file in it, so an unwritable path fails now, not after the run.</summary>
    private static void EnsureWritable(string dir)
    {
        if (File.Exists(dir) || (Path.Exists(dir) && !Directory.Exists(dir)))
            throw new UsageException($"--out: '{dir}' exists and is not a folder");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "figures"));
            var probe = Path.Combine(dir, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"--out: cannot write to '{dir}' ({e.Message})");
        }
    }
}

/// <summary>Bad input: printed as one line, exit code 2, never a stack trace.</summary>
internal sealed class UsageException(string message) : Exception(message);
