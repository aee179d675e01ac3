using FsCheck;
using LoopedIcl.Numerics.Engine;

namespace LoopedIcl.Lemmas;

/// <summary>
/// X-SOFTMAX, the engine part: the batched <see cref="NonLinearAttentionEngine"/> (softmax, ReLU, and identity as a cross-check) equals
/// the literal model (<see cref="ColumnAttention"/> with the activation) in double, per prompt, looped and untied; its reverse-pass
/// gradient equals Richardson central differences and forward-mode dual numbers through the literal model; the numbers do not depend on
/// the thread count. Controls: a softmax adjoint without its centring term fails the gradient checks; the identity engine differs from
/// the softmax literal model.
/// </summary>
[TestFixture, Category(ClaimIds.XSoftmax), Category(CategoryLabels.Library)]
public sealed class XSoftmaxEngineEqualsLiteral
{
    private static Parameterisation Family(int d, int layers, bool tied, ResidualSign sign = ResidualSign.Plus) => Parameterisation.Full(d, layers, sign, tied);

    /// <summary>θ with N(0, (0.5/(d+1))²) entries: scores and updates stay O(1) through L ≤ 4 layers.</summary>
    private static double[] Theta(Parameterisation family, int seed)
    {
        var g = Numerics.Prompts.Rng.Gaussians(Numerics.Prompts.Rng.Create(seed), family.Dimension);
        return g.Select(v => v * 0.5 / family.Width).ToArray();
    }

    private static PromptBatch Batch(int d, int n, int count, ulong seed) =>
        PromptLaw.Isotropic(d, TaskLaw.Isotropic).Draw(n, count, seed);

    /// <summary>Literal predictions through <see cref="LinearTransformer{T}"/> with the activation.</summary>
    private static double[] Literal(Parameterisation family, double[] theta, PromptBatch batch, ScoreActivation activation)
    {
        var model = new LinearTransformer<Real>(family.ToLayers(theta), family.Sign, AttentionMask.QueryExcluded, activation);
        return Enumerable.Range(0, batch.Count).Select(p => model.Predict(batch.ToPrompt(p)).Value).ToArray();
    }

    private static void EngineEqualsLiteral(Shape s, bool tied, ScoreActivation engineActivation, ScoreActivation literalActivation)
    {
        var family = Family(s.D, s.L, tied);
        var theta = Theta(family, s.Seed);
        var batch = Batch(s.D, s.N, 9, s.Stream);
        var fast = new double[batch.Count];
        new NonLinearAttentionEngine(family, engineActivation).Predict(theta, batch, fast);
        var literal = Literal(family, theta, batch, literalActivation);
        double magnitude = Math.Max(1, literal.Max(Math.Abs));
        for (int p = 0; p < batch.Count; p++)
            magnitude = Math.Max(magnitude, RealMat.MaxAbs(Embedding.ColumnTokens(batch.ToPrompt(p))));
        // Both shift by the column max and round the same O(n) weights: the general-layer budget with a factor 4 for exp and the normalisation.
        double budget = 4 * Tolerance.GeneralLayers(s.N, s.D, s.L, magnitude);
        double worst = Enumerable.Range(0, batch.Count).Max(p => Math.Abs(fast[p] - literal[p]));
        Checks.AtMost(worst, budget, $"engine ({engineActivation}) = literal ({literalActivation}), {(tied ? "looped" : "untied")}, {s}", CheckKind.Identity);
    }

    private static Arbitrary<Shape> Shapes() => Cases.NonLinearAttention;

    [TestCase(ScoreActivation.Softmax, true)]
    [TestCase(ScoreActivation.Softmax, false)]
    [TestCase(ScoreActivation.Relu, true)]
    [TestCase(ScoreActivation.Relu, false)]
    [TestCase(ScoreActivation.Identity, true)]
    public void X_SOFTMAX_Engine_equals_the_literal_model(ScoreActivation activation, bool tied) =>
        Properties.ForAll(Shapes(), s => EngineEqualsLiteral(s, tied, activation, activation), trials: 10);

    /// <summary>Control: the linear engine against the softmax literal model fails the same check on every case.</summary>
    [Test]
    public void X_SOFTMAX_Negative_control_linear_engine_is_not_the_softmax_model() =>
        Properties.ExpectFailureOnEveryCase(Shapes(), s => EngineEqualsLiteral(s, true, ScoreActivation.Identity, ScoreActivation.Softmax),
            "linear-attention engine vs the softmax literal model", trials: 10);

    /// <summary>Reverse-pass gradient vs Richardson central differences (<see cref="LearnGradReversePass.CentralDifferences"/>).</summary>
    private static void GradientMatchesFd(NonLinearAttentionEngine engine, double[] theta, PromptBatch batch, string what)
    {
        var grad = new double[theta.Length];
        double f = engine.Loss(theta, batch, grad);
        var fd = LearnGradReversePass.CentralDifferences(t => engine.Loss(t, batch, default), theta);
        double scale = 1 + Math.Abs(f) + grad.Max(Math.Abs);
        double worst = Enumerable.Range(0, grad.Length).Max(k => Math.Abs(grad[k] - fd[k]));
        Checks.AtMost(worst, 1e-6 * scale, $"{what}: max |reverse − Richardson FD|");
    }

    [TestCase(ScoreActivation.Softmax, true, 3, ResidualSign.Plus)]
    [TestCase(ScoreActivation.Softmax, false, 2, ResidualSign.Plus)]
    [TestCase(ScoreActivation.Softmax, false, 2, ResidualSign.Minus)]   // the Gatmiry convention: the reverse pass's sign
    [TestCase(ScoreActivation.Identity, false, 2, ResidualSign.Plus)]
    // ReLU is checked against duals only: a central difference straddling a kink (a score within h of 0) is not a derivative.
    public void X_SOFTMAX_Reverse_pass_equals_finite_differences(ScoreActivation activation, bool tied, int layers, ResidualSign sign)
    {
        const int d = 2, n = 6;
        var family = Family(d, layers, tied, sign);
        var theta = Theta(family, TestSettings.SeedFor($"X-SOFTMAX FD {activation} {tied}"));
        var batch = Batch(d, n, 9, TestSettings.Plan.Stream("X-SOFTMAX FD batch"));
        GradientMatchesFd(new NonLinearAttentionEngine(family, activation), theta, batch, $"{activation}, {(tied ? "looped" : "untied")}, L = {layers}, {sign} residual");
    }

    /// <summary>The exact derivative in double: forward-mode duals through the literal model, one pass per parameter.</summary>
    private static double[] DualGradient(Parameterisation family, double[] theta, PromptBatch batch, ScoreActivation activation)
    {
        var values = new double[family.ExpandedLength];
        family.Expand(theta, values);
        var zero = new double[family.ExpandedLength];
        family.Expand(new double[family.Dimension], zero);
        var prompts = Enumerable.Range(0, batch.Count).Select(p =>
        {
            var pr = batch.ToPrompt(p);
            Mat<Dual<Real>> C(Mat<Real> m) => Mat<Dual<Real>>.Build(m.Rows, m.Cols, (i, j) => Dual<Real>.Constant(m[i, j]));
            return new Prompt<Dual<Real>>(C(pr.X), C(pr.Y), C(pr.Query), Dual<Real>.Constant(pr.QueryTarget), C(pr.Task));
        }).ToArray();
        int w = family.Width;
        var grad = new double[family.Dimension];
        for (int k = 0; k < family.Dimension; k++)
        {
            var unit = new double[family.Dimension];
            unit[k] = 1;
            var direction = new double[family.ExpandedLength];
            family.Expand(unit, direction);
            Mat<Dual<Real>> Block(int l, int offset) => Mat<Dual<Real>>.Build(w, w, (i, j) =>
            {
                int idx = l * 2 * w * w + offset + i * w + j;
                return new Dual<Real>(values[idx], direction[idx] - zero[idx]);
            });
            var layers = Enumerable.Range(0, family.Layers).Select(l => new AttentionLayer<Dual<Real>>(Block(l, 0), Block(l, w * w))).ToArray();
            var model = new LinearTransformer<Dual<Real>>(layers, family.Sign, AttentionMask.QueryExcluded, activation);
            var loss = Dual<Real>.Zero;
            foreach (var pr in prompts)
            {
                var r = model.Predict(pr) - pr.QueryTarget;
                loss += r * r;
            }
            grad[k] = loss.Derivative.Value / prompts.Length;
        }
        return grad;
    }

    [TestCase(ScoreActivation.Softmax, true, 3)]
    [TestCase(ScoreActivation.Softmax, false, 2)]
    [TestCase(ScoreActivation.Relu, false, 2)]
    public void X_SOFTMAX_Reverse_pass_equals_forward_mode_duals(ScoreActivation activation, bool tied, int layers)
    {
        const int d = 2, n = 5;
        var family = Family(d, layers, tied);
        var theta = Theta(family, TestSettings.SeedFor($"X-SOFTMAX dual {activation} {tied}"));
        var batch = Batch(d, n, 4, TestSettings.Plan.Stream("X-SOFTMAX dual batch"));
        var engine = new NonLinearAttentionEngine(family, activation);
        var grad = new double[family.Dimension];
        engine.Loss(theta, batch, grad);
        var dual = DualGradient(family, theta, batch, activation);
        double worst = Enumerable.Range(0, grad.Length).Max(k => Math.Abs(grad[k] - dual[k]));
        // Both are double evaluations of the same exact derivative: the general-layer rounding budget times the gradient's size.
        double budget = 16 * Tolerance.GeneralLayers(n, d, layers, 4) * (1 + grad.Max(Math.Abs));
        Checks.AtMost(worst, budget, $"{activation}, {(tied ? "looped" : "untied")}, L = {layers}: max |reverse − dual|", CheckKind.Identity);
        if (activation == ScoreActivation.Softmax)
        {
            engine.FaultDropSoftmaxCentring = true;
            var faulty = new double[family.Dimension];
            engine.Loss(theta, batch, faulty);
            Properties.ExpectViolation("softmax adjoint without its centring term", () =>
                Checks.AtMost(Enumerable.Range(0, grad.Length).Max(k => Math.Abs(faulty[k] - dual[k])), budget, "faulty reverse vs dual", CheckKind.Identity));
            Properties.ExpectViolation("softmax adjoint without its centring term (finite differences)", () =>
                GradientMatchesFd(engine, theta, batch, "faulty softmax adjoint"));
        }
    }

    /// <summary>Loss and gradient are bitwise the same on 1 and 2 threads (fixed chunks reduced in order).</summary>
    [Test]
    public void X_SOFTMAX_Engine_is_thread_count_independent()
    {
        var family = Family(3, 2, true);
        var theta = Theta(family, 5);
        var batch = Batch(3, 10, 300, 6);
        var g1 = new double[family.Dimension];
        var g2 = new double[family.Dimension];
        double f1 = new NonLinearAttentionEngine(family, ScoreActivation.Softmax, 1).Loss(theta, batch, g1);
        double f2 = new NonLinearAttentionEngine(family, ScoreActivation.Softmax, 2).Loss(theta, batch, g2);
        Checks.Sanity(f1 == f2 && g1.SequenceEqual(g2), "softmax engine: identical loss and gradient on 1 and 2 threads");
    }
}
