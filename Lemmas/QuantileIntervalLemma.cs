using LoopedIcl.Numerics.Statistics;
using MathNet.Numerics.Distributions;

namespace LoopedIcl.Lemmas;

/// <summary>
/// STATISTICS: the distribution-free quantile interval [X_(r), X_(s)] has exact binomial coverage P(r ≤ B ≤ s − 1) ≥ 1 − α, B ~ Binomial(m, q), with the
/// tightest such ranks, and covers the true quantile of known distributions at least that often.
/// </summary>
[TestFixture, Category(ClaimIds.Statistics)]
public sealed class QuantileIntervalLemma
{
    /// <summary>STATISTICS: coverage ≥ 1 − α from the exact binomial law (checked against MathNet's binomial CDF), and neither rank can move inwards.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void STATISTICS_Quantile_ranks_have_exact_binomial_coverage()
    {
        foreach (var m in new[] { 20, 100, 3000 })
            foreach (var q in new[] { 0.1, 0.5, 0.99 })
                foreach (var alpha in new[] { 0.05, 1e-6 })
                {
                    var (r, s, coverage) = SampleStatistics.QuantileIntervalRanks(m, q, alpha);
                    double Below(int k) => k < 0 ? 0 : k >= m ? 1 : Binomial.CDF(q, m, k); // P(B ≤ k)
                    var independent = Below(s - 1) - Below(r - 1);
                    Checks.Close(coverage, independent, 1e-9, $"m={m} q={q} α={alpha}: coverage vs MathNet");
                    Checks.AtLeast(coverage, 1 - alpha - 1e-12, $"m={m} q={q} α={alpha}: coverage ≥ 1 − α");
                    if (r < m) Checks.Exceeds(Below(r), alpha / 2 * (1 - 1e-9), $"m={m} q={q} α={alpha}: rank r + 1 would break the lower tail");
                    if (s > 1) Checks.Exceeds(1 - Below(s - 2), alpha / 2 * (1 - 1e-9), $"m={m} q={q} α={alpha}: rank s − 1 would break the upper tail");
                }
    }

    /// <summary>
    /// STATISTICS: on Uniform(0, 1) samples (m = 40, q ∈ {0.5, 0.9}, α = 0.1) the interval misses the true quantile q in at most α of 4000 repetitions
    /// (one-sided binomial bound at false alarm 1e-6 on the miss count); the old normal-approximation ranks are not needed.
    /// </summary>
    [Test]
    public void STATISTICS_Quantile_interval_covers_known_quantiles()
    {
        const int m = 40, reps = 4000;
        const double alpha = 0.1;
        var rng = Numerics.Prompts.Rng.Create(TestSettings.SeedFor("STATISTICS.7"));
        foreach (var q in new[] { 0.5, 0.9 })
        {
            int misses = 0;
            var coverage = SampleStatistics.QuantileIntervalRanks(m, q, alpha).Coverage;
            for (int i = 0; i < reps; i++)
            {
                var xs = Enumerable.Range(0, m).Select(_ => rng.NextDouble()).ToArray();
                var (lo, hi) = SampleStatistics.QuantileInterval(xs, q, alpha);
                if (!(lo <= q && q <= hi)) misses++;
            }
            // misses ~ Binomial(reps, 1 − coverage); fail only if above its 1 − 1e-6 quantile.
            var pmf = SampleStatistics.BinomialPmf(reps, 1 - coverage);
            int limit = 0;
            for (double cdf = pmf[0]; cdf < 1 - 1e-6; cdf += pmf[++limit]) { }
            ClaimLedger.Note($"STATISTICS q={q}: {misses} misses in {reps} (exact coverage {coverage:F4}, limit {limit})");
            Checks.AtMost(misses, limit, $"q={q}: misses of the true quantile");
        }
    }
}
