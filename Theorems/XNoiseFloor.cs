using LoopedIcl.Numerics.Convergence;

namespace LoopedIcl.Theorems;

/// <summary>
/// X-NOISE: with label noise σ the loop converges to the least-squares θ̃ (still at the T4.5 rate, measured against θ̃) and its
/// error to θ* plateaus at the floor E‖θ̃ − θ*‖² = σ² tr((XᵀX)⁻¹).
/// </summary>
[TestFixture, Category("X-NOISE")]
public sealed class XNoiseFloor
{
    private const double FalseAlarm = 1e-6;

    /// <summary>X-NOISE: for a fixed X, the Monte Carlo mean over noise of ‖TF_T/α − θ*‖² (T converged) equals σ² tr((XᵀX)⁻¹) within z(1e-6)·SE.</summary>
    [TestCase(4, 16, 0.1)]
    [TestCase(8, 24, 0.5)]
    public void X_NOISE_Error_to_the_task_plateaus_at_the_least_squares_floor(int d, int n, double sigma)
    {
        var rng = Rng.Create(TestSettings.Seed + d * 31 + n);
        var sampler = PromptSampler.Isotropic(d, TaskLaw.UnitSphere, sigma);
        var x = sampler.SampleCovariates(n, rng);
        var task = sampler.SampleTask(rng);
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
        Checks.Close(est.Mean, predicted, est.HalfWidth(FalseAlarm), $"noise floor, d={d} n={n} σ={sigma}");
        // The control: a noiseless floor (0) is many standard errors away.
        Checks.Exceeds(est.Mean - est.HalfWidth(FalseAlarm), 0, "the plateau is above zero");
        ClaimLedger.RecordNegativeControl($"floor 0 rejected at d={d} n={n} σ={sigma}");
    }

    /// <summary>X-NOISE: measured against θ̃ the loop keeps the T4.5 rate: |⟨TF_T, θ̃⟩ − α‖θ̃‖²| ≤ |α|‖θ̃‖²e^(−T/2κ) + floor.</summary>
    [Test]
    public void X_NOISE_Loop_converges_to_least_squares_at_the_theorem_rate() =>
        Properties.ForAll(ChenT45ExponentialBound.Instances(tMax: 200), s =>
        {
            var inst = Instance.Draw(s, TaskLaw.UnitSphere, noise: 0.3);
            var p = inst.Prompt;
            var thetaLs = LeastSquares.Solve(p.X, p.Y);
            var norm2 = Mat<Real>.Dot(thetaLs, thetaLs).Value;
            const double alpha = 1.5;
            var (min, max) = Conditioning.GramExtremes(p.X);
            var kappa = max / min;
            // TF_T → αθ̃, so ⟨TF_T, θ̃⟩ → α‖θ̃‖²; the gap contracts like θ̃ᵀ(I − ηXᵀX)^Tθ̃.
            var tf = GramFastPath.ChenReadouts(Families.ChenIdentity<Real>(s.D), (Real)(1 / max), p.X, p.Y, Mat<Real>.Zeros(s.D, 1), (Real)alpha, s.L);
            // Rounding floor as in CHEN-T4.5, plus the least-squares solve's own error (∝ κ).
            var floor = Tolerance.Accumulated(s.N * (s.D + 1), s.L, alpha * (1 + norm2), growth: kappa);
            Checks.Close(Math.Abs(Mat<Real>.Dot(tf[0], thetaLs).Value - alpha * norm2), alpha * norm2, 4 * Tolerance.UnitRoundoff * alpha * norm2, $"T = 0 is tight, {s}");
            double worst = 0;
            for (int t = 1; t <= s.L; t++)
            {
                var err = Math.Abs(Mat<Real>.Dot(tf[t], thetaLs).Value - alpha * norm2);
                worst = Math.Max(worst, err / (alpha * norm2 * Math.Exp(-t / (2 * kappa)) + floor));
            }
            Checks.AtMost(worst, 1.0, $"rate towards θ̃, κ={kappa:G4}, {s}");
        });
}
