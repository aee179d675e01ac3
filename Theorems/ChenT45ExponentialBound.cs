using LoopedIcl.Numerics.Convergence;

namespace LoopedIcl.Theorems;

/// <summary>
/// CHEN-T4.5: Chen's loop from q(0) = 0 with ‖θ*‖ = 1, η = 1/λ_max(XᵀX) and κ = κ(XᵀX) satisfies
/// |⟨TF_T, θ*⟩ − α| ≤ |α|e^(−T/(2κ)) for all T ≥ 0 (and the sharper |α|(1 − 1/κ)^T).
/// </summary>
[TestFixture, Category("CHEN-T4.5")]
public sealed class ChenT45ExponentialBound
{
    internal static Arbitrary<Shape> Instances(int dMax = 8, int tMax = 300, double nOverDMax = 8) =>
        Cases.Shapes(dMax: dMax, nMax: (int)(dMax * nOverDMax), lMin: 0, lMax: tMax, where: s => s.N >= s.D && s.N <= nOverDMax * s.D);

    internal static (ChenRun Run, double Floor) Draw(Shape s, TaskLaw law = TaskLaw.UnitSphere, double stepFactor = 1.0)
    {
        var inst = Instance.Draw(s, law);
        var alpha = 3 * (Numerics.Prompts.Rng.Gaussians(inst.Rng, 1)[0] is var g && Math.Abs(g) > 0.05 ? g : 1.0);
        var run = ChenConvergence.Run(inst.Prompt, alpha, s.L, stepFactor);
        // Rounding floor: each loop adds ≤ γ_{n(d+1)}·(|α| + ‖q‖)·‖θ‖ of error and the loop never amplifies it (a contraction),
        // so after T loops it is below 64·u·n(d+1)·(T+1)·|α|(1 + ‖θ‖²).
        var floor = Tolerance.Accumulated(s.N * (s.D + 1), s.L, Math.Abs(alpha) * (1 + run.TaskNormSquared));
        return (run, floor);
    }

    /// <summary>The worst ratio error/(bound + floor) over T ≥ 1 (T = 0 is an equality: TF_0 = 0).</summary>
    internal static (double Ratio, int At) WorstRatio(ChenRun run, double floor, Func<int, double> bound)
    {
        double worst = 0;
        int at = 0;
        for (int t = 1; t <= run.Loops; t++)
        {
            var r = run.Error[t] / (bound(t) + floor);
            if (!double.IsFinite(r)) return (double.NaN, t);
            if (r > worst) { worst = r; at = t; }
        }
        return (worst, at);
    }

    /// <summary>CHEN-T4.5: the printed bound |α|e^(−T/2κ) holds at every T ≤ 300 on random instances (n ≥ d, κ(Σ) ≤ 100).</summary>
    [Test]
    public void CHEN_T4_5_Error_is_below_alpha_exp_minus_T_over_2_kappa() =>
        Properties.ForAll(Instances(), s =>
        {
            var (run, floor) = Draw(s);
            Checks.Close(run.Error[0], Math.Abs(run.Alpha), 4 * Tolerance.UnitRoundoff * Math.Abs(run.Alpha), $"T = 0 is tight: error = |α|, {s}");
            var (ratio, at) = WorstRatio(run, floor, t => run.Bound(t));
            Checks.AtMost(ratio, 1.0, $"worst error/(|α|e^(−T/2κ) + floor) at T={at}, κ={run.Kappa:G4}, {s}");
        });

    /// <summary>CHEN-T4.5: the sharper |α|(1 − 1/κ)^T also holds (it is what this quadratic gives; e^(−T/2κ) is its loose form).</summary>
    [Test]
    public void CHEN_T4_5_Error_is_below_the_sharper_alpha_one_minus_inverse_kappa_power_T() =>
        Properties.ForAll(Instances(), s =>
        {
            var (run, floor) = Draw(s);
            var (ratio, at) = WorstRatio(run, floor, run.SharpBound);
            Checks.AtMost(ratio, 1.0, $"worst error/(|α|(1−1/κ)^T + floor) at T={at}, κ={run.Kappa:G4}, {s}");
        });

    /// <summary>CHEN-T4.5 negative control (finding 8): κ taken as cond(X) = √κ(XᵀX) violates the bound on some instance.</summary>
    [Test]
    public void CHEN_T4_5_Negative_control_kappa_of_X_instead_of_XtX() =>
        Properties.ExpectCounterexample(Instances(nOverDMax: 2), s =>
        {
            var (run, floor) = Draw(s);
            var (ratio, at) = WorstRatio(run, floor, t => run.Bound(t, Math.Sqrt(run.Kappa)));
            Checks.AtMost(ratio, 1.0, $"bound with cond(X) at T={at}, {s}");
        }, "κ = cond(X) instead of κ(XᵀX)");

    /// <summary>CHEN-T4.5 negative control (finding 8): ‖θ*‖ ≠ 1 (θ* ~ N(0, I)) with the bound as printed fails on some instance.</summary>
    [Test]
    public void CHEN_T4_5_Negative_control_task_not_normalised() =>
        Properties.ExpectCounterexample(Instances(), s =>
        {
            var (run, floor) = Draw(s, TaskLaw.Isotropic);
            var (ratio, at) = WorstRatio(run, floor, t => run.Bound(t));
            Checks.AtMost(ratio, 1.0, $"printed bound with ‖θ*‖² = {run.TaskNormSquared:G4} at T={at}, {s}");
        }, "‖θ*‖ ≠ 1");

    /// <summary>CHEN-T4.5 negative control: a step η = 2.5/λ_max (&gt; 2/λ_max) diverges and breaks the bound.</summary>
    [Test]
    public void CHEN_T4_5_Negative_control_step_above_two_over_lambda_max_diverges() =>
        Properties.ExpectCounterexample(Instances(), s =>
        {
            var (run, floor) = Draw(s, stepFactor: 2.5);
            var (ratio, at) = WorstRatio(run, floor, t => run.Bound(t));
            Checks.AtMost(ratio, 1.0, $"η = 2.5/λ_max at T={at}, {s}");
        }, "η = 2.5/λ_max");
}
