using LoopedIcl.Numerics.Convergence;

namespace LoopedIcl.Theorems;

/// <summary>
/// X-KAPPA: with Σ ill-conditioned (κ(Σ) up to 10⁴) the bound still holds, and the measured decay rate is at least 1/κ
/// (each eigen-mode contracts by 1 − λ_i/λ_max ≤ 1 − 1/κ), twice the bound's 1/(2κ).
/// </summary>
[TestFixture, Category(ClaimIds.XKappa)]
public sealed class XKappaIllConditioned
{
    /// <summary>Loops per prompt in multiples of its κ(XᵀX): at T = 6κ the bound is e^(−3) ≈ 0.05·|α|, well inside the informative range.</summary>
    private const double LoopsPerKappa = 6;

    /// <summary>
    /// X-KAPPA: for κ(Σ) ∈ {10, 10², 10³, 10⁴}, d = 4, n = 16, 40 prompts, each run to T = 6κ(XᵀX): the bound holds at every informative T
    /// (bound ≥ 10× the calibrated floor; the count is recorded and must be > 0); the log-error's mean slope over T (while the error is ≥ 10³× the
    /// floor) is ≤ −1/κ up to the floor's effect on the logarithm.
    /// </summary>
    [TestCase(10.0)]
    [TestCase(100.0)]
    [TestCase(1000.0)]
    [TestCase(10000.0)]
    public void X_KAPPA_Bound_holds_and_rate_is_at_least_one_over_kappa(double kappaSigma)
    {
        const int d = 4, n = 16, prompts = 40;
        var rng = Rng.Create(TestSettings.SeedFor($"X-KAPPA.{(int)kappaSigma}"));
        var law = new PromptLaw(Covariance.WithConditionNumber(d, kappaSigma, rng), TaskLaw.UnitSphere);
        var rates = new List<double>();
        long informative = 0, pairs = 0;
        for (int i = 0; i < prompts; i++)
        {
            var prompt = law.Sample(n, rng);
            var loops = (int)Math.Ceiling(LoopsPerKappa * Conditioning.GramConditionNumber(prompt.X));
            var run = ChenConvergence.Run(prompt, 1.0, loops);
            var floor = ChenBoundChecks.Floors(run, prompt);
            var (ratio, at, count) = ChenBoundChecks.WorstRatio(run, floor, t => run.Bound(t));
            informative += count;
            pairs += loops;
            if (count > 0) Checks.AtMost(ratio, 1.0, $"bound at informative T (here T={at}), κ(Σ)={kappaSigma}, κ(XᵀX)={run.Kappa:G4}");
            // Mean rate while the error is ≥ 10³·floor: ln e_end − ln e_0 ≤ end·ln(1 − 1/κ) ≤ −end/κ in exact arithmetic, and rounding moves
            // ln e_end by ≤ ln(1 + 10⁻³), so rate·κ ≥ 1 − κ·10⁻³/end.
            int end = Array.FindIndex(run.Error, e => e < 1e3 * floor[^1]);
            end = end < 0 ? loops : end;
            if (end < 2) continue;
            var rate = -(Math.Log(run.Error[end]) - Math.Log(run.Error[0])) / end;
            Checks.AtLeast(rate * run.Kappa, 1.0 - run.Kappa * 1e-3 / end, $"measured rate × κ at κ(Σ)={kappaSigma}, κ(XᵀX)={run.Kappa:G4}");
            rates.Add(rate * run.Kappa);
        }
        ClaimLedger.Note($"X-KAPPA κ(Σ)={kappaSigma}: T = {LoopsPerKappa}·κ(XᵀX) per prompt; {informative} of {pairs} (prompt, T) pairs informative and asserted; measured rate × κ(XᵀX): median {SampleStatistics.Median(rates):F2}, min {rates.Min():F2} (bound's rate × κ = 0.5)");
        ClaimLedger.Count("informative pairs", informative);
        ClaimLedger.Count("pairs drawn", pairs);
        Checks.AtLeast(informative, 1, $"X-KAPPA κ(Σ)={kappaSigma}: some informative pair was checked", CheckKind.Sanity);
    }
}
