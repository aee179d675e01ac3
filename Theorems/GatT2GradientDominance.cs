using LoopedIcl.Numerics.Algorithms;
using MathNet.Numerics.Optimization;

namespace LoopedIcl.Theorems;

/// <summary>
/// GAT-T2 (Theorem 3.4 as reported): Σ = I, u = 0: while the loss is not tiny, ‖∇_A L(A)‖²_F ≥ (1/16)·L(A)^{(2L−1)/L} — a Łojasiewicz
/// inequality with exponent 2 − 1/L, not PL (except L = 1). The suite measures R(A) = ‖∇L‖²/L^{(2L−1)/L} and asserts R ≥ 1/16 above 1.5× the symmetric optimum.
/// </summary>
[TestFixture, Category(ClaimIds.GatT2)]
public sealed class GatT2GradientDominance
{
    internal static double Ratio(double loss, Matrix<double> gradient, int loops) =>
        gradient.FrobeniusNorm() * gradient.FrobeniusNorm() / Math.Pow(loss, (2.0 * loops - 1) / loops);

    internal static (LoopedLoss Loss, double ScalarOptimum) Problem(int d, int n, int loops, int samples, int seed)
    {
        var loss = new LoopedLoss(SparseFamilyLoss.DrawSamples(Sigmas.Identity(d), n, samples, seed), Sigmas.Identity(d), loops);
        // The same sample's scalar optimum (b ↦ L(bI) is convex), so the threshold is consistent with the sample.
        return (loss, Minimizer.GoldenSection(b => loss.Value(Sigmas.Identity(d) * b), 0, 2));
    }

    /// <summary>GAT-T2: the analytic gradient equals central differences and the paper's form −2E Σ_k Ŝ D^{L−1−k}Σ⁻¹CᵀΣD^k (D = I − AᵀŜ, C = D^L).</summary>
    [Test]
    public void GAT_T2_Gradient_formula_matches_finite_differences_and_the_paper_form() =>
        Properties.ForAll(Cases.LoopedGradient, s =>
        {
            var sigma = Sigmas.Random(s.D, s.Kappa, s.Seed);
            var samples = SparseFamilyLoss.DrawSamples(sigma, s.N, 4, s.Seed + 1);
            var loss = new LoopedLoss(samples, sigma, s.L);
            var rng = Rng.Create(s.Seed + 2);
            var a = sigma.Inverse() * 0.5 + TestMatrices.Gaussian(s.D, s.D, rng, 0.2) * (sigma.Inverse().L2Norm() / Math.Sqrt(s.D));
            var (_, analytic) = loss.ValueAndGradient(a);
            var id = Sigmas.Identity(s.D);
            var paper = Matrix<double>.Build.Dense(s.D, s.D);
            foreach (var sh in samples)
            {
                var dMat = id - a.TransposeThisAndMultiply(sh);
                var c = id;
                for (int l = 0; l < s.L; l++) c = dMat * c;
                for (int k = 0; k < s.L; k++) paper -= 2 * sh * dMat.Power(s.L - 1 - k) * sigma.Inverse() * c.Transpose() * sigma * dMat.Power(k);
            }
            paper /= samples.Length;
            var scale = 1 + analytic.FrobeniusNorm();
            TestMatrices.AssertGradientMatchesFiniteDifferences([a], [analytic], m => loss.Value(m[0]), 1e-6 * scale * s.Kappa, $"analytic vs FD, {s}");
            Checks.AtMost((analytic - paper).FrobeniusNorm(), 1e-10 * scale * s.Kappa * s.Kappa, $"analytic vs the paper's form, {s}");
        });

    /// <summary>GAT-T2: over random A = bI + sG/‖G‖ (b ∈ [0, 1.5], s ∈ [0, 0.8], G half symmetrised), R ≥ 1/16 wherever L ≥ 1.5·L(b̂*I); min R reported.</summary>
    [TestCase(5, 10, 2)]
    [TestCase(10, 40, 2)]
    [TestCase(10, 100, 3)]
    public void GAT_T2_Ratio_is_above_one_sixteenth_at_random_points(int d, int n, int loops)
    {
        var (loss, bStar) = Problem(d, n, loops, d >= 10 ? 300 : 800, TestSettings.SeedFor($"GAT-T2 sample d={d} n={n} L={loops}"));
        var threshold = 1.5 * loss.Value(Sigmas.Identity(d) * bStar);
        var rng = Rng.Create(TestSettings.SeedFor($"GAT-T2 directions d={d} n={n} L={loops}"));
        var objective = loss.Objective();
        var grad = new double[objective.Dimension];
        double minR = double.PositiveInfinity, atLoss = double.NaN;
        for (int k = 0; k < 60; k++)
        {
            var g = TestMatrices.Gaussian(d, d, rng);
            if (k % 2 == 0) g = (g + g.Transpose()) / 2;
            var a = Sigmas.Identity(d) * (1.5 * rng.NextDouble()) + g * (0.8 * rng.NextDouble() / g.L2Norm());
            var value = objective.Evaluate(a.ToRowMajorArray(), grad);
            if (value < threshold) continue;
            var r = grad.Sum(v => v * v) / Math.Pow(value, (2.0 * loops - 1) / loops);
            if (r < minR) { minR = r; atLoss = value; }
        }
        ClaimLedger.Note($"GAT-T2 (d={d}, n={n}, L={loops}) random points: min R = {minR:G4} at loss {atLoss:G4} (threshold 1.5·L(b̂*I) = {threshold:G4})");
        Checks.AtLeast(minR, 1.0 / 16, $"min R over random points (d={d}, n={n}, L={loops})");
    }

    /// <summary>
    /// R(A) = ‖∇L‖²/L^{(2L−1)/L} with ∇R = 2H∇L/L^p − pR∇L/L (H∇L by a central difference of the exact gradient along ∇L, step 1e-5: error
    /// ~1e-10 relative) plus a quadratic penalty ρ((L₀ − L)/L₀)² below L₀ = 1.05·threshold, so minimisers stay in the region L ≥ threshold.
    /// </summary>
    private sealed class DominanceRatio(SparseFamilyObjective loss, int loops, double threshold) : Numerics.Optimization.IObjective
    {
        private readonly double[] _g = new double[loss.Dimension], _gp = new double[loss.Dimension], _gm = new double[loss.Dimension], _y = new double[loss.Dimension];
        private readonly double _target = 1.05 * threshold;
        private const double Penalty = 1e3;

        public int Dimension => loss.Dimension;

        public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
        {
            var l = loss.Evaluate(x, _g);
            double p = (2.0 * loops - 1) / loops, g2 = 0;
            foreach (var v in _g) g2 += v * v;
            double lp = Math.Pow(l, p), r = g2 / lp, gap = Math.Max(0, (_target - l) / _target);
            double f = r + Penalty * gap * gap;
            if (gradient.IsEmpty) return f;
            double gNorm = Math.Sqrt(g2), eps = 1e-5;
            for (int i = 0; i < _y.Length; i++) _y[i] = x[i] + eps * _g[i] / gNorm;
            loss.Evaluate(_y, _gp);
            for (int i = 0; i < _y.Length; i++) _y[i] = x[i] - eps * _g[i] / gNorm;
            loss.Evaluate(_y, _gm);
            for (int i = 0; i < _y.Length; i++)
            {
                var hg = gNorm * (_gp[i] - _gm[i]) / (2 * eps);
                gradient[i] = 2 * hg / lp - p * r * _g[i] / l - 2 * Penalty * gap / _target * _g[i];
            }
            return f;
        }
    }

    /// <summary>
    /// GAT-T2 (adversarial, gradient-based): BFGS minimises R over all d² entries of A (penalised below 1.05× the threshold 1.5·L(b̂*I)) from
    /// 20 random starts A = bI + sG (b ∈ [0, 1.5], s ∈ [0, 0.8], G Gaussian with ‖G‖₂ = 1); every run recorded; R ≥ 1/16 at every end point with
    /// L ≥ threshold (converged or not: any such point tests the inequality). The d = 10 cases are in the Slow tier.
    /// </summary>
    [TestCase(4, 10, 2, 60)]
    [TestCase(5, 10, 2, 150, Category = "Slow")]
    [TestCase(10, 40, 2, 150, Category = "Slow")]
    [TestCase(10, 100, 3, 150, Category = "Slow")]
    public void GAT_T2_Adversarial_search_does_not_break_the_inequality(int d, int n, int loops, int samples)
    {
        const int starts = 20;
        var (loss, bStar) = Problem(d, n, loops, samples, TestSettings.SeedFor($"GAT-T2 adversarial sample d={d} n={n} L={loops}"));
        var threshold = 1.5 * loss.Value(Sigmas.Identity(d) * bStar);
        var lossObjective = loss.Objective();
        var objective = new DominanceRatio(lossObjective, loops, threshold);
        var rng = Rng.Create(TestSettings.SeedFor($"GAT-T2 adversarial starts d={d} n={n} L={loops}"));
        var search = Minimizer.MultiStart(objective, starts, _ =>
        {
            var g = TestMatrices.Gaussian(d, d, rng);
            return (Sigmas.Identity(d) * (1.5 * rng.NextDouble()) + g * (0.8 * rng.NextDouble() / g.L2Norm())).ToRowMajorArray();
        }, 1e-6, 400);
        var grad = new double[lossObjective.Dimension];
        var feasible = search.Runs.Select(r => (Run: r, Loss: lossObjective.Evaluate(r.Point.AsArray(), grad), GradSq: grad.Sum(v => v * v)))
            .Where(p => p.Loss >= threshold).Select(p => (p.Run, p.Loss, R: p.GradSq / Math.Pow(p.Loss, (2.0 * loops - 1) / loops))).ToArray();
        var best = feasible.MinBy(p => p.R);
        ClaimLedger.Note($"GAT-T2 (d={d}, n={n}, L={loops}) gradient-based adversarial search over all of A: {search.Summary()}; {feasible.Length} end points with L ≥ threshold {threshold:G4}; min R = {best.R:G4} at loss {best.Loss:G4}");
        ClaimLedger.Count("converged runs", search.ConvergedRuns.Count);
        ClaimLedger.Count("failed runs", search.FailedRuns.Count);
        ClaimLedger.Count("end points above the threshold", feasible.Length);
        Checks.AtLeast(feasible.Length, 1, "some end point lies in the region the inequality covers", CheckKind.Sanity);
        foreach (var p in feasible) Checks.AtLeast(p.R, 1.0 / 16, $"R at an end point with L = {p.Loss:G4} ≥ threshold ({p.Run.Reason})");
    }

    /// <summary>
    /// GAT-T2: a threshold is necessary — in the population (exact moments) the gradient at b*I is (ℓ'(b*)/d)·I = 0 while ℓ* &gt; 0, so R(b*I) = 0 &lt; 1/16.
    /// </summary>
    [TestCase(5, 10, 2)]
    [TestCase(10, 100, 3)]
    public void GAT_T2_Threshold_is_necessary_at_the_scalar_optimum(int d, int n, int loops)
    {
        var (bStar, lStar) = LoopedScalar.ExactOptimum(n, d, loops);
        var m = WishartMoments.WhitenedMoments(2 * loops, n, d);
        var derivative = KernelPolynomial.Gradient(m, Enumerable.Repeat(bStar, loops).ToArray()).Sum();
        var gradNormSquared = derivative * derivative / d; // ‖(ℓ'/d)·I‖²_F
        var r = gradNormSquared / Math.Pow(lStar, (2.0 * loops - 1) / loops);
        ClaimLedger.Note($"GAT-T2 at b*I (d={d}, n={n}, L={loops}, exact): ℓ* = {lStar:G4} > 0, R = {r:E2}");
        Checks.Exceeds(lStar, 0.01, "the loss at the scalar optimum is positive", CheckKind.Sanity);
        Checks.AtMost(r, 1e-12, "R vanishes at the scalar optimum: no threshold-free inequality can hold");
        Properties.ExpectViolation($"no threshold: R(b*I) = {r:E1}", () => Checks.AtLeast(r, 1.0 / 16, $"R at b*I with L = ℓ* (no threshold), d={d} n={n} L={loops}"));
    }

    /// <summary>
    /// GAT-T2 finding 7: in the large-n limit (Ŵ = I) f = Σ(1 − β_j)^{2L} and ‖∇f‖² = 4L²Σ(1 − β_j)^{4L−2}: along B = bI, b → 1, the Łojasiewicz ratio stays at
    /// 4L²d^{−(L−1)/L} while the PL ratio ‖∇f‖²/f → 0 for L ≥ 2 (and is the constant 4L² = 4 for L = 1).
    /// </summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void GAT_T2_Finding_Lojasiewicz_but_not_PL(int loops)
    {
        const int d = 4;
        var limit = new LoopedLoss([Sigmas.Identity(d)], Sigmas.Identity(d), loops);
        foreach (var gap in new[] { 1e-1, 1e-2, 1e-3 })
        {
            var (f, g) = limit.ValueAndGradient(Sigmas.Identity(d) * (1 - gap));
            var lojasiewicz = Ratio(f, g, loops);
            var pl = g.FrobeniusNorm() * g.FrobeniusNorm() / f;
            Checks.RelativeClose(lojasiewicz, 4.0 * loops * loops * Math.Pow(d, -(loops - 1.0) / loops), 1e-9, $"Łojasiewicz ratio at 1 − b = {gap}, L={loops}");
            Checks.RelativeClose(pl, 4.0 * loops * loops * Math.Pow(gap, 2 * loops - 2), 1e-9, $"PL ratio = 4L²(1 − b)^(2L−2) at 1 − b = {gap}, L={loops}");
        }
        ClaimLedger.Note($"GAT-T2 L={loops}: PL ratio at 1 − b = 1e-3 is {4.0 * loops * loops * Math.Pow(1e-3, 2 * loops - 2):G3} (→ 0 for L ≥ 2), Łojasiewicz ratio {4.0 * loops * loops * Math.Pow(d, -(loops - 1.0) / loops):G3}");
    }
}
