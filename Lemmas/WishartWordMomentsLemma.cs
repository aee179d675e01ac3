using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Moments;
using LoopedIcl.Numerics.Statistics;
using LoopedIcl.Numerics.Training;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// WISHART, word moments: E tr(M_0 Ŵ M_1 Ŵ ⋯) for fixed matrices (Wick pairings, <see cref="WishartWordMoments"/>) and the exact
/// looped population loss built on them (<see cref="GatmiryPopulationLoss"/>). Each value must agree with an independent exact value
/// within its own rigorous rounding bound, and with Monte Carlo where the loss is light-tailed.
/// </summary>
[TestFixture, Category(ClaimIds.Wishart)]
public sealed class WishartWordMomentsLemma
{
    private static readonly MatrixBuilder<double> M = Matrix<double>.Build;

    /// <summary>WISHART: the identity word E tr Ŵ^m (m ≤ 8) equals the exact power moment within the word's rounding bound.</summary>
    [Test]
    public void WISHART_Identity_words_equal_the_power_moments()
    {
        foreach (var (n, d) in new[] { (7, 2) }) // d = 2 keeps the 2 million pairings of m = 8 cheap; d enters only through the traces
        {
            var exact = RealWishartMoments.WhitenedMoments(WishartWordMoments.MaxOrder, n, d);
            for (int m = 1; m <= WishartWordMoments.MaxOrder; m++)
            {
                var w = WishartWordMoments.WhitenedTrace(Enumerable.Repeat(M.DenseIdentity(d), m).ToList(), n);
                double e = exact[m].ToDouble();
                Checks.AtMost(Math.Abs(w.Value - e), w.RoundingBound + Math.Abs(e) * 1.2e-16, $"|word − m_{m}|, n = {n}, d = {d}: within the rounding bound");
            }
        }
    }

    /// <summary>WISHART: E tr(M₀W) = n tr M₀ and E tr(M₀WM₁W) = n² tr(M₀M₁) + n tr M₀ tr M₁ + n tr(M₀M₁ᵀ) (derived by hand) for non-symmetric M's.</summary>
    [Test]
    public void WISHART_Short_words_equal_their_closed_forms()
    {
        var m0 = M.DenseOfArray(new double[,] { { 1, 2, 0 }, { -1, 3, 1 }, { 0, 1, -2 } });
        var m1 = M.DenseOfArray(new double[,] { { 0, 1, 1 }, { 2, 0, -1 }, { 1, 1, 1 } });
        foreach (int n in new[] { 1, 5, 40 })
        {
            var one = WishartWordMoments.WhitenedTrace([m0], n);
            Checks.AtMost(Math.Abs(one.Value - m0.Trace()), one.RoundingBound + 1e-15, $"E tr(M₀Ŵ), n = {n}");
            var two = WishartWordMoments.WhitenedTrace([m0, m1], n);
            double closed = ((double)n * n * (m0 * m1).Trace() + n * m0.Trace() * m1.Trace() + n * (m0 * m1.Transpose()).Trace()) / ((double)n * n);
            Checks.AtMost(Math.Abs(two.Value - closed), two.RoundingBound + 1e-14, $"E tr(M₀ŴM₁Ŵ), n = {n}");
        }
        using (ClaimLedger.Suspend())
        {
            // Control: the same word with M₁ transposed (a wrong orientation of a matrix edge) fails the closed form.
            var wrong = WishartWordMoments.WhitenedTrace([m0, m1.Transpose()], 5);
            double closed = (25.0 * (m0 * m1).Trace() + 5 * m0.Trace() * m1.Trace() + 5 * (m0 * m1.Transpose()).Trace()) / 25;
            Checks.Exceeds(Math.Abs(wrong.Value - closed), wrong.RoundingBound + 1e-14, "the word with M₁ᵀ fails the closed form");
        }
        ClaimLedger.RecordNegativeControl("a transposed matrix edge fails the two-Ŵ closed form");
    }

    /// <summary>
    /// WISHART: on the scalar line B = bI the exact looped loss equals the exact rational ℓ_L(b) within its rounding bound (L ≤ 3 at
    /// three b's and two (n, d), L = 4 at b = 0.8 and d = 4, LEARN-GAT-SKEW's case: each L = 4 word costs 2 million pairings).
    /// </summary>
    [Test]
    public void WISHART_Looped_population_loss_on_the_scalar_line_equals_the_exact_rational()
    {
        foreach (var (n, d) in new[] { (12, 3), (30, 4) })
            foreach (double b in new[] { 0.3, 0.8, 1.1 })
                for (int loops = 1; loops <= (b == 0.8 && d == 4 ? GatmiryPopulationLoss.MaxLayers : 3); loops++)
                {
                    var w = GatmiryPopulationLoss.Looped(M.DenseIdentity(d) * b, null, n, loops);
                    double exact = LoopedScalar.ExactLoss(n, d, loops, b);
                    Checks.AtMost(Math.Abs(w.Value - exact), w.RoundingBound + Math.Abs(exact) * 1.2e-16, $"|L(bI) − ℓ_L(b)|, n = {n}, d = {d}, b = {b}, L = {loops}");
                }
        using (ClaimLedger.Suspend())
        {
            var w = GatmiryPopulationLoss.Looped(M.DenseIdentity(4) * 0.8, null, 31, 3);
            double exact = LoopedScalar.ExactLoss(30, 4, 3, 0.8);
            Checks.Exceeds(Math.Abs(w.Value - exact), w.RoundingBound + Math.Abs(exact) * 1.2e-16, "the loss at n + 1 fails the check against ℓ_L(b) at n");
        }
        ClaimLedger.RecordNegativeControl("the loss at the wrong n fails the scalar-line identity");
    }

    /// <summary>
    /// WISHART: at a non-symmetric A with u ≠ 0 (d = 3, n = 40) the exact L(A, u) equals the Monte Carlo mean of the conditional loss
    /// (<see cref="LoopedLoss"/>, 50 000 draws; light-tailed here: the largest draw holds &lt; 0.1% of the sum) within t(1e-6)·SE of 100
    /// group means, at L = 2 and 3; the same check with Aᵀ in place of A fails at L = 2 (the orientation B = Aᵀ matters).
    /// </summary>
    [Test]
    public void WISHART_Looped_population_loss_matches_Monte_Carlo_off_the_symmetric_class()
    {
        // Strongly non-normal A and a large u, so the exact L(Aᵀ, u) sits ≈ 70 SE from L(A, u) at L = 2 (50 000 draws): the control fails the check
        // whenever the check itself holds (it needs a gap above two half-widths; a milder A left 6.5 SE and failed the control on seed 2).
        var a = M.DenseOfArray(new double[,] { { 0.7, 0.9, 0 }, { 0, 0.8, 0.7 }, { 0.1, 0, 0.9 } });
        var u = Vector<double>.Build.DenseOfArray([0.8, -0.5, 0.3]);
        const int n = 40;
        var samples = SparseFamilyLoss.DrawSamples(M.DenseIdentity(3), n, 50_000, TestSettings.SeedFor("WISHART looped loss sample")); // one sample serves both L
        Estimate Sample(int loops) => LossEstimates.GroupMeans(new LoopedLoss(samples, M.DenseIdentity(3), loops).PerSample(a, u), 100);
        var atTwo = Sample(2);
        foreach (var (loops, est) in new[] { (2, atTwo), (3, Sample(3)) })
        {
            var exact = GatmiryPopulationLoss.Looped(a, u, n, loops);
            ClaimLedger.Note($"L = {loops}: exact {exact.Value:G8} (rounding ≤ {exact.RoundingBound:G2}), Monte Carlo {est}");
            Checks.AtMost(Math.Abs(est.Mean - exact.Value), LossEstimates.HalfWidth(est, 1e-6) + exact.RoundingBound, $"|Monte Carlo − exact L(A, u)|, L = {loops}");
        }
        using (ClaimLedger.Suspend())
        {
            var transposed = GatmiryPopulationLoss.Looped(a.Transpose(), u, n, 2);
            Checks.Exceeds(Math.Abs(atTwo.Mean - transposed.Value), LossEstimates.HalfWidth(atTwo, 1e-6) + transposed.RoundingBound, "Aᵀ in place of A fails the Monte Carlo check");
        }
        ClaimLedger.RecordNegativeControl("the transposed A fails the Monte Carlo check at L = 2");
    }

    /// <summary>
    /// WISHART: for the untied model (L = 2, d = 3, n = 40, non-symmetric A_l, u_l ≠ 0) the exact loss equals the engine's Monte Carlo
    /// loss (200 000 prompts through the batched transformer, w* and x_q drawn) within t(1e-6)·SE of 100 group means; the layers in
    /// the wrong order fail the same check (the product Π_l (I − ŜA_l) does not commute).
    /// </summary>
    [Test]
    public void WISHART_Untied_population_loss_matches_the_engine()
    {
        const int d = 3, n = 40;
        var a = new[]
        {
            M.DenseOfArray(new double[,] { { 0.9, 0.6, 0 }, { -0.2, 0.7, 0.3 }, { 0.1, 0, 1.0 } }),
            M.DenseOfArray(new double[,] { { 0.3, 0, 0.4 }, { 0.2, 0.5, 0 }, { 0, -0.3, 0.4 } }),
        };
        var u = new Vector<double>?[] { Vector<double>.Build.DenseOfArray([0.4, -0.3, 0.2]), Vector<double>.Build.DenseOfArray([-0.2, 0.1, 0.3]) };
        var setup = new LearningSetup(new Recipe("WISHART untied", "suite", new ModelSpec(ModelFamily.Gatmiry, d, 2), DataSpec.Isotropic(d, n),
            OptimizerSettings.Adam(0.01), new TrainingSchedule(1, 8)));
        var offsets = setup.Model.BlockOffsets();
        var theta = new double[setup.Model.Dimension];
        for (int l = 0; l < 2; l++)
        {
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) theta[offsets[2 * l] + i * d + j] = a[l][i, j];
            for (int i = 0; i < d; i++) theta[offsets[2 * l + 1] + i] = u[l]![i];
        }
        var est = setup.TestLoss(theta, setup.Draw(200_000, TestSettings.Plan.Stream("WISHART untied engine")));
        var exact = GatmiryPopulationLoss.Whitened(a, u, n);
        ClaimLedger.Note($"untied L = 2: exact {exact.Value:G8} (rounding ≤ {exact.RoundingBound:G2}), engine Monte Carlo {est}");
        Checks.AtMost(Math.Abs(est.Mean - exact.Value), LossEstimates.HalfWidth(est, 1e-6) + exact.RoundingBound, "|engine Monte Carlo − exact untied loss|");
        using (ClaimLedger.Suspend())
        {
            var swapped = GatmiryPopulationLoss.Whitened([a[1], a[0]], [u[1], u[0]], n);
            ClaimLedger.Note($"layers swapped: exact {swapped.Value:G8}");
            Checks.Exceeds(Math.Abs(est.Mean - swapped.Value), LossEstimates.HalfWidth(est, 1e-6) + swapped.RoundingBound, "the layers in the wrong order fail the check");
        }
        ClaimLedger.RecordNegativeControl("the swapped layer order fails the engine check");
    }

    /// <summary>WISHART: word moments reject an empty word, more than 8 Ŵ's, mismatched shapes, non-finite entries and n &lt; 1.</summary>
    [Test]
    public void WISHART_Word_moments_reject_bad_input()
    {
        var i3 = M.DenseIdentity(3);
        Assert.Throws<ArgumentException>(() => WishartWordMoments.WhitenedTrace([], 5));
        Assert.Throws<ArgumentException>(() => WishartWordMoments.WhitenedTrace(Enumerable.Repeat(i3, 9).ToList(), 5));
        Assert.Throws<ArgumentException>(() => WishartWordMoments.WhitenedTrace([i3, M.DenseIdentity(2)], 5));
        Assert.Throws<ArgumentException>(() => WishartWordMoments.WhitenedTrace([M.Dense(3, 3, double.NaN)], 5));
        Assert.Throws<ArgumentException>(() => WishartWordMoments.WhitenedTrace([i3], 0));
        Assert.Throws<ArgumentException>(() => GatmiryPopulationLoss.Looped(i3, null, 10, 5));
        Assert.Throws<ArgumentException>(() => GatmiryPopulationLoss.Looped(i3, Vector<double>.Build.Dense(2), 10, 2));
        ClaimLedger.RecordCheck(0, "bad input is rejected with ArgumentException", held: true);
    }
}
