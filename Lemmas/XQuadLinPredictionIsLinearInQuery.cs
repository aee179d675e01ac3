namespace LoopedIcl.Lemmas;

/// <summary>
/// X-QUAD-LIN: with the query masked as a key (M = diag(I_n, 0)) the context columns never read the query, so the query column evolves as
/// z_q ← (I ± (1/n)P_l G_l Q_l) z_q with G_l built from the context only: the prediction of every linear transformer — any depth, looped
/// or untied, any (P_l, Q_l) — is linear in x_q at a fixed context (query slot 0). Checked as additivity f(a + b) = f(a) + f(b) and
/// homogeneity f(ca) = c·f(a) of x_q ↦ ŷ, exactly (rationals) at L ≤ 4 in every family, and in double at L up to 10; softmax and ReLU
/// attention (not linear in the scores) break it.
/// </summary>
[TestFixture, Category(ClaimIds.XQuadLin), Category(CategoryLabels.Library)]
public sealed class XQuadLinPredictionIsLinearInQuery
{
    public enum Family { Sparse, GdPlusPlus, Full, Looped, LoopedGatmiry }

    /// <summary>The model of a family from a source of matrices (integer points or Gaussians).</summary>
    internal static LinearTransformer<T> Model<T>(Family family, int d, int layers, Func<int, int, Mat<T>> matrix,
        ScoreActivation activation = ScoreActivation.Identity) where T : struct, IScalar<T>
    {
        int w = d + 1;
        AttentionLayer<T>[] ls = family switch
        {
            Family.Sparse => Enumerable.Range(0, layers).Select(_ => Families.SparsePreconditioner(matrix(d, d))).ToArray(),
            Family.GdPlusPlus => Enumerable.Range(0, layers).Select(_ => Families.GdPlusPlus(matrix(d, d), matrix(d, d))).ToArray(),
            Family.Full => Enumerable.Range(0, layers).Select(_ => new AttentionLayer<T>(matrix(w, w), matrix(w, w))).ToArray(),
            Family.Looped => Enumerable.Repeat(new AttentionLayer<T>(matrix(w, w), matrix(w, w)), layers).ToArray(),
            Family.LoopedGatmiry => Enumerable.Repeat(Families.Gatmiry(matrix(d, d), matrix(d, 1)), layers).ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(family)),
        };
        var sign = family is Family.Looped or Family.LoopedGatmiry ? ResidualSign.Minus : ResidualSign.Plus;
        return new LinearTransformer<T>(ls, sign, AttentionMask.QueryExcluded, activation);
    }

    /// <summary>(f(a + b), f(a) + f(b)) and (f(c·a), c·f(a)) at the prompt's context.</summary>
    internal static Pair<T>[] LinearityPairs<T>(LinearTransformer<T> model, Prompt<T> context, Mat<T> a, Mat<T> b, T c) where T : struct, IScalar<T>
    {
        T F(Mat<T> query) => model.Predict(new Prompt<T>(context.X, context.Y, query, T.Zero, context.Task));
        var fa = F(a);
        return
        [
            new Pair<T>("f(a + b) = f(a) + f(b)", F(a + b), fa + F(b)),
            new Pair<T>("f(c·a) = c·f(a)", F(c * a), c * fa),
        ];
    }

    /// <summary>X-QUAD-LIN proved exactly: the pairs are polynomial identities of total degree ≤ 2·3^L + 1 in (X, y, x_q, P, Q, c).</summary>
    [TestCase(Family.Sparse, 2, 3, 3)]
    [TestCase(Family.GdPlusPlus, 2, 3, 3)]
    [TestCase(Family.Full, 2, 3, 2)]
    [TestCase(Family.Looped, 2, 3, 3)]
    [TestCase(Family.LoopedGatmiry, 2, 3, 4)]
    [TestCase(Family.Full, 1, 2, 4)]
    public void X_QUAD_LIN_Exact_rational_proof(Family family, int d, int n, int layers)
    {
        int degree = 2 * (int)Math.Pow(3, layers) + 1;
        ExactProof.Run($"prediction linear in x_q, {family}, d={d} n={n} L={layers}", degree, pts =>
        {
            var model = Model<Rational>(family, d, layers, pts.Matrix);
            var p = pts.Prompt(n, d);
            var context = new Prompt<Rational>(p.X, p.Y + pts.Matrix(n, 1), p.Query, Rational.Zero, p.Task); // labels need not be linear
            return Agreement.Exact(LinearityPairs(model, context, pts.Matrix(d, 1), pts.Matrix(d, 1), pts.Next()));
        }, points: 2, range: layers >= 4 ? 1000 : 1_000_000);
    }

    /// <summary>Control in exact arithmetic: ReLU attention (Ahn Theorem 5's) is exactly non-linear in x_q at a random integer point.</summary>
    [Test]
    public void X_QUAD_LIN_Negative_control_ReLU_attention_exactly() =>
        ExactProof.Refutes("ReLU attention linear in x_q, d=2 n=3 L=2", pts =>
        {
            var model = Model<Rational>(Family.Full, 2, 2, pts.Matrix, ScoreActivation.Relu);
            var p = pts.Prompt(3, 2);
            return Agreement.Exact(LinearityPairs(model, p, pts.Matrix(2, 1), pts.Matrix(2, 1), Rational.FromInt(-3)));
        });

    /// <summary>The double check: worst |pair| ≤ the rounding budget of L general layers (inputs O(1), weights 0.4/√(d+1)).</summary>
    private static void CheckInDouble(Shape s, Family family, ScoreActivation activation)
    {
        var inst = Instance.Draw(s);
        double scale = 0.25 / (s.D + 1); // keeps the cubic layer map a contraction-sized perturbation over 10 layers
        var model = Model<Real>(family, s.D, s.L, (r, c) => Numerics.Prompts.Rng.GaussianMatrix(inst.Rng, r, c, scale), activation);
        var a = inst.RandomVector(s.D);
        var b = inst.RandomVector(s.D);
        var pairs = LinearityPairs(model, inst.Prompt, a, b, (Real)(-1.7));
        double magnitude = Math.Max(1, pairs.Max(p => Math.Max(Math.Abs(p.Lhs.Value), Math.Abs(p.Rhs.Value))));
        foreach (var q in new[] { a + b, a, b, (Real)(-1.7) * a })
            magnitude = Math.Max(magnitude, Agreement.Magnitude(model.Trajectory(Embedding.ColumnTokens(new Prompt<Real>(inst.Prompt.X, inst.Prompt.Y, q, 0, inst.Prompt.Task)))));
        Agreement.Within(pairs, 2 * Tolerance.GeneralLayers(s.N, s.D, s.L, magnitude), $"prediction linear in x_q, {family}, {activation}, {s}");
    }

    /// <summary>X-QUAD-LIN in double for every family at depths up to 10 (generated shapes, κ(Σ) up to 100).</summary>
    [TestCase(Family.Sparse)]
    [TestCase(Family.GdPlusPlus)]
    [TestCase(Family.Full)]
    [TestCase(Family.Looped)]
    [TestCase(Family.LoopedGatmiry)]
    public void X_QUAD_LIN_Prediction_is_linear_in_the_query_in_double(Family family) =>
        Properties.ForAll(Cases.LinearInQueryDeep, s => CheckInDouble(s, family, ScoreActivation.Identity), trials: 8);

    /// <summary>Controls: softmax and ReLU attention (the same looped (P, Q), n ≥ 2) fail the same check on every case.</summary>
    [TestCase(ScoreActivation.Softmax)]
    [TestCase(ScoreActivation.Relu)]
    public void X_QUAD_LIN_Negative_control_non_linear_attention(ScoreActivation activation) =>
        Properties.ExpectFailureOnEveryCase(Cases.NonLinearAttention,
            s => CheckInDouble(s, Family.Looped, activation), $"{activation} attention is linear in x_q", trials: 8);
}
