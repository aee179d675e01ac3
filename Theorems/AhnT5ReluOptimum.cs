namespace LoopedIcl.Theorems;

/// <summary>
/// AHN-T5 (Theorem 5): one layer of ReLU attention Z + (1/n)PZMσ(ZᵀQZ), last row of Q zero, x, w* ~ N(0, I): a global minimiser is
/// P = [[0,0],[0,1]], Q = −(2n/(n+2d+3))[[I,0],[0,0]], with f* = d(2d+3)/(n+2d+3).
/// </summary>
[TestFixture, Category("AHN-T5")]
public sealed class AhnT5ReluOptimum
{
    private const double FalseAlarm = 1e-6;

    private static AttentionLayer<Real> Layer(int d, Mat<Real> a, Mat<Real>? b0 = null)
    {
        var p = new Mat<Real>(d + 1, d + 1);
        if (b0 is not null) p.SetBlock(d, 0, b0.Transpose());
        p[d, d] = 1.0;
        var q = new Mat<Real>(d + 1, d + 1);
        q.SetBlock(0, 0, a);
        return new AttentionLayer<Real>(p, q);
    }

    private static double AlphaStar(int d, int n) => -2.0 * n / (n + 2 * d + 3);

    /// <summary>AHN-T5 support: the query-column ReLU kernel equals the literal ReLU attention layer's output, per prompt.</summary>
    [Test]
    public void AHN_T5_Query_kernel_equals_literal_relu_attention() =>
        Properties.ForAll(Cases.Shapes(dMax: 5, nMax: 16, lMax: 1), s =>
        {
            var buffer = new PromptBuffer(Sigmas.Random(s.D, s.Kappa, s.Seed), TaskLaw.Isotropic, s.N, s.Seed);
            buffer.Next();
            var rng = Rng.Create(s.Seed);
            var layer = new AttentionLayer<Real>(Rng.GaussianMatrix(rng, s.D + 1, s.D + 1), Rng.GaussianMatrix(rng, s.D + 1, s.D + 1));
            var literal = new LinearTransformer<Real>([layer], activation: ScoreActivation.Relu).Predict(buffer.ToPrompt()).Value;
            var kernel = new ReluQueryKernel(layer).Predict(buffer);
            var scale = Math.Pow(1 + RealMat.MaxAbs(buffer.ToPrompt().X), 3) * (s.D + 1) * (s.D + 1);
            Checks.Close(kernel, literal, Tolerance.Accumulated(s.N * (s.D + 1), 1, scale), $"ReLU kernel vs literal, {s}");
        });

    /// <summary>AHN-T5: f(αI) = d + αd + α²d(n+2d+3)/(4n) against Monte Carlo at α*, 0.8α*, 1.2α* (2·10⁵ prompts, z(1e-6)·SE).</summary>
    [TestCase(4, 7, 1.0)]
    [TestCase(4, 7, 0.8)]
    [TestCase(4, 7, 1.2)]
    [TestCase(3, 12, 1.0)]
    public void AHN_T5_Closed_form_matches_Monte_Carlo(int d, int n, double factor)
    {
        var alpha = factor * AlphaStar(d, n);
        var kernel = new ReluQueryKernel(Layer(d, (Real)alpha * Mat<Real>.Identity(d)));
        var mc = MonteCarlo.PredictionLoss(new PromptBuffer(Sigmas.Identity(d), TaskLaw.Isotropic, n, TestSettings.Seed + 111), b => kernel.Predict(b), 200_000);
        var closed = AhnLosses.ReluScalar(d, n, alpha);
        ClaimLedger.Note($"AHN-T5 d={d} n={n} α={alpha:F4}: MC {mc} vs closed form {closed:G7}" + (factor == 1 ? $" (f* = d(2d+3)/(n+2d+3) = {d * (2.0 * d + 3) / (n + 2 * d + 3):G7})" : ""));
        Checks.Close(mc.Mean, closed, mc.HalfWidth(FalseAlarm), $"ReLU loss at α = {factor}α*");
        if (factor == 1)
        {
            Checks.RelativeClose(closed, d * (2.0 * d + 3) / (n + 2 * d + 3), 1e-12, "f(α*) = d(2d+3)/(n+2d+3)");
            // Negative control: the linear-attention optimum d(d+1)/(n+d+1) is not the ReLU loss.
            Checks.Exceeds(Math.Abs(mc.Mean - d * (d + 1.0) / (n + d + 1)), mc.HalfWidth(FalseAlarm), "the linear-attention value is rejected");
            ClaimLedger.RecordNegativeControl("linear-attention f* rejected for ReLU attention");
        }
    }

    /// <summary>AHN-T5: random perturbations of A (any matrix) and of the last row of P raise the loss: paired differences (common prompts) exceed −z(1e-6)·SE.</summary>
    [Test]
    public void AHN_T5_Perturbations_of_the_optimum_do_not_lower_the_loss()
    {
        const int d = 4, n = 7;
        var rng = Rng.Create(TestSettings.Seed + 121);
        var best = new ReluQueryKernel(Layer(d, (Real)AlphaStar(d, n) * Mat<Real>.Identity(d)));
        for (int k = 0; k < 6; k++)
        {
            var a = (Real)AlphaStar(d, n) * Mat<Real>.Identity(d) + Rng.GaussianMatrix(rng, d, d, 0.15);
            var b0 = Rng.GaussianMatrix(rng, d, 1, k % 2 == 0 ? 0.0 : 0.15);
            var other = new ReluQueryKernel(Layer(d, a, b0));
            var diff = MonteCarlo.PairedLossDifference(new PromptBuffer(Sigmas.Identity(d), TaskLaw.Isotropic, n, TestSettings.Seed + 122 + k),
                b => other.Predict(b), b => best.Predict(b), 50_000);
            ClaimLedger.Note($"AHN-T5 perturbation {k}: f(perturbed) − f(optimum) = {diff}");
            Checks.AtLeast(diff.Mean + diff.HalfWidth(FalseAlarm), 0, $"perturbation {k} does not beat the optimum");
        }
    }
}
