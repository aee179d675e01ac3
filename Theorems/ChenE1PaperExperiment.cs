using LoopedIcl.Numerics.Convergence;

namespace LoopedIcl.Theorems;

/// <summary>
/// CHEN-E1: the paper's experiment (d = 4, n ∈ {4, 8, 16, 32, 64}, T ≤ 100, medians over 500 prompts): the log-error is a
/// straight line in T, steeper for larger n/d, and lies below the bound; the empirical rate beats the bound's.
/// </summary>
[TestFixture, Category(ClaimIds.ChenE1)]
public sealed class ChenE1PaperExperiment
{
    internal static readonly int[] Ns = [4, 8, 16, 32, 64];
    private static ChenConvergence.Curve[]? _curves;

    /// <summary>The curves, computed once per run (deterministic: fixed seed, single-threaded).</summary>
    internal static ChenConvergence.Curve[] Curves() => _curves ??= Ns.Select(n => ChenConvergence.Experiment(4, n, 100, 500, TestSettings.SeedFor($"CHEN-E1.{n}"))).ToArray();

    /// <summary>CHEN-E1: for n ≥ 2d the median log-error is linear in T (R² ≥ 0.98 above the rounding floor); n = d is reported.</summary>
    [Test]
    public void CHEN_E1_Log_error_is_linear_in_the_number_of_loops()
    {
        foreach (var c in Curves())
        {
            ClaimLedger.Note($"CHEN-E1 n={c.N}: slope {c.FittedSlope:F4} log10/loop over T ≤ {c.FitEnd}, R² {c.FitRSquared:F4}, median κ {c.MedianKappa:F2}, bound slope {-1 / (2 * c.MedianKappa * Math.Log(10)):F4}");
            if (c.N >= 2 * c.D) Checks.AtLeast(c.FitRSquared, 0.98, $"R² of log10 error vs T, n={c.N}", CheckKind.Threshold);
        }
    }

    /// <summary>CHEN-E1: the slope steepens with n/d (each doubling of n at least 1.3× steeper).</summary>
    [Test]
    public void CHEN_E1_Slope_steepens_with_n_over_d()
    {
        var c = Curves();
        for (int i = 1; i < c.Length; i++)
            Checks.AtLeast(c[i].FittedSlope / c[i - 1].FittedSlope, 1.3, $"slope(n={c[i].N})/slope(n={c[i - 1].N})", CheckKind.Threshold);
    }

    /// <summary>CHEN-E1: the median error lies below the median bound at every T, and the fitted rate beats the bound's rate at the median κ.</summary>
    [Test]
    public void CHEN_E1_Empirical_curve_is_below_the_bound_and_decays_faster()
    {
        foreach (var c in Curves())
        {
            for (int t = 1; t < c.MedianLog10Error.Length; t++)
                Checks.AtMost(Math.Pow(10, c.MedianLog10Error[t]), Math.Pow(10, c.MedianLog10Bound[t]), $"median error vs median bound, n={c.N}, T={t}");
            Checks.AtLeast(-c.FittedSlope, 1 / (2 * c.MedianKappa * Math.Log(10)), $"fitted decay rate vs the bound's rate at the median κ, n={c.N}");
        }
    }

    /// <summary>CHEN-E1 negative control: a curve that does not steepen (n fixed at 8 for every "n") fails the steepening check.</summary>
    [Test]
    public void CHEN_E1_Negative_control_fixed_n_does_not_steepen()
    {
        var same = new[] { 1, 2 }.Select(k => ChenConvergence.Experiment(4, 8, 100, 500, TestSettings.SeedFor($"CHEN-E1.{100 * k}"))).ToArray();
        var ratio = same[1].FittedSlope / same[0].FittedSlope;
        Checks.True(ratio < 1.3, $"two independent n = 8 curves must not look 1.3× steeper (ratio {ratio:F3})", CheckKind.NegativeControl);
        ClaimLedger.RecordNegativeControl($"n fixed: slope ratio {ratio:F3} < 1.3");
    }
}
