using System.Globalization;
using Snapshooter.NUnit;

namespace LoopedIcl.Snapshots;

/// <summary>
/// The one wrapper around Snapshooter: a named set of curves, every value rounded to 6 significant digits (so that
/// the last bits of a summation order cannot flip a snapshot, while any real change of a curve does), stored as
/// Snapshots/__snapshots__/&lt;name&gt;.snap. In CI SNAPSHOOTER_STRICT_MODE=on makes a missing snapshot fail.
/// Accept deliberate changes with: bash .ci/accept-snapshots
/// </summary>
public static class CurveSnapshot
{
    public const int SignificantDigits = 6;

    public static double Round(double v)
    {
        if (!double.IsFinite(v)) throw new ArgumentException($"Curve values must be finite (got {v}); a NaN in a snapshot would hide a defect.", nameof(v));
        return v == 0 ? 0 : double.Parse(v.ToString("G" + SignificantDigits, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    public static void Match(string name, IReadOnlyDictionary<string, object> parameters, IReadOnlyDictionary<string, IReadOnlyList<double>> curves)
    {
        var rounded = curves.ToDictionary(kv => kv.Key, kv => kv.Value.Select(Round).ToArray());
        Snapshot.Match(new { Parameters = parameters, Curves = rounded }, name);
    }
}
