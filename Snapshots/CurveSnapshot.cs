using System.Globalization;
using LoopedIcl.Experiments;
using Snapshooter.NUnit;

namespace LoopedIcl.Snapshots;

/// <summary>
/// The one wrapper around Snapshooter: a <see cref="CurveSet"/> with every value rounded to 6 significant digits (so that the
/// last bits of a summation order cannot flip a snapshot, while any real change of a curve does), stored as
/// Snapshots/__snapshots__/&lt;claim&gt;.&lt;id&gt;.snap. In CI SNAPSHOOTER_STRICT_MODE=on makes a missing snapshot fail.
/// Accept deliberate changes with: bash .ci/accept-snapshots
/// </summary>
public static class CurveSnapshot
{
    public const int SignificantDigits = 6;

    /// <summary>Rounds to 6 significant digits; NaN marks an absent point (written as null), ±∞ is a defect.</summary>
    public static double? Round(double v)
    {
        if (double.IsNaN(v)) return null;
        if (double.IsInfinity(v)) throw new ArgumentException($"Curve values must be finite (got {v}).", nameof(v));
        return v == 0 ? 0 : double.Parse(v.ToString("G" + SignificantDigits, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    public static string Name(CurveSet c) => $"{c.Claim}.{c.Id}";

    public static void Match(CurveSet c)
    {
        var parameters = c.Parameters.ToDictionary(kv => kv.Key, kv => kv.Value is double v ? Round(v) : kv.Value);
        Snapshot.Match(new
        {
            c.Claim,
            c.Title,
            c.XLabel,
            c.YLabel,
            c.Log10X,
            c.Log10Y,
            Parameters = parameters,
            X = c.X.Select(Round).ToArray(),
            Series = c.Series.Select(s => new { s.Name, s.IsTheory, Y = s.Y.Select(Round).ToArray() }).ToArray(),
        }, Name(c));
    }
}
