using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;
using NUnit.Framework.Internal;

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
            .WithReplay(TestSettings.Plan.Stream(TestContext.CurrentContext.Test.FullName), 0x9E3779B97F4A7C15UL) // FsCheck's gamma must be odd
            .WithQuietOnSuccess(true);

    private static string Replay() => LedgerFile.ReplayCommand(TestExecutionContext.CurrentContext.CurrentTest);

    /// <summary>
    /// Checks the body on every generated case; on failure reports the shrunk case and a replay command. The failure keeps the
    /// kind of the last (shrunk) case's failure: a <see cref="ClaimViolation"/> stays one, a <see cref="NonFiniteValue"/> stays one,
    /// anything else is a plain failure.
    /// </summary>
    public static void ForAll<TCase>(Arbitrary<TCase> cases, Action<TCase> body, int? trials = null)
    {
        Exception? last = null;
        void Tracked(TCase c)
        {
            try { body(c); }
            catch (Exception e) { last = e; throw; }
        }
        try
        {
            Prop.ForAll(cases, (Action<TCase>)Tracked).Check(MakeConfig(trials));
        }
        catch (Exception e)
        {
            var message = $"Property failed (base seed {TestSettings.Seed}); replay with:\n  {Replay()}\n{e.Message}";
            throw last switch
            {
                ClaimViolation v => new ClaimViolation(message, v.Kind),
                NonFiniteValue => new NonFiniteValue(message),
                _ => new AssertionException(message),
            };
        }
    }

    /// <summary>
    /// A negative control: the body must fail the claim's own check (a <see cref="ClaimViolation"/>) on some generated case.
    /// Any other failure — a non-finite value, an exception of the model, a plain assertion — fails the control, naming it.
    /// Returns FsCheck's report of the shrunk counterexample (also written to the test output and the ledger).
    /// </summary>
    public static string ExpectCounterexample<TCase>(Arbitrary<TCase> cases, Action<TCase> body, string control, int? trials = null)
    {
        Exception? crash = null;
        TCase? crashCase = default;
        void Guarded(TCase c)
        {
            try { body(c); }
            catch (ClaimViolation) { throw; }
            catch (Exception e) when (crash is null) { crash = e; crashCase = c; }
            catch (Exception) { }
        }
        string? report = null;
        try
        {
            using var quiet = ClaimLedger.Suspend();
            Prop.ForAll(cases, (Action<TCase>)Guarded).Check(MakeConfig(trials));
        }
        catch (Exception e)
        {
            report = e.Message;
        }
        if (crash is not null) ControlCrashed(control, crash, crashCase);
        if (report is null)
            Checks.Fail($"Negative control '{control}' found no counterexample in {trials ?? TestSettings.Trials} cases: the check cannot tell the broken variant apart.");
        TestContext.Out.WriteLine($"Negative control '{control}' found a counterexample, as it must:\n{report}");
        ClaimLedger.RecordNegativeControl(control + " — " + FirstShrunkLine(report!));
        return report!;
    }

    /// <summary>
    /// A negative control that must fail the claim's own check (a <see cref="ClaimViolation"/>) on every case (e.g. a wrong
    /// formula on generic inputs). A non-finite value or any other exception fails the control, naming it.
    /// </summary>
    public static void ExpectFailureOnEveryCase<TCase>(Arbitrary<TCase> cases, Action<TCase> body, string control, int? trials = null)
    {
        ForAll(cases, c =>
        {
            bool failed = false;
            using (ClaimLedger.Suspend())
            {
                try { body(c); }
                catch (ClaimViolation) { failed = true; }
                catch (Exception e) { ControlCrashed(control, e, c); }
            }
            if (!failed) Checks.Fail($"Negative control '{control}' passed on {c}: the check cannot tell the broken variant apart here.");
        }, trials);
        ClaimLedger.RecordNegativeControl(control + " (failed on every case)");
    }

    /// <summary>
    /// A negative control on one instance: <paramref name="claimCheck"/> runs the claim's own check (Checks.AtMost/Close/…) on the
    /// broken variant and must raise a <see cref="ClaimViolation"/>. Passing, a non-finite value or any other exception fails the
    /// control, naming it. Prefer this to asserting some other quantity is large: it proves the claim's check can fail.
    /// </summary>
    public static void ExpectViolation(string control, Action claimCheck)
    {
        try
        {
            using (ClaimLedger.Suspend()) claimCheck();
        }
        catch (ClaimViolation v)
        {
            var first = v.Message.Split('\n')[0];
            TestContext.Out.WriteLine($"Negative control '{control}' violated the claim's check, as it must: {first}");
            ClaimLedger.RecordNegativeControl($"{control} — {first}");
            return;
        }
        catch (Exception e)
        {
            ControlCrashed(control, e, "its instance");
        }
        Checks.Fail($"Negative control '{control}' passed the claim's check: the check cannot tell the broken variant apart.");
    }

    /// <summary>Fails a negative control loudly: what it met was not the claim's check failing on finite values.</summary>
    private static void ControlCrashed<TCase>(string control, Exception e, TCase c)
    {
        var what = e is NonFiniteValue ? "met a non-finite value, which proves nothing" : $"threw {e.GetType().Name} instead of failing the claim's check";
        Checks.Fail($"Negative control '{control}' {what} on {c}: {e.Message}");
    }

    private static string FirstShrunkLine(string report)
    {
        var lines = report.Split('\n');
        var shrunk = lines.SkipWhile(l => !l.Contains("Shrunk", StringComparison.Ordinal)).Skip(1).FirstOrDefault()
                     ?? lines.SkipWhile(l => !l.Contains("Original", StringComparison.Ordinal)).Skip(1).FirstOrDefault();
        return shrunk?.Trim() ?? lines[0].Trim();
    }
}
