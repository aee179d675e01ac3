using LoopedIcl.Numerics.Convergence;
using static LoopedIcl.TestSupport.ChenBoundChecks;

namespace LoopedIcl.Theorems;

/// <summary>
/// CHEN-T4.5: Chen's loop from q(0) = 0 with ‖θ*‖ = 1, η = 1/λ_max(XᵀX) and κ = κ(XᵀX) satisfies
/// |⟨TF_T, θ*⟩ − α| ≤ |α|e^(−T/(2κ)) for all T ≥ 0 (and the sharper |α|(1 − 1/κ)^T). The bound is asserted only on the (instance, T)
/// pairs where it is ≥ 10× the rounding floor (the others test nothing), the number of such pairs is recorded and must be > 0, and the
/// floor itself is asserted against a double-double run of the same loop.
/// </summary>
[TestFixture, Category(ClaimIds.ChenT45)]
public sealed class ChenT45ExponentialBound
{
    /// <summary>CHEN-T4.5: the rounding floor holds: |e_double − e_double-double| ≤ C·d·u·|α|(1 + ‖θ‖²)(T + 1) at every T on random instances.</summary>
    [Test]
    public void CHEN_T4_5_Rounding_floor_holds_against_double_double() =>
        Properties.ForAll(Instances(), s =>
        {
            var (run, _, prompt) = Draw(s);
            var reference = ChenConvergence.HighPrecisionErrors(prompt.X, prompt.Y, prompt.Task.ColumnToArray(), run.Alpha, run.StepSize, run.Alpha, s.L);
            double worst = 0;
            for (int t = 0; t <= s.L; t++) worst = Math.Max(worst, Math.Abs(run.Error[t] - reference[t]) / LoopFloor(s.D, run.Alpha, run.TaskNormSquared, t));
            Checks.AtMost(worst, 1.0, $"double vs double-double error over the loop floor, {s}");
        });

    /// <summary>CHEN-T4.5: the printed bound |α|e^(−T/2κ) holds at every informative T ≤ 300 on random instances (n ≥ d, κ(Σ) ≤ 100).</summary>
    [Test]
    public void CHEN_T4_5_Error_is_below_alpha_exp_minus_T_over_2_kappa() =>
        ForAllInformative(Instances(), s =>
        {
            var (run, floor, _) = Draw(s);
            Checks.Close(run.Error[0], Math.Abs(run.Alpha), 4 * Tolerance.UnitRoundoff * Math.Abs(run.Alpha), $"T = 0 is tight: error = |α|, {s}");
            var (ratio, at, count) = WorstRatio(run, floor, t => run.Bound(t));
            return (ratio, at, count, $"|α|e^(−T/2κ), κ={run.Kappa:G4}");
        }, "CHEN-T4.5 e^(−T/2κ)");

    /// <summary>CHEN-T4.5: the sharper |α|(1 − 1/κ)^T also holds at every informative T (it is what this quadratic gives; e^(−T/2κ) is its loose form).</summary>
    [Test]
    public void CHEN_T4_5_Error_is_below_the_sharper_alpha_one_minus_inverse_kappa_power_T() =>
        ForAllInformative(Instances(), s =>
        {
            var (run, floor, _) = Draw(s);
            var (ratio, at, count) = WorstRatio(run, floor, run.SharpBound);
            return (ratio, at, count, $"|α|(1−1/κ)^T, κ={run.Kappa:G4}");
        }, "CHEN-T4.5 (1 − 1/κ)^T");

    /// <summary>CHEN-T4.5 negative control (finding 8): κ taken as cond(X) = √κ(XᵀX) violates the bound on some informative pair.</summary>
    [Test]
    public void CHEN_T4_5_Negative_control_kappa_of_X_instead_of_XtX() =>
        Properties.ExpectCounterexample(Instances(nOverDMax: 2), s =>
        {
            var (run, floor, _) = Draw(s);
            var (ratio, at, _) = WorstRatio(run, floor, t => run.Bound(t, Math.Sqrt(run.Kappa)));
            Checks.AtMost(ratio, 1.0, $"bound with cond(X) at T={at}, {s}");
        }, "κ = cond(X) instead of κ(XᵀX)");

    /// <summary>CHEN-T4.5 negative control (finding 8): ‖θ*‖ ≠ 1 (θ* ~ N(0, I)) with the bound as printed fails on some informative pair.</summary>
    [Test]
    public void CHEN_T4_5_Negative_control_task_not_normalised() =>
        Properties.ExpectCounterexample(Instances(), s =>
        {
            var (run, floor, _) = Draw(s, TaskLaw.Isotropic);
            var (ratio, at, _) = WorstRatio(run, floor, t => run.Bound(t));
            Checks.AtMost(ratio, 1.0, $"printed bound with ‖θ*‖² = {run.TaskNormSquared:G4} at T={at}, {s}");
        }, "‖θ*‖ ≠ 1");

    /// <summary>CHEN-T4.5 negative control: a step η = 2.5/λ_max (&gt; 2/λ_max) diverges and breaks the bound on some informative pair.</summary>
    [Test]
    public void CHEN_T4_5_Negative_control_step_above_two_over_lambda_max_diverges() =>
        Properties.ExpectCounterexample(Instances(), s =>
        {
            var (run, floor, _) = Draw(s, stepFactor: 2.5);
            var (ratio, at, _) = WorstRatio(run, floor, t => run.Bound(t));
            Checks.AtMost(ratio, 1.0, $"η = 2.5/λ_max at T={at}, {s}");
        }, "η = 2.5/λ_max");
}
