namespace LoopedIcl.Theorems;

/// <summary>
/// AHN-S5: the loss of eq. (5) as printed, E[(TF + y_q)²], contradicts Lemma 1 and Theorem 1: with it the optimal Q flips sign
/// (one layer, where the output is linear in Q). The suite uses E[(TF − y_q)²].
/// </summary>
[TestFixture, Category(ClaimIds.AhnS5)]
public sealed class AhnS5LossSign
{

    /// <summary>AHN-S5: since TF is linear in Q for one layer, f_printed(P, Q) = f(P, −Q) exactly; so its minimiser is Q = +[[Γ⁻¹,0],[0,0]].</summary>
    [Test]
    public void AHN_S5_Printed_sign_flips_the_optimal_Q()
    {
        var sigma = Sigmas.Random(3, 10, TestSettings.SeedFor("AHN-S5.51"));
        const int n = 6;
        var gammaInv = AhnLosses.Gamma(sigma, n).Inverse();
        var fStar = AhnLosses.OptimalSingleLayerLoss(sigma, n);
        var right = EngineFamilies.Predictor([Families.SparsePreconditioner(RealMat.From(gammaInv))], ResidualSign.Plus);    // Q = −Γ⁻¹ block
        var flipped = EngineFamilies.Predictor([Families.SparsePreconditioner(RealMat.From(-gammaInv))], ResidualSign.Plus); // Q = +Γ⁻¹ block
        var law = new PromptLaw(sigma, TaskLaw.Isotropic);
        var seed = TestSettings.EngineSeedFor("AHN-S5.52");
        const int samples = 200_000;
        var printedAtFlipped = MonteCarlo.PredictionLoss(law, n, seed, samples, flipped, printedSign: true);
        var printedAtTheorem = MonteCarlo.PredictionLoss(law, n, seed, samples, right, printedSign: true, firstPrompt: samples); // the next 2·10⁵ prompts
        ClaimLedger.Note($"AHN-S5: printed loss at Q = +Γ⁻¹: {printedAtFlipped}; at Theorem 1's Q = −Γ⁻¹: {printedAtTheorem}; f* = {fStar:G6}");
        Checks.Close(printedAtFlipped.Mean, fStar, printedAtFlipped.HalfWidth(CheckPolicy.FalseAlarm), "printed loss at the flipped Q equals f*");
        Checks.Exceeds(printedAtTheorem.Mean - printedAtTheorem.HalfWidth(CheckPolicy.FalseAlarm), fStar * 1.5, "Theorem 1's Q is far from optimal for the printed loss");
        // Exact sign relation per prompt: TF(−Q) = −TF(Q) for one layer (the output entry is linear in Q).
        var batch = law.Draw(n, PromptBatch.Lanes, seed);
        var (atFlipped, atRight) = (new double[batch.Count], new double[batch.Count]);
        flipped(batch, atFlipped);
        right(batch, atRight);
        for (int p = 0; p < batch.Count; p++)
            Checks.Close(atFlipped[p], -atRight[p], 1e-12 * (1 + Math.Abs(atRight[p])), $"TF(−Q) = −TF(Q), prompt {p}");
        ClaimLedger.RecordNegativeControl("Theorem 1's Q under the printed loss sign is rejected");
    }

    /// <summary>AHN-S5: on the closed form, the printed loss's gradient vanishes at −Γ⁻¹ (flipped) and not at Γ⁻¹.</summary>
    [Test]
    public void AHN_S5_Printed_loss_is_stationary_at_the_flipped_preconditioner() =>
        Properties.ForAll(Cases.OneLayerUpTo30Examples, s =>
        {
            var sigma = Sigmas.Random(s.D, s.Kappa, s.Seed);
            var id = Sigmas.Identity(s.D);
            var gammaInv = AhnLosses.Gamma(sigma, s.N).Inverse();
            // f_printed(A) = f(−A), so ∇f_printed(A) = −∇f(−A).
            var atFlipped = AhnLosses.SparseSingleLayerGradient(sigma, s.N, gammaInv, id).FrobeniusNorm();
            var atTheorem = AhnLosses.SparseSingleLayerGradient(sigma, s.N, -gammaInv, id).FrobeniusNorm();
            Checks.AtMost(atFlipped, 1e-11 * s.Kappa * (1 + sigma.FrobeniusNorm() * sigma.FrobeniusNorm()), $"‖∇f_printed(−Γ⁻¹)‖, {s}", CheckKind.Identity);
            Checks.Exceeds(atTheorem, 1e-3, $"‖∇f_printed(Γ⁻¹)‖ is not 0, {s}");
        });
}
