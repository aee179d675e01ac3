namespace LoopedIcl.Lemmas;

/// <summary>
/// FAST-PATH: the Gram-state fast path (Z ← (I ± PGQ)Z carried as G and z_q, O(nd²) once plus O(Ld³)) gives the same
/// prediction as the literal O(n²d)-per-layer attention, for every model, in double within a budget that scales
/// with L and the trajectory's magnitude (through κ), and exactly in rationals.
/// </summary>
[TestFixture, Category(ClaimIds.FastPath), Category(CategoryLabels.Library)]
public sealed class GramFastPathEqualsLiteral
{
    public enum Model { Sparse8, GdPlusPlus11, GeneralPQ, GatmiryLooped, LastRowPFullQ }

    internal static (AttentionLayer<T>[] Layers, ResidualSign Sign) Build<T>(Model model, Func<int, int, Mat<T>> random, int d, int layers)
        where T : struct, IScalar<T> => model switch
    {
        Model.Sparse8 => (Enumerable.Range(0, layers).Select(_ => Families.SparsePreconditioner(random(d, d))).ToArray(), ResidualSign.Plus),
        Model.GdPlusPlus11 => (Enumerable.Range(0, layers).Select(_ => Families.GdPlusPlus(random(d, d), random(d, d))).ToArray(), ResidualSign.Plus),
        Model.GeneralPQ => (Enumerable.Range(0, layers).Select(_ => new AttentionLayer<T>(random(d + 1, d + 1), random(d + 1, d + 1))).ToArray(), ResidualSign.Plus),
        Model.GatmiryLooped => (Enumerable.Repeat(Families.Gatmiry(random(d, d), random(d, 1)), layers).ToArray(), ResidualSign.Minus),
        // Only P's last row non-zero (the kernel's rank-one path) but a full Q, so the label-label Gram entry G[d,d] reaches the output.
        Model.LastRowPFullQ => (Enumerable.Range(0, layers).Select(_ => new AttentionLayer<T>(LastRowOnly(random(d + 1, d + 1)), random(d + 1, d + 1))).ToArray(), ResidualSign.Plus),
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    private static Mat<T> LastRowOnly<T>(Mat<T> m) where T : struct, IScalar<T>
    {
        for (int i = 0; i < m.Rows - 1; i++)
            for (int j = 0; j < m.Cols; j++) m[i, j] = T.Zero;
        return m;
    }

    internal static Pair<T> PredictionPair<T>(AttentionLayer<T>[] layers, ResidualSign sign, Prompt<T> p) where T : struct, IScalar<T> =>
        new("ŷ fast vs literal", GramFastPath.Predict(layers, sign, p), new LinearTransformer<T>(layers, sign).Predict(p));

    /// <summary>FAST-PATH: fast = literal prediction for each model family, d ≤ 6, n ≤ 24, κ(Σ) ≤ 100.</summary>
    [TestCase(Model.Sparse8, DepthCaps.SparseGramPath)]
    [TestCase(Model.GdPlusPlus11, DepthCaps.Dense)]
    [TestCase(Model.GeneralPQ, DepthCaps.Dense)]
    [TestCase(Model.GatmiryLooped, DepthCaps.LoopedForward)]
    [TestCase(Model.LastRowPFullQ, DepthCaps.LastRowPFullQ)]
    public void FAST_PATH_Gram_state_prediction_equals_literal_attention(Model model, int maxLayers) =>
        Properties.ForAll(Cases.UpToLayers(maxLayers), s =>
        {
            var inst = Instance.Draw(s, TaskLaw.InverseCovariance);
            var (layers, sign) = Build(model, (r, c) => Numerics.Prompts.Rng.GaussianMatrix(inst.Rng, r, c, 0.4 / Math.Sqrt(r)), s.D, s.L);
            var traj = new LinearTransformer<Real>(layers, sign).Trajectory(Embedding.ColumnTokens(inst.Prompt));
            double z = Agreement.Magnitude(traj);
            var budget = Tolerance.GeneralLayers(s.N, s.D, s.L, z);
            Agreement.Within([PredictionPair(layers, sign, inst.Prompt)], budget, $"{model}, {s}");
        });

    /// <summary>
    /// FAST-PATH: the engine's batch prediction used by every Monte Carlo estimate (rank-one path for last-row-only P, general path otherwise)
    /// equals the literal model — on two prompts in two lanes of one group, so no lane leaks into another.
    /// </summary>
    [TestCase(Model.Sparse8, DepthCaps.SparseGramPath)]
    [TestCase(Model.GdPlusPlus11, DepthCaps.Dense)]
    [TestCase(Model.GeneralPQ, DepthCaps.Dense)]
    [TestCase(Model.GatmiryLooped, 12)]
    [TestCase(Model.LastRowPFullQ, DepthCaps.LastRowPFullQ)]
    public void FAST_PATH_Double_kernel_equals_literal_attention(Model model, int maxLayers) =>
        Properties.ForAll(Cases.UpToLayers(maxLayers), s =>
        {
            var batch = new PromptLaw(Covariance.WithConditionNumber(s.D, s.Kappa, Numerics.Prompts.Rng.Create(s.Seed)), TaskLaw.InverseCovariance).Draw(s.N, 2, s.Stream);
            var rng = Numerics.Prompts.Rng.Create(s.Seed + 1);
            var (layers, sign) = Build(model, (r, c) => Numerics.Prompts.Rng.GaussianMatrix(rng, r, c, 0.4 / Math.Sqrt(r)), s.D, s.L);
            var engine = new double[batch.Count];
            EngineFamilies.Predictor(layers, sign)(batch, engine);
            for (int k = 0; k < 2; k++)
            {
                var prompt = batch.ToPrompt(k);
                var literal = new LinearTransformer<Real>(layers, sign).Predict(prompt).Value;
                var traj = new LinearTransformer<Real>(layers, sign).Trajectory(Embedding.ColumnTokens(prompt));
                double z = Agreement.Magnitude(traj);
                var budget = Tolerance.GeneralLayers(s.N, s.D, s.L, z);
                Checks.Close(engine[k], literal, budget, $"{model} double kernel, prompt {k + 1}, {s}");
            }
        });

    /// <summary>FAST-PATH: Chen's fast loop (G = XᵀX, b = Xᵀy, q ← q − η(Gq + αb), allocation-free) equals the literal row-layout loop.</summary>
    [TestCase(-0.7)]
    [TestCase(1.5)]
    public void FAST_PATH_Chen_fast_loop_equals_literal_loop(double alpha) =>
        Properties.ForAll(Cases.ChenFastLoopSteps, s =>
        {
            var inst = Instance.Draw(s, TaskLaw.UnitSphere);
            var p = inst.Prompt;
            var eta = ChenL42LoopIsGradientDescent.StepSize(p);
            var literal = ChenLoopedTransformer<Real>.Readout(new ChenLoopedTransformer<Real>(Families.ChenIdentity<Real>(s.D), eta)
                .Trajectory(Embedding.RowTokens(p.X, p.Y, Mat<Real>.Zeros(s.D, 1), (Real)alpha), s.L)[^1]);
            var fast = RealMat.Column(new ChenFastLoop(p.X, p.Y).Readout(alpha, eta.Value, s.L));
            var scale = RealMat.MaxAbs(p.X) * RealMat.MaxAbs(p.X) * s.N * eta.Value * (1 + Math.Abs(alpha));
            Agreement.Within(Agreement.Entries("TF fast loop vs literal", fast, literal), Tolerance.Accumulated(s.N * (s.D + 1), s.L, scale), $"Chen fast loop, α={alpha}, {s}");
        });

    /// <summary>FAST-PATH proved exactly: (I ± PGQ) propagation is a polynomial identity (degree ≤ 3^(L+1) − 1 for general P, Q).</summary>
    [TestCase(Model.Sparse8, 3)]
    [TestCase(Model.GdPlusPlus11, 2)]
    [TestCase(Model.GeneralPQ, 2)]
    [TestCase(Model.GatmiryLooped, 3)]
    [TestCase(Model.LastRowPFullQ, 2)]
    public void FAST_PATH_Exact_rational_proof(Model model, int layers) =>
        ExactProof.Run($"fast path = literal, {model}, L={layers}", degree: (int)Math.Pow(3, layers + 1) - 1, pts =>
        {
            var (ls, sign) = Build(model, pts.Matrix, 2, layers);
            var pair = PredictionPair(ls, sign, pts.Prompt(3, 2));
            return pair.Lhs == pair.Rhs;
        }, range: 1000);

    /// <summary>FAST-PATH negative control: the fast path with the opposite residual sign disagrees with the literal model.</summary>
    [Test]
    public void FAST_PATH_Negative_control_wrong_sign_in_the_fast_path() =>
        Properties.ExpectFailureOnEveryCase(Cases.TwoOrMoreExamples(), s =>
        {
            var inst = Instance.Draw(s, TaskLaw.InverseCovariance);
            var (layers, _) = Build(Model.Sparse8, (r, c) => Numerics.Prompts.Rng.GaussianMatrix(inst.Rng, r, c, 0.4 / Math.Sqrt(r)), s.D, s.L);
            var fast = GramFastPath.Predict(layers, ResidualSign.Minus, inst.Prompt);
            var literal = new LinearTransformer<Real>(layers, ResidualSign.Plus).Predict(inst.Prompt);
            Checks.Close(fast.Value, literal.Value, 1e-9, $"fast path with the wrong sign, {s}");
        }, "fast path with the wrong residual sign");
}
