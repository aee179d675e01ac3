using NUnit.Framework;

namespace LoopedIcl.TestSupport;

/// <summary>
/// The one place bounds and tolerances are asserted. Every check fails first on NaN/∞ (NUnit's
/// Is.LessThan passes for NaN), then on the inequality, and records the margin LHS/RHS in the
/// <see cref="ClaimLedger"/>. Failures throw <see cref="AssertionException"/> directly (not via Assert.That),
/// so a property runner can catch and shrink them without NUnit having already marked the test failed.
/// </summary>
public static class Checks
{
    /// <summary>Asserts finite lhs ≤ rhs (rhs &gt; 0) and records lhs/rhs.</summary>
    public static void AtMost(double lhs, double rhs, string what)
    {
        if (!double.IsFinite(rhs) || rhs <= 0) Fail($"{what}: the bound must be finite and > 0, got {rhs}");
        var margin = lhs / rhs;
        bool held = double.IsFinite(lhs) && lhs <= rhs;
        ClaimLedger.RecordCheck(double.IsFinite(lhs) ? margin : double.NaN, what, held);
        if (!double.IsFinite(lhs)) Fail($"{what}: value is not finite ({lhs}); bound {rhs:G6}");
        if (!held) Fail($"{what}: {lhs:G6} > {rhs:G6} (ratio {margin:G6})");
    }

    /// <summary>Asserts finite lhs ≥ rhs (a lower bound), recording rhs/lhs as the margin (≤ 1 when it holds).</summary>
    public static void AtLeast(double lhs, double rhs, string what)
    {
        bool finite = double.IsFinite(lhs) && double.IsFinite(rhs);
        bool held = finite && lhs >= rhs;
        double margin = finite ? (lhs > 0 ? rhs / lhs : (held ? 0 : double.PositiveInfinity)) : double.NaN;
        ClaimLedger.RecordCheck(margin, what, held);
        if (!finite) Fail($"{what}: not finite (lhs {lhs}, rhs {rhs})");
        if (!held) Fail($"{what}: {lhs:G6} < {rhs:G6}");
    }

    /// <summary>|actual − expected| ≤ tolerance; records error/tolerance.</summary>
    public static void Close(double actual, double expected, double tolerance, string what)
    {
        if (!double.IsFinite(expected)) Fail($"{what}: expected value is not finite ({expected})");
        AtMost(Math.Abs(actual - expected), tolerance, $"{what} (|{actual:G10} − {expected:G10}|)");
    }

    /// <summary>Relative closeness: |actual − expected| ≤ rel · max(1, |expected|).</summary>
    public static void RelativeClose(double actual, double expected, double rel, string what) =>
        Close(actual, expected, rel * Math.Max(1.0, Math.Abs(expected)), what);

    /// <summary>For a negative control: asserts the finite value is strictly greater than the threshold.</summary>
    public static void Exceeds(double value, double threshold, string what)
    {
        if (!double.IsFinite(value) && !double.IsPositiveInfinity(value)) Fail($"{what}: value is NaN, which proves nothing");
        if (!(value > threshold)) Fail($"{what}: expected > {threshold:G6}, got {value:G6}");
    }

    public static void True(bool condition, string what)
    {
        if (!condition) Fail(what);
    }

    public static void Fail(string message) => throw new AssertionException(message);
}
