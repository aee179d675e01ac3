using NUnit.Framework;

namespace LoopedIcl.TestSupport;

/// <summary>
/// What a check is, so the report can tell the claim's own tightness from everything else (CLAIMS.md, "What a verdict
/// means"): only <see cref="Bound"/> and <see cref="Identity"/> margins are the claim's margin.
/// </summary>
public enum CheckKind
{
    /// <summary>The claim's own inequality (lhs ≤ rhs or lhs ≥ rhs); margin lhs/rhs (resp. rhs/lhs), ≤ 1 when it holds.</summary>
    Bound,
    /// <summary>The claim's own identity in double (error over its rounding budget) or in exact arithmetic (margin 0).</summary>
    Identity,
    /// <summary>A threshold the test chose (a fit's R², a monotonicity step, a slope ratio): reported as such, never as the claim's tightness.</summary>
    Threshold,
    /// <summary>A sanity condition (finite output, shape, convergence of a solver, a count).</summary>
    Sanity,
    /// <summary>A broken variant that must fail the claim's check (recorded when it did).</summary>
    NegativeControl,
}

/// <summary>
/// A claim's own check failed on finite values. The only failure a negative control may count as its counterexample
/// (<see cref="Properties.ExpectCounterexample{TCase}"/>, <see cref="Properties.ExpectFailureOnEveryCase{TCase}"/>).
/// </summary>
public sealed class ClaimViolation : AssertionException
{
    public ClaimViolation(string message, CheckKind kind) : base(message) => Kind = kind;
    public CheckKind Kind { get; }
}

/// <summary>
/// A check met NaN or ±∞. Proves nothing: it fails the test, and it fails a negative control (which must not read it as a
/// counterexample), naming the value.
/// </summary>
public sealed class NonFiniteValue : AssertionException
{
    public NonFiniteValue(string message) : base(message) { }
}
