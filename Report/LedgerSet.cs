using System.Text.Json;
using LoopedIcl.Claims;

namespace LoopedIcl.Report;

/// <summary>
/// The ledger files of one or more folders merged into one view: per test the newest outcome; the run facts (seeds, trials,
/// commits, machines); and every reason the view is not a complete, fresh run of the current build (<see cref="Problems"/>).
/// </summary>
internal sealed class LedgerSet
{
    public List<(string File, LedgerDocument Doc)> Documents { get; } = new();
    /// <summary>Per test (assembly + full name): the newest record.</summary>
    public Dictionary<string, (LedgerTest Test, LedgerDocument From)> Tests { get; } = new(StringComparer.Ordinal);
    /// <summary>Why this ledger is not one complete fresh run: missing claims, stale files, mixed seeds, filtered runs.</summary>
    public List<string> Problems { get; } = new();

    public IEnumerable<int> Seeds => Documents.Select(d => d.Doc.Seed).Distinct().Order();
    public IEnumerable<int> Trials => Documents.Select(d => d.Doc.Trials).Distinct().Order();
    public IEnumerable<string> Commits => Documents.Select(d => d.Doc.Commit ?? "unknown").Distinct();
    public IEnumerable<string> Machines => Documents.Select(d => d.Doc.Machine).Distinct();
    public DateTime Written => Documents.Count == 0 ? default : Documents.Max(d => d.Doc.WrittenUtc);

    /// <summary>Reads every *.json in the folders. Unreadable or old-format files are errors (<see cref="UsageException"/>).</summary>
    public static LedgerSet Read(IEnumerable<string> dirs, string root, string configuration, string? headCommit, Func<string, bool> sameCode)
    {
        var set = new LedgerSet();
        foreach (var dir in dirs)
        {
            var files = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal).ToArray() : [];
            if (files.Length == 0) throw new UsageException($"no ledger files in {dir}; produce them with: dotnet test LoopedIcl.Verification.sln -c Release --settings tests.runsettings");
            foreach (var file in files)
            {
                LedgerDocument? doc;
                try { doc = JsonSerializer.Deserialize<LedgerDocument>(File.ReadAllText(file)); }
                catch (JsonException e) { throw new UsageException($"{file} is not a ledger file ({e.Message})"); }
                if (doc is null || doc.Schema != LedgerDocument.CurrentSchema)
                    throw new UsageException($"{file} has ledger schema {doc?.Schema.ToString() ?? "none"}, this report reads {LedgerDocument.CurrentSchema}: rerun the tests");
                set.Documents.Add((file, doc));
            }
        }
        foreach (var (file, doc) in set.Documents.OrderBy(d => d.Doc.WrittenUtc))
        {
            foreach (var t in doc.Tests) set.Tests[doc.Assembly + "|" + t.FullName] = (t, doc);
            // Stale: the assembly was rebuilt after it wrote this file, or the file is from a commit whose code differs from HEAD's
            // (a commit that only touched docs/ or README.md, e.g. regenerating the report, keeps it fresh).
            var project = doc.Assembly.Replace("LoopedIcl.", "", StringComparison.Ordinal);
            var dll = Path.Combine(root, project, "bin", configuration, "net10.0", doc.Assembly + ".dll");
            // (A file from another machine, e.g. a Slow shard's, is judged by its commit only: build times there are not ours.)
            bool here = doc.Machine.StartsWith(Environment.MachineName + ",", StringComparison.Ordinal);
            if (here && doc.AssemblyWriteTimeUtc is { } built && File.Exists(dll) && File.GetLastWriteTimeUtc(dll) > built.AddSeconds(1))
                set.Problems.Add($"stale: {Path.GetFileName(file)} was written by an older build of {doc.Assembly} (rebuilt {File.GetLastWriteTimeUtc(dll):u})");
            if (headCommit is not null && doc.Commit is not null && doc.Commit != headCommit && !sameCode(doc.Commit))
                set.Problems.Add($"stale: {Path.GetFileName(file)} is from commit {doc.Commit[..Math.Min(10, doc.Commit.Length)]}, HEAD is {headCommit[..Math.Min(10, headCommit.Length)]}");
        }
        foreach (var doc in set.Documents.Select(d => d.Doc))
            foreach (var n in doc.NotRun.Where(n => !n.Slow && !set.Tests.ContainsKey(doc.Assembly + "|" + n.FullName)))
            {
                set.Problems.Add($"partial: {doc.Assembly} was run with a filter (e.g. {n.FullName} did not run)");
                break;
            }
        if (set.Seeds.Count() > 1) set.Problems.Add($"mixed: the ledger files come from base seeds {string.Join(", ", set.Seeds)}");
        if (set.Trials.Count() > 1) set.Problems.Add($"mixed: the ledger files come from trial counts {string.Join(", ", set.Trials)}");
        var ran = set.Tests.Values.Select(t => t.Test.Claim).ToHashSet(StringComparer.Ordinal);
        var missing = ClaimRegistry.All.Where(c => !ran.Contains(c.Id)).Select(c => c.Id).ToArray();
        if (missing.Length > 0) set.Problems.Add($"partial: no test ran for {string.Join(", ", missing)}");
        var unregistered = ran.Where(c => !ClaimRegistry.IsClaim(c)).Order(StringComparer.Ordinal).ToArray();
        if (unregistered.Length > 0) set.Problems.Add($"unregistered: tests ran under categories that are not registered claims: {string.Join(", ", unregistered)}");
        return set;
    }
}
