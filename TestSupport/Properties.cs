using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;

namespace LoopedIcl.TestSupport;

/// <summary>
/// Runs FsCheck properties with the trial count and seed from tests.runsettings. Shape parameters only
/// (d, n, L, a seed) are generated; Gaussians come from MathNet with that seed, so a shrunk
/// counterexample reads like "d=2 n=3 L=1 seed=…" and replays exactly.
/// </summary>
public static class Properties
{
    // Each test gets its own stable stream (base seed ⊕ hash of the test's name), so tests do not all draw the same shapes.
    private static Config MakeConfig(int? trials) =>
        Config.QuickThrowOnFailure
            .WithMaxTest(trials ?? TestSettings.Trials)
            .WithReplay((ulong)(uint)TestSettings.SeedFor(TestContext.CurrentContext.Test.FullName), 0x9E3779B97F4A7C15UL) // FsCheck's gamma must be odd
            .WithQuietOnSuccess(true);

    /// <summary>Checks the body on every generated case; on failure reports the shrunk case and the seed.</summary>
    public static void ForAll<TCase>(Arbitrary<TCase> cases, Action<TCase> body, int? trials = null)
    {
        try
        {
            Prop.ForAll(cases, body).Check(MakeConfig(trials));
        }
        catch (Exception e)
        {
            Checks.Fail($"Property failed (base seed {TestSettings.Seed}; replay with -- TestRunParameters.Parameter(name=\"Seed\", value=\"{TestSettings.Seed}\")):\n{e.Message}");
        }
    }

    /// <summary>
    /// A negative control: the body must fail on some generated case. Returns FsCheck's report of the shrunk
    /// counterexample (also written to the test output and the ledger).
    /// </summary>
    public static string ExpectCounterexample<TCase>(Arbitrary<TCase> cases, Action<TCase> body, string control, int? trials = null)
    {
        // Only a failed check counts as a counterexample; a crash (bad case, exception in the model) must not.
        Exception? crash = null;
        void Guarded(TCase c)
        {
            try { body(c); }
            catch (AssertionException) { throw; }
            catch (Exception e) { crash ??= new InvalidOperationException($"crashed on {c}: {e.Message}", e); }
        }
        try
        {
            using var quiet = ClaimLedger.Suspend();
            Prop.ForAll(cases, (Action<TCase>)Guarded).Check(MakeConfig(trials));
        }
        catch (Exception e)
        {
            if (crash is not null) Checks.Fail($"Negative control '{control}' crashed instead of failing a check: {crash.Message}");
            var report = e.Message;
            TestContext.Out.WriteLine($"Negative control '{control}' found a counterexample, as it must:\n{report}");
            ClaimLedger.RecordNegativeControl(control + " — " + FirstShrunkLine(report));
            return report;
        }
        if (crash is not null) Checks.Fail($"Negative control '{control}' crashed instead of failing a check: {crash.Message}");
        Checks.Fail($"Negative control '{control}' found no counterexample in {trials ?? TestSettings.Trials} cases: the check cannot tell the broken variant apart.");
        return "";
    }

    /// <summary>A negative control that must fail on every case (e.g. a wrong formula on generic inputs).</summary>
    public static void ExpectFailureOnEveryCase<TCase>(Arbitrary<TCase> cases, Action<TCase> body, string control, int? trials = null)
    {
        ForAll(cases, c =>
        {
            bool failed = false;
            using (ClaimLedger.Suspend())
            {
                try { body(c); }
                catch (AssertionException) { failed = true; }
            }
            if (!failed) Checks.Fail($"Negative control '{control}' passed on {c}: the check cannot tell the broken variant apart here.");
        }, trials);
        ClaimLedger.RecordNegativeControl(control + " (failed on every case)");
    }

    private static string FirstShrunkLine(string report)
    {
        var lines = report.Split('\n');
        var shrunk = lines.SkipWhile(l => !l.Contains("Shrunk", StringComparison.Ordinal)).Skip(1).FirstOrDefault()
                     ?? lines.SkipWhile(l => !l.Contains("Original", StringComparison.Ordinal)).Skip(1).FirstOrDefault();
        return shrunk?.Trim() ?? lines[0].Trim();
    }
}
