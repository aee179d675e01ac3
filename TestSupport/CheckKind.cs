using LoopedIcl.Claims;
using NUnit.Framework;

namespace LoopedIcl.TestSupport;

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
