using LoopedIcl.Numerics.Algorithms;

namespace LoopedIcl.Theorems;

/// <summary>
/// AHN-T2 (Theorem 2): two layers of (8), symmetric A₁, A₂, x, w* ~ N(0, I): some global minimiser of f(A₁, A₂) = E‖(I − A₂S)(I − A₁S)‖²_F is
/// diagonal; numerically it is the scalar pair of the kernel polynomial (d=3, n=6: {0.344989, 1.009850}, f* = 0.6774194).
/// </summary>
[TestFixture, Category("AHN-T2")]
public sealed class AhnT2TwoLayerDiagonalOptimum
{
    private const double FalseAlarm = 1e-6;

    /// <summary>AHN-T2: the scalar optimum's values (from Wishart moments) and the transformer's Monte Carlo loss there.</summary>
    [TestCase(3, 6, 0.344989, 1.009850, 0.6774194)]
    [TestCase(5, 20, 0.515371, 1.249572, 0.3612397)]
    public void AHN_T2_Scalar_optimum_values_and_transformer_loss(int d, int n, double a1, double a2, double fStar)
    {
        var opt = KernelPolynomial.Solve(WishartMoments.WhitenedMoments(4, n, d), 2);
        Checks.Close(opt.StepSizes[0], a1, 1e-6, "a₁");
        Checks.Close(opt.StepSizes[1], a2, 1e-6, "a₂");
        Checks.Close(opt.OptimalLoss.ToDouble(), fStar, 1e-7, "f*");
        var kernel = new GramKernel(opt.StepSizes.Select(a => Families.SparsePreconditioner((Real)a * Mat<Real>.Identity(d))).ToArray(), ResidualSign.Plus);
        var mc = MonteCarlo.PredictionLoss(new PromptBuffer(Sigmas.Identity(d), TaskLaw.Isotropic, n, TestSettings.Seed + 131), b => kernel.Predict(b), 100_000);
        ClaimLedger.Note($"AHN-T2 d={d} n={n}: scalar optimum {{{opt.StepSizes[0]:F6}, {opt.StepSizes[1]:F6}}}, f* = {fStar}; transformer MC {mc}");
        Checks.Close(mc.Mean, fStar, mc.HalfWidth(FalseAlarm), "transformer loss at the scalar optimum");
    }

    /// <summary>
    /// AHN-T2 (the proof's Jensen step, exact on a sign-closed sample): for diagonal D₁ and any symmetric A₂, f̂(D₁, A₂) ≥ f̂(D₁, diag A₂),
    /// because f̂(D₁, ·) is convex and averaging sA₂s over the 2^d sign matrices s gives diag A₂.
    /// </summary>
    [Test]
    public void AHN_T2_Diagonalising_the_second_layer_never_hurts() =>
        Properties.ForAll(Cases.Shapes(dMax: 4, nMin: 2, nMax: 12, lMax: 1), s =>
        {
            var id = Sigmas.Identity(s.D);
            var loss = new SparseFamilyLoss(AhnGroupSamples.Orbit(id, s.N, 4, s.Seed, signsOnly: true), id, id);
            var rng = Rng.Create(s.Seed + 1);
            var d1 = Matrix<double>.Build.DiagonalOfDiagonalArray(Enumerable.Range(0, s.D).Select(_ => rng.NextDouble()).ToArray());
            var a2 = TestMatrices.SymmetricGaussian(s.D, rng, 0.5);
            var full = loss.Value([d1, a2]);
            var diag = loss.Value([d1, Matrix<double>.Build.DiagonalOfDiagonalVector(a2.Diagonal())]);
            Checks.AtMost(diag, full * (1 + 1e-12), $"f̂(D₁, diag A₂) ≤ f̂(D₁, A₂), {s}");
        });

    /// <summary>
    /// AHN-T2: minimising the sample loss over symmetric pairs (BFGS, exact gradient) from a random symmetric start ends at a (near-)scalar pair,
    /// not below the exact scalar optimum by more than the overfitting allowance (#params/m)·f*.
    /// </summary>
    [Test]
    public void AHN_T2_Optimum_over_symmetric_pairs_is_scalar()
    {
        const int d = 3, n = 6, m = 4000;
        var id = Sigmas.Identity(d);
        var loss = new SparseFamilyLoss(SparseFamilyLoss.DrawSamples(id, n, m, TestSettings.Seed + 141), id, id);
        (double, Vector<double>) Objective(Vector<double> v)
        {
            var raw = TestMatrices.Unpack(v, d);
            var sym = raw.Select(x => (x + x.Transpose()) / 2).ToArray();
            var (value, grads) = loss.ValueAndGradient(sym);
            return (value, TestMatrices.Pack(grads.Select(g => (g + g.Transpose()) / 2)));
        }
        var rng = Rng.Create(TestSettings.Seed + 142);
        var start = TestMatrices.Pack([id * 0.4 + TestMatrices.SymmetricGaussian(d, rng, 0.1), id * 0.9 + TestMatrices.SymmetricGaussian(d, rng, 0.1)]);
        var r = Minimizer.Bfgs(Objective, start, 1e-10, 500);
        var result = TestMatrices.Unpack(r.Point, d).Select(x => (x + x.Transpose()) / 2).ToArray();
        var fStar = KernelPolynomial.Solve(WishartMoments.WhitenedMoments(4, n, d), 2).OptimalLoss.ToDouble();
        var offScalar = result.Max(x => (x - id * (x.Trace() / d)).FrobeniusNorm() / x.FrobeniusNorm());
        ClaimLedger.Note($"AHN-T2 symmetric minimisation (m = {m}): loss {r.Value:G6} vs exact scalar f* {fStar:G6}; layers ≈ {result[0].Trace() / d:F4}·I, {result[1].Trace() / d:F4}·I; largest relative non-scalar part {offScalar:E2}");
        Checks.AtLeast(r.Value, fStar * (1 - 2 * 12.0 / m) - 4 * Math.Sqrt(fStar / m), "not below f* beyond the overfitting allowance");
        Checks.AtMost(offScalar, 0.1, "the minimiser is scalar up to sampling noise");
    }

    /// <summary>AHN-T2 negative control: without isotropy (Σ non-diagonal, w* ~ N(0, I)) diagonal preconditioners are not optimal — already at L = 1, diag(Γ⁻¹) loses to Γ⁻¹.</summary>
    [Test]
    public void AHN_T2_Negative_control_non_isotropic_data_have_non_diagonal_optima()
    {
        var sigma = Sigmas.AhnDense();
        const int n = 6;
        var gammaInv = AhnLosses.Gamma(sigma, n).Inverse();
        var best = AhnLosses.SparseSingleLayer(sigma, n, gammaInv, Sigmas.Identity(3));
        var diagonal = AhnLosses.SparseSingleLayer(sigma, n, Matrix<double>.Build.DiagonalOfDiagonalVector(gammaInv.Diagonal()), Sigmas.Identity(3));
        ClaimLedger.Note($"AHN-T2 negative control: non-isotropic Σ: f(Γ⁻¹) = {best:G6} < f(diag Γ⁻¹) = {diagonal:G6}");
        Checks.Exceeds(diagonal - best, 1e-3, "diag(Γ⁻¹) is worse than Γ⁻¹ when Σ is not isotropic");
        ClaimLedger.RecordNegativeControl("diagonal optimum fails without isotropy");
    }
}
