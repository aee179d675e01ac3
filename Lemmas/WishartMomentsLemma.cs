using LoopedIcl.Numerics.Moments;
using LoopedIcl.Numerics.Statistics;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// WISHART: the moment toolkit. m_k = E tr S̃^k from the Wick enumeration agrees with the closed forms of the notes (k ≤ 6, exactly),
/// with Monte Carlo (k ≤ 8) and with MathNet's Wishart sampler; E[SBS] = ΣBΣ + (1/n)(ΣBᵀΣ + tr(BΣ)Σ) agrees with Monte Carlo.
/// </summary>
[TestFixture, Category(ClaimIds.Wishart)]
public sealed class WishartMomentsLemma
{

    private static Rational Closed(int k, long n, long d) => k switch
    {
        0 => Rational.FromInt(d),
        1 => Rational.FromInt(n * d),
        2 => Rational.FromInt(n * d * (n + d + 1)),
        3 => Rational.FromInt(n * d * (n * n + 3 * n * d + d * d + 3 * n + 3 * d + 4)),
        4 => Rational.FromInt(n * d * (n * n * n + 6 * n * n * d + 6 * n * d * d + d * d * d + 6 * n * n + 17 * n * d + 6 * d * d + 21 * n + 21 * d + 20)),
        5 => Rational.FromInt(n * d * (n * n * n * n + 10 * n * n * n * d + 20 * n * n * d * d + 10 * n * d * d * d + d * d * d * d + 10 * n * n * n + 55 * n * n * d
                                       + 55 * n * d * d + 10 * d * d * d + 65 * n * n + 175 * n * d + 65 * d * d + 160 * n + 160 * d + 148)),
        6 => Rational.FromInt(n * d * (n * n * n * n * n + 15 * n * n * n * n * d + 50 * n * n * n * d * d + 50 * n * n * d * d * d + 15 * n * d * d * d * d + d * d * d * d * d
                                       + 15 * n * n * n * n + 135 * n * n * n * d + 262 * n * n * d * d + 135 * n * d * d * d + 15 * d * d * d * d + 155 * n * n * n
                                       + 787 * n * n * d + 787 * n * d * d + 155 * d * d * d + 701 * n * n + 1827 * n * d + 701 * d * d + 1620 * n + 1620 * d + 1348)),
        _ => throw new ArgumentOutOfRangeException(nameof(k)),
    };

    /// <summary>WISHART: the enumeration equals the notes' closed forms of E tr W^k (k ≤ 6) exactly, at several (n, d).</summary>
    [Test]
    public void WISHART_Enumeration_equals_the_closed_forms()
    {
        foreach (var (n, d) in new[] { (1, 1), (3, 2), (6, 3), (20, 5), (10, 7) })
            for (int k = 0; k <= 6; k++)
                Checks.True(WishartMoments.ExpectedTraceOfWishartPower(k, n, d) == Closed(k, n, d), $"E tr W^{k}, n={n} d={d}: enumeration {WishartMoments.ExpectedTraceOfWishartPower(k, n, d)} vs closed form {Closed(k, n, d)}");
        ClaimLedger.RecordCheck(0, "enumeration = closed forms (exact)", held: true);
    }

    /// <summary>WISHART: m_k (k ≤ 8) equals the Monte Carlo mean of tr S̃^k over 20 000 draws within z(1e-6/9)·SE (Bonferroni over k).</summary>
    [TestCase(6, 3)]
    [TestCase(20, 5)]
    public void WISHART_Moments_match_Monte_Carlo(int n, int d)
    {
        // One eigendecomposition per draw serves every k (tr S̃^k = Σ_j λ_j^k), instead of d×d matrix powers per k.
        var eigenvalues = Numerics.Losses.LoopedScalar.EigenvalueSample(n, d, 20_000, TestSettings.SeedFor($"WISHART eigenvalues n={n} d={d}"));
        for (int k = 0; k <= WishartMoments.MaxOrder; k++)
        {
            var traces = eigenvalues.Select(ls => ls.Sum(l => Math.Pow(l, k))).ToArray();
            var est = SampleStatistics.MeanAndError(traces);
            var exact = RealWishartMoments.WhitenedMoments(WishartMoments.MaxOrder, n, d)[k].ToDouble(); // = Wick (WISHART_Stein_recursion_equals_the_Wick_enumeration)
            var tol = k == 0 ? 1e-12 : SampleStatistics.TwoSidedZ(CheckPolicy.FalseAlarm / 9) * est.StandardError;
            Checks.Close(est.Mean, exact, tol, $"m_{k}, n={n} d={d}");
        }
    }

    /// <summary>WISHART: E tr W^k (k ≤ 4) equals the mean over MathNet's Wishart(n, I) sampler (an independent implementation).</summary>
    [Test]
    public void WISHART_Moments_match_MathNet_Wishart_sampler()
    {
        const int n = 9, d = 3, m = 20_000;
        var wishart = new Wishart(n, Matrix<double>.Build.DenseIdentity(d), Numerics.Prompts.Rng.Create(TestSettings.Seed));
        var draws = Enumerable.Range(0, m).Select(_ => wishart.Sample()).ToArray();
        for (int k = 1; k <= 4; k++)
        {
            var est = SampleStatistics.MeanAndError(draws.Select(w => w.Power(k).Trace()).ToArray());
            Checks.Close(est.Mean, WishartMoments.ExpectedTraceOfWishartPower(k, n, d).ToDouble(), SampleStatistics.TwoSidedZ(CheckPolicy.FalseAlarm / 4) * est.StandardError, $"E tr W^{k} vs MathNet Wishart");
        }
    }

    /// <summary>WISHART: E[SBS] for non-symmetric B and random Σ matches Monte Carlo entrywise (Bonferroni over d² entries); dropping the trace term is rejected.</summary>
    [Test]
    public void WISHART_Expected_SBS_matches_Monte_Carlo_and_needs_the_trace_term()
    {
        const int d = 3, n = 5, m = 40_000;
        var sigma = Covariance.WithConditionNumber(d, 10, Numerics.Prompts.Rng.Create(TestSettings.SeedFor("WISHART SBS Σ")));
        var rng = Numerics.Prompts.Rng.Create(TestSettings.SeedFor("WISHART SBS B"));
        // B = 2I + 0.5G: non-symmetric (so the ΣBᵀΣ term is exercised) with tr(BΣ) ≈ 2 tr Σ, so the trace term the control drops is never small.
        var b = Matrix<double>.Build.DenseIdentity(d) * 2 + Matrix<double>.Build.Dense(d, d, (_, _) => 0.5 * Numerics.Prompts.Rng.Gaussians(rng, 1)[0]);
        var samples = Numerics.Losses.SparseFamilyLoss.DrawSamples(sigma, n, m, TestSettings.SeedFor("WISHART SBS samples"));
        var right = WishartMoments.ExpectedSBS(sigma, b, n);
        var wrong = WishartMoments.ExpectedSBS(sigma, b, n, dropTraceTerm: true);
        var z = SampleStatistics.TwoSidedZ(CheckPolicy.FalseAlarm / (d * d));
        var estimates = new Estimate[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                estimates[i, j] = SampleStatistics.MeanAndError(samples.Select(s => (s * b * s)[i, j]).ToArray());
                Checks.Close(estimates[i, j].Mean, right[i, j], z * estimates[i, j].StandardError, $"E[SBS][{i},{j}]");
            }
        // The control runs the same entrywise check against the formula without (1/n)tr(BΣ)Σ: some entry must violate it.
        Properties.ExpectViolation("E[SBS] without the trace term", () =>
        {
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                    Checks.Close(estimates[i, j].Mean, wrong[i, j], z * estimates[i, j].StandardError, $"E[SBS][{i},{j}] without the trace term");
        });
    }
}
