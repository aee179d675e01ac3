using LoopedIcl.Numerics.Algorithms;

namespace LoopedIcl.Theorems;

/// <summary>
/// GAT-T1 (Gatmiry et al. Theorem 3.2 as reported): the looped model's global minimiser has u = 0 and A ≈ Σ⁻¹ (preconditioned GD that adapts to Σ):
/// (1−c)Σ⁻¹ ⪯ A_opt ⪯ (1+c)Σ⁻¹ with c = 8δd^{1/(2L)}, δ = (8Ld/√n)^{1/(2L)}. The suite checks where this holds: the loss decomposition,
/// the exact L = 1, 2 optima, A*Σ ∝ I for symmetric A, the vacuous constant, and the skew saddle for unconstrained A.
/// </summary>
[TestFixture, Category(ClaimIds.GatT1)]
public sealed class GatT1LoopedGlobalMinimizer
{
    private static double Z => SampleStatistics.TwoSidedZ(CheckPolicy.FalseAlarm);

    private const int R3Dim = 4, R3Examples = 7, R3Loops = 3;

    /// <summary>The conditional-loss case of Lemma R3: Σ with κ = 10, one fixed X (n = 7), S = XᵀX/n, A near Σ⁻¹/2, u ≠ 0, and the rng after them.</summary>
    private static (PromptLaw Law, Mat<Real> X, Matrix<double> S, Matrix<double> A, Vector<double> U, Random Rng) ConditionalLossCase()
    {
        const int d = R3Dim, n = R3Examples;
        var sigma = Sigmas.Random(d, 10, TestSettings.SeedFor("GAT-T1 transformer Σ"));
        var law = new PromptLaw(sigma, TaskLaw.InverseCovariance);
        var x = law.Sample(n, TestSettings.EngineSeedFor("GAT-T1 transformer prompts")).X;
        var s = x.ToMathNet().TransposeThisAndMultiply(x.ToMathNet()) / n;
        var rng = Rng.Create(TestSettings.SeedFor("GAT-T1 transformer parameters"));
        var a = sigma.Inverse() * 0.5 + TestMatrices.Gaussian(d, d, rng, 0.3 / Math.Sqrt(d));
        var u = Vector<double>.Build.DenseOfArray(Rng.Gaussians(rng, d)) * 0.5;
        return (law, x, s, a, u, rng);
    }

    /// <summary>GAT-T1 decomposition: for a fixed X the conditional loss tr(CᵀΣCΣ⁻¹) + uᵀ(I−C)ᵀΣ(I−C)u equals Monte Carlo over (w*, x_q) through the looped transformer.</summary>
    [Test]
    public void GAT_T1_Conditional_loss_equals_Monte_Carlo_over_query_and_task()
    {
        // 6000 literal-model runs (2 s at 20 000): the identity is checked within z(1e-6)·SE either way; the squared error has Gaussian-product tails.
        const int d = R3Dim, n = R3Examples, loops = R3Loops, m = 6_000;
        var (law, x, s, a, u, _) = ConditionalLossCase();
        var sigma = law.Sigma;
        var exact = new LoopedLoss([s], sigma, loops).Value(a, u);
        // Monte Carlo: keep X, redraw w* ~ N(0, Σ⁻¹) and x_q ~ N(0, Σ), run the literal looped transformer.
        var model = new LoopedTransformer<Real>(Families.Gatmiry(RealMat.From(a), RealMat.Column(u.ToArray())), loops);
        var tasks = law.Draw(1, m, TestSettings.EngineSeedFor("GAT-T1 transformer tasks"));  // one-example prompts: only their tasks and queries are used
        int drawn = 0;
        var est = MonteCarlo.Mean(m, () =>
        {
            var task = tasks.ToPrompt(drawn++);
            var (w, xq) = (task.Task, task.Query);
            var prompt = new Prompt<Real>(x, x * w, xq, Mat<Real>.Dot(xq, w), w);
            var e = model.Predict(prompt).Value - prompt.QueryTarget.Value;
            return e * e;
        });
        ClaimLedger.Note($"GAT-T1 Lemma R3 (fixed X, d={d} n={n} L={loops}): exact conditional loss {exact:G6}, Monte Carlo {est}");
        Checks.Close(est.Mean, exact, est.HalfWidth(CheckPolicy.FalseAlarm), "conditional loss vs MC");
    }

    /// <summary>
    /// GAT-T1 Lemma R3 at rounding precision: for a fixed X the literal looped model is affine in w* and linear in x_q, ŷ = x_qᵀ(M w* + v)
    /// (checked at a random pair), so its conditional loss is E(x_qᵀ((M − I)w* + v))² = tr(Σ(M − I)Σ⁻¹(M − I)ᵀ) + vᵀΣv with M and v read
    /// off at basis inputs — a second computation of the closed form that resolves a relative error of ~4e-10 (its rounding budget) where
    /// the Monte Carlo check above resolves ~13 % (a planted 1–5 % error in the closed form passes that one and fails this one).
    /// </summary>
    [Test]
    public void GAT_T1_Conditional_loss_equals_the_literal_models_basis_expansion()
    {
        const int d = R3Dim, n = R3Examples, loops = R3Loops;
        var (law, x, s, a, u, rng) = ConditionalLossCase();
        var sigma = law.Sigma;
        var model = new LoopedTransformer<Real>(Families.Gatmiry(RealMat.From(a), RealMat.Column(u.ToArray())), loops);
        double Predict(double[] xq, double[] w)
        {
            var (q, t) = (RealMat.Column(xq), RealMat.Column(w));
            return model.Predict(new Prompt<Real>(x, x * t, q, Mat<Real>.Dot(q, t), t)).Value;
        }
        double[] Basis(int i) => Enumerable.Range(0, d).Select(k => k == i ? 1.0 : 0.0).ToArray();
        var zero = new double[d];
        var v = Vector<double>.Build.Dense(d, i => Predict(Basis(i), zero));
        var m = Matrix<double>.Build.Dense(d, d, (i, j) => Predict(Basis(i), Basis(j)) - v[i]);
        // Affine in w*, linear in x_q: a random pair predicts x_qᵀ(M w* + v).
        var (xq, w) = (Rng.Gaussians(rng, d), Rng.Gaussians(rng, d));
        double direct = Predict(xq, w), expanded = Vector<double>.Build.DenseOfArray(xq) * (m * Vector<double>.Build.DenseOfArray(w) + v);
        // Budget: each prediction is L layers of sums over n(d+1) terms; the expansion adds two d-term products and Σ⁻¹ (κ(Σ) ≤ 10 here).
        double magnitude = Math.Max(1, Math.Max(m.Enumerate().Max(Math.Abs), v.Enumerate().Max(Math.Abs)));
        Checks.Close(direct, expanded, RoundingBudget.Accumulated(n * (d + 1), loops + 2, magnitude * magnitude, growth: 10) * d, "ŷ(x_q, w*) = x_qᵀ(M w* + v) at a random pair");
        var e = m - Matrix<double>.Build.DenseIdentity(d);
        double basis = (sigma * e * sigma.Inverse() * e.Transpose()).Trace() + v * (sigma * v);
        double closed = new LoopedLoss([s], sigma, loops).Value(a, u);
        ClaimLedger.Note($"GAT-T1 Lemma R3 (fixed X, d={d} n={n} L={loops}): closed form {closed:R}, literal model's basis expansion {basis:R}");
        double tolerance = RoundingBudget.Accumulated(n * (d + 1), 2 * loops + 2, magnitude * magnitude * Math.Max(1, basis), growth: 10) * d * d;
        Checks.Close(closed, basis, tolerance, "conditional loss: closed form vs the literal model's basis expansion");
        Checks.Sanity(tolerance < 1e-6 * basis, $"the budget {tolerance:G3} resolves a relative error of 1e-6 of {basis:G6}");
        // Negative control: the closed form without u's cost (u = null) fails the same check on the same finite values.
        double withoutU = new LoopedLoss([s], sigma, loops).Value(a);
        Properties.ExpectViolation("the closed form without the u term", () => Checks.Close(withoutU, basis, tolerance, "conditional loss without u's cost"));
    }

    /// <summary>GAT-T1 decomposition: tr(CᵀΣCΣ⁻¹) = ‖(I − BŴ)^L‖²_F with B = Σ^{1/2}AᵀΣ^{1/2}, so Σ enters only through B; u costs ‖NΣ^{1/2}u‖² ≥ 0; ∇_u L(A, 0) = 0.</summary>
    [Test]
    public void GAT_T1_Loss_depends_on_Sigma_only_through_B_and_u_only_adds() =>
        Properties.ForAll(Cases.LoopedSampleLoss, s =>
        {
            var sigma = Sigmas.Random(s.D, s.Kappa, s.Seed);
            var root = Covariance.Power(sigma, 0.5);
            var rootInv = root.Inverse();
            var whitened = SparseFamilyLoss.DrawSamples(Sigmas.Identity(s.D), s.N, 5, s.Seed + 1);
            var sHat = whitened.Select(w => root * w * root).ToArray();
            var rng = Rng.Create(s.Seed + 2);
            var bMat = Sigmas.Identity(s.D) * 0.6 + TestMatrices.Gaussian(s.D, s.D, rng, 0.2 / Math.Sqrt(s.D));
            var a = (rootInv * bMat * rootInv).Transpose(); // B = Σ^{1/2}AᵀΣ^{1/2}
            var loss = new LoopedLoss(sHat, sigma, s.L);
            var whiteLoss = whitened.Average(w =>
            {
                var c = Sigmas.Identity(s.D);
                for (int l = 0; l < s.L; l++) c = (Sigmas.Identity(s.D) - bMat * w) * c;
                return c.FrobeniusNorm() * c.FrobeniusNorm();
            });
            Checks.RelativeClose(loss.Value(a), whiteLoss, 1e-9 * s.Kappa * s.Kappa, $"tr(CᵀΣCΣ⁻¹) = ‖(I − BŴ)^L‖², {s}");
            var u = Vector<double>.Build.DenseOfArray(Rng.Gaussians(rng, s.D));
            var shift = loss.ShiftTerm(a, u);
            Checks.True(shift.All(v => v >= 0), $"u-term ≥ 0, {s}");
            Checks.RelativeClose(loss.Value(a, u) - loss.Value(a), shift.Average(), 1e-9 * s.Kappa, $"L(A,u) − L(A,0) = mean ‖NΣ^½u‖², {s}");
            var gradU = Minimizer.FiniteDifferenceGradient(v => loss.Value(a, v), Vector<double>.Build.Dense(s.D));
            Checks.AtMost(gradU.InfinityNorm(), 1e-8 * (1 + loss.Value(a)), $"∇_u L(A, 0) = 0, {s}");
        });

    /// <summary>GAT-T1, L = 1 exactly: A_opt = n/(n+d+1)·Σ⁻¹ with loss d(d+1)/(n+d+1) (this is AHN-T1 under w* ~ N(0, Σ⁻¹)); the closed form's gradient vanishes there.</summary>
    [Test]
    public void GAT_T1_One_loop_optimum_is_exact() =>
        Properties.ForAll(Cases.OneLoop, s =>
        {
            var (b, loss) = LoopedScalar.ExactOptimum(s.N, s.D, 1);
            Checks.RelativeClose(b, s.N / (s.N + s.D + 1.0), 1e-9, $"b* = n/(n+d+1), {s}");
            Checks.RelativeClose(loss, s.D * (s.D + 1.0) / (s.N + s.D + 1), 1e-9, $"f* = d(d+1)/(n+d+1), {s}");
            var sigma = Sigmas.Random(s.D, s.Kappa, s.Seed);
            var a = sigma.Inverse() * b;
            var grad = AhnLosses.SparseSingleLayerGradient(sigma, s.N, a, sigma.Inverse());
            Checks.AtMost(grad.FrobeniusNorm(), 1e-10 * s.Kappa * (1 + sigma.FrobeniusNorm()) * (1 + a.FrobeniusNorm()), $"∇L at n/(n+d+1)Σ⁻¹, {s}");
            Checks.RelativeClose(AhnLosses.SparseSingleLayer(sigma, s.N, a, sigma.Inverse()), loss, 1e-9 * s.Kappa, $"closed form at the optimum, {s}");
        });

    /// <summary>GAT-T1, L = 2 exactly (quartic from m₁..m₄), d = 10: the reference b*, f* of CLAIMS.md, and the transformer's MC loss at b*Σ⁻¹ equals f*.</summary>
    [TestCase(20, 0.628077, 2.10528)]
    [TestCase(40, 0.771957, 0.854455)]
    [TestCase(100, 0.894458, 0.194513)]
    public void GAT_T1_Two_loop_optimum_matches_the_reference(int n, double bRef, double fRef)
    {
        const int d = 10;
        var (b, f) = LoopedScalar.ExactOptimum(n, d, 2);
        Checks.Close(b, bRef, 1e-6, $"b*, n={n}");
        Checks.RelativeClose(f, fRef, 1e-5, $"f*, n={n}");
        var sigma = Sigmas.Random(d, 30, TestSettings.SeedFor($"GAT-T1 two-loop Σ n={n}"));
        var predict = EngineFamilies.Predictor(Enumerable.Repeat(Families.Gatmiry(RealMat.From(sigma.Inverse() * b)), 2).ToArray(), ResidualSign.Minus);
        var mc = MonteCarlo.PredictionLoss(new PromptLaw(sigma, TaskLaw.InverseCovariance), n, TestSettings.EngineSeedFor($"GAT-T1 two-loop prompts n={n}"), 400_000 / n, predict); // cost ∝ n per prompt
        ClaimLedger.Note($"GAT-T1 L=2 d={d} n={n}: b* = {b:F6}, f* = {f:G6}; looped transformer MC at b*Σ⁻¹ (κ(Σ)=30): {mc}");
        Checks.Close(mc.Mean, f, mc.HalfWidth(CheckPolicy.FalseAlarm), $"MC at b*Σ⁻¹ vs f*, n={n}");
        // Negative control: the quartic with a wrong moment (m₂ without its +1) gives a value the MC rejects.
        var m = WishartMoments.WhitenedMoments(4, n, d).ToArray();
        m[2] = Rational.FromInt(n * d * (n + d)) / Rational.FromInt(n * n);
        var wrong = KernelPolynomial.LoopedLoss(m, b, 2);
        Properties.ExpectViolation($"wrong-moment quartic (m₂ without its +1), n={n}", () => Checks.Close(mc.Mean, wrong, mc.HalfWidth(CheckPolicy.FalseAlarm), $"MC at b*Σ⁻¹ vs the wrong-moment quartic, n={n}"));
    }

    /// <summary>
    /// GAT-T1: the scalar optimum b*(n, L), d = 10, for n ∈ {20, 40, 100}, L ∈ {1, 2, 3, 5}, exact (rational Wishart moments, convex ℓ_L bisected
    /// with exact signs); the n = 40 row matches CLAIMS.md's Monte Carlo reference within its stated ±0.002; b* &lt; 1, increasing in n, decreasing in L.
    /// </summary>
    [Test]
    public void GAT_T1_Scalar_optimum_is_below_one_rises_with_n_and_falls_with_L()
    {
        const int d = 10;
        int[] ns = [20, 40, 100];
        int[] ls = [1, 2, 3, 5];
        var table = new double[ns.Length, ls.Length];
        for (int i = 0; i < ns.Length; i++)
        {
            for (int j = 0; j < ls.Length; j++)
            {
                table[i, j] = LoopedScalar.ExactOptimum(ns[i], d, ls[j]).B;
                ClaimLedger.Value($"b*(d=10, n={ns[i]}, L={ls[j]}) exact", table[i, j]);
                Checks.AtMost(table[i, j], 1, $"b* < 1 (n={ns[i]}, L={ls[j]})");
                // Monotonicity steps: the claim's direction, but b* moves by O(1e-2) per step, so the ratio is near 1 by nature (a threshold, not a margin).
                if (i > 0) Checks.AtLeast(table[i, j], table[i - 1, j], $"b* increases with n (L={ls[j]})", CheckKind.Threshold);
                if (j > 0) Checks.AtMost(table[i, j], table[i, j - 1], $"b* decreases with L (n={ns[i]})", CheckKind.Threshold);
            }
            ClaimLedger.Note($"GAT-T1 b*(d=10, n={ns[i]}) exact: " + string.Join(", ", ls.Select((l, j) => $"L={l}: {table[i, j]:F6}")));
        }
        Checks.Close(table[1, 0], 0.784314, 1e-6, "b*(n=40, L=1) = n/(n+d+1) = 40/51");
        Checks.Close(table[1, 1], 0.771957, 1e-6, "b*(n=40, L=2), CLAIMS.md's exact quartic value");
        // CLAIMS.md prints these two as Monte Carlo values to 3 decimals, "±0.002": the spec's own stated accuracy is the tolerance.
        Checks.Close(table[1, 2], 0.760, 0.002, "b*(n=40, L=3) exact vs CLAIMS.md's Monte Carlo 0.760 ± 0.002");
        Checks.Close(table[1, 3], 0.733, 0.002, "b*(n=40, L=5) exact vs CLAIMS.md's Monte Carlo 0.733 ± 0.002");
    }

    /// <summary>
    /// GAT-T1 restricted to symmetric A: a 20-start BFGS search (exact gradient, symmetric parameterisation, random symmetric starts around 0) on
    /// a sample whose whitened covariances are closed under the 48 signed permutations of R³ (the loss depends on B = RᵀAR, Σ = RRᵀ, and this
    /// sample keeps B ↦ gBgᵀ a symmetry, as in the population); every run's convergence recorded; on the best A* found, A*Σ = b̂*I up to the
    /// optimisation tolerance (b̂* the same sample's scalar optimum), unlike the negative control with w* ~ N(0, I); and the theorem's sandwich
    /// (1−c)Σ⁻¹ ⪯ A* ⪯ (1+c)Σ⁻¹ is checked on that A* with its c (vacuous, c ≥ 1: finding 6).
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void GAT_T1_Symmetric_minimiser_is_a_multiple_of_Sigma_inverse(bool isotropicTaskControl)
    {
        const int d = 3, n = 20, loops = 2, baseDraws = 5, starts = 20;
        var sigma = Sigmas.Random(d, 20, TestSettings.SeedFor("GAT-T1 symmetric Σ"));
        var samples = AhnGroupSamples.Orbit(sigma, n, baseDraws, TestSettings.SeedFor("GAT-T1 symmetric orbit"));
        var loss = new LoopedLoss(samples, sigma, loops, isotropicTaskControl ? Sigmas.Identity(d) : null);
        var objective = loss.Objective(symmetric: true);
        var rng = Rng.Create(TestSettings.SeedFor("GAT-T1 symmetric starts"));
        var scale = sigma.Inverse().L2Norm();
        // ‖∇‖ ≤ 1e-7 (about the smallest gradient the Armijo test resolves at this loss level, √(2μu·L)).
        var search = Minimizer.MultiStart(objective, starts, _ => TestMatrices.SymmetricGaussian(d, rng, 0.5 * scale).ToRowMajorArray(), 1e-7, 2000);
        var aStar = objective.Matrices(search.Best.Point.AsArray())[0];
        var product = aStar * sigma;
        var scalar = product.Trace() / d;
        var anisotropy = (product - Sigmas.Identity(d) * scalar).FrobeniusNorm() / product.FrobeniusNorm();
        var bHat = Minimizer.GoldenSection(b => loss.Value(sigma.Inverse() * b), 0, 2, 1e-10);
        var root = Covariance.Power(sigma, 0.5);
        var whitened = (root * aStar * root).Evd(Symmetricity.Symmetric).EigenValues.Select(e => e.Real).ToArray();
        var c = SandwichConstant(n, d, loops);
        ClaimLedger.Note($"GAT-T1 symmetric search (d={d} n={n} L={loops}, κ(Σ)=20, {samples.Length} group-closed samples{(isotropicTaskControl ? ", CONTROL w* ~ N(0, I)" : "")}): {search.Summary()}; "
            + $"A*Σ ≈ {scalar:F5}·I (sample's scalar optimum {bHat:F5}, population b* = {LoopedScalar.ExactOptimum(n, d, loops).B:F4}), relative anisotropic part {anisotropy:E2}; "
            + $"eigenvalues of Σ^½A*Σ^½ in [{whitened.Min():F4}, {whitened.Max():F4}]; c = {c:F2}");
        Checks.AtLeast(search.ConvergedRuns.Count, starts / 2, "at least half of the runs converged (the failures are listed in the ledger)", CheckKind.Sanity);
        ClaimLedger.Count("converged runs", search.ConvergedRuns.Count);
        ClaimLedger.Count("failed runs", search.FailedRuns.Count);
        // A converged point is within ‖∇‖/μ ≤ 1e-7/1e-3 = 1e-4 of its stationary point (curvature μ ≥ 1e-3 on this loss scale): the tolerance of "A*Σ ∝ I".
        const double tolerance = 1e-4;
        if (isotropicTaskControl)
        {
            Properties.ExpectViolation($"w* ~ N(0, I): anisotropy {anisotropy:F3}", () => Checks.AtMost(anisotropy, tolerance, "anisotropic part of A*Σ with w* ~ N(0, I)"));
        }
        else
        {
            Checks.AtMost(anisotropy, tolerance, "anisotropic part of A*Σ");
            Checks.Close(scalar, bHat, tolerance, "scalar part = the sample's scalar optimum");
            Checks.AtMost(whitened.Max(v => Math.Abs(v - 1)), c, "the sandwich (1−c)Σ⁻¹ ⪯ A* ⪯ (1+c)Σ⁻¹ on the A* found (c ≥ 1: vacuous, finding 6)");
        }
    }

    internal static double SandwichConstant(double n, int d, int loops) => 8 * Math.Pow(8.0 * loops * d / Math.Sqrt(n), 1.0 / (2 * loops)) * Math.Pow(d, 1.0 / (2 * loops));

    /// <summary>
    /// GAT-T1 over unconstrained A (all d² entries): a 20-start BFGS search on the sample loss (Σ = I) from random starts; every run recorded; the
    /// best end point is compared with the same sample's scalar optimum b̂*I and its skew part ‖(A − Aᵀ)/2‖/‖A‖ reported (finding 5 at this size).
    /// </summary>
    [TestCase(4, 60, 3, 150, 20)]
    [TestCase(6, 100, 4, 300, 20, Category = "Slow")]
    public void GAT_T1_Unconstrained_global_search(int d, int n, int loops, int m, int starts)
    {
        var id = Sigmas.Identity(d);
        var loss = new LoopedLoss(SparseFamilyLoss.DrawSamples(id, n, m, TestSettings.SeedFor("GAT-T1 unconstrained sample")), id, loops);
        var objective = loss.Objective();
        var bHat = Minimizer.GoldenSection(b => loss.Value(id * b), 0, 2);
        var scalarLoss = loss.Value(id * bHat);
        var rng = Rng.Create(TestSettings.SeedFor("GAT-T1 unconstrained starts"));
        var search = Minimizer.MultiStart(objective, starts, _ => TestMatrices.Gaussian(d, d, rng, 0.5).ToRowMajorArray(), 1e-8, 1500);
        var best = objective.Matrices(search.Best.Point.AsArray())[0];
        var skew = ((best - best.Transpose()) / 2).FrobeniusNorm() / best.FrobeniusNorm();
        ClaimLedger.Note($"GAT-T1 unconstrained search (d={d} n={n} L={loops}, m={m}): {search.Summary()}; scalar optimum b̂* = {bHat:F4}, L(b̂*I) = {scalarLoss:G6}; best {search.Best.Value:G6} ({search.Best.Value / scalarLoss:F4}× the scalar), skew part {skew:F3}");
        Checks.AtLeast(search.ConvergedRuns.Count, starts / 2, "at least half of the runs converged (the failures are listed in the ledger)", CheckKind.Sanity);
        ClaimLedger.Count("converged runs", search.ConvergedRuns.Count);
        ClaimLedger.Count("failed runs", search.FailedRuns.Count);
        // Finding 5 in-sample: the unconstrained optimum lies strictly below the scalar point (beyond the optimisation tolerance 1e-6 relative) and has a skew part.
        Checks.AtMost(search.Best.Value, scalarLoss * (1 - 1e-6), "the unconstrained global search beats the scalar point (finding 5)");
        // The skew part without a threshold: the best symmetric A on the same sample (BFGS over the symmetric class from b̂*I, converged) is beaten
        // beyond the optimisation tolerance, so the unconstrained optimum cannot be symmetric; its skew part is recorded.
        var symmetric = loss.Objective(symmetric: true);
        var symRun = Minimizer.Bfgs(symmetric, (id * bHat).ToRowMajorArray(), 1e-8, 1500);
        ClaimLedger.Note($"GAT-T1 unconstrained (d={d}): best symmetric A from b̂*I: {symRun.Value:G6} ({symRun.Reason}, |∇| {symRun.GradientNorm:E1}) vs unconstrained best {search.Best.Value:G6}");
        Checks.True(symRun.Converged, $"the symmetric-class BFGS converged ({symRun.Reason}, |∇| {symRun.GradientNorm:E1})");
        Checks.AtMost(search.Best.Value, symRun.Value * (1 - 1e-6), "the unconstrained optimum beats the best symmetric A (so it has a skew part)");
        ClaimLedger.Value("skew part ‖(A − Aᵀ)/2‖/‖A‖ of the unconstrained optimum", skew);
    }

    /// <summary>
    /// GAT-T1 finding 6: the sandwich constant c = 8δd^{1/(2L)}, δ = (8Ld/√n)^{1/(2L)}, is &lt; 1 exactly when n &gt; n₀ = 64^{2L+1}L²d⁴
    /// (c^{2L} = 8^{2L+1}Ld²/√n): vacuous at every testable n. Checked on every row: c ≥ 1 at the row's n, c(n₀/1.01) &gt; 1 &gt; c(1.01·n₀)
    /// (the closed-form threshold, in double n, no short cut); the true distance |1 − b*| is reported next to c.
    /// </summary>
    [Test]
    public void GAT_T1_Finding_sandwich_constant_is_vacuous_at_testable_n()
    {
        foreach (var (n, d, l) in new[] { (20, 10, 1), (100, 10, 2), (1000, 10, 2), (1_000_000, 10, 2), (1000, 5, 3) })
        {
            var c = SandwichConstant(n, d, l);
            var threshold = Math.Pow(64, 2 * l + 1) * l * l * Math.Pow(d, 4);
            var exact = l <= 4 && n <= 100_000 ? LoopedScalar.ExactOptimum(n, d, l).B : double.NaN;
            ClaimLedger.Note($"GAT-T1 sandwich d={d} n={n} L={l}: c = {c:F3} (c < 1 needs n > {threshold:E2}); true |1 − b*| = {(double.IsNaN(exact) ? "n/a" : Math.Abs(1 - exact).ToString("F4"))}");
            Checks.AtLeast(c, 1, $"c ≥ 1 (vacuous) at n={n}, d={d}, L={l}");
            Checks.Exceeds(SandwichConstant(threshold / 1.01, d, l), 1, $"c > 1 just below the threshold n₀ = {threshold:E2} (d={d}, L={l})", CheckKind.Bound);
            Checks.AtMost(SandwichConstant(threshold * 1.01, d, l), 1, $"c < 1 just above the threshold n₀ = {threshold:E2} (d={d}, L={l})");
        }
    }

    /// <summary>
    /// GAT-T1 finding 5: over unconstrained A the scalar point is a saddle for moderate n/d and L ≥ 2: d = 6, n = 100, L = 4, Σ = I:
    /// the exact population loss (Wishart word moments, rounding bounded) of A = (0.9261I + 0.2356J)ᵀ is below the exact best symmetric
    /// loss ℓ_L(b*) (CLAIMS.md's Monte Carlo values: 0.00129 vs 0.00207). Control: at n = d = 10, L = 2 a small skew part raises the loss.
    /// </summary>
    [Test]
    public void GAT_T1_Finding_skew_part_lowers_the_loss_for_unconstrained_A()
    {
        const int d = 6, n = 100, loops = 4;
        var (bStar, lStar) = LoopedScalar.ExactOptimum(n, d, loops);
        double atSpecScalar = LoopedScalar.ExactLoss(n, d, loops, 0.9096);
        var skew = GatmiryPopulationLoss.Looped((Sigmas.Identity(d) * 0.9261 + TestMatrices.BlockSkew(d) * 0.2356).Transpose(), null, n, loops);
        ClaimLedger.Note($"GAT-T1 skew finding (d={d} n={n} L={loops}), exact: L((0.9261 I + 0.2356 J)ᵀ) = {skew.Value:G6} (rounding ≤ {skew.RoundingBound:G2}), " +
                         $"ℓ_L(b*) = {lStar:G6} at b* = {bStar:G6}, L(0.9096 I) = {atSpecScalar:G6}; difference to 0.9096 I {skew.Value - atSpecScalar:G4} (CLAIMS.md: −0.000774 ± 0.000003 by Monte Carlo)");
        Checks.AtMost(skew.Value + skew.RoundingBound, lStar, "exact L(skew-augmented A) + rounding ≤ ℓ_L(b*), the best symmetric loss");
        // Control: at small n/d the skew direction costs loss (so the check can tell the regimes apart).
        var (b, lTwo) = LoopedScalar.ExactOptimum(10, 10, 2);
        var control = GatmiryPopulationLoss.Looped((Sigmas.Identity(10) * b + TestMatrices.BlockSkew(10) * 0.02).Transpose(), null, 10, 2);
        ClaimLedger.Note($"GAT-T1 skew control (d=10 n=10 L=2, k=0.02), exact: {control.Value:G8} vs ℓ_2(b*) = {lTwo:G8}");
        using (ClaimLedger.Suspend())
            Checks.Exceeds(control.Value - control.RoundingBound, lTwo, "at n = d the skew-augmented A fails the below-ℓ_L(b*) check");
        ClaimLedger.RecordNegativeControl("n = d: skew part raises the loss");
    }

    /// <summary>GAT-T1 negative control: u ≠ 0 costs loss (paired difference L(A*, u) − L(A*, 0) > 0 by many SE).</summary>
    [Test]
    public void GAT_T1_Negative_control_non_zero_u_costs_loss()
    {
        const int d = 5, n = 20, loops = 2;
        var sigma = Sigmas.Random(d, 10, TestSettings.SeedFor("GAT-T1 u control Σ"));
        var loss = new LoopedLoss(SparseFamilyLoss.DrawSamples(sigma, n, 4000, TestSettings.SeedFor("GAT-T1 u control sample")), sigma, loops);
        var a = sigma.Inverse() * LoopedScalar.ExactOptimum(n, d, loops).B;
        var u = Vector<double>.Build.DenseOfArray(Rng.Gaussians(Rng.Create(TestSettings.SeedFor("GAT-T1 u control direction")), d)) * 0.1;
        var cost = SampleStatistics.MeanAndError(loss.ShiftTerm(a, u));
        ClaimLedger.Note($"GAT-T1: u = 0.1·N(0, I) costs {cost}");
        Checks.Exceeds(cost.Mean - cost.HalfWidth(CheckPolicy.FalseAlarm), 0, "u ≠ 0 raises the loss");
        ClaimLedger.RecordNegativeControl("u ≠ 0 raises the loss");
    }
}
