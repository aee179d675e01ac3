using LoopedIcl.Numerics.Convergence;

namespace LoopedIcl.Theorems;

/// <summary>
/// X-KAPPA: with Σ ill-conditioned (κ(Σ) up to 10⁴) the bound still holds, and the measured decay rate is at least 1/κ
/// (each eigen-mode contracts by 1 − λ_i/λ_max ≤ 1 − 1/κ), twice the bound's 1/(2κ).
/// </summary>
[TestFixture, Category("X-KAPPA")]
public sealed class XKappaIllConditioned
{
    /// <summary>X-KAPPA: for κ(Σ) ∈ {10, 10², 10³, 10⁴}, d = 4, n = 16, T ≤ 400: bound holds at every T; the log-error's mean slope over T is ≤ −1/κ.</summary>
    [TestCase(10.0)]
    [TestCase(100.0)]
    [TestCase(1000.0)]
    [TestCase(10000.0)]
    public void X_KAPPA_Bound_holds_and_rate_is_at_least_one_over_kappa(double kappaSigma)
    {
        const int d = 4, n = 16, loops = 400, prompts = 40;
        var rng = Rng.Create(TestSettings.Seed + (int)kappaSigma);
        var sampler = new PromptSampler(Covariance.WithConditionNumber(d, kappaSigma, rng), TaskLaw.UnitSphere);
        var rates = new List<double>();
        for (int i = 0; i < prompts; i++)
        {
            var run = ChenConvergence.Run(sampler.Sample(n, rng), 1.0, loops);
            var floor = Tolerance.Accumulated(n * (d + 1), loops, 2.0);
            var (ratio, at) = ChenT45ExponentialBound.WorstRatio(run, floor, t => run.Bound(t));
            Checks.AtMost(ratio, 1.0, $"bound at κ(Σ)={kappaSigma}, κ(XᵀX)={run.Kappa:G4}, T={at}");
            // Mean rate over the loops still above the rounding floor: −Δ ln(error)/ΔT ≥ 1/κ(XᵀX).
            int end = Array.FindIndex(run.Error, e => e < 1e3 * floor);
            end = end < 0 ? loops : end;
            if (end < 2) continue;
            var rate = -(Math.Log(run.Error[end]) - Math.Log(run.Error[0])) / end;
            Checks.AtLeast(rate * run.Kappa, 1.0 - 1e-9, $"measured rate × κ at κ(Σ)={kappaSigma}, κ(XᵀX)={run.Kappa:G4}");
            rates.Add(rate * run.Kappa);
        }
        ClaimLedger.Note($"X-KAPPA κ(Σ)={kappaSigma}: measured rate × κ(XᵀX): median {SampleStatistics.Median(rates):F2}, min {rates.Min():F2} (bound's rate × κ = 0.5)");
    }
}
