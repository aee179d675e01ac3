using LoopedIcl.Numerics.Algorithms;

namespace LoopedIcl.Theorems;

/// <summary>
/// GAT-T3 (Theorem 3.3 as reported): from A(0) = 0 (the flow then stays on {bI}) the loss reaches ξ within t ≤ (16L/(L−1))(ξ^{−(L−1)/L} − L(0)^{−(L−1)/L}):
/// polynomial, L(t) = O(t^{−L/(L−1)}), exponential only for L = 1; the flow ends at the GAT-T1 optimum.
/// </summary>
[TestFixture, Category(ClaimIds.GatT3)]
public sealed class GatT3GradientFlow
{
    /// <summary>GAT-T3: on the exact scalar line (moments), measured hitting times are below the bound for every ξ ≥ 1.5ℓ*, and the flow ends at b*.</summary>
    [TestCase(1000, 2, new[] { 1.0, 0.1, 0.01 })]
    [TestCase(1000, 3, new[] { 1.0, 0.01, 0.001 })]
    [TestCase(100, 3, new[] { 1.0, 0.1 })]
    [TestCase(40, 4, new[] { 1.0, 0.5 })]
    public void GAT_T3_Hitting_times_are_below_the_bound(int n, int loops, double[] levels)
    {
        const int d = 10;
        var (bStar, lStar) = LoopedScalar.ExactOptimum(n, d, loops);
        var path = GradientFlow.ScalarLine(n, d, loops, 5000);
        Checks.RelativeClose(path[0].Loss, d, 1e-12, "L(0) = d", CheckKind.Sanity);
        foreach (var xi in levels.Where(x => x >= 1.5 * lStar))
        {
            var hit = GradientFlow.HittingTime(path, xi);
            var bound = GradientFlow.HittingTimeBound(loops, xi, d);
            ClaimLedger.Note($"GAT-T3 d={d} n={n} L={loops}: t_hit(ξ={xi}) = {hit:G4} vs bound {bound:G4}");
            Checks.AtMost(hit, bound, $"hitting time of ξ={xi} (n={n}, L={loops})");
        }
        Checks.Close(path[^1].State[0], bStar, 1e-6, "the flow ends at b*");
        Checks.RelativeClose(path[^1].Loss, lStar, 1e-9, "and at ℓ*");
    }

    /// <summary>
    /// The integrator's global error bound at each recorded point: the flows below are contracting (the derivative of the right-hand side is ≤ 0 along
    /// them), so the global error is at most the sum of the accepted local errors, each ≤ tolerance·(1 + ‖θ‖) (Bogacki–Shampine keeps the third-order
    /// solution, whose local error is below the embedded estimate the step control bounds).
    /// </summary>
    private static double[] StateErrorBound(IReadOnlyList<FlowPoint> path, double tolerance)
    {
        var bound = new double[path.Count];
        for (int k = 1; k < path.Count; k++)
        {
            double norm = Math.Sqrt(path[k - 1].State.Sum(v => v * v));
            bound[k] = bound[k - 1] + tolerance * (1 + norm);
        }
        return bound;
    }

    /// <summary>
    /// GAT-T3: for L = 1 (PL) the flow on the exact scalar line is exponential: ℓ_1(b) = d − 2bd + b²m₂ (Σ = I, m₂ = E tr Ŵ²) is quadratic, so
    /// ḃ = −ℓ'(b)/d = 2 − 2bm₂/d is linear and b(t) = b*(1 − e^{−2m₂t/d}) from b(0) = 0 (the excess loss decays at 4m₂/d); checked point by point
    /// against that closed form within the integrator's error bound, and a power law with the same start and initial rate fails the same check.
    /// </summary>
    [Test]
    public void GAT_T3_One_loop_converges_exponentially()
    {
        const int d = 10, n = 40;
        const double tolerance = 1e-10; // GradientFlow.ScalarLine's
        var m2 = WishartMoments.WhitenedMoment(2, n, d).ToDouble();
        var (bStar, lStar) = LoopedScalar.ExactOptimum(n, d, 1);
        var path = GradientFlow.ScalarLine(n, d, 1, 10);
        var bound = StateErrorBound(path, tolerance);
        double rate = 2 * m2 / d;
        double worst = 0;
        for (int k = 0; k < path.Count; k++)
        {
            double closed = bStar + (0 - bStar) * Math.Exp(-rate * path[k].Time);
            double allowed = bound[k] + 4 * Tolerance.UnitRoundoff * (1 + Math.Abs(closed));
            worst = Math.Max(worst, Math.Abs(path[k].State[0] - closed) / allowed);
            Checks.AtMost(Math.Abs(path[k].State[0] - closed), allowed, $"b(t = {path[k].Time:G4}) = b*(1 − e^(−2m₂t/d)) within the integrator's bound", CheckKind.Identity);
        }
        var pts = path.Where(p => p.Loss - lStar > 1e-9 && p.Time > 0.1).ToArray();
        var fit = SampleStatistics.LinearFit(pts.Select(p => p.Time).ToArray(), pts.Select(p => Math.Log(p.Loss - lStar)).ToArray());
        ClaimLedger.Note($"GAT-T3 L=1: b(t) matches b*(1 − e^(−2m₂t/d)) at {path.Count} points (worst error/bound {worst:E2}); ln(ℓ − ℓ*) slope {fit.Slope:F6} (−4m₂/d = {-4 * m2 / d:F6}), R² {fit.RSquared:F8}");
        // Control: a power law with the same start and initial rate, b*(1 − 1/(1 + 2m₂t/d)), is not this path.
        Properties.ExpectViolation("a power law b*(1 − 1/(1 + 2m₂t/d)) in place of the exponential", () =>
        {
            for (int k = 0; k < path.Count; k++)
            {
                double closed = bStar - bStar / (1 + rate * path[k].Time);
                Checks.AtMost(Math.Abs(path[k].State[0] - closed), bound[k] + 4 * Tolerance.UnitRoundoff * (1 + Math.Abs(closed)), $"b(t = {path[k].Time:G4}) against a power law", CheckKind.Identity);
            }
        });
    }

    /// <summary>
    /// GAT-T3 finding 7: in the large-n limit (Ŵ = I) and L ≥ 2 the flow from 0 is polynomial, not exponential. Exactly: ℓ(A) = ‖(I − A)^L‖²_F, the flow
    /// stays on bI and e = 1 − b solves ė = −2Le^{2L−1}, so e(t) = (1 + 4L(L−1)t)^{−1/(2L−2)} and ℓ(t) = d(1 + 4L(L−1)t)^{−L/(L−1)} ~ t^{−L/(L−1)}.
    /// The path is checked against that closed form within the integrator's error bound; an exponential with the same start and initial rate fails the check.
    /// </summary>
    [TestCase(2)]
    [TestCase(3)]
    public void GAT_T3_Finding_flow_is_polynomial_for_more_than_one_loop(int loops)
    {
        const int d = 3;
        const double tolerance = 1e-10;
        var limit = new LoopedLoss([Sigmas.Identity(d)], Sigmas.Identity(d), loops);
        var path = GradientFlow.Matrix(limit, Sigmas.Identity(d) * 0.0, 1e4, tolerance);
        var bound = StateErrorBound(path, tolerance); // ℓ = d·e^{2L}, so checking e = 1 − b checks the loss law
        double c = 4.0 * loops * (loops - 1);
        void Matches(Func<double, double> eOf, string law)
        {
            for (int k = 0; k < path.Count; k++)
            {
                double e = eOf(path[k].Time);
                double measured = 1 - path[k].State[0]; // A₀₀ = b (row-major)
                Checks.AtMost(Math.Abs(measured - e), bound[k] + 4 * Tolerance.UnitRoundoff, $"1 − b(t = {path[k].Time:G4}) against {law}", CheckKind.Identity);
            }
        }
        Matches(t => Math.Pow(1 + c * t, -1.0 / (2 * loops - 2)), "(1 + 4L(L−1)t)^(−1/(2L−2))");
        double endLoss = path[^1].Loss, closedEnd = d * Math.Pow(1 + c * path[^1].Time, -(double)loops / (loops - 1));
        var late = path.Where(p => p.Time > 100).ToArray();
        var fit = SampleStatistics.LinearFit(late.Select(p => Math.Log(p.Time)).ToArray(), late.Select(p => Math.Log(p.Loss)).ToArray());
        ClaimLedger.Note($"GAT-T3 L={loops} (Ŵ = I): the path matches ℓ = d(1 + 4L(L−1)t)^(−L/(L−1)) at {path.Count} points (end {endLoss:G6} vs {closedEnd:G6}); log-log slope over t > 100 {fit.Slope:F4} (→ −L/(L−1) = {-(double)loops / (loops - 1):F4})");
        // Control: an exponential with the same start and the same initial rate ė(0) = −2L.
        Properties.ExpectViolation("an exponential e^(−2Lt) in place of the power law", () => Matches(t => Math.Exp(-2.0 * loops * t), "e^(−2Lt)"));
    }

    /// <summary>GAT-T3: from A(0) = 0 on a sample closed under the signed permutations the full matrix flow stays on the scalar line (off-line part ≤ 1e-10);
    /// on an ordinary sample (negative control) it leaves the line by sampling noise.</summary>
    [TestCase(true)]
    [TestCase(false)]
    public void GAT_T3_Flow_from_zero_stays_on_the_scalar_line(bool groupClosed)
    {
        const int d = 3, n = 10, loops = 2;
        var samples = groupClosed ? AhnGroupSamples.Orbit(Sigmas.Identity(d), n, 2, TestSettings.SeedFor("GAT-T3 flow-from-zero orbit")) : SparseFamilyLoss.DrawSamples(Sigmas.Identity(d), n, 96, TestSettings.SeedFor("GAT-T3 flow-from-zero ordinary sample"));
        var path = GradientFlow.Matrix(new LoopedLoss(samples, Sigmas.Identity(d), loops), Sigmas.Identity(d) * 0.0, 10, 1e-8);
        var off = path.Max(p =>
        {
            var a = Matrix<double>.Build.DenseOfRowMajor(d, d, p.State);
            return (a - Sigmas.Identity(d) * (a.Trace() / d)).FrobeniusNorm();
        });
        ClaimLedger.Note($"GAT-T3 flow from 0 ({(groupClosed ? "group-closed" : "ordinary")} sample): max off-scalar part {off:E2}, final loss {path[^1].Loss:G5}");
        if (groupClosed) Checks.AtMost(off, 1e-10, "stays on {bI}", CheckKind.Identity);
        else Properties.ExpectViolation($"ordinary sample (drift {off:E2})", () => Checks.AtMost(off, 1e-10, "stays on {bI} on an ordinary sample", CheckKind.Identity));
    }

    /// <summary>
    /// GAT-T3: in the symmetric class (Ȧ = −sym ∇L), an off-line symmetric start with anisotropic Σ (κ = 3) flows to the scalar optimum b̂Σ⁻¹
    /// (group-closed sample, so the symmetric minimiser is exactly a multiple of Σ⁻¹). Derived, not thresholded: with μ the least Hessian eigenvalue
    /// on the symmetric matrices (positive: a strict minimum), ‖A_end − b̂Σ⁻¹‖_F ≤ ‖sym ∇L(A_end)‖/μ and 0 ≤ L(A_end) − L(b̂Σ⁻¹) ≤ ‖sym ∇L‖²/(2μ).
    /// </summary>
    [Test]
    public void GAT_T3_Anisotropic_start_off_the_line_flows_to_the_scaled_inverse()
    {
        const int d = 3, n = 20, loops = 2;
        // κ(Σ) = 3: the A-flow runs Σ^{1/2}(B-flow)Σ^{1/2}, so its slowest directions are λ_min(Σ)² slower; κ = 3 keeps t = 300 short.
        var sigma = Sigmas.Random(d, 3, TestSettings.SeedFor("GAT-T3 symmetric flow Σ"));
        var loss = new LoopedLoss(AhnGroupSamples.Orbit(sigma, n, 3, TestSettings.SeedFor("GAT-T3 symmetric flow orbit")), sigma, loops);
        var rng = Rng.Create(TestSettings.SeedFor("GAT-T3 symmetric flow start"));
        var start = TestMatrices.Gaussian(d, d, rng, 0.2);
        start = (start + start.Transpose()) / 2;
        var path = GradientFlow.Matrix(loss, start, 300, 1e-10, symmetric: true);
        var a = Matrix<double>.Build.DenseOfRowMajor(d, d, path[^1].State);
        var sigmaInv = sigma.Inverse();
        // b̂ from the sign of the line derivative ⟨∇L(bΣ⁻¹), Σ⁻¹⟩ (bisection to rounding): a search on values resolves b only to ≈ √u.
        double Slope(double b) => loss.ValueAndGradient(sigmaInv * b).Gradient.PointwiseMultiply(sigmaInv).Enumerate().Sum();
        double lo = 0, hi = 2;
        Checks.True(Slope(lo) < 0 && Slope(hi) > 0, "the line derivative changes sign on [0, 2]");
        for (int i = 0; i < 200 && hi - lo > 4 * Tolerance.UnitRoundoff; i++) { double mid = (lo + hi) / 2; if (Slope(mid) < 0) lo = mid; else hi = mid; }
        double bHat = (lo + hi) / 2;
        var aStar = sigmaInv * bHat;
        double mu = Math.Min(SymmetricHessianMinimum(loss, aStar), SymmetricHessianMinimum(loss, a));
        double g = path[^1].GradientNorm, lossStar = loss.Value(aStar), distance = (a - aStar).FrobeniusNorm();
        var product = a * sigma;
        var anisotropy = (product - Sigmas.Identity(d) * (product.Trace() / d)).FrobeniusNorm() / product.FrobeniusNorm();
        ClaimLedger.Note($"GAT-T3 anisotropic start (κ(Σ)=3): end AΣ ≈ {product.Trace() / d:F6}·I (b̂ = {bHat:F6}), anisotropy {anisotropy:E2}; ‖A − b̂Σ⁻¹‖ = {distance:E2} ≤ ‖∇‖/μ = {g:E2}/{mu:F4}; loss gap {path[^1].Loss - lossStar:E2} ≤ {g * g / (2 * mu):E2}");
        Checks.Exceeds(mu, 0, "the scalar optimum is a strict minimum on the symmetric class (least Hessian eigenvalue > 0)", CheckKind.Sanity);
        // The finite-difference Hessian and the loss carry relative errors ~1e-7 and ~m·u; 1% on the bound and 1e-12·ℓ on the loss cover them.
        Checks.AtMost(distance, 1.01 * g / mu + 1e-12, "the end point is the scaled inverse within ‖∇‖/μ");
        Checks.AtMost(path[^1].Loss - lossStar, 1.01 * g * g / (2 * mu) + 1e-12 * lossStar, "the end loss is the scalar optimum's within ‖∇‖²/(2μ)");
        Checks.AtLeast(path[^1].Loss - lossStar, -1e-12 * lossStar, "and not below it (the symmetric minimum is the scalar one, GAT-T1)");
    }

    /// <summary>The least eigenvalue of the Hessian of A ↦ L(A) restricted to symmetric A (orthonormal basis of Sym(d); central differences of ∇L).</summary>
    private static double SymmetricHessianMinimum(LoopedLoss loss, Matrix<double> at)
    {
        int d = at.RowCount;
        var basis = new List<Matrix<double>>();
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++)
            {
                var e = Matrix<double>.Build.Dense(d, d);
                double w = i == j ? 1 : 1 / Math.Sqrt(2);
                e[i, j] = w; e[j, i] = w;
                basis.Add(e);
            }
        int m = basis.Count;
        var h = Matrix<double>.Build.Dense(m, m);
        const double step = 1e-5;
        for (int b = 0; b < m; b++)
        {
            var gp = loss.ValueAndGradient(at + basis[b] * step).Gradient;
            var gm = loss.ValueAndGradient(at - basis[b] * step).Gradient;
            var dg = (gp - gm) / (2 * step);
            for (int a2 = 0; a2 < m; a2++) h[a2, b] = basis[a2].PointwiseMultiply(dg).Enumerate().Sum();
        }
        h = (h + h.Transpose()) / 2;
        return h.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Min(z => z.Real);
    }

    /// <summary>
    /// GAT-T3 with unconstrained A (d = 6, n = 100, L = 4, where GAT-T1's skew finding holds): from b̂*I + 0.01J (b̂* the sample's exact scalar
    /// optimum) the flow does not return to the scalar line, and the end point beats the population's scalar optimum. Derived thresholds: at a
    /// strict local minimum the flow contracts the deviation (d‖δ‖²/dt = −2δᵀHδ ≤ 0), so any growth of the skew part past its start (δ₀ = 0.01J)
    /// shows a saddle; the end point's population loss (exact, from Wishart word moments, plus its rounding bound) must lie below the exact
    /// ℓ_4(b*) from the Wishart moments.
    /// </summary>
    [Test]
    public void GAT_T3_Unconstrained_flow_leaves_the_scalar_line_along_the_skew_direction()
    {
        const int d = 6, n = 100, loops = 4, trainingPrompts = 150;
        var id = Sigmas.Identity(d);
        var loss = new LoopedLoss(SparseFamilyLoss.DrawSamples(id, n, trainingPrompts, TestSettings.SeedFor("GAT-T3 skew flow sample")), id, loops);
        double bHat = Minimizer.GoldenSection(b => loss.Value(id * b), 0.5, 1.2, 1e-12);
        var j = TestMatrices.BlockSkew(d);
        var path = GradientFlow.Matrix(loss, id * bHat + j * 0.01, 3000, 1e-7); // t = 300 leaves |∇| ≈ 2e-3 halfway; by 3000 the skew part is ≈ 0.58 ≈ GAT-T1's 0.2356‖J‖
        var end = Matrix<double>.Build.DenseOfRowMajor(d, d, path[^1].State);
        double skew = ((end - end.Transpose()) / 2).FrobeniusNorm(), skewStart = (j * 0.01).FrobeniusNorm();
        var (bStar, lStar) = LoopedScalar.ExactOptimum(n, d, loops);
        var population = GatmiryPopulationLoss.Looped(end, null, n, loops);
        ClaimLedger.Note($"GAT-T3 unconstrained flow (d={d}, n={n}, L={loops}, {trainingPrompts} prompts): sample scalar optimum b̂* = {bHat:F4} (population b* = {bStar:F4}, ℓ_4(b*) = {lStar:G5}); " +
                         $"after t = 3000 the skew part is {skew:G3} (start {skewStart:G3}), sample loss {path[^1].Loss:G4} vs {loss.Value(id * bHat):G4}; exact population loss of the end point {population.Value:G6} (rounding ≤ {population.RoundingBound:G2})");
        Checks.Exceeds(skew, skewStart, "the skew part grows past its start (the scalar point is a saddle)", CheckKind.Bound);
        Checks.AtMost(population.Value + population.RoundingBound, lStar, "the end point's exact population loss (+ rounding) is below the exact scalar optimum ℓ_4(b*)");
        ClaimLedger.Value("population loss of the flow's end point / ℓ_4(b*)", population.Value / lStar);
        // Control: the scalar point itself (the flow's start without the skew kick) is not below ℓ_4(b*).
        double scalarPoint = LoopedScalar.ExactLoss(n, d, loops, bHat); // on the scalar line the loss is the exact rational ℓ_L(b)
        Properties.ExpectViolation($"the scalar point b̂*I (exact {scalarPoint:G6})",
            () => Checks.AtMost(scalarPoint, lStar, "the scalar point's population loss against ℓ_4(b*)"));
    }

    /// <summary>GAT-T3 (non-convexity is real): with A± = (0.9261I ± 0.2356J)ᵀ (d = 6, n = 100, L = 4) the midpoint 0.9261I has a higher loss than the average of the ends.</summary>
    [Test]
    public void GAT_T3_The_loss_is_not_convex()
    {
        const int d = 6, n = 100, loops = 4;
        var id = Sigmas.Identity(d);
        var j = TestMatrices.BlockSkew(d);
        var loss = new LoopedLoss(SparseFamilyLoss.DrawSamples(id, n, 5000, TestSettings.SeedFor("GAT-T3 chord sample")), id, loops);
        var plus = loss.PerSample((id * 0.9261 + j * 0.2356).Transpose());
        var minus = loss.PerSample((id * 0.9261 - j * 0.2356).Transpose());
        var mid = loss.PerSample(id * 0.9261);
        var gap = SampleStatistics.MeanAndError(mid.Select((m, i) => m - (plus[i] + minus[i]) / 2).ToArray());
        ClaimLedger.Note($"GAT-T3 non-convexity: L(mid) − (L(A+) + L(A−))/2 = {gap}");
        Checks.Exceeds(gap.Mean - gap.HalfWidth(1e-6), 0, "the midpoint lies above the chord (paired, false alarm 1e-6)", CheckKind.Bound);
    }
}
