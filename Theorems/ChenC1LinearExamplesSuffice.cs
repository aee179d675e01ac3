using LoopedIcl.Numerics.Convergence;

namespace LoopedIcl.Theorems;

/// <summary>
/// CHEN-C1: X with N(0, I) rows and n = C·d (C &gt; 1) has κ(XᵀX) = O(1) w.h.p. (median → the Marchenko–Pastur value
/// ((1+√(d/n))/(1−√(d/n)))²), so T = O(κ log 1/ε) loops reach error ε with n independent of T; n = d is heavy-tailed.
/// </summary>
[TestFixture, Category(ClaimIds.ChenC1)]
public sealed class ChenC1LinearExamplesSuffice
{
    private const double FalseAlarm = 1e-6;
    private const int Samples = 1000;

    internal static double[] Kappas(int d, int n, int samples, int seed)
    {
        var rng = Rng.Create(seed);
        var sampler = PromptSampler.Isotropic(d, TaskLaw.UnitSphere);
        return Enumerable.Range(0, samples).Select(_ => Conditioning.GramConditionNumber(sampler.SampleCovariates(n, rng))).ToArray();
    }

    private static int Seed(int d, int ratio) => TestSettings.Seed + 1000 * d + ratio;

    /// <summary>CHEN-C1: the sample median of κ(XᵀX) matches CLAIMS.md's reference medians (the order-statistic interval at false alarm 1e-6, widened by the references' rounding ±0.05, contains them).</summary>
    [TestCase(4, 4, 4.3)]
    [TestCase(10, 4, 6.3)]
    [TestCase(20, 4, 7.2)]
    [TestCase(4, 16, 2.0)]
    [TestCase(10, 16, 2.4)]
    [TestCase(20, 16, 2.5)]
    public void CHEN_C1_Median_condition_number_matches_the_reference(int d, int ratio, double reference)
    {
        var ks = Kappas(d, ratio * d, Samples, Seed(d, ratio));
        var (lo, hi) = SampleStatistics.QuantileInterval(ks, 0.5, FalseAlarm);
        ClaimLedger.Note($"CHEN-C1 d={d} n/d={ratio}: median κ = {SampleStatistics.Median(ks):F3}, 1e-6 interval [{lo:F3}, {hi:F3}], reference {reference}, MP limit {Conditioning.MarchenkoPasturConditionNumber(1.0 / ratio):F3}");
        Checks.AtLeast(reference, lo - 0.05, $"reference ≥ median interval low, d={d} n/d={ratio}");
        Checks.AtMost(reference, hi + 0.05, $"reference ≤ median interval high, d={d} n/d={ratio}");
    }

    /// <summary>CHEN-C1: at fixed n/d the median κ rises with d towards, and stays below, the Marchenko–Pastur limit (disjoint 1e-6 intervals).</summary>
    [TestCase(4)]
    [TestCase(16)]
    public void CHEN_C1_Median_approaches_the_Marchenko_Pastur_limit_from_below(int ratio)
    {
        double previousHigh = 0;
        foreach (var d in new[] { 4, 10, 20 })
        {
            var (lo, hi) = SampleStatistics.QuantileInterval(Kappas(d, ratio * d, Samples, Seed(d, ratio)), 0.5, FalseAlarm);
            Checks.AtLeast(lo, previousHigh, $"median κ increases with d (d={d}, n/d={ratio})", CheckKind.Threshold);
            previousHigh = hi;
        }
        Checks.AtMost(previousHigh, Conditioning.MarchenkoPasturConditionNumber(1.0 / ratio), $"median κ below the MP limit at d=20, n/d={ratio}");
    }

    /// <summary>
    /// CHEN-C1 concentration: by Davidson–Szarek, P(κ(XᵀX) &gt; ((√n+√d+t)/(√n−√d−t))²) ≤ 2e^(−t²/2); the observed fraction must
    /// not exceed that by more than the Hoeffding slack at false alarm 1e-6.
    /// </summary>
    [TestCase(10, 16, 3.0)]
    [TestCase(20, 4, 3.0)]
    [TestCase(20, 16, 3.0)]
    [TestCase(64, 4, 4.0)]
    public void CHEN_C1_Fraction_above_the_concentration_bound_is_small(int d, int ratio, double t)
    {
        int n = ratio * d;
        double sn = Math.Sqrt(n), sd = Math.Sqrt(d);
        Assume.That(sn - sd - t > 0, "the bound needs √n − √d > t");
        var threshold = Math.Pow((sn + sd + t) / (sn - sd - t), 2);
        var ks = Kappas(d, n, d >= 64 ? 200 : Samples, Seed(d, ratio) + 7);
        var fraction = ks.Count(k => k > threshold) / (double)ks.Length;
        var allowed = 2 * Math.Exp(-t * t / 2) + SampleStatistics.HoeffdingSlack(ks.Length, FalseAlarm);
        ClaimLedger.Note($"CHEN-C1 concentration d={d} n={n} t={t}: P(κ > {threshold:F2}) observed {fraction:F4} ≤ {2 * Math.Exp(-t * t / 2):F4} (+ slack)");
        Checks.AtMost(fraction, allowed, $"fraction of κ above {threshold:F2}, d={d} n={n}");
    }

    /// <summary>CHEN-C1: n = d is heavy-tailed (median ≈ 10² at d = 4, 90th percentile over 10× the median), unlike n = 4d.</summary>
    [Test]
    public void CHEN_C1_Square_X_has_a_heavy_tailed_condition_number()
    {
        var square = Kappas(4, 4, Samples, Seed(4, 1));
        var (lo, hi) = SampleStatistics.QuantileInterval(square, 0.5, FalseAlarm);
        Checks.AtMost(lo, 100, "median κ at n = d = 4 is ≈ 10² (interval low ≤ 100)");
        Checks.AtLeast(hi, 100, "median κ at n = d = 4 is ≈ 10² (interval high ≥ 100)");
        var tallRatio = SampleStatistics.Quantile(Kappas(4, 16, Samples, Seed(4, 4)), 0.9) / SampleStatistics.Median(Kappas(4, 16, Samples, Seed(4, 4)));
        var squareRatio = SampleStatistics.Quantile(square, 0.9) / SampleStatistics.Median(square);
        ClaimLedger.Note($"CHEN-C1 tails: q90/median = {squareRatio:F1} at n = d = 4, {tallRatio:F2} at n = 4d");
        Checks.AtLeast(squareRatio, 10, "q90/median of κ at n = d", CheckKind.Threshold);
        Checks.AtMost(tallRatio, 2, "q90/median of κ at n = 4d", CheckKind.Threshold);
    }

    /// <summary>CHEN-C1: with n = 4d fixed, the loops to reach ε are ≤ κ ln(|α|/ε) per prompt and grow linearly in ln(1/ε).</summary>
    [Test]
    public void CHEN_C1_Loops_to_reach_epsilon_grow_like_kappa_log_one_over_epsilon_at_fixed_n()
    {
        const int d = 8, n = 32, prompts = 200;
        var eps = new[] { 1e-2, 1e-4, 1e-6, 1e-8, 1e-10 };
        var rng = Rng.Create(TestSettings.Seed + 17);
        var sampler = PromptSampler.Isotropic(d, TaskLaw.UnitSphere);
        var loops = eps.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < prompts; i++)
        {
            var run = ChenConvergence.Run(sampler.Sample(n, rng), 1.0, 400);
            for (int k = 0; k < eps.Length; k++)
            {
                int needed = ChenConvergence.LoopsToReach(run, eps[k]);
                Checks.True(needed >= 0, $"ε={eps[k]} not reached in 400 loops (κ={run.Kappa:G4})");
                Checks.AtMost(needed, Math.Ceiling(run.Kappa * Math.Log(1 / eps[k])), $"loops to ε={eps[k]} vs ⌈κ ln(1/ε)⌉");
                loops[k].Add(needed);
            }
        }
        var medians = loops.Select(SampleStatistics.Median).ToArray();
        var fit = SampleStatistics.LinearFit(eps.Select(e => Math.Log(1 / e)).ToArray(), medians);
        ClaimLedger.Note($"CHEN-C1 d={d} n={n}: median loops to ε ∈ {{1e-2..1e-10}} = [{string.Join(", ", medians)}], slope {fit.Slope:F2} per unit ln(1/ε), R² = {fit.RSquared:F4}");
        Checks.AtLeast(fit.RSquared, 0.99, "median loops are linear in ln(1/ε)", CheckKind.Threshold);
    }
}
