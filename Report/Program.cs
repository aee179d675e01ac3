using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using LoopedIcl.Claims;
using LoopedIcl.Experiments;
using LoopedIcl.Report;

// The verification report: claims table from the tests' ledger (verdicts by CLAIMS.md's rule), figures from the same Numerics
// functions the tests and snapshots use, claims.json for machines. See Options.Usage.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "check-model")
{
    // Checks a user's checkpoint; needs no repository (it also runs as the packed .NET tool).
    try
    {
        return CheckModelCommand.Run(args[1..]);
    }
    catch (UsageException e)
    {
        Console.Error.WriteLine("[check-model] " + e.Message);
        return 2;
    }
}
try
{
    return Run(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine("[report] " + e.Message);
    return 2;
}

static int Run(string[] args)
{
    var root = FindRoot();
    var o = Options.Parse(args, Directory.GetCurrentDirectory(), root);
    if (o.Help) { Console.WriteLine(Options.Usage); return 0; }
    if (o.PrintFilter is not null) { Console.WriteLine(TestTiers.Filter(o.PrintFilter)); return 0; }
    if (o.ListSlow || o.SlowShard is not null)
    {
        var slow = SlowTests(root, Configuration());
        if (o.ListSlow) { foreach (var name in slow) Console.WriteLine(name); return 0; }
        var (index, count) = o.SlowShard!.Value;
        if (count > slow.Count) throw new UsageException($"--print-slow-shard {index}/{count}: there are only {slow.Count} Slow tests, so at most {slow.Count} shards");
        Console.WriteLine(TestTiers.SlowFilterFor(TestTiers.Shards(slow, count)[index - 1]));
        return 0;
    }
    var readmePath = Path.Combine(root, "README.md");
    if (o.UpdateReadme || o.CheckReadme)
    {
        if (!File.Exists(readmePath)) throw new UsageException($"no README.md at {root}");
        var text = File.ReadAllText(readmePath);
        try
        {
            if (o.CheckReadme)
            {
                bool ok = ClaimTable.InSync(text);
                Console.WriteLine(ok ? "[report] README.md's claims table matches the registry" : "[report] README.md's claims table differs from Claims/ClaimRegistry.cs: run dotnet run -c Release --project Report -- --update-readme");
                return ok ? 0 : 1;
            }
            File.WriteAllText(readmePath, ClaimTable.Rewrite(text));
            Console.WriteLine("[report] README.md's claims table rewritten from the registry");
            return 0;
        }
        catch (InvalidOperationException e) { throw new UsageException(e.Message); }
    }

    MathNet.Numerics.Control.UseSingleThread();
    var clock = Stopwatch.StartNew();
    var configuration = Configuration();
    var head = Git(root, "rev-parse HEAD");

    // 1. The tests, in the configuration this tool was built in, into a fresh ledger folder.
    string testRun = "not run by the report (--no-tests)";
    int testExit = 0;
    if (o.RunTests)
    {
        var dir = o.LedgerDirs[0];
        Directory.CreateDirectory(dir);
        foreach (var old in Directory.GetFiles(dir, "LoopedIcl.*.json")) File.Delete(old);
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = root };
        foreach (var a in new[] { "test", Path.Combine(root, "LoopedIcl.Verification.sln"), "-c", configuration, "--settings", Path.Combine(root, "tests.runsettings"),
                     "--", $"TestRunParameters.Parameter(name=\"LedgerDirectory\", value=\"{dir}\")" })
            psi.ArgumentList.Add(a);
        Console.WriteLine($"[report] running the default test tier ({configuration}): dotnet {string.Join(' ', psi.ArgumentList.Select(a => a.Contains(' ') ? $"'{a}'" : a))}");
        using var test = Process.Start(psi)!;
        test.WaitForExit();
        testExit = test.ExitCode;
        testRun = testExit == 0 ? "dotnet test passed" : $"**dotnet test FAILED (exit {testExit})**";
        Console.WriteLine($"[report] test run finished with exit code {testExit} ({clock.Elapsed.TotalSeconds:F0} s)");
    }

    // 2. The ledger, merged; refused when it is not one complete fresh run, unless --partial.
    var sameCode = new Dictionary<string, bool>(StringComparer.Ordinal);
    var ledger = LedgerSet.Read(o.LedgerDirs, root, configuration, head, commit =>
        sameCode.TryGetValue(commit, out var same) ? same
            : sameCode[commit] = GitExit(root, ["diff", "--quiet", commit, "HEAD", "--", ".", ":(exclude)docs", ":(exclude)README.md"]) == 0);
    if (ledger.Problems.Count > 0 && !o.Partial)
        throw new UsageException("the ledger is not one complete, fresh run of this build (pass --partial to report it anyway, marked as partial):\n  - " + string.Join("\n  - ", ledger.Problems));
    var verdicts = Verdict.All(ledger);
    Console.WriteLine($"[report] ledger: {ledger.Tests.Count} tests from {ledger.Documents.Count} file(s){(ledger.Problems.Count > 0 ? $"; PARTIAL ({ledger.Problems.Count} problem(s))" : "")}");

    var dirty = Git(root, "status --porcelain --untracked-files=no") is { Length: > 0 } ? " (working tree modified)" : "";
    var run = new RunFacts(
        Seeds: string.Join(", ", ledger.Seeds),
        Trials: string.Join(", ", ledger.Trials),
        Commit: string.Join(", ", ledger.Commits.Select(c => c.Length > 12 ? c[..12] : c)) + (ledger.Commits.Contains(head ?? "") ? dirty : ""),
        TestsWritten: ledger.Written.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        ReportWritten: DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        Machines: string.Join("; ", ledger.Machines),
        TestRun: testRun + "; " + string.Join(", ", ledger.Tests.Values.GroupBy(t => t.Test.Outcome).Select(g => $"{g.Count()} {g.Key.ToLowerInvariant()}")),
        Scale: o.Scale,
        Partial: ledger.Problems);

    // 3. Compare with the committed docs (provenance), if asked.
    int docsExit = 0;
    if (o.CheckDocs is not null) docsExit = CheckDocs(o.CheckDocs, root, verdicts);

    // 4. Figures and the page (skipped when only checking docs).
    if (o.CheckDocs is null || o.OutGiven)
    {
        // The figures and tables are made with the tests' seed derivation at the ledger's base seed (one seed in a complete run).
        var plan = ledger.Seeds.Count() == 1 ? new SeedPlan(ledger.Seeds.First()) : SeedPlan.Default;
        var curves = new List<(CurveSet Curve, string File)>();
        var makers = o.Figures ? ExpectedCurves.All().ToArray() : [];
        for (int k = 0; k < makers.Length; k++)
        {
            var t0 = clock.Elapsed;
            var curve = makers[k](plan, o.Scale);
            var file = Path.Combine("figures", curve.Id + ".png");
            Figures.Render(curve, Path.Combine(o.OutDir, file));
            curves.Add((curve, file));
            Console.WriteLine($"[report] [{k + 1}/{makers.Length}] {curve.Claim,-10} {curve.Id} ({(clock.Elapsed - t0).TotalSeconds:F1} s)");
        }
        // The claims' own sections retrain their recipes (the Slow ones at --scale ≥ 10).
        var sections = ClaimSection.Build(verdicts, o.Figures ? new SectionRun(o.OutDir, o.Scale >= 10, Console.Out, plan) : null);
        File.WriteAllText(Path.Combine(o.OutDir, "REPORT.md"), Markdown.Page(run, verdicts, curves, sections, PaperScale.Rows(ledger)));
        File.WriteAllText(Path.Combine(o.OutDir, "claims.json"), ClaimsJson.Write(run, verdicts, curves, sections));
        Console.WriteLine($"[report] wrote {Path.Combine(o.OutDir, "REPORT.md")}, claims.json and {curves.Count} figures in {clock.Elapsed.TotalSeconds:F0} s");
    }

    // 5. The exit code tells the truth: any claim not held (a not-run claim only counts when the ledger claims to be complete).
    var bad = verdicts.Where(v => v.Status is Verdict.Failed or Verdict.NotHeld || (v.Status == Verdict.NotRun && ledger.Problems.Count == 0)).ToArray();
    foreach (var v in bad) Console.Error.WriteLine($"[report] {v.Claim.Id}: {v.Status.ToUpperInvariant()}");
    if (testExit != 0) Console.Error.WriteLine($"[report] the test run failed (exit {testExit})");
    Console.WriteLine($"[report] {verdicts.Count(v => v.IsHeld)} held, {verdicts.Count(v => v.Status is Verdict.Failed or Verdict.NotHeld)} not held, {verdicts.Count(v => v.Status == Verdict.NotRun)} not run");
    return bad.Length > 0 || testExit != 0 || docsExit != 0 ? 1 : 0;
}

// Provenance: the committed report is of the default seed and says what this run says.
static int CheckDocs(string docs, string root, IReadOnlyList<Verdict> verdicts)
{
    var problems = new List<string>();
    var defaultSeed = Regex.Match(File.ReadAllText(Path.Combine(root, "tests.runsettings")), "name=\"Seed\"\\s+value=\"(-?\\d+)\"").Groups[1].Value;
    var seedLine = File.ReadLines(Path.Combine(docs, "REPORT.md")).FirstOrDefault(l => l.StartsWith(Markdown.SeedRow, StringComparison.Ordinal));
    var docSeed = seedLine?[Markdown.SeedRow.Length..].Trim().TrimEnd('|').Trim();
    if (docSeed != defaultSeed) problems.Add($"{docs}/REPORT.md is of base seed '{docSeed ?? "(no seed row)"}', tests.runsettings' default is {defaultSeed}");
    var json = Path.Combine(docs, "claims.json");
    if (!File.Exists(json)) problems.Add($"{docs}/claims.json is missing");
    else
    {
        var committed = ClaimsJson.Statuses(json);
        foreach (var v in verdicts)
            if (committed.GetValueOrDefault(v.Claim.Id) != v.Status)
                problems.Add($"{v.Claim.Id}: committed docs say '{committed.GetValueOrDefault(v.Claim.Id) ?? "absent"}', this run says '{v.Status}'");
    }
    if (problems.Count == 0) { Console.WriteLine($"[report] {docs} matches this run (seed {defaultSeed}, every claim status)"); return 0; }
    Console.Error.WriteLine($"[report] {docs} does not match this run; regenerate it with: dotnet run -c Release --project Report -- --out docs\n  - " + string.Join("\n  - ", problems));
    return 1;
}

// The Slow tier as dotnet test discovers it (names as --list-tests prints them), sorted; needs the solution built. -m:1 lists the test
// projects one after another: in parallel their lines interleave, and a shard once saw 5, another 41, of 42 Slow tests.
static IReadOnlyList<string> SlowTests(string root, string configuration)
{
    var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { "test", Path.Combine(root, "LoopedIcl.Verification.sln"), "-c", configuration, "--no-build", "--settings", Path.Combine(root, "tests.runsettings"),
                 "--list-tests", "--filter", TestTiers.SlowTerm, "-m:1" })
        psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    var stderr = p.StandardError.ReadToEndAsync();
    var listing = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    var names = TestTiers.ParseListedTests(listing).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    if (p.ExitCode != 0 || names.Length == 0)
        throw new UsageException($"could not list the Slow tests (dotnet test --list-tests exit {p.ExitCode}; build first: dotnet build LoopedIcl.Verification.sln -c {configuration}) {stderr.Result.Trim()}");
    return names;
}

static string Configuration()
{
    var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
    int bin = Array.LastIndexOf(parts, "bin");
    return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Release";
}

static string? Git(string root, string args)
{
    try
    {
        var psi = new ProcessStartInfo("git", args) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var s = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return p.ExitCode == 0 ? s : null;
    }
    catch (System.ComponentModel.Win32Exception) { return null; }
}

static int GitExit(string root, string[] args)
{
    try
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }
    catch (System.ComponentModel.Win32Exception) { return -1; }
}

static string FindRoot() => Repository.FindRoot(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
    ?? throw new UsageException($"run the report inside the repository (no {Repository.SolutionFile} found above the current folder)");
