using LoopedIcl.Numerics.Curves;
using LoopedIcl.Snapshots;

namespace LoopedIcl.SnapshotTests;

/// <summary>SNAPSHOT: every expected curve (fixed seed, default scale) matches its committed snapshot exactly after rounding to 6 digits.</summary>
[TestFixture, Category("SNAPSHOT")]
public sealed class ExpectedCurveSnapshots
{
    public static IEnumerable<TestCaseData> Curves() =>
        ExpectedCurves.All().Select(make =>
        {
            var name = make.Method.Name;
            return new TestCaseData(make).SetName($"SNAPSHOT_{name}_matches_the_committed_curve").SetCategory(name);
        });

    /// <summary>SNAPSHOT: the curve recomputed now equals the committed one (a change to Numerics that moves a curve fails here).</summary>
    [TestCaseSource(nameof(Curves))]
    public void Curve_matches_its_snapshot(Func<int, CurveSet> make)
    {
        var curve = make(1);
        foreach (var s in curve.Series)
            Checks.True(s.Y.Length == curve.X.Length, $"{curve.Id}/{s.Name}: {s.Y.Length} values for {curve.X.Length} x values");
        CurveSnapshot.Match(curve);
    }
}
