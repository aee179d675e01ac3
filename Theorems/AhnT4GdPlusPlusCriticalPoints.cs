using static LoopedIcl.TestSupport.RationalPolynomials;
using LoopedIcl.Numerics.Algorithms;

namespace LoopedIcl.Theorems;

/// <summary>
/// AHN-T4 (Theorem 4): L layers of family (11), x ~ N(0, Σ), w* ~ N(0, Σ⁻¹): on 𝒮 = {A_l = a_lΣ⁻¹, B_l = b_lI} the gradients are
/// ∇_{A_l}f ∝ Σ, ∇_{B_l}f ∝ I and ∇_{B_{L−1}}f = 0, so the inf of the gradient norm over 𝒮 is that of the scalar problem.
/// </summary>
[TestFixture, Category(ClaimIds.AhnT4)]
public sealed class AhnT4GdPlusPlusCriticalPoints
{
    // The paper's Figures 4–5 values in family (11)'s sign: A_l = a_lΣ⁻¹ (negative), B_l = b_lI.
    private static readonly double[] PaperA = [-0.38, -2.40, -9.59];
    private static readonly double[] PaperB = [0.90, 0.56, 0.0];

    private static Matrix<double> SampleCovariance(Prompt<Real> p)
    {
        var x = p.X.ToMathNet();
        return x.TransposeThisAndMultiply(x) / p.N;
    }

    /// <summary>AHN-T4 support: the d×d GD++ algebra gives the literal transformer's prediction, ŷ = x_qᵀM(S)w*, per prompt.</summary>
    [Test]
    public void AHN_T4_Prediction_matrix_equals_the_literal_transformer() =>
        Properties.ForAll(Cases.GdPlusPlusLayers, s =>
        {
            var inst = Instance.Draw(s, TaskLaw.InverseCovariance);
            var a = Enumerable.Range(0, s.L).Select(_ => inst.RandomMatrix(0.4)).ToArray();
            var b = Enumerable.Range(0, s.L).Select(_ => inst.RandomMatrix(0.4)).ToArray();
            var yhat = new LinearTransformer<Real>(a.Zip(b, Families.GdPlusPlus).ToArray()).Predict(inst.Prompt).Value;
            var m = GdPlusPlusLoss.PredictionMatrix(SampleCovariance(inst.Prompt), a.Select(x => x.ToMathNet()).ToArray(), b.Select(x => x.ToMathNet()).ToArray());
            var algebra = inst.Prompt.Query.ToMathNet().Column(0) * (m * inst.Prompt.Task.ToMathNet().Column(0));
            var scale = Math.Max(1, Math.Abs(yhat)) * Math.Pow(1 + RealMat.MaxAbs(inst.Prompt.X), 2 * s.L + 2);
            Checks.Close(algebra, yhat, Tolerance.Accumulated(s.N * (s.D + 1), s.L, scale), $"x_qᵀM(S)w* vs literal ŷ, {s}");
        });

    /// <summary>AHN-T4 support: the eigenvalue-wise scalar reduction g(a, b) equals the matrix GD++ loss at A_l = a_lΣ⁻¹, B_l = b_lI, for any Σ.</summary>
    [Test]
    public void AHN_T4_Scalar_reduction_equals_the_matrix_loss_on_the_scalar_family() =>
        Properties.ForAll(Cases.GdPlusPlusLayers, s =>
        {
            var sigma = Sigmas.Random(s.D, s.Kappa, s.Seed);
            var r = sigma.Cholesky().Factor;
            var whitened = SparseFamilyLoss.DrawSamples(Sigmas.Identity(s.D), s.N, 8, s.Seed + 1);
            var rng = Rng.Create(s.Seed + 2);
            var a = Enumerable.Range(0, s.L).Select(_ => -rng.NextDouble()).ToArray();
            var b = Enumerable.Range(0, s.L).Select(_ => rng.NextDouble()).ToArray();
            var matrix = new GdPlusPlusLoss(whitened.Select(w => r * w * r.Transpose()).ToArray(), sigma, sigma.Inverse())
                .Value(a.Select(x => sigma.Inverse() * x).ToArray(), b.Select(x => Sigmas.Identity(s.D) * x).ToArray());
            var scalar = new ScalarGdPlusPlusLoss(whitened).Value(a, b);
            Checks.RelativeClose(scalar, matrix, 1e-9 * s.Kappa * s.Kappa, $"g(a, b) vs matrix loss, {s}");
        });

    /// <summary>AHN-T4 support: the reverse-mode gradients with respect to every A_l and B_l equal central finite differences at random (non-symmetric) blocks.</summary>
    [Test]
    public void AHN_T4_Analytic_gradients_match_finite_differences() =>
        Properties.ForAll(Cases.FiniteDifferences, s =>
        {
            var sigma = Sigmas.Random(s.D, s.Kappa, s.Seed);
            var loss = new GdPlusPlusLoss(SparseFamilyLoss.DrawSamples(sigma, s.N, 4, s.Seed + 1), sigma, sigma.Inverse());
            var rng = Rng.Create(s.Seed + 2);
            var a = Enumerable.Range(0, s.L).Select(_ => TestMatrices.Gaussian(s.D, s.D, rng, 0.3) * sigma.Inverse().L2Norm()).ToArray();
            var b = Enumerable.Range(0, s.L).Select(_ => TestMatrices.Gaussian(s.D, s.D, rng, 0.3)).ToArray();
            var (_, gradA, gradB) = loss.ValueAndGradient(a, b);
            var scale = 1 + TestMatrices.Pack(gradA.Concat(gradB)).InfinityNorm();
            TestMatrices.AssertGradientMatchesFiniteDifferences(a.Concat(b).ToArray(), gradA.Concat(gradB),
                m => loss.Value(m.Take(s.L).ToArray(), m.Skip(s.L).ToArray()), 1e-6 * scale, $"GD++ analytic vs FD gradient, {s}");
            Checks.AtMost(gradB[^1].FrobeniusNorm(), 1e-12 * scale, $"∇_B(L−1) = 0 for any point, {s}");
        });

    /// <summary>
    /// AHN-T4: on a sample closed under the 48 signed permutations (d = 3, L = 3), the exact gradients at a point of 𝒮 satisfy
    /// ∇_{A_l} ∈ span(Σ), ∇_{B_l} ∈ span(I) (residual ≤ 1e-9, rounding) and ∇_{B_{L−1}} = 0.
    /// </summary>
    [TestCase(1.0)]
    [TestCase(20.0)]
    public void AHN_T4_Gradients_on_the_scalar_family_are_proportional_to_Sigma_and_I(double kappa)
    {
        const int d = 3, n = 10, layers = 3;
        var sigma = Sigmas.Random(d, kappa, TestSettings.SeedFor("AHN-T4 span Σ"));
        var sigmaInv = sigma.Inverse();
        var loss = new GdPlusPlusLoss(AhnGroupSamples.Orbit(sigma, n, 4, TestSettings.SeedFor("AHN-T4 span orbit")), sigma, sigmaInv);
        double[] a = [-0.3, -0.5, -0.8], b = [0.4, 0.3, 0.2];
        var (_, gradA, gradB) = loss.ValueAndGradient(a.Select(x => sigmaInv * x).ToArray(), b.Select(x => Sigmas.Identity(d) * x).ToArray());
        var grads = gradA.Concat(gradB).ToArray();
        var scale = grads.Max(g => g.FrobeniusNorm());
        for (int l = 0; l < layers; l++)
        {
            var ra = Sigmas.ResidualFromSpan(grads[l], sigma);
            ClaimLedger.Note($"AHN-T4 κ={kappa} layer {l}: ∇A residual from span(Σ) {ra:E2}; ‖∇B‖ {grads[layers + l].FrobeniusNorm():E2}");
            Checks.AtMost(ra, 1e-9, $"∇_A{l} ∈ span(Σ)");
            if (l < layers - 1) Checks.AtMost(Sigmas.ResidualFromSpan(grads[layers + l], Sigmas.Identity(d)), 1e-9, $"∇_B{l} ∈ span(I)");
        }
        Checks.AtMost(grads[^1].FrobeniusNorm(), 1e-9 * (1 + scale), "∇_B(L−1) = 0");
        if (kappa > 1)
            Properties.ExpectViolation("span(Σ⁻¹) instead of span(Σ) for ∇_A0", () => Checks.AtMost(Sigmas.ResidualFromSpan(grads[0], sigmaInv), 1e-9, "∇_A0 ∈ span(Σ⁻¹)"));
    }

    /// <summary>
    /// The exact population loss on 𝒮 (Σ = I; Σ-free): each eigenvalue μ of Ŵ runs the scalar GD++ recursion of <see cref="ScalarGdPlusPlusLoss"/>
    /// (polynomials in μ with rational coefficients here), and E Σ_j (m(μ_j) − 1)² = Σ_k c_k m_k with the exact Wishart moments.
    /// </summary>
    internal static Rational ExactScalarLoss(int n, int d, IReadOnlyList<Rational> a, IReadOnlyList<Rational> b)
    {
        Rational[] P(params Rational[] c) => c;
        Rational[] s = P(Rational.Zero, Rational.One), r = s, q = P(Rational.One), m = P(Rational.Zero);
        for (int k = 0; k < a.Count; k++)
        {
            m = Plus(m, Scale(Times(q, r), -a[k]));
            var t = Plus(P(Rational.One), Scale(s, a[k] * b[k]));
            r = Times(t, Plus(r, Scale(Times(s, r), a[k])));
            s = Times(Times(t, t), s);
            q = Times(q, t);
        }
        var e = Plus(m, P(-Rational.One));
        return RealWishartMoments.ExpectedTraceOfPolynomial(Times(e, e), n, d);
    }

    private static Rational Decimal(double v) => Rational.Of((long)Math.Round(v * 100), 100);

    /// <summary>AHN-T4 support: the exact polynomial loss on 𝒮 equals the eigenvalue-wise Monte Carlo of ScalarGdPlusPlusLoss within z(1e-6)·SE where the tail is light (n = 40, small steps).</summary>
    [Test]
    public void AHN_T4_Exact_scalar_loss_matches_Monte_Carlo_where_light_tailed()
    {
        const int n = 40, d = 5;
        double[] a = [-0.3, -0.5], bb = [0.4, 0.0];
        var exact = ExactScalarLoss(n, d, a.Select(Decimal).ToArray(), bb.Select(Decimal).ToArray()).ToDouble();
        var draws = SparseFamilyLoss.DrawSamples(Sigmas.Identity(d), n, 4000, TestSettings.SeedFor("AHN-T4 exact-vs-MC prompts"));
        var per = draws.Select(w => new ScalarGdPlusPlusLoss([w]).Value(a, bb)).ToArray();
        var est = SampleStatistics.MeanAndError(per);
        Checks.Close(est.Mean, exact, est.HalfWidth(1e-6), $"GD++ scalar loss: MC {est} vs exact {exact:G6}");
    }

    /// <summary>
    /// AHN-T4 finding 3: the paper's Figures 3–5 values (a = −0.38, −2.40, −9.59; b = 0.90, 0.56) are a low-loss point at n = 20 for the typical prompt
    /// (median per-prompt loss ≤ 2e-3 by an exact binomial order-statistic interval, false alarm 1e-6; the paper's ln ≈ −7.15) but not at the printed n = 10,
    /// where the exact population loss exceeds 3× the reported loss (it is ~10⁸× its n = 20 value). Exact population losses from the Wishart moments
    /// (the loss on 𝒮 is Σ-free); even at n = 20 the exact mean (≈ 0.048) is set by rare prompts, so only the median is "low", and the point is
    /// near-critical for a 5 000-prompt sample (BFGS moves each parameter &lt; 5%) but not for the exact population loss (|∇| ≈ 5 there).
    /// </summary>
    [Test]
    public void AHN_T4_Finding_paper_figures_are_a_critical_point_at_n_20_not_n_10()
    {
        const int d = 5;
        var at20 = ExactScalarLoss(20, d, PaperA.Select(Decimal).ToArray(), PaperB.Select(Decimal).ToArray()).ToDouble();
        var at10 = ExactScalarLoss(10, d, PaperA.Select(Decimal).ToArray(), PaperB.Select(Decimal).ToArray()).ToDouble();
        var perPrompt20 = SparseFamilyLoss.DrawSamples(Sigmas.Identity(d), 20, 4000, TestSettings.SeedFor("AHN-T4 paper point median prompts")).Select(w => new ScalarGdPlusPlusLoss([w]).Value(PaperA, PaperB)).ToArray();
        var (_, median20High) = SampleStatistics.QuantileInterval(perPrompt20, 0.5, 1e-6);
        ClaimLedger.Note($"AHN-T4 finding: paper's point, exact population loss at n = 20: {at20:G6} (ln {Math.Log(at20):F3}); at n = 10: {at10:G6} (ln {Math.Log(at10):F3}); "
            + $"median per-prompt loss at n = 20: {SampleStatistics.Median(perPrompt20):G4} (ln {Math.Log(SampleStatistics.Median(perPrompt20)):F2}), ≤ {median20High:G4} (exact binomial interval, 1e-6)");
        Checks.AtMost(median20High, 2e-3, "n = 20: median per-prompt loss below 2e-3 (ln ≈ −7.15 in the notes)");
        // The paper's Fig. 3(c) reports ln-loss ≈ −7.15 (loss ≈ 7.8e-4): at n = 10 the exact loss at this point is more than 3× that.
        Checks.Exceeds(at10, 3 * Math.Exp(-7.15), "n = 10: exact E[loss] at the paper's point exceeds 3× the reported loss", CheckKind.Bound);
        // The exact population gradient at n = 20 (central differences of the exact polynomial loss, h = 1e-4): the point is near-critical only for a finite
        // sample of prompts (BFGS below), not for the population loss, whose rare-prompt tail pulls it away.
        var point = PaperA.Concat(PaperB.Take(2)).Select(Decimal).ToArray();
        var h = Rational.Of(1, 10_000);
        double Exact20(Rational[] x) => ExactScalarLoss(20, d, x[..3], [x[3], x[4], Rational.Zero]).ToDouble();
        var gradient = Enumerable.Range(0, 5).Select(i =>
        {
            var (up, down) = ((Rational[])point.Clone(), (Rational[])point.Clone());
            up[i] += h; down[i] -= h;
            return (Exact20(up) - Exact20(down)) / 2e-4;
        }).ToArray();
        var gradientNorm = Math.Sqrt(gradient.Sum(g => g * g));
        ClaimLedger.Note($"AHN-T4 finding: exact population gradient at the paper's point, n = 20: [{string.Join(", ", gradient.Select(g => g.ToString("G3")))}], |∇| = {gradientNorm:G3} (loss {at20:G3})");
        Checks.Exceeds(gradientNorm, 1, "n = 20: the exact population gradient at the paper's point is not small (finding: near-critical only on a sample)", CheckKind.Bound);
        // Near-criticality at n = 20: BFGS on the scalar objective from the paper's point moves each parameter by < 5%.
        var loss = new ScalarGdPlusPlusLoss(SparseFamilyLoss.DrawSamples(Sigmas.Identity(d), 20, 5_000, TestSettings.SeedFor("AHN-T4 paper point BFGS prompts")));
        double G(Vector<double> v) => loss.Value([v[0], v[1], v[2]], [v[3], v[4], 0.0]);
        var start = Vector<double>.Build.DenseOfArray([PaperA[0], PaperA[1], PaperA[2], PaperB[0], PaperB[1]]);
        var r = Minimizer.Bfgs(v => (G(v), Minimizer.FiniteDifferenceGradient(G, v)), start, 1e-10, 300);
        ClaimLedger.Note($"AHN-T4: BFGS from the paper's point (n = 20, 5 000 prompts): a = [{r.Point[0]:F4}, {r.Point[1]:F4}, {r.Point[2]:F4}], b = [{r.Point[3]:F4}, {r.Point[4]:F4}], loss {r.Value:E3} (start {G(start):E3})");
        for (int i = 0; i < 5; i++) Checks.AtMost(Math.Abs(r.Point[i] - start[i]), 0.05 * Math.Abs(start[i]), $"parameter {i} stays within 5% of the paper's value");
    }
}
