using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using NUnit.Framework;
using LoopedIcl.Claims;
using NUnit.Framework.Interfaces;

namespace LoopedIcl.TestSupport;

/// <summary>
/// The ledger of one test-assembly run: a JSON file &lt;LedgerDirectory&gt;/&lt;assembly&gt;.&lt;UTC time&gt;.json holding every test
/// that ran with its NUnit outcome, its claim, its replay command and what <see cref="ClaimLedger"/> recorded for it. A complete
/// run (every test outside [Category("Slow")] ran) replaces the assembly's earlier files; a filtered run adds a file beside
/// them, so it never wipes the other claims (the report merges, newest outcome per test, and flags partial coverage).
/// </summary>
public static class LedgerFile
{
    private static readonly DateTime Started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>The categories of a test and of every suite above it, nearest first.</summary>
    public static IEnumerable<string> CategoriesOf(ITest test)
    {
        for (ITest? t = test; t is not null; t = t.Parent)
            foreach (var c in t.Properties["Category"].Cast<string>())
                yield return c;
    }

    /// <summary>
    /// The claim of a test: its nearest category that is a registered claim (<see cref="ClaimRegistry"/>); failing that, its nearest
    /// category that is not a label (the registry test then flags it); UNCATEGORISED if none.
    /// </summary>
    public static string ClaimOf(ITest test)
    {
        var cats = CategoriesOf(test).ToArray();
        return cats.FirstOrDefault(ClaimRegistry.IsClaim) ?? cats.FirstOrDefault(c => !CategoryLabels.All.Contains(c)) ?? "UNCATEGORISED";
    }

    /// <summary>A command that replays one test with this run's base seed and trial count, pasteable into bash as is.</summary>
    public static string ReplayCommand(ITest test)
    {
        var project = (test.TypeInfo?.Assembly.GetName().Name ?? "").Replace("LoopedIcl.", "", StringComparison.Ordinal);
        var name = test.FullName;
        int paren = name.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0) name = name[..paren];
        // The tier term keeps a default test's replay from also running a Slow case of the same method (a --filter replaces the Where).
        var selection = $"Category={ClaimOf(test)}&FullyQualifiedName~{TestTiers.Escape(name)}";
        // A Slow case replays alone (its exact name): the other cases of its method may train for hours.
        var filter = CategoriesOf(test).Contains(CategoryLabels.Slow) ? TestTiers.Slow($"{selection}&Name={TestTiers.Escape(test.Name)}") : TestTiers.Default(selection);
        var trials = TestSettings.Trials == TestSettings.DefaultTrials ? "" : $" 'TestRunParameters.Parameter(name=\"Trials\", value=\"{TestSettings.Trials}\")'";
        return $"dotnet test {(project.Length > 0 ? project : "LoopedIcl.Verification.sln")} -c Release --settings tests.runsettings --filter {Quote(filter)} -- " +
               $"'TestRunParameters.Parameter(name=\"Seed\", value=\"{TestSettings.Seed}\")'{trials}";
    }

    /// <summary>Single-quotes a string for bash.</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static IEnumerable<ITest> Leaves(ITest t) => t.IsSuite ? t.Tests.SelectMany(Leaves) : new[] { t };

    private static void Results(ITestResult r, Dictionary<string, ITestResult> into)
    {
        into[r.Test.Id] = r;
        foreach (var c in r.Children) Results(c, into);
    }

    /// <summary>Passed, Failed, Error, Skipped, Inconclusive, Warning or Cancelled.</summary>
    public static string Outcome(ResultState s) =>
        s.Status switch
        {
            TestStatus.Passed => "Passed",
            TestStatus.Skipped => "Skipped",
            TestStatus.Inconclusive => "Inconclusive",
            TestStatus.Warning => "Warning",
            _ when s.Label == "Error" => "Error",
            _ when s.Label == "Cancelled" => "Cancelled",
            _ => "Failed",
        };

    internal static void Write(string assemblyName, ITest suite, ITestResult suiteResult, IReadOnlyDictionary<string, ClaimLedger.TestRecord> records)
    {
        var results = new Dictionary<string, ITestResult>(StringComparer.Ordinal);
        Results(suiteResult, results);
        var doc = new LedgerDocument
        {
            Schema = LedgerDocument.CurrentSchema,
            Assembly = assemblyName,
            RunId = Guid.NewGuid().ToString("N"),
            StartedUtc = Started,
            WrittenUtc = DateTime.UtcNow,
            Seed = TestSettings.Seed,
            Trials = TestSettings.Trials,
            Commit = Git("rev-parse HEAD"),
            Machine = $"{Environment.MachineName}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}",
        };
        var asm = suite.TypeInfo?.Assembly;
        if (asm is not null && !string.IsNullOrEmpty(asm.Location)) doc.AssemblyWriteTimeUtc = File.GetLastWriteTimeUtc(asm.Location);
        foreach (var t in Leaves(suite))
        {
            if (results.TryGetValue(t.Id, out var r)) doc.Tests.Add(Entry(t, Outcome(r.ResultState), r.Message, r.Duration, records.GetValueOrDefault(t.Id)));
            else if (t.RunState != RunState.Explicit) doc.NotRun.Add(new LedgerNotRun { FullName = t.FullName, Claim = ClaimOf(t), Slow = CategoriesOf(t).Contains("Slow") });
        }
        // Checks made in a fixture's one-time set-up belong to the fixture: they stand or fall with that set-up.
        foreach (var rec in records.Values)
        {
            if (!results.TryGetValue(rec.Id, out var r) || !r.Test.IsSuite) continue;
            bool setUpFailed = r.ResultState.Status != TestStatus.Passed && r.ResultState.Site != FailureSite.Child;
            doc.Tests.Add(Entry(r.Test, setUpFailed ? Outcome(r.ResultState) : "Passed", setUpFailed ? r.Message : null, 0, rec, " (one-time set-up)"));
        }
        doc.Complete = doc.NotRun.All(n => n.Slow);

        var dir = TestSettings.LedgerDirectory;
        if (!Path.IsPathRooted(dir)) dir = Path.Combine(TestSettings.RepositoryRoot(), dir);
        Directory.CreateDirectory(dir);
        if (doc.Complete)
            foreach (var old in Directory.GetFiles(dir, assemblyName + ".*json"))
                File.Delete(old);
        File.WriteAllText(Path.Combine(dir, $"{assemblyName}.{doc.WrittenUtc:yyyyMMdd'T'HHmmssfff}.json"), JsonSerializer.Serialize(doc, Options));

        foreach (var g in doc.Tests.GroupBy(e => e.Claim).OrderBy(g => g.Key, StringComparer.Ordinal))
            TestContext.Progress.WriteLine($"[ledger] {g.Key,-14} " + string.Join(" ", g.GroupBy(e => e.Outcome).Select(o => $"{o.Key.ToLowerInvariant()}={o.Count()}")));
        foreach (var e in doc.Tests.Where(e => !e.Passed))
            TestContext.Progress.WriteLine($"[ledger] {e.Outcome}: {e.FullName}\n         replay: {e.Replay}");
        if (!doc.Complete) TestContext.Progress.WriteLine($"[ledger] filtered run: {doc.NotRun.Count(n => !n.Slow)} test(s) not run; the earlier ledger files of {assemblyName} are kept");
    }

    private static LedgerTest Entry(ITest t, string outcome, string? message, double duration, ClaimLedger.TestRecord? rec, string suffix = "")
    {
        var e = new LedgerTest
        {
            FullName = t.FullName + suffix,
            Claim = ClaimOf(t),
            Categories = CategoriesOf(t).Distinct().ToList(),
            Outcome = outcome,
            Replay = ReplayCommand(t),
            DurationSeconds = Math.Round(duration, 3),
        };
        if (!e.Passed && message is not null) e.Message = message.Length > 2000 ? message[..2000] + "…" : message;
        if (rec is null) return e;
        lock (rec)
        {
            e.Checks = rec.Kinds.OrderBy(k => k.Key).Select(k => new LedgerCheck
            {
                Kind = k.Key.ToString(),
                Checks = k.Value.Checks,
                Failed = k.Value.Failed,
                WorstMargin = k.Value.WithMargin > 0 && double.IsFinite(k.Value.WorstMargin) ? k.Value.WorstMargin : null,
                NonFinite = k.Value.WithMargin > 0 && double.IsPositiveInfinity(k.Value.WorstMargin),
                WorstCheck = k.Value.WorstCheck,
            }).ToList();
            e.NegativeControls = rec.NegativeControls.ToList();
            var notes = rec.Notes.Distinct().Take(50).ToList();
            // A note is a measured number only when its test passed; otherwise it is kept apart, marked.
            if (e.Passed) e.Notes = notes; else e.NotesFromFailingTest = notes;
            e.Counts = new Dictionary<string, long>(rec.Counts);
            if (e.Passed) e.Values = rec.Values.Where(v => double.IsFinite(v.Value)).ToDictionary(v => v.Key, v => v.Value);
        }
        return e;
    }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static string? Git(string args)
    {
        try
        {
            var psi = new ProcessStartInfo("git", args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestSettings.RepositoryRoot() };
            using var p = Process.Start(psi)!;
            var s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit(5000);
            return p.ExitCode == 0 && s.Length > 0 ? s : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}
