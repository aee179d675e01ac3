using LoopedIcl.Numerics.Prompts;
using NUnit.Framework;

namespace LoopedIcl.TestSupport;

/// <summary>
/// Proves a polynomial identity by exact evaluation at random integer points (Schwartz–Zippel): if the
/// difference of the two sides were a non-zero polynomial of total degree ≤ D, it would vanish at a uniform point of
/// S^N with probability ≤ D/|S|; surviving k independent points bounds the chance of a false proof by (D/|S|)^k.
/// </summary>
public static class ExactProof
{
    public const int DefaultPoints = 3;

    /// <summary>Runs <paramref name="trial"/> at <paramref name="points"/> independent integer points; each must return true (both sides exactly equal).</summary>
    public static double Run(string identity, int degree, Func<IntegerPoints, bool> trial, int points = DefaultPoints, long range = 1_000_000)
    {
        double bound = 1;
        for (int k = 0; k < points; k++)
        {
            int seed = unchecked(TestSettings.SeedFor(identity) + k * 7919);
            var pts = new IntegerPoints(seed, range);
            bool held = trial(pts);
            ClaimLedger.RecordCheck(CheckKind.Identity, held ? 0 : double.PositiveInfinity, "exact: " + identity, held);
            if (!held)
                throw new ClaimViolation($"Exact identity '{identity}' is false at the integer point with seed {seed} (S = [−{range}, {range}]).", CheckKind.Identity);
            bound = pts.FalseProofProbability(degree, k + 1);
        }
        ClaimLedger.Note($"exact proof of '{identity}': total degree ≤ {degree}, |S| = {2 * range + 1}, {points} points ⇒ P(false identity survives) ≤ {bound:G3}");
        return bound;
    }

    /// <summary>A negative control in exact arithmetic: the broken variant must differ exactly at the first point.</summary>
    public static void Refutes(string variant, Func<IntegerPoints, bool> trial, long range = 1_000_000)
    {
        var pts = new IntegerPoints(TestSettings.SeedFor(variant), range);
        bool held;
        using (ClaimLedger.Suspend()) held = trial(pts);
        if (held) Checks.Fail($"Negative control '{variant}' held exactly at a random integer point: the exact check cannot tell it apart.");
        ClaimLedger.RecordNegativeControl(variant + " (exactly different at a random integer point)");
        TestContext.Out.WriteLine($"Negative control '{variant}': exactly different, as it must be.");
    }
}
