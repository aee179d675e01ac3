using static LoopedIcl.TestSupport.Refusals;
using LoopedIcl.Numerics.Spectra;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>INPUT: bad input is rejected with an ArgumentException that names the parameter and the rule, never a silent NaN.</summary>
[TestFixture, Category(ClaimIds.Input), Category(CategoryLabels.Library)]
public sealed class InputValidation
{

    private static Matrix<double> M(double[,] a) => Matrix<double>.Build.DenseOfArray(a);

    /// <summary>INPUT: shapes and sizes.</summary>
    [Test]
    public void INPUT_Shapes_and_sizes_are_checked()
    {
        Rejects(() => _ = new Mat<Real>(0, 3), "rows", "≥ 1");
        Rejects(() => _ = Mat<Real>.Identity(2) * Mat<Real>.Identity(3), "b", "Shapes do not match");
        Rejects(() => PromptLaw.Isotropic(0, TaskLaw.Isotropic), "d", "≥ 1");
        Rejects(() => PromptLaw.Isotropic(2, TaskLaw.Isotropic).Sample(0, Numerics.Prompts.Rng.Create(1)), "n", "≥ 1");
        var layer3 = Families.SparsePreconditioner(Mat<Real>.Identity(3));
        var layer2 = Families.SparsePreconditioner(Mat<Real>.Identity(2));
        Rejects(() => _ = new LinearTransformer<Real>([layer3, layer2]), "layers[1].P", "must be 4×4");
        Rejects(() => new LinearTransformer<Real>([layer3]).Trajectory(Mat<Real>.Zeros(3, 5)), "z0", "must be 4×5");
        Rejects(() => ColumnAttention.Apply(layer3.P, layer3.Q, Mat<Real>.Zeros(4, 1)), "z", "n ≥ 1");
        Rejects(() => _ = new LoopedTransformer<Real>(layer3, -1), "loops", "≥ 0");
        Rejects(() => LeastSquares.Solve(Mat<Real>.Zeros(2, 3), Mat<Real>.Zeros(2, 1)), "x", "n ≥ d");
        Rejects(() => PreconditionedGradientDescent.Iterates(Mat<Real>.Zeros(4, 2), Mat<Real>.Zeros(3, 1), Mat<Real>.Identity(2), 1), "y", "must be 4×1");
        Rejects(() => GdPlusPlus.Run(Mat<Real>.Zeros(2, 4), Mat<Real>.Zeros(1, 4), [Mat<Real>.Identity(2)], []), "b", "one matrix per layer");
        Rejects(() => Families.Gatmiry(Mat<Real>.Identity(2), Mat<Real>.Zeros(3, 1)), "u", "must be 2×1");
        Rejects(() => ColumnAttention.Apply(Mat<Real>.Identity(3), Mat<Real>.Identity(4), Mat<Real>.Zeros(4, 3)), "p", "must be 4×4");
        Rejects(() => ColumnAttention.Apply(Mat<Real>.Identity(4), Mat<Real>.Identity(3), Mat<Real>.Zeros(4, 3)), "q", "must be 4×4");
        Rejects(() => _ = Parameterisation.Of([layer3, layer2], ResidualSign.Plus), "layers[1].P", "must be 4×4");
        Rejects(() => _ = Parameterisation.Of([], ResidualSign.Plus), "layers", "at least one layer");
        Rejects(() => EngineFamilies.Evaluator([layer3], ResidualSign.Plus).Predict(new double[4 * 2], new double[4], new double[2]), "x", "n·d");
        Rejects(() => PreconditionedGradientDescent.Iterates(Mat<Real>.Zeros(4, 2), Mat<Real>.Zeros(4, 1), [Mat<Real>.Identity(3)]), "preconditioners[0]", "must be 2×2");
    }

    /// <summary>INPUT: Σ must be symmetric positive definite with finite entries.</summary>
    [Test]
    public void INPUT_Sigma_must_be_symmetric_positive_definite()
    {
        Rejects(() => _ = new PromptLaw(M(new double[,] { { 1, 0.5 }, { 0, 1 } }), TaskLaw.Isotropic), "sigma", "symmetric");
        Rejects(() => _ = new PromptLaw(M(new double[,] { { 1, 2 }, { 2, 1 } }), TaskLaw.Isotropic), "sigma", "positive definite");
        Rejects(() => _ = new PromptLaw(M(new double[,] { { 0, 0 }, { 0, 1 } }), TaskLaw.Isotropic), "sigma", "positive definite");
        Rejects(() => _ = new PromptLaw(M(new double[,] { { double.NaN, 0 }, { 0, 1 } }), TaskLaw.Isotropic), "sigma", "finite");
        Rejects(() => _ = new PromptLaw(M(new double[,] { { 1, 0, 0 }, { 0, 1, 0 } }), TaskLaw.Isotropic), "sigma", "square");
        Rejects(() => Covariance.FromSpectrum([1.0, -0.5], Numerics.Prompts.Rng.Create(1)), "eigenvalues[1]", "> 0");
        Rejects(() => Covariance.WithConditionNumber(3, 0.5, Numerics.Prompts.Rng.Create(1)), "kappa", "≥ 1");
        Rejects(() => _ = new PromptLaw(M(new double[,] { { 1 } }), TaskLaw.Isotropic, noiseSigma: -1), "noiseSigma", "≥ 0");
    }

    /// <summary>INPUT: step sizes must be positive and finite.</summary>
    [Test]
    public void INPUT_Step_sizes_must_be_positive()
    {
        var chen = Families.ChenIdentity<Real>(2);
        Rejects(() => _ = new ChenLoopedTransformer<Real>(chen, 0.0), "stepSize", "> 0");
        Rejects(() => _ = new ChenLoopedTransformer<Real>(chen, -1.0), "stepSize", "> 0");
        Rejects(() => GradientDescent.Iterates(Mat<Real>.Identity(2), Mat<Real>.Zeros(2, 1), (Real)0.0, 3), "stepSize", "> 0");
        Rejects(() => GradientDescent.Iterates(Mat<Real>.Identity(2), Mat<Real>.Zeros(2, 1), (Real)(-0.5), 3), "stepSize", "> 0");
        Rejects(() => PreconditionedGradientDescent.Iterates(Mat<Real>.Identity(2), Mat<Real>.Zeros(2, 1), Mat<Real>.Identity(2), -1), "steps", "≥ 0");
        Rejects(() => ChenGradientDescent.Iterates(Mat<Real>.Identity(2), Mat<Real>.Zeros(2, 1), (Real)1.0, (Real)double.NaN, 3), "stepSize", "> 0");
        Rejects(() => Conditioning.MarchenkoPasturConditionNumber(1.0), "aspectRatio", "(0, 1)");
    }

    /// <summary>INPUT: singular systems are reported, not turned into NaN.</summary>
    [Test]
    public void INPUT_Singular_systems_are_reported() =>
        Rejects(() => LinearSolve.Solve(Mat<Real>.Zeros(2, 2), Mat<Real>.Zeros(2, 1)), "a", "singular");

    /// <summary>
    /// INPUT: every Guard rule at its boundary — the last value it accepts next to the first it refuses (1 vs 0, 0 vs −1, the least
    /// positive double vs 0, min vs the double below it, NaN and ±∞), each refusal naming the parameter and stating the rule and the value.
    /// </summary>
    [Test]
    public void INPUT_Guard_rules_hold_at_their_boundaries()
    {
        Guard.Positive(1, "k");
        Rejects(() => Guard.Positive(0, "k"), "k", "k must be ≥ 1 (got 0)");
        Guard.NonNegative(0, "k");
        Rejects(() => Guard.NonNegative(-1, "k"), "k", "k must be ≥ 0 (got -1)");
        Guard.Positive(double.Epsilon, "x");
        foreach (double bad in new[] { 0.0, -1.0, double.NaN, double.PositiveInfinity })
            Rejects(() => Guard.Positive(bad, "x"), "x", $"x must be finite and > 0 (got {bad})");
        Guard.Finite(-1e308, "x");
        foreach (double bad in new[] { double.NaN, double.NegativeInfinity, double.PositiveInfinity })
            Rejects(() => Guard.Finite(bad, "x"), "x", $"x must be finite (got {bad})");
        Guard.AtLeast(1.5, 1.5, "x");
        foreach (double bad in new[] { Math.BitDecrement(1.5), double.NaN, double.PositiveInfinity })
            Rejects(() => Guard.AtLeast(bad, 1.5, "x"), "x", $"x must be finite and ≥ 1.5 (got {bad})");
        Guard.Square(3, 3, "m");
        Rejects(() => Guard.Square(3, 2, "m"), "m", "m must be square (got 3×2)");
        Guard.Shape(2, 3, 2, 3, "m");
        Rejects(() => Guard.Shape(3, 3, 2, 3, "m"), "m", "m must be 2×3 (got 3×3)");
        Rejects(() => Guard.Shape(2, 2, 2, 3, "m"), "m", "m must be 2×3 (got 2×2)");
        Guard.Length(4, 4, "v");
        Rejects(() => Guard.Length(5, 4, "v"), "v", "v must have length 4 (got 5)");
        Guard.AllFinite(M(new double[,] { { 1, -1e308 } }), "m");
        Rejects(() => Guard.AllFinite(M(new double[,] { { 1, double.PositiveInfinity } }), "m"), "m", $"m must have finite entries (found {double.PositiveInfinity})");
        // Symmetry to a relative 1e-12 of the largest |entry| (here 4): a difference of 2e-12 passes, 8e-12 is refused and located.
        Guard.SymmetricPositiveDefinite(M(new double[,] { { 4, 1 }, { 1 + 2e-12, 4 } }), "s");
        Rejects(() => Guard.SymmetricPositiveDefinite(M(new double[,] { { 4, 1 }, { 1 + 8e-12, 4 } }), "s"), "s", "s must be symmetric (s[1,0] = ");
        Guard.SymmetricPositiveDefinite(M(new double[,] { { 4, 0 }, { 1e-12 * 4, 4 } }), "s");   // a difference equal to the tolerance passes
        Rejects(() => Guard.SymmetricPositiveDefinite(M(new double[,] { { double.NaN, 0 }, { 0, 1 } }), "s"), "s", "s must have finite entries");
        Rejects(() => Guard.SymmetricPositiveDefinite(M(new double[,] { { 1, 1 }, { 1, 1 } }), "s"), "s", "s must be positive definite");
        Rejects(() => Guard.SymmetricPositiveDefinite(M(new double[,] { { 1, 0 }, { 0, -1 } }), "s"), "s", "s must be positive definite");
        Rejects(() => Guard.SymmetricPositiveDefinite(M(new double[,] { { 1, 0, 0 } }), "s"), "s", "s must be square");
    }
}
