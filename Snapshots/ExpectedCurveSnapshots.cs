using LoopedIcl.Claims;
using LoopedIcl.Experiments;
using LoopedIcl.Snapshots;

namespace LoopedIcl.SnapshotTests;

/// <summary>
/// SNAPSHOT: every expected curve (fixed seed, default scale) matches its committed snapshot exactly after rounding to 6 digits.
/// Each case carries its claim's ID as a category (from <see cref="ClaimRegistry"/>), so `--filter "Category=GAT-T3&Category!=Slow"` runs GAT-T3's
/// snapshot and a snapshot failure fails its claim.
/// </summary>
[TestFixture, Category(CategoryLabels.Snapshot)]
public sealed class ExpectedCurveSnapshots
{
    /// <summary>A curve maker the registry does not list gets this category, and its test fails.</summary>
    public const string Unregistered = "UNREGISTERED-CURVE";

    public static IEnumerable<TestCaseData> Curves() =>
        ExpectedCurves.All().Select(make =>
        {
            var maker = make.Method.Name;
            var claim = ClaimRegistry.CurveOf(maker)?.Claim.Id ?? Unregistered;
            return new TestCaseData(make).SetName($"{claim.Replace('-', '_').Replace('.', '_')}_Snapshot_{maker}_matches_the_committed_curve").SetCategory(claim);
        });

    /// <summary>SNAPSHOT: the curve recomputed now equals the committed one (a change to Numerics that moves a curve fails here).</summary>
    [TestCaseSource(nameof(Curves))]
    public void Curve_matches_its_snapshot(Func<SeedPlan, int, CurveSet> make)
    {
        var registered = ClaimRegistry.CurveOf(make.Method.Name);
        if (registered is null) Checks.Fail($"the curve maker {make.Method.Name} is not listed under any claim in ClaimRegistry");
        var curve = make(SeedPlan.Default, 1);
        Checks.True(curve.Claim == registered!.Value.Claim.Id && curve.Id == registered.Value.Curve.Id,
            $"{make.Method.Name} makes curve {curve.Claim}/{curve.Id}; the registry lists it as {registered.Value.Claim.Id}/{registered.Value.Curve.Id}");
        foreach (var s in curve.Series)
            Checks.True(s.Y.Length == curve.X.Length, $"{curve.Id}/{s.Name}: {s.Y.Length} values for {curve.X.Length} x values");
        CurveSnapshot.Match(curve);
    }
}
