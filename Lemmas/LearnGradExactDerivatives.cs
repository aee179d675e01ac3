using LoopedIcl.Numerics.Engine;

namespace LoopedIcl.Lemmas;

/// <summary>
/// LEARN-GRAD (a): the engine's reverse-mode gradient equals the exact derivative of the literal model's loss, obtained by
/// forward-mode dual numbers through the literal generic transformer — over rationals at integer points (exact equality), and
/// over doubles at random points for deeper models (within the general-layer rounding budget).
/// </summary>
[TestFixture, Category(ClaimIds.LearnGrad), Category(CategoryLabels.Library)]
public sealed class LearnGradExactDerivatives
{
    /// <summary>The layers of θ as duals in direction e_k: value = layer(θ), derivative = ∂layer/∂θ_k (the map's coefficients).</summary>
    internal static AttentionLayer<Dual<T>>[] DualLayers<T>(Parameterisation f, double[] theta, int k, Func<double, T> scalar) where T : struct, IScalar<T>
    {
        var value = new double[f.ExpandedLength];
        var basis = new double[f.ExpandedLength];
        var zero = new double[f.ExpandedLength];
        f.Expand(theta, value);
        var e = new double[f.Dimension];
        e[k] = 1;
        f.Expand(e, basis);
        f.Expand(new double[f.Dimension], zero);
        int w = f.Width;
        Dual<T> Entry(int m) => new(scalar(value[m]), scalar(basis[m] - zero[m]));
        return Enumerable.Range(0, f.Layers).Select(l => new AttentionLayer<Dual<T>>(
            Mat<Dual<T>>.Build(w, w, (i, j) => Entry(l * 2 * w * w + i * w + j)),
            Mat<Dual<T>>.Build(w, w, (i, j) => Entry(l * 2 * w * w + w * w + i * w + j)))).ToArray();
    }

    internal static Prompt<Dual<T>> Constant<T>(Prompt<Real> p, Func<double, T> scalar) where T : struct, IScalar<T>
    {
        Mat<Dual<T>> M(Mat<Real> m) => Mat<Dual<T>>.Build(m.Rows, m.Cols, (i, j) => Dual<T>.Constant(scalar(m[i, j].Value)));
        return new Prompt<Dual<T>>(M(p.X), M(p.Y), M(p.Query), Dual<T>.Constant(scalar(p.QueryTarget.Value)), M(p.Task));
    }

    /// <summary>∂/∂θ_k of the batch-mean (ŷ − y_q)² of the literal model, by forward-mode duals.</summary>
    internal static T LiteralLossDerivative<T>(Parameterisation f, double[] theta, int k, IReadOnlyList<Prompt<Real>> prompts, Func<double, T> scalar)
        where T : struct, IScalar<T>
    {
        var model = new LinearTransformer<Dual<T>>(DualLayers(f, theta, k, scalar), f.Sign);
        var sum = T.Zero;
        foreach (var p in prompts)
        {
            var dp = Constant(p, scalar);
            var yhat = model.Predict(dp);
            var e = yhat.Value - dp.QueryTarget.Value;
            sum += T.FromInt(2) * e * yhat.Derivative;
        }
        return sum / T.FromInt(prompts.Count);
    }

    private static Rational ExactFromDouble(double v)
    {
        for (int k = 0; k < 62; k++)
        {
            double scaled = Math.ScaleB(v, k);
            if (scaled == Math.Floor(scaled) && Math.Abs(scaled) < 9.2e18) return Rational.Of((long)scaled, 1L << k);
        }
        throw new ArgumentException($"{v} is not a dyadic rational with a small denominator.", nameof(v));
    }

    private static Prompt<Real> IntegerPrompt(IntegerPoints pts, int n, int d) =>
        new(RealMat.From(pts.Matrix(n, d).ToDoubleArray()), RealMat.From(pts.Matrix(n, 1).ToDoubleArray()),
            RealMat.From(pts.Matrix(d, 1).ToDoubleArray()), pts.Next().ToDouble(), Mat<Real>.Zeros(d, 1));

    /// <summary>
    /// LEARN-GRAD (a), exact: one layer (L = 1), d = 2, n = 2, integer θ and data in [−10, 10]: every intermediate of the engine is a
    /// dyadic rational below 2⁵³ (|G| ≤ 100, |T| ≤ 10⁵, |P̄| ≤ 10¹²), so its double gradient must equal the dual-number derivative over
    /// rationals exactly. The loss gradient is a polynomial of total degree 9 (ŷ has degree 5); 25 points, |S| = 21.
    /// </summary>
    [TestCase(EngineFamilies.Kind.FullUntied)]
    [TestCase(EngineFamilies.Kind.Sparse)]
    [TestCase(EngineFamilies.Kind.GdPlusPlus)]
    [TestCase(EngineFamilies.Kind.GatmiryLooped)]
    public void LEARN_GRAD_Reverse_pass_equals_exact_rational_derivative(EngineFamilies.Kind kind) =>
        ExactProof.Run($"engine gradient = exact derivative, {kind}, L = 1", degree: 9, pts =>
        {
            var family = EngineFamilies.Make(kind, 2, 1);
            var theta = Enumerable.Range(0, family.Dimension).Select(_ => pts.Next().ToDouble()).ToArray();
            var prompts = new[] { IntegerPrompt(pts, 2, 2) };
            var batch = PromptBatch.FromPrompts(PromptLaw.Isotropic(2, TaskLaw.Isotropic), prompts);
            var grad = new double[family.Dimension];
            new IclEngine(family).Loss(theta, batch, grad);
            for (int k = 0; k < family.Dimension; k++)
                if (ExactFromDouble(grad[k]) != LiteralLossDerivative(family, theta, k, prompts, v => ExactFromDouble(v))) return false;
            return true;
        }, points: 25, range: 10);

    /// <summary>LEARN-GRAD (a) negative control: with P̄ transposed the exact comparison fails at a random integer point.</summary>
    [Test]
    public void LEARN_GRAD_Negative_control_transposed_adjoint_is_exactly_refuted() =>
        ExactProof.Refutes("engine gradient with P̄ transposed = exact derivative", pts =>
        {
            var family = EngineFamilies.Make(EngineFamilies.Kind.FullUntied, 2, 1);
            var theta = Enumerable.Range(0, family.Dimension).Select(_ => pts.Next().ToDouble()).ToArray();
            var prompts = new[] { IntegerPrompt(pts, 2, 2) };
            var batch = PromptBatch.FromPrompts(PromptLaw.Isotropic(2, TaskLaw.Isotropic), prompts);
            var grad = new double[family.Dimension];
            new IclEngine(family) { Fault = AdjointFault.TransposedP }.Loss(theta, batch, grad);
            for (int k = 0; k < family.Dimension; k++)
                if (ExactFromDouble(grad[k]) != LiteralLossDerivative(family, theta, k, prompts, v => ExactFromDouble(v))) return false;
            return true;
        }, range: 10);

    /// <summary>
    /// LEARN-GRAD (a), deep: reverse pass = forward-mode dual derivative of the literal model (double) for L ≤ 4 and every
    /// parameterisation; both are exact derivative formulas, so they differ by rounding only: the budget is the general-layer budget
    /// for the trajectory magnitude, times (1 + |ŷ − y|) for the chain rule through the loss.
    /// </summary>
    [TestCase(EngineFamilies.Kind.FullUntied, DepthCaps.Dense)]
    [TestCase(EngineFamilies.Kind.FullTiedMinus, DepthCaps.Dense)]
    [TestCase(EngineFamilies.Kind.SparseTiedSymmetric, DepthCaps.SparseGradient)]
    [TestCase(EngineFamilies.Kind.GdPlusPlus, DepthCaps.Dense)]
    [TestCase(EngineFamilies.Kind.GatmiryLooped, 4)]
    [TestCase(EngineFamilies.Kind.GatmiryUntied, DepthCaps.Dense)]
    public void LEARN_GRAD_Reverse_pass_equals_forward_mode_derivative(EngineFamilies.Kind kind, int maxLayers) =>
        Properties.ForAll(Cases.ForwardModeDerivative(maxLayers), s =>
        {
            var (family, theta, batch) = EngineFamilies.Draw(kind, s, 3);
            var prompts = Enumerable.Range(0, batch.Count).Select(batch.ToPrompt).ToArray();
            var grad = new double[family.Dimension];
            new IclEngine(family).Loss(theta, batch, grad);
            var model = new LinearTransformer<Real>(family.ToLayers(theta), family.Sign);
            double z = prompts.Max(p => Agreement.Magnitude(model.Trajectory(Embedding.ColumnTokens(p))));
            double err = prompts.Max(p => Math.Abs(model.Predict(p).Value - p.QueryTarget.Value));
            double budget = Tolerance.GeneralLayers(s.N, s.D, s.L, z) * (1 + err) * (1 + z);
            for (int k = 0; k < family.Dimension; k++)
                Checks.Close(grad[k], LiteralLossDerivative(family, theta, k, prompts, v => (Real)v).Value, budget, $"{family.Name}: ∂f/∂θ[{k}], {s}");
        }, trials: 20);
}
