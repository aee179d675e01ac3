using static LoopedIcl.TestSupport.Refusals;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Models;
using LoopedIcl.Numerics.Prompts;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// FAST-PATH (library level): the batched sampler against the prompt law's definition. Lane group g of a batch is stream (seed, g) of
/// <see cref="LaneNormals"/>, read in a fixed order — the task's d normals, then per example its d normals (and its noise normal when
/// σ &gt; 0), then the query's d — and turned into the law's variables: x = Rg (RRᵀ = Σ), w* = z, R⁻ᵀz or z/‖z‖ by the task law,
/// y = ⟨w*, x⟩ + σε, y_q = ⟨w*, x_q⟩; lanes past the count are zero. Each value is recomputed here in scalar arithmetic from the same
/// normals, within its own rounding budget (a sum of m products is within m·2⁻⁵³·Σ|terms| of the exact sum, each side). Then the
/// batch's accessors, its refusals, the two-thread draw, and the in-context loss's draw/redraw.
/// </summary>
[TestFixture, Category(ClaimIds.FastPath), Category(CategoryLabels.Library)]
public sealed class LibraryPromptBatch
{
    private const int Lanes = PromptBatch.Lanes;

    /// <summary>R lower triangular with dyadic entries, so Σ = RRᵀ is exact and its Cholesky factor is R itself.</summary>
    private static readonly double[,] R = { { 1.5, 0, 0 }, { 0.5, 2, 0 }, { -0.25, 0.5, 1.25 } };

    private static Matrix<double> Sigma()
    {
        var r = Matrix<double>.Build.DenseOfArray(R);
        return r * r.Transpose();
    }

    /// <summary>Σ_b a_b·v_b and its rounding budget: terms m, the budget m·2⁻⁵³·Σ|a_b v_b| per side (the batch's FMA chain and this sum).</summary>
    private static (double Value, double Budget) Dot(IReadOnlyList<double> a, IReadOnlyList<double> v)
    {
        double s = 0, abs = 0;
        for (int b = 0; b < a.Count; b++) { s += a[b] * v[b]; abs += Math.Abs(a[b] * v[b]); }
        return (s, 2 * a.Count * Math.Pow(2, -53) * abs + double.Epsilon);
    }

    [Test]
    public void FAST_PATH_Batch_sampler_follows_the_law_from_its_normals()
    {
        const int d = 3, n = 4, count = 19;   // three groups, the last with 3 prompts
        var sigma = Sigma();
        foreach (var (task, noise) in new[] { (TaskLaw.InverseCovariance, 0.0), (TaskLaw.Isotropic, 0.5), (TaskLaw.UnitSphere, 0.0), (TaskLaw.InverseCovariance, 0.25) })
        {
            var law = new PromptLaw(sigma, task, noise);
            Checks.True(!law.IsIdentity && law.Chol!.SequenceEqual(R.Cast<double>()), $"{task}: the Cholesky factor of Σ = RRᵀ is R", CheckKind.Identity);
            const ulong seed = 77;
            var batch = law.Draw(n, count, seed);
            Checks.True(batch.Groups == 3 && batch.X.Length == 3 * n * d * Lanes && batch.Target.Length == 3 * Lanes, "19 prompts: 3 lane groups");
            double worst = 0;
            for (int g = 0; g < batch.Groups; g++)
            {
                // The stream of group g, read in the sampler's order.
                var rng = new LaneNormals(seed, (ulong)g);
                var z = new double[d * Lanes];
                rng.Fill(z);
                var xs = new double[n][];
                var eps = new double[n][];
                for (int i = 0; i < n; i++)
                {
                    xs[i] = new double[d * Lanes];
                    rng.Fill(xs[i]);
                    if (noise > 0) { eps[i] = new double[Lanes]; rng.Fill(eps[i]); }
                }
                var qz = new double[d * Lanes];
                rng.Fill(qz);
                for (int k = 0; k < Lanes; k++)
                {
                    bool valid = g * Lanes + k < count;
                    double[] Col(double[] v) => Enumerable.Range(0, d).Select(a => v[a * Lanes + k]).ToArray();
                    var gz = Col(z);
                    // w*: z, R⁻ᵀz (solved here by back substitution on Rᵀ), or z/‖z‖.
                    var w = new double[d];
                    var wBudget = new double[d];
                    switch (task)
                    {
                        case TaskLaw.Isotropic: gz.CopyTo(w, 0); break;
                        case TaskLaw.UnitSphere:
                            double norm = Math.Sqrt(gz.Sum(v => v * v));
                            for (int a = 0; a < d; a++) { w[a] = gz[a] / norm; wBudget[a] = 8 * Math.Pow(2, -53) * Math.Abs(w[a]); }
                            break;
                        default:
                            for (int a = d - 1; a >= 0; a--)
                            {
                                double s = gz[a];
                                for (int b = a + 1; b < d; b++) s -= R[b, a] * w[b];
                                w[a] = s / R[a, a];
                                wBudget[a] = 16 * Math.Pow(2, -53) * (Math.Abs(gz[a]) + Enumerable.Range(a + 1, d - a - 1).Sum(b => Math.Abs(R[b, a] * w[b]))) / R[a, a];
                            }
                            break;
                    }
                    for (int a = 0; a < d; a++) Compare(batch.Task[(g * d + a) * Lanes + k], valid, w[a], wBudget[a], $"{task}: w*[{a}] of group {g} lane {k}");
                    for (int i = 0; i < n; i++)
                    {
                        var x = new double[d];
                        for (int a = 0; a < d; a++)
                        {
                            var (v, budget) = Dot(Enumerable.Range(0, a + 1).Select(b => R[a, b]).ToArray(), Col(xs[i]).Take(a + 1).ToArray());
                            x[a] = v;
                            Compare(batch.X[((g * n + i) * d + a) * Lanes + k], valid, v, budget, $"{task}: x_{i}[{a}] = (Rg)[{a}], group {g} lane {k}");
                        }
                        var (y, yBudget) = Dot(w, x);
                        if (noise > 0) y += noise * eps[i][k];
                        double propagated = yBudget + Enumerable.Range(0, d).Sum(a => Math.Abs(x[a]) * wBudget[a] + Math.Abs(w[a]) * 4 * Math.Pow(2, -53) * Math.Abs(x[a])) + 2 * Math.Pow(2, -53) * Math.Abs(y);
                        Compare(batch.Y[(g * n + i) * Lanes + k], valid, y, propagated, $"{task}, σ = {noise}: y_{i} = ⟨w*, x⟩ + σε, group {g} lane {k}");
                    }
                    var q = new double[d];
                    for (int a = 0; a < d; a++)
                    {
                        var (v, budget) = Dot(Enumerable.Range(0, a + 1).Select(b => R[a, b]).ToArray(), Col(qz).Take(a + 1).ToArray());
                        q[a] = v;
                        Compare(batch.Query[(g * d + a) * Lanes + k], valid, v, budget, $"{task}: x_q[{a}], group {g} lane {k}");
                    }
                    var (target, tBudget) = Dot(w, q);
                    tBudget += Enumerable.Range(0, d).Sum(a => Math.Abs(q[a]) * wBudget[a] + Math.Abs(w[a]) * 4 * Math.Pow(2, -53) * Math.Abs(q[a]));
                    Compare(batch.Target[g * Lanes + k], valid, target, tBudget, $"{task}: y_q = ⟨w*, x_q⟩ (noise-free), group {g} lane {k}");
                }
            }
            TestContext.Out.WriteLine($"{task}, σ = {noise}: worst |batch − definition| / budget = {worst:G3}");

            void Compare(double actual, bool valid, double expected, double budget, string what)
            {
                if (!valid) { Checks.True(actual == 0, $"{what}: a lane past the count is 0 (got {actual})", CheckKind.Identity); return; }
                double error = Math.Abs(actual - expected);
                if (budget > 0) worst = Math.Max(worst, error / budget);
                if (budget == 0) Checks.True(actual == expected, $"{what}: a copy, exact ({actual} vs {expected})", CheckKind.Identity);
                else Checks.AtMost(error, budget, what, CheckKind.Identity);
            }
        }

        // Negative control: the isotropic law's x (no R) against this definition fails the x check.
        var plain = PromptLaw.Isotropic(d, TaskLaw.Isotropic).Draw(n, count, 77);
        var stream = new LaneNormals(77, 0);
        var skip = new double[d * Lanes];
        stream.Fill(skip);
        var g0 = new double[d * Lanes];
        stream.Fill(g0);
        var (rg, rgBudget) = Dot([R[0, 0]], [g0[0]]);
        Checks.True(plain.X[0] == g0[0], "Σ = I: x is the normal itself", CheckKind.Identity);
        Checks.Exceeds(Math.Abs(plain.X[0] - rg) / rgBudget, 1, "Σ = I's x against x = Rg at R₀₀ = 1.5, in budgets");
        ClaimLedger.RecordNegativeControl("an uncorrelated draw fails the x = Rg check");
        Checks.True(PromptLaw.Isotropic(d, TaskLaw.Isotropic).IsIdentity && PromptLaw.Isotropic(d, TaskLaw.Isotropic).Chol is null, "Σ = I: no factor (the product is skipped)");
        var inverse = PromptLaw.Isotropic(d, TaskLaw.InverseCovariance).Draw(n, count, 78);
        var firstNormals = new double[d * Lanes];
        new LaneNormals(78, 0).Fill(firstNormals);
        Checks.True(inverse.Task.AsSpan(0, d * Lanes).SequenceEqual(firstNormals), "Σ = I, w* ~ N(0, Σ⁻¹): the task is the group's first normals (no factor)", CheckKind.Identity);
        Checks.True(Math.Abs((Matrix<double>.Build.DenseOfRowMajor(d, d, new PromptLaw(sigma, TaskLaw.Isotropic).CholInvT!) * Matrix<double>.Build.DenseOfArray(R).Transpose()
                              - Matrix<double>.Build.DenseIdentity(d)).FrobeniusNorm()) < 1e-15, "R⁻ᵀ·Rᵀ = I");
    }

    [Test]
    public void FAST_PATH_Batch_accessors_threads_and_refusals()
    {
        const int d = 2, n = 3;
        var law = new PromptLaw(Matrix<double>.Build.DenseOfArray(new double[,] { { 2, 0.5 }, { 0.5, 1 } }), TaskLaw.InverseCovariance, 0.1);
        Checks.True(law.Draw(n, 16, 1).Groups == 2 && law.Draw(n, 17, 1).Groups == 3 && law.Draw(n, 1, 1).Groups == 1, "⌈count/8⌉ lane groups", CheckKind.Identity);

        // Two threads (≥ 16 groups) draw the same numbers as one; a window at group 5 holds prompts 40… of the long draw.
        var serial = law.Draw(n, 8 * 17 + 3, 9);
        var parallel = law.Draw(n, 8 * 17 + 3, 9, threads: 2);
        Checks.True(serial.X.SequenceEqual(parallel.X) && serial.Y.SequenceEqual(parallel.Y) && serial.Target.SequenceEqual(parallel.Target) && serial.Task.SequenceEqual(parallel.Task),
            "two threads draw the same batch", CheckKind.Identity);
        var redrawn = law.Draw(n, 8 * 17 + 3, 4);
        law.Redraw(redrawn, 9, threads: 2);
        Checks.True(redrawn.X.SequenceEqual(serial.X) && redrawn.Seed == 9, "a redraw in place at seed 9 is Draw(seed 9)", CheckKind.Identity);
        var window = law.Draw(n, 8, 0);
        law.RedrawAt(window, 9, 5);
        Checks.True(window.X.SequenceEqual(serial.X.AsSpan(5 * n * d * Lanes, n * d * Lanes).ToArray()) && window.Target.SequenceEqual(serial.Target.AsSpan(5 * Lanes, Lanes).ToArray()),
            "the window at group 5 is group 5 of the long draw", CheckKind.Identity);
        law.RedrawAt(window, 9, 0);
        Checks.True(window.Target.SequenceEqual(serial.Target.AsSpan(0, Lanes).ToArray()), "the window at group 0 is group 0", CheckKind.Identity);

        // CopyPrompt and ToPrompt read prompt 8g + k from the lane layout.
        var x = new double[n * d];
        var y = new double[n];
        var query = new double[d];
        foreach (int index in new[] { 0, 13, 8 * 17 + 2 })
        {
            int g = index / Lanes, k = index % Lanes;
            double target = serial.CopyPrompt(index, x, y, query);
            var prompt = serial.ToPrompt(index);
            bool same = target == serial.Target[g * Lanes + k] && prompt.QueryTarget.Value == target;
            for (int i = 0; i < n; i++)
            {
                same &= y[i] == serial.Y[(g * n + i) * Lanes + k] && prompt.Y[i, 0].Value == y[i];
                for (int a = 0; a < d; a++) same &= x[i * d + a] == serial.X[((g * n + i) * d + a) * Lanes + k] && prompt.X[i, a].Value == x[i * d + a];
            }
            for (int a = 0; a < d; a++) same &= query[a] == serial.Query[(g * d + a) * Lanes + k] && prompt.Query[a, 0].Value == query[a] && prompt.Task[a, 0].Value == serial.Task[(g * d + a) * Lanes + k];
            Checks.True(same, $"prompt {index} (group {g}, lane {k}): copied and converted from its lane", CheckKind.Identity);
        }
        var rebuilt = PromptBatch.FromPrompts(law, [serial.ToPrompt(13), serial.ToPrompt(2)]);
        Checks.True(rebuilt.Count == 2 && rebuilt.ToPrompt(0).X.ExactlyEquals(serial.ToPrompt(13).X) && rebuilt.Target[1] == serial.Target[2] && rebuilt.Target[2] == 0,
            "FromPrompts packs the prompts in order and zeroes the rest", CheckKind.Identity);

        Rejects(() => serial.CopyPrompt(serial.Count, x, y, query), "index", $"[0, {serial.Count})");
        Rejects(() => serial.CopyPrompt(-1, x, y, query), "index");
        Rejects(() => serial.CopyPrompt(0, new double[n * d + 1], y, query), "x");
        Rejects(() => serial.CopyPrompt(0, x, new double[n - 1], query), "y");
        Rejects(() => serial.CopyPrompt(0, x, y, new double[d + 1]), "query");
        Rejects(() => serial.ToPrompt(serial.Count), "index", $"[0, {serial.Count})");
        Rejects(() => PromptBatch.FromPrompts(null!, [serial.ToPrompt(0)]), "law");
        Rejects(() => PromptBatch.FromPrompts(law, null!), "prompts");
        Rejects(() => PromptBatch.FromPrompts(law, []), "prompts.Count");
        Rejects(() => PromptBatch.FromPrompts(PromptLaw.Isotropic(3, TaskLaw.Isotropic), [serial.ToPrompt(0)]), "prompts", "prompts have d = 2, the law d = 3");
        Rejects(() => PromptBatch.FromPrompts(law, [serial.ToPrompt(0), law.Draw(n + 1, 1, 0).ToPrompt(0)]), "prompts[1].X");
        Rejects(() => _ = new PromptLaw(null!, TaskLaw.Isotropic), "sigma");
        Rejects(() => law.Draw(n, 4, 0, threads: 0), "threads");
        Rejects(() => law.Redraw(null!, 0), "batch");
        Rejects(() => law.Redraw(serial, 0, threads: 0), "threads");
        Rejects(() => law.Redraw(PromptLaw.Isotropic(d, TaskLaw.Isotropic).Draw(n, 8, 0), 0), "batch", "drawn from this law");
        Rejects(() => law.RedrawAt(null!, 0, 0), "batch");
        Rejects(() => law.RedrawAt(PromptLaw.Isotropic(d, TaskLaw.Isotropic).Draw(n, 8, 0), 0, 0), "batch", "drawn from this law");
        Rejects(() => law.RedrawAt(window, 0, -1), "firstGroup", "≥ 0");
    }

    [Test]
    public void FAST_PATH_In_context_loss_draws_redraws_in_place_and_evaluates_the_engine()
    {
        const int d = 2, n = 5;
        var family = Parameterisation.Sparse(d, 2);
        var engine = new IclEngine(family);
        var law = PromptLaw.Isotropic(d, TaskLaw.Isotropic);
        var loss = new InContextLoss(engine, law, n);
        Checks.True(loss.Dimension == family.Dimension && loss.ContextSize == n && ReferenceEquals(loss.Law, law), "the loss keeps its engine's θ length, n and law");
        var drawn = loss.Draw(20, 3);
        var expected = law.Draw(n, 20, 3);
        Checks.True(drawn.N == n && drawn.X.SequenceEqual(expected.X) && drawn.Target.SequenceEqual(expected.Target), "Draw is the law's draw at n", CheckKind.Identity);
        var again = loss.Redraw(drawn, 20, 4);
        Checks.True(ReferenceEquals(again, drawn) && drawn.X.SequenceEqual(law.Draw(n, 20, 4).X), "same law, n and count: refilled in place with the new seed's prompts", CheckKind.Identity);
        var otherN = law.Draw(n + 1, 20, 0);
        var otherLaw = PromptLaw.Isotropic(d, TaskLaw.Isotropic).Draw(n, 20, 0);
        foreach (var (previous, why) in new[] { (law.Draw(n, 12, 0), "another count"), (otherN, "another n"), (otherLaw, "another law"), (null!, "none") })
        {
            var fresh = loss.Redraw(previous, 20, 4);
            Checks.True(!ReferenceEquals(fresh, previous) && fresh.Count == 20 && fresh.N == n && fresh.X.SequenceEqual(drawn.X), $"{why}: a fresh draw, the same prompts", CheckKind.Identity);
        }
        Checks.True(otherN.N == n + 1 && otherN.Seed == 0 && otherLaw.Seed == 0, "the previous batches are left alone");
        double[] theta = [0.3, -0.1, 0.2, 0.4, 0.5, 0, 0.1, 0.2];
        var gradient = new double[family.Dimension];
        var reference = new double[family.Dimension];
        Checks.True(loss.Evaluate(theta, drawn, gradient) == engine.Loss(theta, drawn, reference) && gradient.SequenceEqual(reference), "Evaluate is the engine's loss and gradient", CheckKind.Identity);
        Rejects(() => _ = new InContextLoss(null!, law, n), "engine");
        Rejects(() => _ = new InContextLoss(engine, null!, n), "law");
        Rejects(() => _ = new InContextLoss(engine, law, 0), "n");
        Rejects(() => _ = new InContextLoss(engine, PromptLaw.Isotropic(d + 1, TaskLaw.Isotropic), n), "law", "law has d = 3, the engine d = 2");

        // The attention factory: each kind's engine; predictions through either engine; refusals.
        Checks.True(AttentionModels.Create(AttentionKind.Linear, family, 2) is IclEngine { Threads: 2 }
                    && AttentionModels.Create(AttentionKind.Softmax, family) is NonLinearAttentionEngine { Activation: ScoreActivation.Softmax }
                    && AttentionModels.Create(AttentionKind.Relu, family) is NonLinearAttentionEngine { Activation: ScoreActivation.Relu }, "one engine per attention kind");
        var softmax = AttentionModels.Create(AttentionKind.Softmax, Parameterisation.Full(d, 1));
        var fullTheta = Enumerable.Range(0, softmax.Family.Dimension).Select(i => 0.05 * ((i % 5) - 2)).ToArray();
        var viaFactory = new double[drawn.Count];
        var direct = new double[drawn.Count];
        AttentionModels.Predict(softmax, fullTheta, drawn, viaFactory);
        ((NonLinearAttentionEngine)softmax).Predict(fullTheta, drawn, direct);
        Checks.True(viaFactory.SequenceEqual(direct) && direct.Any(v => v != 0), "Predict dispatches to the softmax engine", CheckKind.Identity);
        Rejects(() => AttentionModels.Create((AttentionKind)7, family), "kind", "must be a defined AttentionKind (got 7)");
        Rejects(() => AttentionModels.Predict(null!, theta, drawn, direct), "model", "must be an IclEngine or a NonLinearAttentionEngine (got null)");
        Rejects(() => AttentionModels.Predict(new ForeignModel(family), theta, drawn, direct), "model", "(got ForeignModel)");

        // Single prompts: prompt 0 of the stream, and from a Random its next 64-bit value as the stream.
        var sampleLaw = PromptLaw.Isotropic(2, TaskLaw.Isotropic);
        static double[] Values(Prompt<Real> p) =>
            [.. Enumerable.Range(0, p.N * p.D).Select(k => p.X[k / p.D, k % p.D].Value), .. Enumerable.Range(0, p.N).Select(i => p.Y[i, 0].Value),
             .. Enumerable.Range(0, p.D).Select(a => p.Query[a, 0].Value), p.QueryTarget.Value];
        Checks.True(Values(sampleLaw.Sample(4, 99UL)).SequenceEqual(Values(sampleLaw.Draw(4, 1, 99).ToPrompt(0))), "Sample(n, seed) is prompt 0 of Draw(n, 1, seed)", CheckKind.Identity);
        ulong next = unchecked((ulong)new Random(5).NextInt64());
        Checks.True(Values(sampleLaw.Sample(4, new Random(5))).SequenceEqual(Values(sampleLaw.Sample(4, next))) && !Values(sampleLaw.Sample(4, next)).SequenceEqual(Values(sampleLaw.Sample(4, 99UL))),
            "Sample(n, rng) uses the rng's next value as the seed (and another seed gives another prompt)", CheckKind.Identity);
        Assert.Throws<ArgumentNullException>(() => PromptLawSamples.Sample(null!, 4, 1UL));
        Assert.Throws<ArgumentNullException>(() => sampleLaw.Sample(4, (Random)null!));
        Rejects(() => sampleLaw.Sample(0, new Random(5)), "n");
        Assert.Throws<ArgumentNullException>(() => PromptBatches.FirstExamples(null!, 1));
    }

    /// <summary>A model of neither engine: the factory's Predict must refuse it by its type's name.</summary>
    private sealed class ForeignModel(Parameterisation family) : IInContextModel
    {
        public Parameterisation Family => family;
        public int Threads => 1;
        public double Loss(ReadOnlySpan<double> theta, PromptBatch batch, Span<double> gradient) => 0;
    }
}
