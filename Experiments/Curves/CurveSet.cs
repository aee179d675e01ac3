namespace LoopedIcl.Experiments;

/// <summary>One plotted line: its name, y values, and whether it is a theoretical bound/formula (drawn dashed).</summary>
public sealed record Series(string Name, double[] Y, bool IsTheory = false);

/// <summary>
/// A figure's data: x values, one or more series, axis labels, and whether x and y hold log10 of the quantity. Produced by the
/// deterministic functions in <see cref="ExpectedCurves"/> (fixed seeds, single-threaded), snapshotted by the Snapshots
/// project and drawn by the Report tool, so the test, the snapshot and the figure are the same numbers.
/// </summary>
public sealed record CurveSet(string Id, string Claim, string Title, string XLabel, string YLabel, bool Log10Y, double[] X,
    IReadOnlyList<Series> Series, IReadOnlyDictionary<string, object> Parameters, string Caption)
{
    /// <summary>Whether X holds log10 of the quantity (drawn on a log axis).</summary>
    public bool Log10X { get; init; }
}
