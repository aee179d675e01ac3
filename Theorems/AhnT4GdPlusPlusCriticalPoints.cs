using LoopedIcl.Numerics.Algorithms;

namespace LoopedIcl.Theorems;

/// <summary>
/// AHN-T4 (Theorem 4): L layers of family (11), x ~ N(0, Σ), w* ~ N(0, Σ⁻¹): on 𝒮 = {A_l = a_lΣ⁻¹, B_l = b_lI} the gradients are
/// ∇_{A_l}f ∝ Σ, ∇_{B_l}f ∝ I and ∇_{B_{L−1}}f = 0, so the inf of the gradient norm over 𝒮 is that of the scalar problem.
/// </summary>
[TestFixture, Category("AHN-T4")]
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
        Properties.ForAll(Cases.Shapes(dMax: 5, nMin: 2, nMax: 16, lMax: 3), s =>
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
        Properties.ForAll(Cases.Shapes(dMax: 5, nMin: 2, nMax: 16, lMax: 3), s =>
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
        Properties.ForAll(Cases.Shapes(dMax: 4, nMin: 2, nMax: 12, lMax: 3), s =>
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
        var sigma = Sigmas.Random(d, kappa, TestSettings.Seed + 91);
        var sigmaInv = sigma.Inverse();
        var loss = new GdPlusPlusLoss(AhnGroupSamples.Orbit(sigma, n, 4, TestSettings.Seed + 92), sigma, sigmaInv);
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
        {
            Checks.Exceeds(Sigmas.ResidualFromSpan(grads[0], sigmaInv), 1e-2, "∇_A0 ∉ span(Σ⁻¹) (the check can tell Σ from Σ⁻¹)");
            ClaimLedger.RecordNegativeControl("span(Σ⁻¹) rejected for ∇_A");
        }
    }

    /// <summary>
    /// AHN-T4 finding 3: the paper's Figures 3–5 values (a = −0.38, −2.40, −9.59; b = 0.90, 0.56) are a near-critical, low-loss point at n = 20
    /// (Monte Carlo log-loss ≈ −7.3, the paper's ≈ −7.15) but not at the printed n = 10, where rare prompts blow up and the population loss is provably
    /// several times larger. Monte Carlo through the transformer, Σ = I (the loss on 𝒮 is Σ-free).
    /// </summary>
    [Test]
    public void AHN_T4_Finding_paper_figures_are_a_critical_point_at_n_20_not_n_10()
    {
        const int d = 5;
        var layers = PaperA.Zip(PaperB, (a, b) => Families.GdPlusPlus((Real)a * Mat<Real>.Identity(d), (Real)b * Mat<Real>.Identity(d))).ToArray();
        var kernel = new GramKernel(layers, ResidualSign.Plus);
        var at20 = MonteCarlo.PredictionLoss(new PromptBuffer(Sigmas.Identity(d), TaskLaw.InverseCovariance, 20, TestSettings.Seed + 101), b => kernel.Predict(b), 40_000);
        // At n = 10 the loss is heavy-tailed (a mean ± SE is meaningless): bound E[loss] from below with DKW instead.
        var buffer10 = new PromptBuffer(Sigmas.Identity(d), TaskLaw.InverseCovariance, 10, TestSettings.Seed + 102);
        var sq10 = new double[40_000];
        for (int i = 0; i < sq10.Length; i++) { buffer10.Next(); var e = kernel.Predict(buffer10) - buffer10.QueryTarget; sq10[i] = e * e; }
        var lower10 = SampleStatistics.NonNegativeMeanLowerBound(sq10, 1e-6);
        ClaimLedger.Note($"AHN-T4 finding: paper's point at n = 20: loss {at20} (ln {Math.Log(at20.Mean):F2}); at n = 10: sample mean {sq10.Average():G4}, median {SampleStatistics.Median(sq10):G4}, E[loss] ≥ {lower10:G4} (DKW, 1e-6)");
        var upper20 = at20.Mean + at20.HalfWidth(1e-6);
        Checks.AtMost(upper20, 2e-3, "n = 20: loss below 2e-3 (ln ≈ −7.15 in the notes)");
        // The paper's Fig. 3(c) reports ln-loss ≈ −7.15 (loss ≈ 7.8e-4). At n = 10 the population loss at this point is provably
        // (false alarm 1e-6) at least 3× that — rare prompts blow up (the sample mean is dominated by them) — so n = 10 cannot be the setting.
        Checks.Exceeds(lower10, 3 * Math.Exp(-7.15), "n = 10: E[loss] at the paper's point exceeds 3× the reported loss (DKW lower bound, false alarm 1e-6)");
        // Near-criticality at n = 20: BFGS on the scalar objective from the paper's point moves each parameter by < 5%.
        var loss = new ScalarGdPlusPlusLoss(SparseFamilyLoss.DrawSamples(Sigmas.Identity(d), 20, 5_000, TestSettings.Seed + 103));
        double G(Vector<double> v) => loss.Value([v[0], v[1], v[2]], [v[3], v[4], 0.0]);
        var start = Vector<double>.Build.DenseOfArray([PaperA[0], PaperA[1], PaperA[2], PaperB[0], PaperB[1]]);
        var r = Minimizer.Bfgs(v => (G(v), Minimizer.FiniteDifferenceGradient(G, v)), start, 1e-10, 300);
        ClaimLedger.Note($"AHN-T4: BFGS from the paper's point (n = 20, 5 000 prompts): a = [{r.Point[0]:F4}, {r.Point[1]:F4}, {r.Point[2]:F4}], b = [{r.Point[3]:F4}, {r.Point[4]:F4}], loss {r.Value:E3} (start {G(start):E3})");
        for (int i = 0; i < 5; i++) Checks.AtMost(Math.Abs(r.Point[i] - start[i]), 0.05 * Math.Abs(start[i]), $"parameter {i} stays within 5% of the paper's value");
    }
}
