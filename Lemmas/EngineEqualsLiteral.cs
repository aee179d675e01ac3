using LoopedIcl.Numerics.Engine;

namespace LoopedIcl.Lemmas;

/// <summary>
/// FAST-PATH: the batched SIMD engine (Gram state, label-row recursion where the parameterisation allows it) predicts what the
/// literal O(n²d)-per-layer transformer predicts, prompt by prompt, for every parameterisation, in double within the
/// general-layer rounding budget (Tolerance.GeneralLayers, scaled with the trajectory's magnitude and L).
/// </summary>
[TestFixture, Category(ClaimIds.FastPath), Category(CategoryLabels.Library)]
public sealed class EngineEqualsLiteral
{
    /// <summary>FAST-PATH: engine ŷ and batch-mean loss = literal model's, 9 prompts (a full lane group and a padded one), d ≤ 5, n ≤ 16.</summary>
    [TestCase(EngineFamilies.Kind.FullUntied, DepthCaps.Dense)]
    [TestCase(EngineFamilies.Kind.FullTiedMinus, DepthCaps.Dense)]
    [TestCase(EngineFamilies.Kind.Sparse, DepthCaps.SparseForward)]
    [TestCase(EngineFamilies.Kind.SparseTiedSymmetric, DepthCaps.SparseForward)]
    [TestCase(EngineFamilies.Kind.GdPlusPlus, DepthCaps.Dense)]
    [TestCase(EngineFamilies.Kind.GatmiryLooped, DepthCaps.LoopedForward)]
    [TestCase(EngineFamilies.Kind.GatmiryLoopedSymmetricNoU, DepthCaps.LoopedForward)]
    [TestCase(EngineFamilies.Kind.GatmiryUntied, 4)]
    public void FAST_PATH_Engine_predictions_equal_literal_model(EngineFamilies.Kind kind, int maxLayers) =>
        Properties.ForAll(Cases.EngineForward(maxLayers), s =>
        {
            var (family, theta, batch) = EngineFamilies.Draw(kind, s, 9);
            AssertPredictionsMatchLiteral(family, theta, batch, s.ToString());
        });

    /// <summary>
    /// The engine's ŷ of every prompt against the literal transformer within the general-layer budget (Tolerance.GeneralLayers at the
    /// trajectory's magnitude), and its batch loss within the budget those ŷ errors imply.
    /// </summary>
    internal static void AssertPredictionsMatchLiteral(Parameterisation family, double[] theta, PromptBatch batch, string what)
    {
        var engine = new IclEngine(family);
        var yhat = new double[batch.Count];
        engine.Predict(theta, batch, yhat);
        var model = new LinearTransformer<Real>(family.ToLayers(theta), family.Sign);
        double loss = 0, budget = 0;
        for (int p = 0; p < batch.Count; p++)
        {
            var prompt = batch.ToPrompt(p);
            var literal = model.Predict(prompt).Value;
            double z = Agreement.Magnitude(model.Trajectory(Embedding.ColumnTokens(prompt)));
            double b = Tolerance.GeneralLayers(batch.N, batch.D, family.Layers, z);
            budget = Math.Max(budget, b);
            Checks.Close(yhat[p], literal, b, $"{family.Name}: ŷ of prompt {p}, {what}");
            loss += (literal - prompt.QueryTarget.Value) * (literal - prompt.QueryTarget.Value) / batch.Count;
        }
        // (ŷ − y)² moves by ≤ 2|ŷ − y|·δ + δ² when ŷ moves by δ.
        double lossBudget = 2 * Math.Sqrt(loss * batch.Count) * budget + budget * budget + Tolerance.Accumulated(batch.Count, 0, loss);
        Checks.Close(engine.Loss(theta, batch, default), loss, lossBudget, $"{family.Name}: batch loss, {what}");
    }

    /// <summary>FAST-PATH: the engine's query gradient ∂ŷ/∂x_q equals the literal model's (ŷ is linear in x_q: compared via ŷ at x_q + e_a − ŷ at x_q).</summary>
    [TestCase(EngineFamilies.Kind.FullUntied, DepthCaps.Dense)]
    [TestCase(EngineFamilies.Kind.Sparse, DepthCaps.SparseGradient)]
    [TestCase(EngineFamilies.Kind.GatmiryLooped, 8)]
    public void FAST_PATH_Engine_query_gradient_equals_literal_model(EngineFamilies.Kind kind, int maxLayers) =>
        Properties.ForAll(Cases.EngineGradient(maxLayers), s =>
        {
            var (family, theta, batch) = EngineFamilies.Draw(kind, s, 3);
            AssertQueryGradientMatchesLiteral(family, theta, batch, s.ToString());
        });

    /// <summary>The engine's ∂ŷ/∂x_q of every prompt against the literal model's ŷ(x_q + e_a) − ŷ(x_q) (ŷ is linear in x_q), within twice the general-layer budget.</summary>
    internal static void AssertQueryGradientMatchesLiteral(Parameterisation family, double[] theta, PromptBatch batch, string what)
    {
        int d = batch.D;
        var yhat = new double[batch.Count];
        var beta = new double[batch.Count * d];
        new IclEngine(family).PredictWithQueryGradient(theta, batch, yhat, beta);
        var model = new LinearTransformer<Real>(family.ToLayers(theta), family.Sign);
        for (int p = 0; p < batch.Count; p++)
        {
            var prompt = batch.ToPrompt(p);
            double z = Agreement.Magnitude(model.Trajectory(Embedding.ColumnTokens(prompt)));
            double b = 2 * Tolerance.GeneralLayers(batch.N, d, family.Layers, z + 1);
            for (int a = 0; a < d; a++)
            {
                var shifted = prompt.Query.Clone();
                shifted[a, 0] += 1;
                var moved = new Prompt<Real>(prompt.X, prompt.Y, shifted, prompt.QueryTarget, prompt.Task);
                double exact = model.Predict(moved).Value - model.Predict(prompt).Value;
                Checks.Close(beta[p * d + a], exact, b, $"{family.Name}: ∂ŷ/∂x_q[{a}] of prompt {p}, {what}");
            }
        }
    }

    /// <summary>FAST-PATH negative control: the engine with the wrong residual sign disagrees with the literal model.</summary>
    [Test]
    public void FAST_PATH_Negative_control_engine_with_the_wrong_sign() =>
        Properties.ExpectFailureOnEveryCase(Cases.FiniteDifferences, s =>
        {
            var (family, theta, batch) = EngineFamilies.Draw(EngineFamilies.Kind.GatmiryLooped, s, 1);
            var yhat = new double[1];
            new IclEngine(family).Predict(theta, batch, yhat);
            var literal = new LinearTransformer<Real>(family.ToLayers(theta), ResidualSign.Plus).Predict(batch.ToPrompt(0)).Value;
            Checks.Close(yhat[0], literal, 1e-9, $"engine (− residual) vs literal with + residual, {s}");
        }, "engine with the wrong residual sign");

    /// <summary>FAST-PATH: a batch's first m context examples taken by block copies equal the batch rebuilt prompt by prompt (bitwise).</summary>
    [Test]
    public void FAST_PATH_First_examples_of_a_batch_equal_the_prompt_by_prompt_rebuild() =>
        Properties.ForAll(Cases.BatchPrefix, s =>
        {
            var law = new PromptLaw(Sigmas.Random(s.D, s.Kappa, s.Seed), TaskLaw.InverseCovariance, 0.1);
            int count = 1 + (int)((uint)s.Seed % 21), m = 1 + (int)((uint)s.Seed % (uint)s.N); // counts off the lane width too
            var batch = law.Draw(s.N, count, s.Stream);
            var blocks = batch.FirstExamples(m);
            var rebuilt = PromptBatch.FromPrompts(law, Enumerable.Range(0, count).Select(i =>
            {
                var p = batch.ToPrompt(i);
                return new Prompt<Real>(Mat<Real>.Build(m, p.D, (r, k) => p.X[r, k]), Mat<Real>.Build(m, 1, (r, _) => p.Y[r, 0]), p.Query, p.QueryTarget, p.Task);
            }).ToArray());
            Checks.True(blocks.N == m && blocks.Count == count, $"shape n = {blocks.N}, count = {blocks.Count}, {s}");
            Checks.True(blocks.X.SequenceEqual(rebuilt.X) && blocks.Y.SequenceEqual(rebuilt.Y) && blocks.Query.SequenceEqual(rebuilt.Query)
                        && blocks.Target.SequenceEqual(rebuilt.Target) && blocks.Task.SequenceEqual(rebuilt.Task), $"first {m} of {s.N} examples, {count} prompts: bitwise equal, {s}", CheckKind.Identity);
            Refusals.Rejects(() => batch.FirstExamples(s.N + 1), "n", $"n must be in [1, {s.N}] (the batch's context size), got {s.N + 1}.");
            Refusals.Rejects(() => batch.FirstExamples(0), "n", $"n must be in [1, {s.N}]");
        });
}
