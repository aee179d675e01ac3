using LoopedIcl.Claims;
using LoopedIcl.Experiments;
using LoopedIcl.Numerics.Training;
using LoopedIcl.Snapshots;

namespace LoopedIcl.SnapshotTests;

/// <summary>
/// SNAPSHOT: the learned curves (deterministic training of the reduced recipes, one engine thread) match their committed
/// snapshots after rounding to 3 significant digits — tolerant of the last bits of a different summation order or FMA
/// contraction on another machine, not of any real change of the trained trajectory.
/// </summary>
[TestFixture, Category(CategoryLabels.Snapshot)]
public sealed class LearnedCurveSnapshots
{
    public const int Digits = 3;

    public static IEnumerable<TestCaseData> Curves() =>
        LearningCurves.All().Select(make =>
        {
            var claim = ClaimRegistry.CurveOf(make.Method.Name)?.Claim.Id ?? ExpectedCurveSnapshots.Unregistered;
            return new TestCaseData(make).SetName($"{claim.Replace('-', '_').Replace('.', '_')}_Snapshot_{make.Method.Name}_learned_curves_match").SetCategory(claim);
        });

    /// <summary>SNAPSHOT: every learned curve at the default seed plan (the tests' own runs at the default seed) equals the committed one at 3 significant digits.</summary>
    [TestCaseSource(nameof(Curves))]
    public void Learned_curves_match_their_snapshots(Func<SeedPlan, CurveSet[]> make)
    {
        foreach (var curve in make(SeedPlan.Default))
        {
            foreach (var s in curve.Series)
                Checks.True(s.Y.Length == curve.X.Length, $"{curve.Id}/{s.Name}: {s.Y.Length} values for {curve.X.Length} x values");
            CurveSnapshot.Match(Rounded(curve));
        }
    }

    private static CurveSet Rounded(CurveSet c) => c with
    {
        Series = c.Series.Select(s => s with { Y = s.Y.Select(Round).ToArray() }).ToArray(),
        Parameters = c.Parameters.ToDictionary(kv => kv.Key, kv => kv.Value is double v ? Round(v) : kv.Value),
    };

    private static double Round(double v) => v == 0 || !double.IsFinite(v) ? v : Math.Round(v, Digits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(v))));
}
