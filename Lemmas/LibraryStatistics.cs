using static LoopedIcl.TestSupport.Refusals;
using LoopedIcl.Numerics.Statistics;

namespace LoopedIcl.Lemmas;

/// <summary>
/// STATISTICS (library level, exact small cases): every public function of Numerics/Statistics against values computed by hand
/// (rationals written out, closed forms of the binomial and of Clopper–Pearson at k = m and k = 1), so that a wrong constant,
/// rank or comparison fails. Part of the mutation shards' fast set (Category Library: each test runs in milliseconds).
/// </summary>
[TestFixture, Category(ClaimIds.Statistics), Category(CategoryLabels.Library)]
public sealed class LibraryStatistics
{
    // Exact small cases in double: every value below is exactly representable or within a few ulps of the hand value.
    private const double Ulps = 1e-14;

    private static void RejectsNull(Action call)
    {
        var ex = Assert.Throws<ArgumentNullException>(() => call());
        Checks.True(ex!.ParamName == "xs", $"a null sample names 'xs' (got '{ex.ParamName}')");
    }

    /// <summary>STATISTICS: Welford on 1, 2, 3, 4 gives mean 5/2, Σ(x − x̄)² = 5 and SE √(5/3/4); merging halves (either order) gives the same.</summary>
    [Test]
    public void STATISTICS_Running_moments_exact_values_and_merge()
    {
        var all = new RunningMoments();
        foreach (var x in new[] { 1.0, 2, 3, 4 }) all.Add(x);
        Checks.True(all.Count == 4, "count 4");
        Checks.Close(all.Mean, 2.5, Ulps, "mean of 1..4");
        Checks.Close(all.SumSquaredDeviations, 5, Ulps, "Σ(x − x̄)² of 1..4");
        var e = all.ToEstimate();
        Checks.Close(e.Mean, 2.5, Ulps, "estimate mean");
        Checks.Close(e.StandardError, Math.Sqrt(5.0 / 3 / 4), Ulps, "SE = √(s²/m)");
        Checks.True(e.Count == 4, "estimate count");

        var a = new RunningMoments(); a.Add(1); a.Add(2);
        var b = new RunningMoments(); b.Add(3); b.Add(4); b.Add(10);
        var ab = a; ab.Merge(b);
        var ba = b; ba.Merge(a);
        // 1, 2, 3, 4, 10: mean 4, Σ(x − 4)² = 9 + 4 + 1 + 0 + 36 = 50.
        foreach (var (m, name) in new[] { (ab, "a+b"), (ba, "b+a") })
        {
            Checks.True(m.Count == 5, $"{name}: count 5");
            Checks.Close(m.Mean, 4, Ulps, $"{name}: merged mean");
            Checks.Close(m.SumSquaredDeviations, 50, 1e-13, $"{name}: merged Σ(x − x̄)²");
        }
        var empty = new RunningMoments();
        var withEmpty = b; withEmpty.Merge(empty);
        Checks.True(withEmpty.Count == 3 && withEmpty.Mean == b.Mean && withEmpty.SumSquaredDeviations == b.SumSquaredDeviations, "merging an empty set changes nothing");
        var bothEmpty = new RunningMoments(); bothEmpty.Merge(new RunningMoments());
        Checks.True(bothEmpty.Count == 0 && bothEmpty.Mean == 0 && bothEmpty.SumSquaredDeviations == 0, $"two empty sets merge to an empty set, not NaN (got {bothEmpty.Mean})");
        var intoEmpty = new RunningMoments(); intoEmpty.Merge(b);
        Checks.True(intoEmpty.Count == 3, "merging into an empty set: count");
        Checks.Close(intoEmpty.Mean, b.Mean, Ulps, "merging into an empty set: mean");
        Checks.Close(intoEmpty.SumSquaredDeviations, b.SumSquaredDeviations, Ulps, "merging into an empty set: Σ(x − x̄)²");
    }

    /// <summary>STATISTICS: an estimate needs two values; a non-finite value gives NaN mean and SE (never a finite number).</summary>
    [Test]
    public void STATISTICS_Estimate_needs_two_finite_values()
    {
        var one = new RunningMoments(); one.Add(1);
        var ex = Assert.Throws<InvalidOperationException>(() => one.ToEstimate());
        Checks.True(ex!.Message.Contains("at least 2", StringComparison.Ordinal), ex.Message);
        var two = new RunningMoments(); two.Add(1); two.Add(3);
        Checks.Close(two.ToEstimate().StandardError, 1, Ulps, "SE of {1, 3} = √(2/1/2) = 1");
        foreach (var bad in new[] { double.NaN, double.PositiveInfinity })
        {
            var m = new RunningMoments(); m.Add(1); m.Add(bad);
            var est = m.ToEstimate();
            Checks.True(double.IsNaN(est.Mean) && double.IsNaN(est.StandardError) && est.Count == 2, $"a {bad} value gives a NaN estimate");
        }
        var big = new RunningMoments(); big.Add(1e308); big.Add(-1e308); big.Add(1e308);
        Checks.True(double.IsNaN(big.ToEstimate().StandardError), "an overflowed mean gives a NaN estimate");
        // ±1e200: the mean (0) stays finite, Σ(x − x̄)² = 2e400 overflows; the estimate is NaN, not (0, ∞).
        var wide = new RunningMoments(); wide.Add(1e200); wide.Add(-1e200);
        Checks.True(wide.Mean == 0 && double.IsPositiveInfinity(wide.SumSquaredDeviations), "±1e200: finite mean, infinite Σ(x − x̄)²");
        var wideEstimate = wide.ToEstimate();
        Checks.True(double.IsNaN(wideEstimate.Mean) && double.IsNaN(wideEstimate.StandardError), $"an overflowed Σ(x − x̄)² alone gives a NaN estimate (got {wideEstimate})");
        var pair = SampleStatistics.MeanAndError([1.0, 3]);
        Checks.True(pair.Mean == 2 && pair.Count == 2, "MeanAndError of two values");
        Checks.Close(pair.StandardError, 1, Ulps, "MeanAndError SE of {1, 3}");
        var me = SampleStatistics.MeanAndError([2.0, 4, 9]);
        // mean 5, Σ(x − 5)² = 9 + 1 + 16 = 26, SE = √(26/2/3).
        Checks.Close(me.Mean, 5, Ulps, "MeanAndError mean");
        Checks.Close(me.StandardError, Math.Sqrt(26.0 / 6), Ulps, "MeanAndError SE");
        Checks.True(me.Count == 3, "MeanAndError count");
        Rejects(() => SampleStatistics.MeanAndError([1.0]), "xs", "at least 2");
        RejectsNull(() => SampleStatistics.MeanAndError(null!));
    }

    /// <summary>STATISTICS: z of the two-sided normal tail: 1.959963984540054 at 0.05, 4.8916384757 at 1e-6; the half-width is z·SE.</summary>
    [Test]
    public void STATISTICS_Two_sided_z_known_values()
    {
        Checks.Close(SampleStatistics.TwoSidedZ(0.05), 1.959963984540054, 1e-12, "z(0.05)");
        Checks.Close(SampleStatistics.TwoSidedZ(1e-6), 4.8916384757, 1e-9, "z(1e-6)");
        Checks.Close(new Estimate(0, 2, 10).HalfWidth(0.05), 2 * 1.959963984540054, 1e-12, "half-width = z·SE");
        foreach (var bad in new[] { 0.0, 1.0, -0.1, double.NaN })
            Rejects(() => SampleStatistics.TwoSidedZ(bad), "falseAlarm", "(0, 1)");
        Checks.True(new Estimate(1.5, 0.25, 7).ToString().Contains("m=7", StringComparison.Ordinal), "ToString names the count");
    }

    /// <summary>STATISTICS: the empirical quantile is the order statistic ⌈qm⌉ (1-based), clamped to [1, m].</summary>
    [Test]
    public void STATISTICS_Quantile_is_the_lower_order_statistic()
    {
        double[] xs = [5, 1, 3, 2, 4];
        foreach (var (q, want) in new[] { (0.0, 1.0), (0.2, 1), (0.21, 2), (0.4, 2), (0.5, 3), (0.6, 3), (0.61, 4), (0.99, 5), (1.0, 5) })
            Checks.True(SampleStatistics.Quantile(xs, q) == want, $"Quantile(1..5 shuffled, {q}) = {want} (got {SampleStatistics.Quantile(xs, q)})");
        Checks.True(SampleStatistics.Median(xs) == 3, "median of 1..5 is 3");
        Checks.True(SampleStatistics.Median([4.0, 1, 3, 2]) == 2, "median of four values is the lower middle (⌈2⌉ = 2nd)");
        Rejects(() => SampleStatistics.Quantile([], 0.5), "xs", "must not be empty");
        foreach (var bad in new[] { -0.01, 1.01, double.NaN })
            Rejects(() => SampleStatistics.Quantile(xs, bad), "q", "[0, 1]");
        RejectsNull(() => SampleStatistics.Quantile(null!, 0.5));
    }

    /// <summary>
    /// STATISTICS: Binomial(10, ½) at α = 0.05: P(B ≤ 1) = 11/1024 ≤ 0.025 &lt; P(B ≤ 2) = 56/1024, so r = 2, s = 9 and the coverage is
    /// P(2 ≤ B ≤ 8) = 1002/1024; the interval is [X_(2), X_(9)]. With one draw neither side exists (±∞).
    /// </summary>
    [Test]
    public void STATISTICS_Quantile_interval_exact_binomial_case()
    {
        var (r, s, coverage) = SampleStatistics.QuantileIntervalRanks(10, 0.5, 0.05);
        Checks.True(r == 2 && s == 9, $"ranks (2, 9) (got ({r}, {s}))");
        Checks.Close(coverage, 1002.0 / 1024, 1e-13, "coverage P(2 ≤ B ≤ 8)");
        double[] xs = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
        var (lo, hi) = SampleStatistics.QuantileInterval(xs, 0.5, 0.05);
        Checks.True(lo == 2 && hi == 9, $"interval [X_(2), X_(9)] = [2, 9] (got [{lo}, {hi}])");
        // Binomial(4, ½), α = 1/4 (below: r = 1, s = 4 = m): the upper end is the largest value X_(4), not +∞.
        var (lo4, hi4) = SampleStatistics.QuantileInterval([4.0, 1, 3, 2], 0.5, 0.25);
        Checks.True(lo4 == 1 && hi4 == 4, $"m = 4, α = 1/4: [X_(1), X_(4)] = [1, 4] (got [{lo4}, {hi4}])");
        var (lo1, hi1) = SampleStatistics.QuantileInterval([3.0], 0.5, 0.05);
        Checks.True(double.IsNegativeInfinity(lo1) && double.IsPositiveInfinity(hi1), $"one draw: (−∞, ∞) (got [{lo1}, {hi1}])");
        var (r1, s1, c1) = SampleStatistics.QuantileIntervalRanks(1, 0.5, 0.05);
        Checks.True(r1 == 0 && s1 == 2, $"m = 1: ranks (0, 2) (got ({r1}, {s1}))");
        Checks.Close(c1, 1, 1e-13, "m = 1: coverage 1");
        // Binomial(4, ½), α = 0.25: P(B = 0) = 1/16 ≤ 1/8 < P(B ≤ 1) = 5/16 → r = 1; symmetric s = 4; coverage 14/16.
        var (r4, s4, c4) = SampleStatistics.QuantileIntervalRanks(4, 0.5, 0.25);
        Checks.True(r4 == 1 && s4 == 4, $"m = 4, α = 1/4: ranks (1, 4) (got ({r4}, {s4}))");
        Checks.Close(c4, 14.0 / 16, 1e-13, "m = 4 coverage (log-space pmf: ~1e-15 per term)");
        // The ranks may meet (r = s − 1, a one-point interval): Binomial(2, ½), α = 0.6: P(B = 0) = 1/4 ≤ 0.3 < 3/4 → r = 1, s = 2, coverage 1/2.
        var (r2, s2, c2) = SampleStatistics.QuantileIntervalRanks(2, 0.5, 0.6);
        Checks.True(r2 == 1 && s2 == 2, $"m = 2, α = 0.6: ranks (1, 2) (got ({r2}, {s2}))");
        Checks.Close(c2, 0.5, 1e-13, "m = 2 coverage");
        Rejects(() => SampleStatistics.QuantileInterval([1.0, double.NaN], 0.5, 0.05), "xs", "NaN");
        Rejects(() => SampleStatistics.QuantileIntervalRanks(0, 0.5, 0.05), "m", "≥ 1");
        foreach (var bad in new[] { 0.0, 1.0 })
        {
            Rejects(() => SampleStatistics.QuantileIntervalRanks(5, bad, 0.05), "q", "(0, 1)");
            Rejects(() => SampleStatistics.QuantileIntervalRanks(5, 0.5, bad), "falseAlarm", "(0, 1)");
        }
        RejectsNull(() => SampleStatistics.QuantileInterval(null!, 0.5, 0.05));
    }

    /// <summary>STATISTICS: Binomial(3, ¼) = (27, 27, 9, 1)/64; q = 0 and q = 1 put all mass on 0 and m.</summary>
    [Test]
    public void STATISTICS_Binomial_pmf_exact_values()
    {
        var p = SampleStatistics.BinomialPmf(3, 0.25);
        double[] want = [27 / 64.0, 27 / 64.0, 9 / 64.0, 1 / 64.0];
        Checks.True(p.Length == 4, "m + 1 probabilities");
        for (int k = 0; k < 4; k++) Checks.Close(p[k], want[k], 1e-13, $"P(B = {k})");
        var zero = SampleStatistics.BinomialPmf(3, 0);
        var one = SampleStatistics.BinomialPmf(3, 1);
        for (int k = 0; k < 4; k++)
        {
            Checks.Close(zero[k], k == 0 ? 1 : 0, 1e-13, $"q = 0: P(B = {k})");
            Checks.Close(one[k], k == 3 ? 1 : 0, 1e-13, $"q = 1: P(B = {k})");
        }
        Checks.Close(SampleStatistics.BinomialPmf(0, 0.3)[0], 1, 1e-13, "m = 0: P(B = 0) = 1");
        Rejects(() => SampleStatistics.BinomialPmf(-1, 0.5), "m", "≥ 0");
        foreach (var bad in new[] { -0.1, 1.1, double.NaN })
            Rejects(() => SampleStatistics.BinomialPmf(3, bad), "q", "[0, 1]");
    }

    /// <summary>STATISTICS: Hoeffding √(ln(1/α)/(2m)) = 0.2 at m = 50, α = e⁻⁴; DKW's lower mean bound max_k x_(k)·(k/m − ε) by hand.</summary>
    [Test]
    public void STATISTICS_Concentration_bounds_exact_values()
    {
        Checks.Close(SampleStatistics.HoeffdingSlack(50, Math.Exp(-4)), 0.2, 1e-15, "Hoeffding slack");
        Checks.Close(SampleStatistics.HoeffdingSlack(1, Math.Exp(-2)), 1, 1e-15, "Hoeffding slack, one value");
        Rejects(() => SampleStatistics.HoeffdingSlack(0, 0.1), "m", "≥ 1");
        // m = 16, α = 2e^{−1/2}: ε = √(½/32) = 1/8. Sorted down 8, 6, 5, 2, 0…: k/m − ε = −1/16, 0, 1/16, 1/8 → max(−½, 0, 5/16, 1/4) = 5/16.
        double alpha = 2 * Math.Exp(-0.5);
        var xs = new double[16]; xs[3] = 8; xs[7] = 6; xs[0] = 5; xs[12] = 2;
        Checks.Close(SampleStatistics.NonNegativeMeanLowerBound(xs, alpha), 5.0 / 16, 1e-15, "DKW lower mean bound");
        var allZero = new double[4];
        Checks.True(SampleStatistics.NonNegativeMeanLowerBound(allZero, 0.1) == 0, "all zero: bound 0");
        // m = 1 (ε = √(ln 2 ·10 / 2)… > 1): the bound can only be 0.
        Checks.True(SampleStatistics.NonNegativeMeanLowerBound([7.0], 0.1) == 0, "one draw: bound 0");
        // A larger m shrinks ε: 64 copies of 1 with α = 2e^{−2}: ε = √(2/128) = 1/8, bound 1·(1 − 1/8) = 7/8.
        Checks.Close(SampleStatistics.NonNegativeMeanLowerBound(Enumerable.Repeat(1.0, 64).ToArray(), 2 * Math.Exp(-2)), 7.0 / 8, 1e-15, "constant sample");
        Rejects(() => SampleStatistics.NonNegativeMeanLowerBound([], 0.1), "xs", "must not be empty");
        Rejects(() => SampleStatistics.NonNegativeMeanLowerBound([1.0, -1], 0.1), "xs", "≥ 0");
        Rejects(() => SampleStatistics.NonNegativeMeanLowerBound([1.0, double.NaN], 0.1), "xs", "finite");
        RejectsNull(() => SampleStatistics.NonNegativeMeanLowerBound(null!, 0.1));
    }

    /// <summary>
    /// STATISTICS: the one-threshold bound t·p_lo with Clopper–Pearson p_lo in closed form: k = m gives p_lo = α^{1/m}, k = 1 gives
    /// 1 − (1 − α)^{1/m}; values equal to t do not count (strictly above).
    /// </summary>
    [Test]
    public void STATISTICS_Threshold_mean_bound_clopper_pearson_closed_forms()
    {
        Checks.Close(SampleStatistics.NonNegativeMeanLowerBoundAt([3.0, 3, 3, 3], 2, 1.0 / 16), 2 * 0.5, 1e-12, "k = m = 4: t·α^{1/4}");
        Checks.Close(SampleStatistics.NonNegativeMeanLowerBoundAt([3.0, 0, 0], 2, 1 - 0.125), 2 * 0.5, 1e-12, "k = 1, m = 3: t·(1 − (1 − α)^{1/3})");
        Checks.True(SampleStatistics.NonNegativeMeanLowerBoundAt([2.0, 2, 2, 2], 2, 0.1) == 0, "values equal to t are not above it: bound 0");
        Checks.Close(SampleStatistics.NonNegativeMeanLowerBoundAt([2.0, 2.5], 2, 0.25), 2 * (1 - Math.Sqrt(0.75)), 1e-12, "only 2.5 is above t = 2: k = 1, m = 2");
        Rejects(() => SampleStatistics.NonNegativeMeanLowerBoundAt([1.0, -1], 1, 0.1), "xs", "≥ 0");
        Rejects(() => SampleStatistics.NonNegativeMeanLowerBoundAt([1.0], 0, 0.1), "threshold", "> 0");
        RejectsNull(() => SampleStatistics.NonNegativeMeanLowerBoundAt(null!, 1, 0.1));
    }

    /// <summary>STATISTICS: least squares on (0,0), (1,2), (2,1): slope ½, intercept ½, R² = 1/4; a line is fitted exactly (R² = 1), a flat y has R² 1.</summary>
    [Test]
    public void STATISTICS_Linear_fit_exact_values()
    {
        var (slope, intercept, r2) = SampleStatistics.LinearFit([0.0, 1, 2], [0.0, 2, 1]);
        Checks.Close(slope, 0.5, Ulps, "slope");
        Checks.Close(intercept, 0.5, Ulps, "intercept");
        Checks.Close(r2, 0.25, Ulps, "R²");
        var line = SampleStatistics.LinearFit([0.0, 1, 2, 3], [1.0, 3, 5, 7]);
        Checks.Close(line.Slope, 2, Ulps, "line slope");
        Checks.Close(line.Intercept, 1, Ulps, "line intercept");
        Checks.Close(line.RSquared, 1, Ulps, "line R²");
        var flat = SampleStatistics.LinearFit([1.0, 2, 4], [3.0, 3, 3]);
        Checks.True(flat.Slope == 0 && flat.Intercept == 3 && flat.RSquared == 1, $"flat y: slope 0, intercept 3, R² 1 (got {flat})");
        var down = SampleStatistics.LinearFit([1.0, 2, 3], [3.0, 1, 2]);
        // mx = 2, my = 2, sxx = 2, sxy = (−1)(1) + 0 + (1)(0) = −1, syy = 2: slope −½, intercept 3, R² = 1/4.
        Checks.Close(down.Slope, -0.5, Ulps, "decreasing slope");
        Checks.Close(down.Intercept, 3, Ulps, "decreasing intercept");
        Checks.Close(down.RSquared, 0.25, Ulps, "decreasing R²");
        var two = SampleStatistics.LinearFit([0.0, 1], [1.0, 3]);
        Checks.True(two.Slope == 2 && two.Intercept == 1 && two.RSquared == 1, $"two points: the line through them (got {two})");
        Rejects(() => SampleStatistics.LinearFit([1.0, 2], [1.0]), "y", "one length ≥ 2");
        Rejects(() => SampleStatistics.LinearFit([1.0], [1.0]), "y", "one length ≥ 2");
    }
}
