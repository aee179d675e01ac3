using LoopedIcl.Numerics.Convergence;
using LoopedIcl.Numerics.Spectra;
using LoopedIcl.Snapshots;

namespace LoopedIcl.SnapshotTests;

/// <summary>CHEN-E1 curves: median log10 error and log10 bound vs T for d = 4 and each n (the paper's experiment, 500 prompts, fixed seed).</summary>
[TestFixture, Category("CHEN-E1"), Category("SNAPSHOT")]
public sealed class ChenE1CurveSnapshot
{
    /// <summary>CHEN-E1: the median error and bound curves for n ∈ {4, 8, 16, 32, 64} match the committed snapshot.</summary>
    [Test]
    public void CHEN_E1_Median_error_curves_match_the_snapshot()
    {
        const int d = 4, loops = 100, prompts = 500, seed = 2025;
        var curves = new Dictionary<string, IReadOnlyList<double>>();
        foreach (var n in new[] { 4, 8, 16, 32, 64 })
        {
            var c = ChenConvergence.Experiment(d, n, loops, prompts, seed + n);
            // Below 1e-12 the error is rounding, whose last bits depend on summation order, not on the model: clamp there.
            curves[$"n{n}_median_log10_error"] = c.MedianLog10Error.Select(v => Math.Max(v, -12.0)).ToArray();
            curves[$"n{n}_median_log10_bound"] = c.MedianLog10Bound;
            curves[$"n{n}_slope_kappa"] = [c.FittedSlope, c.MedianKappa];
        }
        CurveSnapshot.Match("CHEN-E1.median-error-vs-loops.d4",
            new Dictionary<string, object> { ["d"] = d, ["loops"] = loops, ["prompts"] = prompts, ["seed"] = seed, ["alpha"] = 1.0 }, curves);
    }
}

/// <summary>CHEN-C1 curve: median κ(XᵀX) vs n/d for d ∈ {4, 10, 20}, with the Marchenko–Pastur limit.</summary>
[TestFixture, Category("CHEN-C1"), Category("SNAPSHOT")]
public sealed class ChenC1KappaSnapshot
{
    /// <summary>CHEN-C1: median κ vs n/d per d matches the committed snapshot.</summary>
    [Test]
    public void CHEN_C1_Median_kappa_versus_n_over_d_matches_the_snapshot()
    {
        int[] ratios = [2, 4, 8, 16, 32];
        const int samples = 400, seed = 77;
        var curves = new Dictionary<string, IReadOnlyList<double>>
        {
            ["n_over_d"] = ratios.Select(r => (double)r).ToArray(),
            ["marchenko_pastur"] = ratios.Select(r => Conditioning.MarchenkoPasturConditionNumber(1.0 / r)).ToArray(),
        };
        foreach (var d in new[] { 4, 10, 20 })
            curves[$"d{d}_median_kappa"] = ChenConvergence.MedianConditionNumbers(d, ratios, samples, seed + d);
        CurveSnapshot.Match("CHEN-C1.median-kappa-vs-n-over-d",
            new Dictionary<string, object> { ["samples"] = samples, ["seed"] = seed }, curves);
    }
}
