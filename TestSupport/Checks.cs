using NUnit.Framework;

namespace LoopedIcl.TestSupport;

/// <summary>
/// The one place bounds and tolerances are asserted. Every check fails first on NaN/∞ (NUnit's Is.LessThan passes for
/// NaN) with <see cref="NonFiniteValue"/>, then on the inequality with <see cref="ClaimViolation"/>, and records its kind and
/// margin in the <see cref="ClaimLedger"/>. Failures throw directly (not via Assert.That), so a property runner can catch
/// and shrink them without NUnit having already marked the test failed.
/// </summary>
public static class Checks
{
    /// <summary>Asserts finite lhs ≤ rhs (rhs &gt; 0) and records lhs/rhs.</summary>
    public static void AtMost(double lhs, double rhs, string what, CheckKind kind = CheckKind.Bound)
    {
        if (!double.IsFinite(rhs) || rhs <= 0) Fail($"{what}: the bound must be finite and > 0, got {rhs}");
        if (!double.IsFinite(lhs)) NonFinite(kind, what, $"value is not finite ({lhs}); bound {rhs:G6}");
        var margin = lhs / rhs;
        bool held = lhs <= rhs;
        ClaimLedger.RecordCheck(kind, margin, what, held);
        if (!held) throw new ClaimViolation($"{what}: {lhs:G6} > {rhs:G6} (ratio {margin:G6})", kind);
    }

    /// <summary>Asserts finite lhs ≥ rhs (a lower bound), recording rhs/lhs as the margin (≤ 1 when it holds).</summary>
    public static void AtLeast(double lhs, double rhs, string what, CheckKind kind = CheckKind.Bound)
    {
        if (!double.IsFinite(lhs) || !double.IsFinite(rhs)) NonFinite(kind, what, $"not finite (lhs {lhs}, rhs {rhs})");
        bool held = lhs >= rhs;
        double margin = lhs > 0 ? rhs / lhs : (held ? 0 : double.PositiveInfinity);
        ClaimLedger.RecordCheck(kind, margin, what, held);
        if (!held) throw new ClaimViolation($"{what}: {lhs:G6} < {rhs:G6}", kind);
    }

    /// <summary>|actual − expected| ≤ tolerance; records error/tolerance.</summary>
    public static void Close(double actual, double expected, double tolerance, string what, CheckKind kind = CheckKind.Identity)
    {
        if (!double.IsFinite(expected)) NonFinite(kind, what, $"expected value is not finite ({expected})");
        if (!double.IsFinite(actual)) NonFinite(kind, what, $"value is not finite ({actual}); expected {expected:G10}");
        AtMost(Math.Abs(actual - expected), tolerance, $"{what} (|{actual:G10} − {expected:G10}|)", kind);
    }

    /// <summary>Relative closeness: |actual − expected| ≤ rel · max(1, |expected|).</summary>
    public static void RelativeClose(double actual, double expected, double rel, string what, CheckKind kind = CheckKind.Identity) =>
        Close(actual, expected, rel * Math.Max(1.0, Math.Abs(expected)), what, kind);

    /// <summary>
    /// Asserts the finite value is strictly greater than the threshold (by default a negative control's evidence: the broken
    /// variant misses by more than the check's tolerance). Records threshold/value (&lt; 1 when it held). ±∞ and NaN prove nothing.
    /// </summary>
    public static void Exceeds(double value, double threshold, string what, CheckKind kind = CheckKind.NegativeControl)
    {
        if (!double.IsFinite(value) || !double.IsFinite(threshold)) NonFinite(kind, what, $"value {value} vs threshold {threshold}: a non-finite value proves nothing");
        bool held = value > threshold;
        double margin = value > 0 ? threshold / value : (held ? 0 : double.PositiveInfinity);
        ClaimLedger.RecordCheck(kind, margin, what, held);
        if (!held) throw new ClaimViolation($"{what}: expected > {threshold:G6}, got {value:G6}", kind);
    }

    /// <summary>Asserts a condition (no margin). Its failure is a <see cref="ClaimViolation"/> of the given kind.</summary>
    public static void True(bool condition, string what, CheckKind kind = CheckKind.Sanity)
    {
        ClaimLedger.RecordCheck(kind, double.NaN, what, condition);
        if (!condition) throw new ClaimViolation(what, kind);
    }

    /// <summary>The same double bit for bit (−0 and +0 differ, as do NaN payloads): for results that must not depend on order or width.</summary>
    public static bool SameBits(double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    /// <summary>The same doubles bit for bit, entry by entry, and the same length.</summary>
    public static bool SameBits(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++) if (!SameBits(a[i], b[i])) return false;
        return true;
    }

    /// <summary>A threshold check (a fit's R², a monotonicity step): finite value ≥ threshold, reported apart from the claim's margin.</summary>
    public static void Threshold(double value, double atLeast, string what) => AtLeast(value, atLeast, what, CheckKind.Threshold);

    /// <summary>A sanity condition (reported apart from the claim's margin).</summary>
    public static void Sanity(bool condition, string what) => True(condition, what, CheckKind.Sanity);

    /// <summary>
    /// A failure of the test itself (bad set-up, a crash in a negative control): never a <see cref="ClaimViolation"/>, so no
    /// negative control can count it.
    /// </summary>
    public static void Fail(string message) => throw new AssertionException(message);

    private static void NonFinite(CheckKind kind, string what, string detail)
    {
        ClaimLedger.RecordCheck(kind, double.PositiveInfinity, what, held: false);
        throw new NonFiniteValue($"{what}: {detail}");
    }
}
