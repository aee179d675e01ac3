using LoopedIcl.Numerics.Convergence;

namespace LoopedIcl.Theorems;

/// <summary>
/// CHEN-E1: the paper's experiment (d = 4, n ∈ {4, 8, 16, 32, 64}, T ≤ 100, medians over 500 prompts): the log-error is a
/// straight line in T, steeper for larger n/d, and lies below the bound; the empirical rate beats the bound's.
/// </summary>
[TestFixture, Category(ClaimIds.ChenE1)]
public sealed class ChenE1PaperExperiment
{
    internal static readonly int[] Ns = [4, 8, 16, 32, 64];
    private const int Replicates = 100;
    private static readonly double Z = SampleStatistics.TwoSidedZ(CheckPolicy.FalseAlarm);
    private static ChenExperiments.Curve[]? _curves;

    /// <summary>The curves with bootstrap SEs of their slopes, computed once per run (deterministic: fixed seed, single-threaded).</summary>
    internal static ChenExperiments.Curve[] Curves() => _curves ??= Ns.Select(n => ChenExperiments.Experiment(4, n, 100, 500, TestSettings.SeedFor($"CHEN-E1.{n}"), replicates: Replicates)).ToArray();

    /// <summary>
    /// CHEN-E1: the log-error is a straight line in T — exactly, per prompt: log e_T = T log(1 − 1/κ) + c_T with c_T ∈ [log w_min, 0]
    /// (<see cref="ChenConvergence.SpectralEnvelope"/>), checked for every prompt and T within the run's rounding floor, at every n including n = d;
    /// the R² of the median curve is recorded.
    /// </summary>
    [Test]
    public void CHEN_E1_Log_error_is_linear_in_the_number_of_loops()
    {
        foreach (var n in Ns)
        {
            long informative = 0;
            void Envelope(Prompt<Real> prompt, ChenRun run, Func<double, double> slowest, string what)
            {
                var (w, rho) = ChenConvergence.SpectralEnvelope(prompt);
                double r = slowest(rho);
                var floor = ChenBoundChecks.Floors(run, prompt);
                for (int t = 1; t <= run.Loops; t++) // T = 0 is e_0 = |α| = the upper envelope exactly: no margin to report
                {
                    double upper = Math.Pow(r, t), lower = w * Math.Pow(r, t);
                    Checks.AtMost(run.Error[t], upper + floor[t], $"e_T ≤ ρ^T, n={n}, T={t}, κ={run.Kappa:G4} [{what}]");
                    Checks.AtLeast(run.Error[t], lower - floor[t], $"e_T ≥ w_min ρ^T, n={n}, T={t}, κ={run.Kappa:G4} [{what}]");
                    if (lower > 10 * floor[t]) informative++;
                }
            }
            var c = ChenExperiments.Experiment(4, n, 100, 500, TestSettings.SeedFor($"CHEN-E1.{n}"), inspect: (p, run) => Envelope(p, run, rho => rho, "ρ = 1 − 1/κ"));
            ClaimLedger.Count($"n={n}: (prompt, T) pairs with the lower envelope ≥ 10× the floor", informative);
            Checks.True(informative > 0, $"the lower envelope is informative somewhere at n={n}");
            ClaimLedger.Note($"CHEN-E1 n={c.N}: every prompt's log e_T within [log w_min, 0] of T·log(1 − 1/κ) ({informative} informative pairs); median curve slope {c.FittedSlope:F4} log10/loop over T ≤ {c.FitEnd}, R² {c.FitRSquared:F4}, median κ {c.MedianKappa:F2}, bound slope {-1 / (2 * c.MedianKappa * Math.Log(10)):F4}");
            // Control: the rate of cond(X) = √κ (CHEN-T4.5's control) is far steeper than the runs: the upper envelope fails.
            if (n == Ns[1])
                Properties.ExpectViolation("ρ = 1 − 1/√κ (cond(X)) in place of 1 − 1/κ",
                    () => ChenExperiments.Experiment(4, n, 100, 500, TestSettings.SeedFor($"CHEN-E1.{n}"), inspect: (p, run) => Envelope(p, run, rho => 1 - Math.Sqrt(1 - rho), "cond(X)")));
        }
    }

    /// <summary>The steepening check: slope(b) is below slope(a) by more than z(1e-6) times the bootstrap SE of the difference.</summary>
    private static void Steeper(ChenExperiments.Curve a, ChenExperiments.Curve b, string what) =>
        Checks.Exceeds(a.FittedSlope - b.FittedSlope, Z * Math.Sqrt(a.SlopeStandardError * a.SlopeStandardError + b.SlopeStandardError * b.SlopeStandardError), what, CheckKind.Bound);

    /// <summary>CHEN-E1: the slope steepens with n/d: each doubling of n is steeper by more than z(1e-6)·SE (bootstrap SEs of the median-curve slopes).</summary>
    [Test]
    public void CHEN_E1_Slope_steepens_with_n_over_d()
    {
        var c = Curves();
        for (int i = 1; i < c.Length; i++)
        {
            ClaimLedger.Note($"CHEN-E1: slope(n={c[i].N}) = {c[i].FittedSlope:F4} ± {c[i].SlopeStandardError:F4}, ratio to n={c[i - 1].N}: {c[i].FittedSlope / c[i - 1].FittedSlope:F3}");
            Steeper(c[i - 1], c[i], $"slope(n={c[i].N}) steeper than slope(n={c[i - 1].N})");
        }
    }

    /// <summary>CHEN-E1: the median error lies below the median bound at every T (each prompt's error is below its bound), and the fitted rate beats the bound's rate at the median κ by more than z(1e-6)·SE.</summary>
    [Test]
    public void CHEN_E1_Empirical_curve_is_below_the_bound_and_decays_faster()
    {
        foreach (var c in Curves())
        {
            for (int t = 1; t < c.MedianLog10Error.Length; t++)
                Checks.AtMost(Math.Pow(10, c.MedianLog10Error[t]), Math.Pow(10, c.MedianLog10Bound[t]), $"median error vs median bound, n={c.N}, T={t}");
            Checks.AtLeast(-c.FittedSlope - Z * c.SlopeStandardError, 1 / (2 * c.MedianKappa * Math.Log(10)), $"fitted decay rate (lower bound) vs the bound's rate at the median κ, n={c.N}");
        }
    }

    /// <summary>CHEN-E1 negative control: two independent curves at the same n = 8 fail the steepening check (it passes a tie with probability 1e-6).</summary>
    [Test]
    public void CHEN_E1_Negative_control_fixed_n_does_not_steepen()
    {
        var same = new[] { 1, 2 }.Select(k => ChenExperiments.Experiment(4, 8, 100, 500, TestSettings.SeedFor($"CHEN-E1.{100 * k}"), replicates: Replicates)).ToArray();
        Properties.ExpectViolation($"n fixed at 8 (slopes {same[0].FittedSlope:F4}, {same[1].FittedSlope:F4})", () => Steeper(same[0], same[1], "slope of a second n = 8 curve steeper than the first"));
    }
}
