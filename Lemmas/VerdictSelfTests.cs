using LoopedIcl.Claims;
using LoopedIcl.Experiments;

namespace LoopedIcl.Lemmas;

/// <summary>
/// VERDICT: the verdict machinery itself can be trusted — a negative control succeeds only through the claim's own check failing
/// on finite values (NaN, ∞ or another exception fail the control, naming the value), and the claim registry and the test
/// assemblies agree (every category is a registered claim, every claim has tests, every curve is listed under its claim).
/// </summary>
[TestFixture, Category(ClaimIds.Verdict)]
public sealed class VerdictSelfTests
{
    private static readonly FsCheck.Arbitrary<Shape> FewShapes = Cases.Tiny;

    private static AssertionException ControlFails(Action control)
    {
        var e = Assert.Throws<AssertionException>(() => control())!; // exactly AssertionException: a ClaimViolation would not match
        return e;
    }

    /// <summary>VERDICT: a NaN reaching a negative control fails the control, loudly, naming the value.</summary>
    [Test]
    public void VERDICT_NaN_reaching_a_negative_control_fails_the_control()
    {
        var every = ControlFails(() => Properties.ExpectFailureOnEveryCase(FewShapes, _ => Checks.AtMost(double.NaN, 1, "a bound fed NaN"), "NaN control"));
        Checks.True(every.Message.Contains("non-finite", StringComparison.Ordinal) && every.Message.Contains("NaN", StringComparison.Ordinal),
            $"the failure names the non-finite value: {every.Message}");
        var some = ControlFails(() => Properties.ExpectCounterexample(FewShapes, s => Checks.Close(s.D == 1 ? double.NaN : 0, 0, 1e-12, "an identity fed NaN"), "NaN counterexample"));
        Checks.True(some.Message.Contains("non-finite", StringComparison.Ordinal), $"the failure names the non-finite value: {some.Message}");
    }

    /// <summary>VERDICT: ±∞ and NaN never satisfy Exceeds (a control's evidence), and they raise NonFiniteValue, not ClaimViolation.</summary>
    [Test]
    public void VERDICT_Non_finite_values_are_not_evidence()
    {
        foreach (var v in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            using var quiet = ClaimLedger.Suspend();
            Assert.Throws<NonFiniteValue>(() => Checks.Exceeds(v, 1, "evidence"));
            Assert.Throws<NonFiniteValue>(() => Checks.AtMost(v, 1, "bound"));
            Assert.Throws<NonFiniteValue>(() => Checks.AtLeast(v, 1, "lower bound"));
            Assert.Throws<NonFiniteValue>(() => Checks.Close(v, 0, 1, "identity"));
        }
    }

    /// <summary>VERDICT: an exception of the model (not the claim's check) fails a control instead of counting as its counterexample.</summary>
    [Test]
    public void VERDICT_A_crash_is_not_a_counterexample()
    {
        var e = ControlFails(() => Properties.ExpectCounterexample(FewShapes, _ => throw new ArgumentException("boom", "x"), "crashing control"));
        Checks.True(e.Message.Contains("ArgumentException", StringComparison.Ordinal), $"the failure names the exception: {e.Message}");
        var plain = ControlFails(() => Properties.ExpectFailureOnEveryCase(FewShapes, _ => Checks.Fail("set-up failed"), "plain failure"));
        Checks.True(plain.Message.Contains("AssertionException", StringComparison.Ordinal), $"a plain failure is not a violation: {plain.Message}");
    }

    /// <summary>VERDICT: a real violation on finite values is what a control needs (positive case of the two above).</summary>
    [Test]
    public void VERDICT_A_finite_violation_is_a_counterexample()
    {
        Properties.ExpectFailureOnEveryCase(FewShapes, s => Checks.AtMost(2 + s.D, 1, "a broken bound"), "finite violation on every case");
        Properties.ExpectCounterexample(FewShapes, s => Checks.AtMost(s.D, 2.5, "d ≤ 2.5"), "finite violation on some case");
        Assert.Throws<ClaimViolation>(() => { using (ClaimLedger.Suspend()) Checks.Exceeds(1, 2, "not exceeded"); });
    }

    /// <summary>VERDICT: every [Category] of every test assembly is a registered claim (or a label), and every registered claim has tests.</summary>
    [Test]
    public void VERDICT_Every_category_is_registered_and_every_claim_has_tests()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var asm in TestAssemblies.All())
        {
            Checks.True(File.Exists(asm.Path), $"test assembly {asm.AssemblyName} is not built at {asm.Path}: build the solution in {TestAssemblies.CurrentConfiguration()} first");
            var categories = TestAssemblies.Categories(asm.Path);
            var unknown = categories.Where(c => !ClaimRegistry.IsClaim(c) && !CategoryLabels.All.Contains(c)).Order(StringComparer.Ordinal).ToArray();
            Checks.True(unknown.Length == 0, $"{asm.Project}: categories not in ClaimRegistry: {string.Join(", ", unknown)}");
            seen.UnionWith(categories);
        }
        // Snapshot cases take their claim's category at run time, from the registry's curves.
        foreach (var make in ExpectedCurves.All())
        {
            var curve = ClaimRegistry.CurveOf(make.Method.Name);
            Checks.True(curve is not null, $"ExpectedCurves.{make.Method.Name} is not listed under any claim in ClaimRegistry");
            seen.Add(curve!.Value.Claim.Id);
        }
        var untested = ClaimRegistry.All.Select(c => c.Id).Where(id => !seen.Contains(id)).ToArray();
        Checks.True(untested.Length == 0, $"registered claims without any test: {string.Join(", ", untested)}");
        ClaimLedger.Count("registered claims", ClaimRegistry.All.Length);
    }

    /// <summary>VERDICT: the registry is well formed: unique IDs, each in one known family, every curve listed once.</summary>
    [Test]
    public void VERDICT_Registry_is_well_formed()
    {
        var ids = ClaimRegistry.All.Select(c => c.Id).ToArray();
        Checks.True(ids.Distinct(StringComparer.Ordinal).Count() == ids.Length, "claim IDs are unique");
        Checks.True(ClaimRegistry.All.All(c => ClaimRegistry.Families.Contains(c.Family)), "every claim is in a known family");
        var curves = ClaimRegistry.All.SelectMany(c => c.Curves).ToArray();
        Checks.True(curves.Select(c => c.Id).Distinct().Count() == curves.Length, "every curve is listed once");
        Checks.True(curves.GroupBy(c => c.Maker).All(g => ClaimRegistry.All.Count(c => c.Curves.Any(r => r.Maker == g.Key)) == 1), "every curve maker belongs to one claim");
        var constants = typeof(ClaimIds).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet(StringComparer.Ordinal);
        Checks.True(constants.SetEquals(ids), $"ClaimIds and ClaimRegistry list the same IDs (only in constants: {string.Join(", ", constants.Except(ids))}; only in registry: {string.Join(", ", ids.Except(constants))})");
    }

    /// <summary>VERDICT: README.md's claims table is the registry's (regenerate: dotnet run -c Release --project Report -- --update-readme).</summary>
    [Test]
    public void VERDICT_Readme_claims_table_is_generated_from_the_registry()
    {
        var readme = File.ReadAllText(Path.Combine(TestSettings.RepositoryRoot(), "README.md"));
        Checks.True(ClaimTable.InSync(readme), "README.md's claims table differs from Claims/ClaimRegistry.cs: run dotnet run -c Release --project Report -- --update-readme");
    }

    /// <summary>
    /// VERDICT: tests.runsettings' default seed is TestSettings.DefaultSeed (the seed docs/ must be generated with). The committed
    /// docs/ themselves are checked after the run, by .ci/run (Report -- --no-tests --check-docs docs: same seed, same claim
    /// statuses), not here: a test reading docs/ would make the run that regenerates them depend on the old copy.
    /// </summary>
    [Test]
    public void VERDICT_Default_seed_is_the_one_of_tests_runsettings()
    {
        var settings = File.ReadAllText(Path.Combine(TestSettings.RepositoryRoot(), "tests.runsettings"));
        var match = System.Text.RegularExpressions.Regex.Match(settings, "name=\"Seed\"\\s+value=\"(-?\\d+)\"");
        Checks.True(match.Success, "tests.runsettings has a Seed parameter");
        Checks.True(match.Groups[1].Value == TestSettings.DefaultSeed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"tests.runsettings' Seed {match.Groups[1].Value} equals TestSettings.DefaultSeed {TestSettings.DefaultSeed}");
    }

    /// <summary>
    /// VERDICT: the report tool answers bad input before doing any work — one "[report] …" line on stderr, exit 2, no stack trace,
    /// nothing written.
    /// </summary>
    [Test]
    public void VERDICT_Report_rejects_bad_input_before_any_work()
    {
        var root = TestSettings.RepositoryRoot();
        var dll = TestAssemblies.ReportAssembly();
        Checks.True(File.Exists(dll), $"the report tool is built at {dll} (build the solution first)");
        string[][] bad =
        [
            ["--out", "/proc/forbidden"], ["--out", "/dev/null"], ["--no-tests", "--out"], ["--out", "--no-tests"], ["--bogus"], ["stray"],
            ["--scale", "0"], ["--scale", "abc"], ["--ledger"], ["--no-tests", "--ledger", "/nonexistent-ledger"], ["--ledger", "a", "b"],
            ["--print-filter", "NOPE"], ["--print-slow-shard", "0/3"], ["--check-docs", "/nonexistent-docs"],
        ];
        var runs = ChildProcesses.RunAll(bad.Select(a => ChildProcesses.Dotnet(dll, root, a)).ToArray(), TimeSpan.FromSeconds(60));
        for (int k = 0; k < bad.Length; k++)
        {
            var (exit, stdout, stderr) = runs[k];
            var args = string.Join(' ', bad[k]);
            Checks.True(exit == 2, $"'{args}' exits 2 (got {exit}; stderr: {stderr})");
            Checks.True(stderr.StartsWith("[report] ", StringComparison.Ordinal) && !stderr.Contains("   at ", StringComparison.Ordinal) && !stderr.Contains("Unhandled", StringComparison.Ordinal),
                $"'{args}' answers with one message, no stack trace: {stderr}");
            Checks.True(!stdout.Contains("[report] running", StringComparison.Ordinal), $"'{args}' did no work: {stdout}");
        }
        Checks.True(!Directory.Exists(Path.Combine(root, "--no-tests")), "no folder named '--no-tests' was created");
        ClaimLedger.Count("bad inputs rejected", bad.Length);
    }

    /// <summary>VERDICT: bad run parameters get one clear message up front (Trials ≥ 1, Seed an integer); good ones pass.</summary>
    [TestCase("Trials", "0", "Trials must be a whole number ≥ 1 (got '0')")]
    [TestCase("Trials", "-5", "Trials must be a whole number ≥ 1 (got '-5')")]
    [TestCase("Trials", "abc", "Trials must be a whole number ≥ 1 (got 'abc')")]
    [TestCase("Seed", "abc", "Seed must be an integer")]
    [TestCase("Seed", "99999999999", "Seed must be an integer")]
    [TestCase("LedgerDirectory", " ", "LedgerDirectory must not be empty")]
    public void VERDICT_Run_parameters_are_validated_once(string name, string value, string message)
    {
        var problem = TestSettings.Validate(p => p == name ? value : null);
        Checks.True(problem is not null && problem.Contains(message, StringComparison.Ordinal), $"{name}={value}: {problem}");
        Checks.True(problem!.Contains("'TestRunParameters.Parameter(name=\"Seed\", value=\"7\")'", StringComparison.Ordinal), $"the message shows a pasteable example: {problem}");
        Checks.True(TestSettings.Validate(p => p switch { "Trials" => "1", "Seed" => "-3", _ => null }) is null, "Trials=1, Seed=-3 are valid");
    }

    /// <summary>VERDICT: a replay command is pasteable into bash as is: single-quoted filter and parameters, no unquoted parentheses.</summary>
    [Test]
    public void VERDICT_Replay_command_is_pasteable()
    {
        var cmd = LedgerFile.ReplayCommand(NUnit.Framework.Internal.TestExecutionContext.CurrentContext.CurrentTest);
        Checks.True(cmd.StartsWith("dotnet test Lemmas -c Release --settings tests.runsettings --filter 'Category=VERDICT&FullyQualifiedName~LoopedIcl.Lemmas.VerdictSelfTests.VERDICT_Replay_command_is_pasteable&Category!=Slow' -- 'TestRunParameters.Parameter(name=\"Seed\", value=\"", StringComparison.Ordinal), cmd);
        var unquoted = System.Text.RegularExpressions.Regex.Replace(cmd, "'[^']*'", "");
        Checks.True(!unquoted.Contains('(') && !unquoted.Contains(')') && !unquoted.Contains('&') && !unquoted.Contains('"'), $"nothing outside single quotes needs escaping: {unquoted}");
    }

    /// <summary>VERDICT: a single-instance control counts only the claim's check failing on finite values.</summary>
    [Test]
    public void VERDICT_Single_instance_control_needs_a_finite_violation()
    {
        Properties.ExpectViolation("a broken bound", () => Checks.AtMost(2, 1, "2 ≤ 1"));
        var nan = ControlFails(() => Properties.ExpectViolation("NaN", () => Checks.AtMost(double.NaN, 1, "NaN ≤ 1")));
        Checks.True(nan.Message.Contains("non-finite", StringComparison.Ordinal), nan.Message);
        var passes = ControlFails(() => Properties.ExpectViolation("holds", () => Checks.AtMost(0.5, 1, "0.5 ≤ 1")));
        Checks.True(passes.Message.Contains("passed the claim's check", StringComparison.Ordinal), passes.Message);
        var crash = ControlFails(() => Properties.ExpectViolation("crash", () => throw new InvalidOperationException("model crashed")));
        Checks.True(crash.Message.Contains("InvalidOperationException", StringComparison.Ordinal), crash.Message);
    }

    /// <summary>VERDICT: CI's shard matrix is the registry's list of families, so the shards together run every claim.</summary>
    [Test]
    public void VERDICT_CI_shards_cover_every_family()
    {
        var ci = File.ReadAllText(Path.Combine(TestSettings.RepositoryRoot(), ".github", "workflows", "ci.yml"));
        var m = System.Text.RegularExpressions.Regex.Match(ci, @"family:\s*\[([^\]]*)\]");
        Checks.True(m.Success, "ci.yml has a 'family: [...]' matrix");
        var families = m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Checks.True(families.SequenceEqual(ClaimRegistry.Families), $"ci.yml shards [{string.Join(", ", families)}] = ClaimRegistry.Families [{string.Join(", ", ClaimRegistry.Families)}]");
        Checks.True(ClaimRegistry.Families.All(f => ClaimRegistry.OfFamily(f).Any()), "every family has claims");
    }

    /// <summary>VERDICT: the scheduled mutation run shards the whole library: its matrix lists every Numerics folder and root file, each once.</summary>
    [Test]
    public void VERDICT_Mutation_shards_cover_every_library_folder()
    {
        var root = TestSettings.RepositoryRoot();
        var workflow = File.ReadAllText(Path.Combine(root, ".github", "workflows", "mutation.yml"));
        var m = System.Text.RegularExpressions.Regex.Match(workflow, @"folder:\s*\[([^\]]*)\]");
        Checks.True(m.Success, "mutation.yml has a 'folder: [...]' matrix");
        var listed = m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var folders = Directory.GetDirectories(Path.Combine(root, "Numerics")).Select(Path.GetFileName)
            .Where(f => f is not ("bin" or "obj") && Directory.EnumerateFiles(Path.Combine(root, "Numerics", f!), "*.cs", SearchOption.AllDirectories).Any())
            .Concat(Directory.GetFiles(Path.Combine(root, "Numerics"), "*.cs").Select(Path.GetFileNameWithoutExtension))   // Guard.cs: shard "Guard"
            .Order(StringComparer.Ordinal).ToArray();
        Checks.True(listed.Order(StringComparer.Ordinal).SequenceEqual(folders!), $"mutation.yml shards [{string.Join(", ", listed)}] = the Numerics folders [{string.Join(", ", folders)}]");
    }
}
