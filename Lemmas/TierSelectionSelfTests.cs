using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LoopedIcl.Claims;
using Leaf = LoopedIcl.TestSupport.TestSelection.Leaf;

namespace LoopedIcl.Lemmas;

/// <summary>
/// VERDICT: every command runs exactly the tier it names. A --filter replaces tests.runsettings' Where (cat != Slow), so each
/// filter the tools print (CI's shards, replay lines, the Slow shards), each dotnet test command of the README and each filter in
/// CI's scripts is evaluated here against the test trees NUnit builds from the built assemblies (<see cref="TestSelection"/>, the
/// adapter's own filter conversion), and must select tests of its tier only: the default tier unless it says Slow.
/// </summary>
[TestFixture, Category(ClaimIds.Verdict)]
public sealed partial class TierSelectionSelfTests
{
    private static string Root => TestSettings.RepositoryRoot();
    private static IReadOnlyList<Leaf> All => TestSelection.All();
    private static string? RunsettingsWhere => TestSelection.WhereOf(Path.Combine(Root, "tests.runsettings"));

    /// <summary>The claim's check: a non-empty selection, all of one tier; the offenders are named.</summary>
    private static void SelectsOnly(string what, IReadOnlyList<Leaf> selected, bool slow)
    {
        Checks.True(selected.Count > 0, $"{what} selects at least one test");
        var wrong = selected.Where(l => l.IsSlow != slow).Select(l => l.FullName).ToArray();
        Checks.True(wrong.Length == 0, $"{what} selects only {(slow ? "Slow" : "default-tier")} tests; also selects {wrong.Length}: {string.Join(", ", wrong.Take(5))}");
    }

    /// <summary>VERDICT: each CI shard's filter (as `Report -- --print-filter FAMILY` prints it) selects no Slow test, and together they are the default tier.</summary>
    [Test]
    public void VERDICT_Shard_filters_run_the_default_tier_only()
    {
        // What the tool prints is TestTiers.Filter (one process, for one family: the others go through the same call in-process).
        var (exit, stdout, stderr) = ChildProcesses.Run(ChildProcesses.Dotnet(ReportDll(), Root, ["--print-filter", "LEARN"]), TimeSpan.FromSeconds(60));
        Checks.True(exit == 0 && stdout.Trim() == ClaimRegistry.FilterFor("LEARN"), $"--print-filter LEARN prints ClaimRegistry.FilterFor (exit {exit}: {stdout.Trim()} {stderr})");
        var union = new HashSet<string>(StringComparer.Ordinal);
        foreach (var family in ClaimRegistry.Families)
        {
            var filter = TestTiers.Filter(family);
            Checks.True(filter == ClaimRegistry.FilterFor(family), $"--print-filter {family} is the shard filter");
            var selected = TestSelection.Select(All, filter, null);
            SelectsOnly($"shard {family} ({filter})", selected, slow: false);
            union.UnionWith(selected.Select(l => l.Assembly + "|" + l.FullName));
        }
        var defaultTier = TestSelection.Select(All, null, RunsettingsWhere).Select(l => l.Assembly + "|" + l.FullName).ToHashSet(StringComparer.Ordinal);
        Checks.True(union.SetEquals(defaultTier), $"the shards together run the default tier ({union.Count} vs {defaultTier.Count} tests)");
        SelectsOnly("tests.runsettings without a --filter", TestSelection.Select(All, null, RunsettingsWhere), slow: false);

        // Control: the shard filter as it was printed before it named its tier runs the family's paper-scale tests too.
        var untiered = string.Join("|", ClaimRegistry.OfFamily("LEARN").Select(c => "Category=" + c.Id));
        Properties.ExpectViolation("LEARN shard filter without its tier term", () => SelectsOnly($"shard LEARN ({untiered})", TestSelection.Select(All, untiered, null), slow: false));
        ClaimLedger.Count("shard filters evaluated", ClaimRegistry.Families.Length);
    }

    /// <summary>
    /// VERDICT: every dotnet test command of the README runs the tier it names, and its one-claim forms do so for every claim
    /// (the default-tier form selects no Slow test of any claim, e.g. LEARN-AHN-F4's hour-long recipe).
    /// </summary>
    [Test]
    public void VERDICT_Readme_commands_run_the_tier_they_name()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var commands = Backticked().Matches(readme).Select(m => m.Groups[1].Value)
            .Where(c => c.StartsWith("dotnet test ", StringComparison.Ordinal) && !c.Contains('<') && !c.Contains('…')).Distinct().ToArray();
        Checks.True(commands.Length >= 6, $"the README documents its dotnet test commands (found {commands.Length})");
        int oneClaim = 0, evaluated = 0;
        foreach (var command in commands)
        {
            var (filter, where) = Selection(command);
            bool slow = NamesSlow(filter, where);
            SelectsOnly($"README: {command}", TestSelection.Select(All, filter, where), slow);
            evaluated++;
            // A one-claim form: the same command for every claim.
            if (filter is null || ClaimRegistry.All.FirstOrDefault(c => filter.Contains("Category=" + c.Id + "&", StringComparison.Ordinal)) is not { } claim) continue;
            oneClaim++;
            foreach (var other in ClaimRegistry.All)
            {
                var f = filter.Replace("Category=" + claim.Id + "&", "Category=" + other.Id + "&", StringComparison.Ordinal);
                var selected = TestSelection.Select(All, f, null);
                if (selected.Count > 0 || !slow) SelectsOnly($"README's one-claim form for {other.Id}: --filter \"{f}\"", selected, slow);
                evaluated++;
            }
        }
        Checks.True(oneClaim >= 2, $"the README shows one claim's default tests and one claim's Slow tests (found {oneClaim} one-claim forms)");
        Checks.True(commands.Any(c => Selection(c) is { Filter: null } sel && sel.Where == RunsettingsWhere), "the README shows the default tier (no filter)");
        Checks.True(commands.Any(c => Selection(c).Filter == TestTiers.SlowTerm), "the README shows the whole Slow tier");

        // Control: the README's one-claim command as issue 24 found it (no tier term) runs LEARN-AHN-F4's paper-scale recipe.
        Properties.ExpectViolation("one-claim filter without its tier term", () => SelectsOnly("--filter Category=LEARN-AHN-F4", TestSelection.Select(All, "Category=LEARN-AHN-F4", null), slow: false));
        ClaimLedger.Count("README commands evaluated", evaluated);
    }

    /// <summary>VERDICT: every test's replay line selects that test and only tests of its tier (a default case never replays a Slow case of its method).</summary>
    [Test]
    public void VERDICT_Replay_lines_run_their_test_in_its_tier()
    {
        var all = All;
        // A replay line names its test project and selects FullyQualifiedName~<method>, which only a test whose full name contains
        // that method's full name can match: its filter is evaluated on those tests of that assembly (the rest cannot pass it).
        var byFilter = all.GroupBy(l => (l.Assembly, Filter: Selection(LedgerFile.ReplayCommand(l.Test)).Filter ?? "", Method: MethodName(l))).ToArray();
        foreach (var g in byFilter)
        {
            Checks.True(g.Key.Filter.Contains("&FullyQualifiedName~" + TestTiers.Escape(g.Key.Method) + "&", StringComparison.Ordinal), $"replay filter {g.Key.Filter} selects its method by full name");
            var selected = TestSelection.Select(all.Where(l => l.Assembly == g.Key.Assembly && l.FullName.Contains(g.Key.Method, StringComparison.Ordinal)), g.Key.Filter, null);
            var names = selected.Select(l => l.Assembly + "|" + l.FullName).ToHashSet(StringComparer.Ordinal);
            Checks.True(g.All(l => names.Contains(l.Assembly + "|" + l.FullName)), $"replay filter {g.Key.Filter} selects its own test(s)");
            SelectsOnly($"replay filter {g.Key.Filter}", selected, g.First().IsSlow);
        }
        // Control: a Slow test's replay without its tier term would be a default-tier filter that reaches it (the AHN-T1 method has both).
        var slowLeaf = all.First(l => l.IsSlow && all.Any(o => !o.IsSlow && o.Test.Parent == l.Test.Parent));
        var bare = $"Category={LedgerFile.ClaimOf(slowLeaf.Test)}&FullyQualifiedName~{TestTiers.Escape(slowLeaf.Test.Parent!.FullName)}";
        Properties.ExpectViolation("replay filter without its tier term", () => SelectsOnly($"replay of a default case ({bare})", TestSelection.Select(all, bare, null), slow: false));
        ClaimLedger.Count("replay filters evaluated", byFilter.Length);
    }

    /// <summary>VERDICT: every --filter in CI's scripts and workflows names its tier or comes from the tools that compose one.</summary>
    [Test]
    public void VERDICT_Ci_scripts_filter_by_tier()
    {
        var files = Directory.GetFiles(Path.Combine(Root, ".ci")).Concat(Directory.GetFiles(Path.Combine(Root, ".github", "workflows"), "*.yml")).Order(StringComparer.Ordinal).ToArray();
        int seen = 0;
        foreach (var file in files)
        {
            var text = string.Join('\n', File.ReadLines(file).Where(l => !l.TrimStart().StartsWith('#')));
            foreach (Match m in FilterArgument().Matches(text))
            {
                var arg = m.Groups[1].Value.Trim('"', '\'');
                seen++;
                if (VariableName().Match(arg) is { Success: true } v)
                {
                    var name = v.Groups[1].Value;
                    Checks.True(Regex.IsMatch(text, $@"\b{name}=\$\((dotnet run [^)]*--project Report -- --print-(filter|slow-shard)|report --print-(filter|slow-shard))"),
                        $"{Path.GetFileName(file)}: --filter {arg} comes from Report -- --print-filter / --print-slow-shard");
                }
                else if (arg != "$filter" && !arg.StartsWith('$'))
                    Checks.True(TestTiers.NamesTier(arg), $"{Path.GetFileName(file)}: --filter {arg} names its tier");
            }
            foreach (Match m in WhereArgument().Matches(text))
                Checks.True(Regex.IsMatch(m.Value, @"cat\s*(==|!=)\s*Slow"), $"{Path.GetFileName(file)}: {m.Value} names its tier");
        }
        Checks.True(seen >= 3, $"the CI scripts' filters were found ({seen})");
        ClaimLedger.Count("CI filters checked", seen);
    }

    /// <summary>VERDICT: the listing parser keeps every name when the solution's projects interleave their output (as the Slow shards
    /// once saw: a shard found 5 of 42 Slow tests and refused to run), and reads nothing before the first header, from log lines or from blank indented lines.</summary>
    [Test]
    public void VERDICT_Listing_parser_reads_interleaved_projects()
    {
        const string listing = "Test run for /r/Lemmas.dll (.NETCoreApp,Version=v10.0)\nThe following Tests are available:\n" +
            "Test run for /r/Theorems.dll (.NETCoreApp,Version=v10.0)\n    INPUT_A\nThe following Tests are available:\n    LEARN_B(20)\n" +
            "Test run for /r/Snapshots.dll (.NETCoreApp,Version=v10.0)\r\n    WISHART_C(3)\r\n   NUnit3TestExecutor discovered 1 of 1\n" +
            "A total of 1 test files matched the specified pattern.\n    \n    SNAP_D\n";
        string[] expected = ["INPUT_A", "LEARN_B(20)", "WISHART_C(3)", "SNAP_D"];
        var names = TestTiers.ParseListedTests(listing);
        Checks.True(names.SequenceEqual(expected), $"the names of an interleaved listing: expected {string.Join(", ", expected)}, got {string.Join(", ", names)}");
        Checks.True(TestTiers.ParseListedTests("    NOT_A_TEST\nThe following Tests are available:\n").Count == 0, "nothing before the first header is a name");
    }

    /// <summary>
    /// VERDICT: the Slow shards partition the Slow tier for several N (every Slow test in exactly one shard), and each shard's
    /// filter selects exactly its tests, all Slow.
    /// </summary>
    [Test]
    public void VERDICT_Slow_shards_partition_the_Slow_tier()
    {
        var all = All;
        var slow = TestSelection.Select(all, TestTiers.SlowTerm, null);
        SelectsOnly("--filter Category=Slow", slow, slow: true);
        Checks.True(slow.Count == all.Count(l => l.IsSlow), "the Slow term selects every Slow test");
        var names = slow.Select(l => l.Name).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var n in new[] { 1, 2, 3, 5, 8, names.Length })
        {
            var shards = TestTiers.Shards(names, n);
            Checks.True(shards.Length == n && shards.All(s => s.Count > 0), $"N = {n}: {n} non-empty shards");
            var counts = names.ToDictionary(x => x, x => shards.Count(s => s.Contains(x)), StringComparer.Ordinal);
            Checks.True(counts.Values.All(c => c == 1) && shards.Sum(s => s.Count) == names.Length, $"N = {n}: every Slow test in exactly one shard");
            Checks.True(shards.Max(s => s.Count) - shards.Min(s => s.Count) <= 1, $"N = {n}: shard sizes differ by at most one");
            for (int i = 0; i < n; i++)
            {
                var selected = TestSelection.Select(all, TestTiers.SlowFilterFor(shards[i]), null);
                SelectsOnly($"Slow shard {i + 1}/{n}", selected, slow: true);
                Checks.True(selected.Select(l => l.Name).ToHashSet(StringComparer.Ordinal).SetEquals(shards[i]), $"Slow shard {i + 1}/{n}'s filter selects exactly its tests");
            }
        }
        foreach (var bad in new[] { "0/3", "4/3", "3", "a/b", "1/0", "" })
            Checks.True(Throws<ArgumentException>(() => TestTiers.ParseShard(bad)), $"shard '{bad}' is rejected");
        Checks.True(TestTiers.ParseShard("2/5") == (2, 5), "2/5 parses");
        ClaimLedger.Count("Slow tests sharded", names.Length);
    }

    /// <summary>
    /// VERDICT: the filter evaluation is dotnet test's: for the LEARN shard, the Slow tier and a Slow shard of two named tests,
    /// `dotnet test --list-tests` on the built Theorems assembly lists exactly the tests <see cref="TestSelection"/> selects.
    /// Slow only because it starts dotnet test three times (about 10 s of CPU); it runs with the Slow tier.
    /// </summary>
    [Test, Category(CategoryLabels.Slow)]
    public void VERDICT_Filter_evaluation_agrees_with_dotnet_test()
    {
        var theorems = TestAssemblies.All().Single(a => a.Project == "Theorems");
        string[] filters = [ClaimRegistry.FilterFor("LEARN"), TestTiers.SlowTerm, TestTiers.SlowFilterFor(["LEARN_AHN_D_Figure6_authors_recipe(20)", "LEARN_AHN_F4_Authors_recipe"])];
        for (int k = 0; k < filters.Length; k++)
        {
            var expected = TestSelection.Select(TestSelection.LeavesOf(theorems.Path), filters[k], null).Select(l => l.Name).Order(StringComparer.Ordinal).ToArray();
            var actual = ListTests(theorems.Path, filters[k]).Order(StringComparer.Ordinal).ToArray();
            Checks.True(actual.Length > 0 && actual.SequenceEqual(expected),
                $"--list-tests --filter {filters[k]}: dotnet test lists {actual.Length}, the evaluation selects {expected.Length} (first difference: {actual.Except(expected).Concat(expected.Except(actual)).FirstOrDefault()})");
        }
    }

    /// <summary>
    /// VERDICT: merging a default-tier ledger with a Slow shard's gives one report whose paper-scale section shows each Slow test's
    /// measured notes and values, lists the Slow tests no ledger ran, and never shows a failing test's numbers as measurements.
    /// </summary>
    [Test]
    public void VERDICT_Paper_scale_report_merges_default_and_Slow_ledgers()
    {
        var dir = Directory.CreateTempSubdirectory("tiers-merge-");
        try
        {
            // A default-tier ledger and a later Slow shard's from another machine: LEARN-AHN-F4's paper-scale test passed there,
            // LEARN-GAT-SKEW's failed after recording numbers, and one Slow test ran nowhere.
            const string Note = "LEARN-AHN-F4 n = 20: a = [0.1000, 0.2000], synthetic", FailedNote = "LEARN-GAT-SKEW reference: synthetic numbers of a failing run";
            var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            var defaultTier = Ledger(dir.FullName, "default", t0, "this-host",
                [Test("LearnAhnF4.LEARN_AHN_F4_Default", ClaimIds.LearnAhnF4, "Passed", [], []), Test("LearnGatSkew.LEARN_GAT_SKEW_Default", ClaimIds.LearnGatSkew, "Passed", [], [])],
                [("LearnAhnF4.LEARN_AHN_F4_Authors_recipe", true), ("LearnGatSkew.LEARN_GAT_SKEW_Reference_point", true), ("LearnAhnF4.LEARN_AHN_F4_Never_run", true)]);
            var shard = Ledger(dir.FullName, "slow", t0.AddHours(2), "other-host",
                [Test("LearnAhnF4.LEARN_AHN_F4_Authors_recipe", ClaimIds.LearnAhnF4, "Passed", [Note], new() { ["scalar 0 relative distance"] = 0.0123 }),
                 Test("LearnGatSkew.LEARN_GAT_SKEW_Reference_point", ClaimIds.LearnGatSkew, "Failed", [FailedNote], new() { ["skew share"] = 0.5 })],
                [("LearnAhnF4.LEARN_AHN_F4_Default", false), ("LearnGatSkew.LEARN_GAT_SKEW_Default", false)]);
            var outDir = Path.Combine(dir.FullName, "out");
            var (exit, _, stderr) = ChildProcesses.Run(ChildProcesses.Dotnet(ReportDll(), Root, ["--no-tests", "--no-figures", "--partial", "--ledger", defaultTier, shard, "--out", outDir]), TimeSpan.FromSeconds(120));
            var page = File.ReadAllText(Path.Combine(outDir, "REPORT.md"));
            var json = Path.Combine(outDir, "claims.json");
            Checks.True(exit == 1, $"a failing Slow test fails the merged report (exit {exit}: {stderr})");
            Checks.True(page.Contains("## Paper-scale tier (Slow tests)", StringComparison.Ordinal) && page.Contains("2 of 3 Slow tests ran (1 passed)", StringComparison.Ordinal), "the paper-scale section counts the Slow tests");
            Checks.True(page.Contains(Note, StringComparison.Ordinal) && page.Contains("scalar 0 relative distance = 0.0123", StringComparison.Ordinal), "it shows the shard's measured note and value");
            Checks.True(Regex.IsMatch(page, @"LEARN_AHN_F4_Never_run` \| \*\*not run\*\*"), "it lists the Slow test no ledger ran");
            Checks.True(ClaimStatus(json, ClaimIds.LearnAhnF4) == "held", "LEARN-AHN-F4 is held from both ledgers (default and Slow tests passed)");
            Checks.True(ClaimStatus(json, ClaimIds.LearnGatSkew) == "failed", "LEARN-GAT-SKEW failed: its Slow test failed on another machine");
            Checks.True(!page.Contains(FailedNote, StringComparison.Ordinal) && !page.Contains("skew share = 0.5", StringComparison.Ordinal) && page.Contains("(failed: synthetic failure)", StringComparison.Ordinal),
                "a failing test's numbers are not shown as measurements");
        }
        finally { dir.Delete(recursive: true); }
    }

    private static string MethodName(Leaf l) => l.FullName.IndexOf('(', StringComparison.Ordinal) is var paren and >= 0 ? l.FullName[..paren] : l.FullName;

    private static LedgerTest Test(string name, string claim, string outcome, List<string> notes, Dictionary<string, double> values) => new()
    {
        FullName = "LoopedIcl.Theorems." + name, Claim = claim, Outcome = outcome, DurationSeconds = 12,
        Categories = name.Contains("Default", StringComparison.Ordinal) ? [claim] : [claim, CategoryLabels.Slow],
        Notes = outcome == "Passed" ? notes : [], NotesFromFailingTest = outcome == "Passed" ? [] : notes, Values = outcome == "Passed" ? values : [],
        Message = outcome == "Passed" ? null : "synthetic failure",
    };

    private static string Ledger(string root, string name, DateTime written, string machine, List<LedgerTest> tests, (string Name, bool Slow)[] notRun)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        var doc = new LedgerDocument
        {
            Schema = LedgerDocument.CurrentSchema, Assembly = "LoopedIcl.Theorems", RunId = name, StartedUtc = written, WrittenUtc = written,
            Seed = TestSettings.DefaultSeed, Trials = TestSettings.DefaultTrials, Machine = machine + ", 2 cores, synthetic", Tests = tests,
            NotRun = notRun.Select(n => new LedgerNotRun { FullName = "LoopedIcl.Theorems." + n.Name, Claim = n.Name.StartsWith("LearnGatSkew", StringComparison.Ordinal) ? ClaimIds.LearnGatSkew : ClaimIds.LearnAhnF4, Slow = n.Slow }).ToList(),
        };
        File.WriteAllText(Path.Combine(dir, $"LoopedIcl.Theorems.{written:yyyyMMdd'T'HHmmssfff}.json"), JsonSerializer.Serialize(doc));
        return dir;
    }

    private static string? ClaimStatus(string claimsJson, string id)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(claimsJson));
        foreach (var c in doc.RootElement.GetProperty("Claims").EnumerateArray())
            if (c.GetProperty("Id").GetString() == id) return c.GetProperty("Status").GetString();
        return null;
    }

    private static bool Throws<T>(Action a) where T : Exception
    {
        try { a(); return false; }
        catch (T) { return true; }
    }

    private static string ReportDll()
    {
        var dll = Path.Combine(Root, "Report", "bin", TestAssemblies.CurrentConfiguration(), "net10.0", "LoopedIcl.Report.dll");
        Checks.True(File.Exists(dll), $"the report tool is built at {dll} (build the solution first)");
        return dll;
    }

    private static IReadOnlyList<string> ListTests(string assembly, string filter)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "test", assembly, "--list-tests", "--filter", filter }) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(); Checks.Fail("dotnet test --list-tests timed out"); }
        if (p.ExitCode != 0) Checks.Fail($"dotnet test --list-tests exit {p.ExitCode}: {err.Result}");
        return TestTiers.ParseListedTests(output);
    }

    /// <summary>The --filter and the NUnit Where of a dotnet test command line (the runsettings' Where when it overrides neither).</summary>
    private static (string? Filter, string? Where) Selection(string command)
    {
        var words = ShellWords(command);
        string? filter = null, where = null;
        for (int k = 0; k < words.Count; k++)
        {
            if (words[k] == "--filter" && k + 1 < words.Count) filter = words[k + 1];
            if (words[k].StartsWith("NUnit.Where=", StringComparison.Ordinal)) where = words[k]["NUnit.Where=".Length..];
        }
        // Without a --filter or a Where on the command line, the settings file's Where applies.
        return (filter, filter is null && where is null && words.Contains("tests.runsettings") ? RunsettingsWhere : where);
    }

    private static bool NamesSlow(string? filter, string? where) =>
        filter is not null ? Regex.IsMatch(filter, @"(^|[&|(])\s*(Test)?Category=Slow\b") : where is not null && Regex.IsMatch(where, @"cat\s*==\s*Slow\b");

    /// <summary>Bash words of a command: '…' literal, "…" with backslash escapes, and bare words.</summary>
    private static List<string> ShellWords(string s)
    {
        var words = new List<string>();
        var w = new StringBuilder();
        bool any = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsWhiteSpace(c)) { if (any) { words.Add(w.ToString()); w.Clear(); any = false; } continue; }
            any = true;
            if (c == '\'') { int j = s.IndexOf('\'', i + 1); w.Append(s, i + 1, j - i - 1); i = j; }
            else if (c == '"') { for (i++; s[i] != '"'; i++) { if (s[i] == '\\' && s[i + 1] is '"' or '\\' or '$') i++; w.Append(s[i]); } }
            else w.Append(c);
        }
        if (any) words.Add(w.ToString());
        return words;
    }

    [GeneratedRegex("`([^`\n]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"--filter\s+(""[^""]*""|'[^']*'|\S+)")]
    private static partial Regex FilterArgument();

    [GeneratedRegex(@"^\$\{?(\w+)\}?$")]
    private static partial Regex VariableName();

    [GeneratedRegex(@"NUnit\.Where=[^""']*")]
    private static partial Regex WhereArgument();
}
