using static LoopedIcl.TestSupport.Refusals;
using LoopedIcl.Numerics.Engine;

namespace LoopedIcl.Lemmas;

/// <summary>
/// FAST-PATH (library level): the engine's bookkeeping against its definition — the batch loss and gradient are the means of the
/// per-prompt ones across several chunks of work (one workspace reused for many chunks, the same numbers on two threads), the query
/// gradients of many lane groups land at their prompts, the per-prompt evaluator predicts what the batch path predicts, the Gram state
/// at d = 9 (where the four-wide blocks start past the first column) still equals the literal model, and the negative controls'
/// faults are exactly a transpose and a sign.
/// </summary>
[TestFixture, Category(ClaimIds.FastPath), Category(CategoryLabels.Library)]
public sealed class LibraryEngine
{
    private static PromptBatch One(PromptBatch batch, int p) => PromptBatch.FromPrompts(batch.Law, [batch.ToPrompt(p)]);

    /// <summary>
    /// The batch loss and gradient of <paramref name="engine"/> against the means of its one-prompt evaluations, and the same bits from
    /// <paramref name="twoThreads"/>. The two sides add the same per-prompt terms in another order and scale ȳ by 2/B rather than 2, so
    /// they differ by rounding: ≤ 1e-12 of Σ_p |∇_p| / B per entry (≈ 10² operations per term at ε = 1.1e-16 each, a factor 10² to spare).
    /// </summary>
    private static void CheckPerPromptMeans(IInContextModel engine, IInContextModel twoThreads, double[] theta, PromptBatch batch, string what)
    {
        int dim = engine.Family.Dimension, count = batch.Count;
        var gradient = new double[dim];
        double loss = engine.Loss(theta, batch, gradient);
        double meanLoss = 0, lossScale = 0;
        var mean = new double[dim];
        var scale = new double[dim];
        var own = new double[dim];
        for (int p = 0; p < count; p++)
        {
            double l = engine.Loss(theta, One(batch, p), own);
            meanLoss += l / count;
            lossScale += Math.Abs(l) / count;
            for (int k = 0; k < dim; k++) { mean[k] += own[k] / count; scale[k] += Math.Abs(own[k]) / count; }
        }
        Checks.Close(loss, meanLoss, 1e-12 * lossScale, $"{what}: the batch loss is the mean of the per-prompt losses");
        for (int k = 0; k < dim; k++)
            Checks.Close(gradient[k], mean[k], 1e-12 * scale[k] + 1e-300, $"{what}: ∂/∂θ[{k}] is the mean of the per-prompt gradients");
        var two = new double[dim];
        Checks.True(twoThreads.Loss(theta, batch, two) == loss && two.SequenceEqual(gradient),
            $"{what}: two threads give the same bits (fixed chunks, fixed reduction order)", CheckKind.Identity);
    }

    /// <summary>
    /// 300 prompts are 38 lane groups in 3 chunks of 16: the loss and gradient equal the mean of the 300 one-prompt evaluations (see
    /// <see cref="CheckPerPromptMeans"/>). A workspace that kept one chunk's adjoint into the next, or a chunk that read another's groups,
    /// is off by O(|∇|).
    /// </summary>
    [Test]
    public void FAST_PATH_Loss_and_gradient_over_chunks_are_the_per_prompt_means()
    {
        const int count = 300;
        var family = Parameterisation.GdPlusPlus(3, 2);
        var law = PromptLaw.Isotropic(3, TaskLaw.Isotropic);
        var batch = law.Draw(6, count, 41);
        var theta = Enumerable.Range(0, family.Dimension).Select(i => 0.05 * Math.Sin(i + 1)).ToArray();
        Checks.Sanity(batch.Groups > 2 * IclEngine.GroupsPerChunk, $"{batch.Groups} groups span three chunks");
        var engine = new IclEngine(family);
        CheckPerPromptMeans(engine, new IclEngine(family, threads: 2), theta, batch, "GD++");

        // Query gradients of every lane group land at their own prompt: the same bits as the prompt alone (the same lane arithmetic).
        var yhat = new double[count];
        var beta = new double[count * 3];
        engine.PredictWithQueryGradient(theta, batch, yhat, beta);
        var oneY = new double[1];
        var oneBeta = new double[3];
        foreach (int p in new[] { 0, 9, 130, 299 })
        {
            engine.PredictWithQueryGradient(theta, One(batch, p), oneY, oneBeta);
            Checks.True(yhat[p] == oneY[0] && beta.AsSpan(3 * p, 3).SequenceEqual(oneBeta), $"prompt {p}: ŷ and ∂ŷ/∂x_q as alone", CheckKind.Identity);
        }
        Rejects(() => engine.PredictWithQueryGradient(theta, batch, yhat, new double[count * 3 - 1]), "queryGradients", "queryGradients must have length ≥ count·d = 900.");
        Assert.Throws<ArgumentNullException>(() => engine.Loss(theta, null!, default));
        Assert.Throws<ArgumentNullException>(() => _ = new IclEngine(null!));
    }

    /// <summary>
    /// The per-prompt evaluator puts a prompt in lane 0 of a one-prompt batch and runs the same forward pass: the same bits as the
    /// batch path at that prompt, also after a call with another n (its batch is rebuilt) and back; the query slot is the label entry
    /// of z_q. Its refusals name the argument.
    /// </summary>
    [Test]
    public void FAST_PATH_Evaluator_predicts_what_the_batch_path_predicts()
    {
        var family = Parameterisation.GdPlusPlus(3, 2);
        var theta = Enumerable.Range(0, family.Dimension).Select(i => 0.1 * Math.Cos(i)).ToArray();
        var law = PromptLaw.Isotropic(3, TaskLaw.Isotropic);
        var engine = new IclEngine(family);
        var evaluator = engine.CreateEvaluator(theta);
        foreach (var (n, seed) in new[] { (5, 1UL), (3, 2UL), (5, 3UL) })
        {
            var batch = law.Draw(n, 10, seed);
            var yhat = new double[10];
            engine.Predict(theta, batch, yhat);
            for (int p = 0; p < 10; p++)
            {
                var prompt = batch.ToPrompt(p);
                var x = new double[n * 3];
                for (int i = 0; i < n; i++) for (int a = 0; a < 3; a++) x[i * 3 + a] = prompt.X[i, a].Value;
                var y = Enumerable.Range(0, n).Select(i => prompt.Y[i, 0].Value).ToArray();
                var q = Enumerable.Range(0, 3).Select(a => prompt.Query[a, 0].Value).ToArray();
                Checks.True(evaluator.Predict(x, y, q) == yhat[p], $"n = {n}, prompt {p}: the evaluator's ŷ is the batch path's", CheckKind.Identity);
            }
        }
        Rejects(() => evaluator.Predict([], [], new double[3]), "x", "n ≥ 1");
        Rejects(() => evaluator.Predict(new double[6], new double[2], new double[2]), "query", "query must have length d = 3 (got 2).");
        Rejects(() => engine.CreateEvaluator(new double[family.Dimension - 1]), "theta", $"theta must have length {family.Dimension}");
    }

    /// <summary>
    /// d = 9: the Gram state's four-wide blocks start at columns 0 and 4 (rows a ≥ 7), so an index slip past the first block shows.
    /// The engine's ŷ against the literal transformer, within the general-layer rounding budget used by FAST-PATH.
    /// </summary>
    [Test]
    public void FAST_PATH_Engine_equals_literal_model_at_d_9()
    {
        const int d = 9, n = 11, layers = 2;
        var family = Parameterisation.Full(d, layers);
        var theta = Enumerable.Range(0, family.Dimension).Select(i => 0.03 * Math.Sin(3.0 * i + 1)).ToArray();
        EngineEqualsLiteral.AssertPredictionsMatchLiteral(family, theta, PromptLaw.Isotropic(d, TaskLaw.Isotropic).Draw(n, 9, 5), "d = 9");
    }

    /// <summary>The negative controls' faults, exactly: TransposedP gives Pᵀ's adjoint in P's place, WrongSignQ gives −Q̄ (full family: θ = the layers).</summary>
    [Test]
    public void LEARN_GRAD_Adjoint_faults_are_exactly_a_transpose_and_a_sign()
    {
        const int d = 2, w = d + 1, layers = 2;
        var family = Parameterisation.Full(d, layers);
        var theta = Enumerable.Range(0, family.Dimension).Select(i => 0.2 * Math.Sin(i + 0.5)).ToArray();
        var batch = PromptLaw.Isotropic(d, TaskLaw.Isotropic).Draw(4, 5, 8);
        double[] Gradient(AdjointFault fault)
        {
            var g = new double[family.Dimension];
            new IclEngine(family) { Fault = fault }.Loss(theta, batch, g);
            return g;
        }
        var right = Gradient(AdjointFault.None);
        var transposed = Gradient(AdjointFault.TransposedP);
        var negated = Gradient(AdjointFault.WrongSignQ);
        for (int l = 0; l < layers; l++)
        {
            int p0 = l * 2 * w * w, q0 = p0 + w * w;
            for (int a = 0; a < w; a++)
                for (int b = 0; b < w; b++)
                {
                    Checks.True(transposed[p0 + a * w + b] == right[p0 + b * w + a] && transposed[q0 + a * w + b] == right[q0 + a * w + b],
                        $"layer {l}: TransposedP puts P̄[{b},{a}] at ({a},{b}) and leaves Q̄", CheckKind.Identity);
                    Checks.True(negated[q0 + a * w + b] == -right[q0 + a * w + b] && negated[p0 + a * w + b] == right[p0 + a * w + b],
                        $"layer {l}: WrongSignQ negates Q̄[{a},{b}] and leaves P̄", CheckKind.Identity);
                }
        }
        Checks.True(right.Any(v => v != 0) && Enumerable.Range(0, w).Any(a => Enumerable.Range(0, w).Any(b => right[a * w + b] != right[b * w + a])),
            "the case discriminates: P̄ is not symmetric");
    }

    /// <summary>
    /// The softmax/ReLU engine's bookkeeping: 150 prompts are 3 chunks of 64 — loss and gradient are the per-prompt means (same rounding
    /// argument as the linear engine's), two threads give the same bits; with the minus residual sign (the Gatmiry convention) its ŷ is
    /// the literal transformer's within the FAST-PATH budget (×4 for exp and the normalisation, as in X-SOFTMAX's own check); refusals
    /// (each by its own check: the gradient's length before <c>Contract</c>'s, Predict's batch as Loss's, the thread count).
    /// </summary>
    [Test]
    public void FAST_PATH_Non_linear_engine_over_chunks_and_with_the_minus_sign()
    {
        const int count = 150, d = 2, n = 5;
        var batch = PromptLaw.Isotropic(d, TaskLaw.Isotropic).Draw(n, count, 17);
        foreach (var activation in new[] { ScoreActivation.Softmax, ScoreActivation.Relu })
        {
            var family = Parameterisation.Full(d, 2, ResidualSign.Minus, tied: true);
            var theta = Enumerable.Range(0, family.Dimension).Select(i => 0.3 * Math.Sin(2.0 * i + 1)).ToArray();
            var engine = new NonLinearAttentionEngine(family, activation);
            Checks.Sanity(count > 2 * NonLinearAttentionEngine.PromptsPerChunk, "three chunks");
            CheckPerPromptMeans(engine, new NonLinearAttentionEngine(family, activation, threads: 2), theta, batch, activation.ToString());

            var yhat = new double[count];
            engine.Predict(theta, batch, yhat);
            var model = new LinearTransformer<Real>(family.ToLayers(theta), family.Sign, AttentionMask.QueryExcluded, activation);
            foreach (int p in new[] { 0, 70, 149 })
            {
                var prompt = batch.ToPrompt(p);
                double literal = model.Predict(prompt).Value;
                double magnitude = Math.Max(Math.Max(1, Math.Abs(literal)), RealMat.MaxAbs(Embedding.ColumnTokens(prompt)));
                Checks.Close(yhat[p], literal, 4 * Tolerance.GeneralLayers(n, d, 2, magnitude), $"{activation}, minus sign, prompt {p}: engine ŷ = literal ŷ");
            }
            Rejects(() => engine.Predict(theta, batch, new double[count - 1]), "predictions", $"predictions must have length ≥ {count}");
            Rejects(() => engine.Loss(theta, PromptLaw.Isotropic(d + 1, TaskLaw.Isotropic).Draw(n, 2, 1), default), "batch", $"batch has d = {d + 1}, the engine d = {d}");
            Assert.Throws<ArgumentNullException>(() => engine.Loss(theta, null!, default));
            Rejects(() => engine.Loss(theta, batch, new double[family.Dimension - 1]), "gradient", $"gradient must have length {family.Dimension} (got {family.Dimension - 1})");
            Rejects(() => engine.Predict(theta, PromptLaw.Isotropic(d + 1, TaskLaw.Isotropic).Draw(n, 2, 1), new double[2]), "batch", $"batch has d = {d + 1}, the engine d = {d}");
            Assert.Throws<ArgumentNullException>(() => engine.Predict(theta, null!, new double[1]));
        }
        Rejects(() => _ = new NonLinearAttentionEngine(Parameterisation.Full(d, 1), ScoreActivation.Relu, threads: 0), "threads");
        Rejects(() => _ = new NonLinearAttentionEngine(Parameterisation.Full(d, 1), (ScoreActivation)9), "activation", "activation must be a defined ScoreActivation (got 9).");
        Assert.Throws<ArgumentNullException>(() => _ = new NonLinearAttentionEngine(null!, ScoreActivation.Softmax));
    }

    /// <summary>
    /// The block layer (GD++: P = [[B,0],[0,1]], Q = [[A,0],[0,0]]) past two layers, untied and tied, at odd and even d: its reverse
    /// pass (H̄ and ḡ carried through whole layers from L = 3 on) against Richardson differences at θ of order 0.3 (LEARN-GRAD's check),
    /// its query gradient and its predictions at Fig. 6's shape (d = 5, L = 3) against the literal transformer, and those predictions
    /// and the loss bit for bit against the general layer.
    /// </summary>
    [Test]
    public void LEARN_GRAD_Block_layer_past_two_layers()
    {
        foreach (var family in new[] { Parameterisation.GdPlusPlus(2, 3), Parameterisation.GdPlusPlus(3, 4), Parameterisation.GdPlusPlus(4, 4, tied: true) })
        {
            Checks.Sanity(family.BlockDiagonalP && !family.LabelRowOnlyP, $"{family.Name} takes the block path");
            var batch = PromptLaw.Isotropic(family.D, TaskLaw.Isotropic).Draw(7, 9, 31);
            var theta = Enumerable.Range(0, family.Dimension).Select(i => 0.3 * Math.Sin(1.7 * i + 0.4)).ToArray();
            LearnGradReversePass.AssertGradientMatchesFd(new IclEngine(family), theta, batch, $"{family.Name}, d = {family.D}, L = {family.Layers}");
            EngineEqualsLiteral.AssertQueryGradientMatchesLiteral(family, theta, batch, $"{family.Name}, d = {family.D}, L = {family.Layers}");
        }
        var figure6 = Parameterisation.GdPlusPlus(5, 3);
        var a = Enumerable.Range(0, figure6.Dimension).Select(i => 0.2 * Math.Cos(1.3 * i)).ToArray();
        var prompts = PromptLaw.Isotropic(5, TaskLaw.Isotropic).Draw(20, 9, 37);
        EngineEqualsLiteral.AssertPredictionsMatchLiteral(figure6, a, prompts, "GD++ at d = 5, n = 20, L = 3");

        // The same layers as a full (P, Q) family (θ = the expanded layers) take the general layer: the block layer's predictions and
        // loss must be its bits exactly (the zero blocks add exact zeros in the same order), which pins the H′ mirror too.
        var full = Parameterisation.Full(figure6.D, figure6.Layers);
        var layers = new double[figure6.ExpandedLength];
        figure6.Expand(a, layers);
        var yBlock = new double[prompts.Count];
        var yGeneral = new double[prompts.Count];
        new IclEngine(figure6).Predict(a, prompts, yBlock);
        new IclEngine(full).Predict(layers, prompts, yGeneral);
        Checks.True(Checks.SameBits(yBlock, yGeneral),
            $"block and general layer: the same ŷ bits (first {yBlock[0]:R} vs {yGeneral[0]:R})", CheckKind.Identity);
        double lossBlock = new IclEngine(figure6).Loss(a, prompts, default), lossGeneral = new IclEngine(full).Loss(layers, prompts, default);
        Checks.True(Checks.SameBits(lossBlock, lossGeneral), $"the same loss bits ({lossBlock:R} vs {lossGeneral:R})", CheckKind.Identity);
    }

    /// <summary>
    /// Three and four layers of the label-row path (sparse, Gatmiry looped, and P's label row with a full Q): the adjoint Ḡ passes
    /// through a whole layer only from L = 3 on (at L ≤ 2 the last layer's Ḡ is zero), and its covariate block reaches the parameters
    /// only when Q's last column is free (r_d ≠ 0), so the reverse pass is checked there against Richardson differences (LEARN-GRAD's
    /// own check and tolerance) at θ of order 0.3, where every second-order term shows; r_d ≠ 0 also moves z̄_d between layers, checked
    /// through the query gradient. And the preconditioned forward (tied, 2L ≥ d: here d = 8, L = 4, where its four-row blocks start
    /// past row 0) against the literal transformer.
    /// </summary>
    [Test]
    public void LEARN_GRAD_Label_row_reverse_pass_past_two_layers_and_the_preconditioned_forward_at_d_8()
    {
        var batch = PromptLaw.Isotropic(2, TaskLaw.Isotropic).Draw(6, 9, 23);
        // With Q's last column free (LabelRow with a full Q) r_d ≠ 0, so Ḡ's covariate block reaches its label row and the parameters.
        foreach (var family in new[] { Parameterisation.Sparse(2, 3), Parameterisation.Gatmiry(2, 3), Parameterisation.LabelRow(2, 3, ResidualSign.Minus), Parameterisation.LabelRow(2, 4, ResidualSign.Plus, tied: true) })
        {
            Checks.Sanity(family.LabelRowOnlyP, $"{family.Name} takes the label-row path");
            var theta = Enumerable.Range(0, family.Dimension).Select(i => 0.3 * Math.Sin(1.7 * i + 0.4)).ToArray();
            LearnGradReversePass.AssertGradientMatchesFd(new IclEngine(family), theta, batch, $"{family.Name}, L = {family.Layers}");
        }

        // With r_d ≠ 0 the label slot's adjoint z̄_d changes from layer to layer, so the query gradient (linear in x_q: ŷ(x_q + e_a) − ŷ(x_q))
        // checks the z̄ recursion below the label slot too.
        var labelRow = Parameterisation.LabelRow(2, 3, ResidualSign.Minus);
        EngineEqualsLiteral.AssertQueryGradientMatchesLiteral(labelRow, Enumerable.Range(0, labelRow.Dimension).Select(i => 0.3 * Math.Sin(1.7 * i + 0.4)).ToArray(),
            batch, "label-row P, full Q, L = 3");

        const int d = 8, n = 10, loops = 4;
        var looped = Parameterisation.Gatmiry(d, loops);
        var a = Enumerable.Range(0, looped.Dimension).Select(i => 0.08 * Math.Cos(1.3 * i)).ToArray();
        EngineEqualsLiteral.AssertPredictionsMatchLiteral(looped, a, PromptLaw.Isotropic(d, TaskLaw.Isotropic).Draw(n, 9, 29), "preconditioned forward, d = 8, L = 4");
        var one = new IclEngine(looped).CreateEvaluator(a).Predict(new double[d], [1.0], Enumerable.Repeat(0.5, d).ToArray());
        Checks.True(double.IsFinite(one), "the evaluator takes a one-example prompt (n = 1)");
    }
}
