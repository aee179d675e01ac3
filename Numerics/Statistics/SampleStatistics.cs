using MathNet.Numerics.Distributions;

namespace LoopedIcl.Numerics.Statistics;

/// <summary>A Monte Carlo estimate: the sample mean, its standard error, and the number of draws.</summary>
public readonly record struct Estimate(double Mean, double StandardError, long Count)
{
    /// <summary>Half-width of a two-sided interval with false-alarm probability <paramref name="falseAlarm"/> (normal approximation).</summary>
    public double HalfWidth(double falseAlarm) => SampleStatistics.TwoSidedZ(falseAlarm) * StandardError;

    public override string ToString() => $"{Mean:G6} ± {StandardError:G3} (SE, m={Count})";
}

/// <summary>
/// Streaming mean and sum of squared deviations (Welford), mergeable in a fixed order (Chan et al.), so chunked parallel sums
/// give the same numbers for any thread count.
/// </summary>
public struct RunningMoments
{
    public long Count { get; private set; }
    public double Mean { get; private set; }
    public double SumSquaredDeviations { get; private set; }

    public void Add(double x)
    {
        Count++;
        var delta = x - Mean;
        Mean += delta / Count;
        SumSquaredDeviations += delta * (x - Mean);
    }

    public void Merge(RunningMoments other)
    {
        if (other.Count == 0) return;
        long total = Count + other.Count;
        var delta = other.Mean - Mean;
        SumSquaredDeviations += other.SumSquaredDeviations + delta * delta * Count * other.Count / total;
        Mean += delta * other.Count / total;
        Count = total;
    }

    /// <summary>Mean ± standard error (needs ≥ 2 values); NaN if any value was not finite.</summary>
    public readonly Estimate ToEstimate() =>
        Count < 2 ? throw new InvalidOperationException($"A standard error needs at least 2 values (got {Count}).")
        : !double.IsFinite(Mean) || !double.IsFinite(SumSquaredDeviations) ? new Estimate(double.NaN, double.NaN, Count)
        : new Estimate(Mean, Math.Sqrt(SumSquaredDeviations / (Count - 1) / Count), Count);
}

/// <summary>Means with standard errors, quantiles with order-statistic confidence intervals, concentration slack.</summary>
public static class SampleStatistics
{
    /// <summary>z with P(|N(0,1)| &gt; z) = falseAlarm (e.g. 1e-6 → 4.89).</summary>
    public static double TwoSidedZ(double falseAlarm)
    {
        if (!(falseAlarm > 0 && falseAlarm < 1)) throw new ArgumentException($"{nameof(falseAlarm)} must be in (0, 1) (got {falseAlarm}).", nameof(falseAlarm));
        return Normal.InvCDF(0, 1, 1 - falseAlarm / 2);
    }

    public static Estimate MeanAndError(IReadOnlyList<double> xs)
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Count < 2) throw new ArgumentException($"xs needs at least 2 values for a standard error (got {xs.Count}).", nameof(xs));
        var moments = new RunningMoments();
        foreach (var x in xs) moments.Add(x);
        return moments.ToEstimate();
    }

    /// <summary>The empirical q-quantile (lower order statistic ⌈qm⌉).</summary>
    public static double Quantile(IReadOnlyList<double> xs, double q)
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Count == 0) throw new ArgumentException("xs must not be empty.", nameof(xs));
        if (!(q >= 0 && q <= 1)) throw new ArgumentException($"{nameof(q)} must be in [0, 1] (got {q}).", nameof(q));
        var sorted = xs.OrderBy(v => v).ToArray();
        int k = Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[k];
    }

    public static double Median(IReadOnlyList<double> xs) => Quantile(xs, 0.5);

    /// <summary>
    /// A distribution-free confidence interval for the q-quantile ξ_q from order statistics: [X_(r), X_(s)] covers ξ_q with probability
    /// ≥ P(r ≤ B ≤ s − 1), B ~ Binomial(m, q) the number of draws below ξ_q (David &amp; Nagaraja, Order Statistics, 3rd ed., §7.1; exact for
    /// continuous F, conservative otherwise). r is the largest rank with P(B ≤ r − 1) ≤ α/2 and s the smallest with P(B ≥ s) ≤ α/2, so the
    /// coverage is ≥ 1 − α. A side with no such rank (too few draws) is unbounded (±∞), never clamped.
    /// </summary>
    public static (double Low, double High) QuantileInterval(IReadOnlyList<double> xs, double q, double falseAlarm)
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Any(double.IsNaN)) throw new ArgumentException("xs must not contain NaN.", nameof(xs));
        var sorted = xs.OrderBy(v => v).ToArray();
        var (r, s, _) = QuantileIntervalRanks(sorted.Length, q, falseAlarm);
        return (r == 0 ? double.NegativeInfinity : sorted[r - 1], s > sorted.Length ? double.PositiveInfinity : sorted[s - 1]);
    }

    /// <summary>
    /// The ranks (1-based; r = 0 and s = m + 1 mean unbounded) of <see cref="QuantileInterval"/> and the exact coverage P(r ≤ B ≤ s − 1),
    /// from binomial probabilities formed in log space and summed term by term (each to ~1e-10 relative for m ≤ 10⁵; no normal approximation).
    /// </summary>
    public static (int R, int S, double Coverage) QuantileIntervalRanks(int m, double q, double falseAlarm)
    {
        if (m < 1) throw new ArgumentException($"{nameof(m)} must be ≥ 1 (got {m}).", nameof(m));
        if (!(q > 0 && q < 1)) throw new ArgumentException($"{nameof(q)} must be in (0, 1) (got {q}).", nameof(q));
        if (!(falseAlarm > 0 && falseAlarm < 1)) throw new ArgumentException($"{nameof(falseAlarm)} must be in (0, 1) (got {falseAlarm}).", nameof(falseAlarm));
        var pmf = BinomialPmf(m, q);
        double half = falseAlarm / 2, below = 0, above = 0;
        int r = 0; // P(B ≤ r − 1) = Σ_{k<r} pmf ≤ α/2
        while (r < m && below + pmf[r] <= half) below += pmf[r++];
        int s = m + 1; // P(B ≥ s) = Σ_{k≥s} pmf ≤ α/2
        while (s > 1 && above + pmf[s - 1] <= half) above += pmf[--s];
        double coverage = 0;
        for (int k = r; k <= s - 1; k++) coverage += pmf[k];
        return (r, s, coverage);
    }

    /// <summary>P(B = k), k = 0 … m, for B ~ Binomial(m, q): log C(m, k) + k log q + (m − k) log(1 − q), exponentiated.</summary>
    public static double[] BinomialPmf(int m, double q)
    {
        if (m < 0) throw new ArgumentException($"{nameof(m)} must be ≥ 0 (got {m}).", nameof(m));
        if (!(q >= 0 && q <= 1)) throw new ArgumentException($"{nameof(q)} must be in [0, 1] (got {q}).", nameof(q));
        var p = new double[m + 1];
        double lq = Math.Log(q), l1q = Math.Log(1 - q), lm = MathNet.Numerics.SpecialFunctions.GammaLn(m + 1);
        for (int k = 0; k <= m; k++)
        {
            double logC = lm - MathNet.Numerics.SpecialFunctions.GammaLn(k + 1) - MathNet.Numerics.SpecialFunctions.GammaLn(m - k + 1);
            double t = (k == 0 ? 0 : k * lq) + (k == m ? 0 : (m - k) * l1q);
            p[k] = Math.Exp(logC + t);
        }
        return p;
    }

    /// <summary>Hoeffding: a mean of m values in [0, 1] exceeds its expectation by more than this with probability ≤ falseAlarm.</summary>
    public static double HoeffdingSlack(int m, double falseAlarm)
    {
        if (m < 1) throw new ArgumentException($"{nameof(m)} must be ≥ 1 (got {m}).", nameof(m));
        return Math.Sqrt(Math.Log(1 / falseAlarm) / (2.0 * m));
    }

    /// <summary>
    /// A lower confidence bound for E[X], X ≥ 0, that needs no variance (valid for heavy tails): by the DKW inequality
    /// sup_t |P̂(X &gt; t) − P(X &gt; t)| ≤ ε = √(ln(2/δ)/(2m)) with probability ≥ 1 − δ, and E[X] ≥ t·P(X &gt; t) for every t.
    /// </summary>
    public static double NonNegativeMeanLowerBound(IReadOnlyList<double> xs, double falseAlarm)
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Count == 0) throw new ArgumentException("xs must not be empty.", nameof(xs));
        if (xs.Any(v => !(v >= 0))) throw new ArgumentException("xs must be finite and ≥ 0.", nameof(xs));
        var sorted = xs.OrderByDescending(v => v).ToArray();
        double eps = Math.Sqrt(Math.Log(2 / falseAlarm) / (2.0 * sorted.Length)), best = 0;
        for (int k = 0; k < sorted.Length; k++)
        {
            // P̂(X > t) = k/m just below t = sorted[k]… use t slightly below sorted[k]: (k + 1)/m of the sample is ≥ t.
            best = Math.Max(best, sorted[k] * ((k + 1.0) / sorted.Length - eps));
        }
        return best;
    }

    /// <summary>
    /// A lower confidence bound for E[X], X ≥ 0, from one threshold t fixed in advance: E[X] ≥ t·P(X &gt; t), with P(X &gt; t) bounded below by the
    /// exact (Clopper–Pearson) binomial bound at the stated one-sided false alarm. Unlike the DKW bound it sees rare large values.
    /// </summary>
    public static double NonNegativeMeanLowerBoundAt(IReadOnlyList<double> xs, double threshold, double falseAlarm)
    {
        ArgumentNullException.ThrowIfNull(xs);
        if (xs.Any(v => !(v >= 0))) throw new ArgumentException("xs must be finite and ≥ 0.", nameof(xs));
        Guard.Positive(threshold, nameof(threshold));
        int m = xs.Count, k = xs.Count(v => v > threshold);
        return k == 0 ? 0 : threshold * Beta.InvCDF(k, m - k + 1, falseAlarm);
    }

    /// <summary>Least-squares slope and intercept of y on x, with R².</summary>
    public static (double Slope, double Intercept, double RSquared) LinearFit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count || x.Count < 2) throw new ArgumentException($"x and y must have one length ≥ 2 (got {x.Count} and {y.Count}).", nameof(y));
        double mx = x.Average(), my = y.Average(), sxx = 0, sxy = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
            syy += (y[i] - my) * (y[i] - my);
        }
        var slope = sxy / sxx;
        return (slope, my - slope * mx, syy == 0 ? 1 : sxy * sxy / (sxx * syy));
    }
}
