using LoopedIcl.Numerics.Convergence;

namespace LoopedIcl.Theorems;

/// <summary>
/// X-NOISE: with label noise σ the loop converges to the least-squares θ̃ (still at the T4.5 rate, measured against θ̃) and its
/// error to θ* plateaus at the floor E‖θ̃ − θ*‖² = σ² tr((XᵀX)⁻¹).
/// </summary>
[TestFixture, Category(ClaimIds.XNoise)]
public sealed class XNoiseFloor
{

    /// <summary>X-NOISE: for a fixed X, the Monte Carlo mean over noise of ‖TF_T/α − θ*‖² (T converged) equals σ² tr((XᵀX)⁻¹) within z(1e-6)·SE.</summary>
    [TestCase(4, 16, 0.1)]
    [TestCase(8, 24, 0.5)]
    public void X_NOISE_Error_to_the_task_plateaus_at_the_least_squares_floor(int d, int n, double sigma)
    {
        var rng = Rng.Create(TestSettings.SeedFor($"X-NOISE.{d * 31 + n}"));
        var law = PromptLaw.Isotropic(d, TaskLaw.UnitSphere, sigma);
        var x = law.Sample(n, rng).X;
        var task = law.Sample(1, rng).Task;
        var (lambdaMin, lambdaMax) = Conditioning.GramExtremes(x);
        var kappa = lambdaMax / lambdaMin;
        int loops = (int)Math.Ceiling(kappa * Math.Log(1e14)); // (1 − 1/κ)^T ≤ 1e-14: the loop has converged
        var predicted = sigma * sigma * x.ToMathNet().TransposeThisAndMultiply(x.ToMathNet()).Inverse().Trace();
        var sq = new List<double>();
        for (int i = 0; i < 2000; i++)
        {
            var y = x * task + Rng.GaussianMatrix(rng, n, 1, sigma);
            var tf = new ChenFastLoop(x, y).Readout(1.0, 1 / lambdaMax, loops);
            sq.Add(tf.Select((v, j) => (v - task[j, 0].Value) * (v - task[j, 0].Value)).Sum());
        }
        var est = SampleStatistics.MeanAndError(sq);
        ClaimLedger.Note($"X-NOISE d={d} n={n} σ={sigma}: E‖TF_∞ − θ*‖² = {est} vs σ² tr((XᵀX)⁻¹) = {predicted:G6}");
        Checks.Close(est.Mean, predicted, est.HalfWidth(CheckPolicy.FalseAlarm), $"noise floor, d={d} n={n} σ={sigma}");
        // Negative control through the claim's own check: the noiseless prediction (floor 0) must fail Checks.Close on the same finite estimate.
        Properties.ExpectViolation($"floor 0 rejected by the floor check at d={d} n={n} σ={sigma}", () => Checks.Close(est.Mean, 0, est.HalfWidth(CheckPolicy.FalseAlarm), "noise floor predicted as 0"));
    }

    /// <summary>
    /// X-NOISE: measured against the loop's exact limit θ̃ (least squares of the rounded G, b, refined in double-double; its own error bound
    /// enters the floor) the loop keeps the T4.5 rate: |⟨TF_T, θ̃⟩ − α‖θ̃‖²| ≤ |α|‖θ̃‖²e^(−T/2κ) at every informative T (bound ≥ 10× floor; counted).
    /// </summary>
    [Test]
    public void X_NOISE_Loop_converges_to_least_squares_at_the_theorem_rate() =>
        ChenBoundChecks.ForAllInformative(ChenBoundChecks.Instances(tMax: 200), s =>
        {
            var inst = Instance.Draw(s, TaskLaw.UnitSphere, noise: 0.3);
            var p = inst.Prompt;
            var (thetaLs, thetaError) = ChenConvergence.LoopLimit(p.X, p.Y);
            var norm2 = thetaLs.Sum(v => v * v);
            const double alpha = 1.5;
            var (min, max) = Conditioning.GramExtremes(p.X);
            var kappa = max / min;
            var errors = ChenConvergence.Errors(p.X, p.Y, thetaLs, alpha, 1 / max, alpha * norm2, s.L);
            Checks.Close(errors[0], alpha * norm2, 4 * Tolerance.UnitRoundoff * alpha * norm2, $"T = 0 is tight, {s}");
            // Floor: the loop's calibrated rounding (CHEN-T4.5) plus the reference's own error, |⟨TF, δ⟩| + 2α‖θ̃‖‖δ‖ ≤ 3α‖θ̃‖·‖δ‖ near the limit.
            var floor = Enumerable.Range(0, s.L + 1).Select(t => ChenBoundChecks.LoopFloor(s.D, alpha, norm2, t) + 3 * alpha * Math.Sqrt(norm2) * thetaError).ToArray();
            var run = new ChenRun(errors, kappa, 1 / max, alpha * norm2, 1.0);
            var (ratio, at, count) = ChenBoundChecks.WorstRatio(run, floor, t => alpha * norm2 * Math.Exp(-t / (2 * kappa)));
            return (ratio, at, count, $"rate towards θ̃, κ={kappa:G4}");
        }, "X-NOISE rate towards θ̃");
}
