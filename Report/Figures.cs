using LoopedIcl.Experiments;
using ScottPlot;

namespace LoopedIcl.Report;

/// <summary>Draws a <see cref="CurveSet"/> with ScottPlot: measured series solid, theory dashed, log10 axes labelled as powers of ten.</summary>
internal static class Figures
{
    public static void Render(CurveSet c, string path)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int colourIndex = 0;
        var colourOf = new Dictionary<string, Color>();
        foreach (var s in c.Series)
        {
            var keep = Enumerable.Range(0, c.X.Length).Where(i => double.IsFinite(s.Y[i]) && double.IsFinite(c.X[i])).ToArray();
            if (keep.Length == 0) continue;
            // A bound shares the colour of the series it belongs to ("bound n=8" ↔ "n=8").
            var key = s.Name.Replace("bound ", "", StringComparison.Ordinal).Replace("bound, ", "", StringComparison.Ordinal).Replace("L(t), ", "", StringComparison.Ordinal);
            if (!colourOf.TryGetValue(key, out var colour)) colourOf[key] = colour = palette.GetColor(colourIndex++);
            var sc = plt.Add.Scatter(keep.Select(i => c.X[i]).ToArray(), keep.Select(i => s.Y[i]).ToArray());
            sc.Color = colour;
            sc.LegendText = Glyphs(s.Name);
            sc.LineWidth = s.IsTheory ? 1.5f : 2f;
            sc.MarkerSize = keep.Length <= 12 ? 6 : 0;
            if (s.IsTheory) sc.LinePattern = LinePattern.Dashed;
        }
        plt.Title(Glyphs(c.Title));
        plt.XLabel(Glyphs(c.Log10X ? c.XLabel + " (log scale)" : c.XLabel));
        plt.YLabel(Glyphs(c.Log10Y ? c.YLabel + " (log scale)" : c.YLabel));
        var ys = c.Series.SelectMany(s => s.Y).Where(double.IsFinite).ToArray();
        var xs = c.X.Where(double.IsFinite).ToArray();
        double yPad = 0.05 * Math.Max(1e-9, ys.Max() - ys.Min()), xPad = 0.03 * Math.Max(1e-9, xs.Max() - xs.Min());
        plt.Axes.SetLimits(xs.Min() - xPad, xs.Max() + xPad, ys.Min() - yPad, ys.Max() + yPad);
        if (c.Log10Y) plt.Axes.Left.TickGenerator = LogTicks(ys.Max() - ys.Min());
        if (c.Log10X) plt.Axes.Bottom.TickGenerator = LogTicks(xs.Max() - xs.Min());
        plt.ShowLegend(Edge.Right); // outside the data area: never hides a point
        plt.SavePng(path, 1000, 560);
    }

    /// <summary>Ticks for an axis holding log10 values: powers of ten over wide ranges, plain numbers over short ones.</summary>
    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks(double decades) => decades >= 2
        ? new() { IntegerTicksOnly = true, MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(), LabelFormatter = v => v == 0 ? "1" : $"1e{v:0}" }
        : new() { LabelFormatter = v => Math.Pow(10, v).ToString("G3", System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>The default font has no superscript T: write Xᵀ as X^T.</summary>
    private static string Glyphs(string s) => s.Replace("ᵀ", "^T", StringComparison.Ordinal);
}
