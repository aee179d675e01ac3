using static LoopedIcl.TestSupport.Refusals;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Optimization;
using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Training;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// LEARN (library level): the measuring tools of Numerics/Training against their definitions — the learned-matrix metrics and the
/// alignment metrics on matrices and vectors worked by hand, least squares against the pseudo-inverse (and against w* itself on
/// realizable prompts), group-mean errors and t half-widths from their formulas, a linear restriction's chain rule, gradient flow against
/// the closed-form flow of a quadratic and of the one-step scalar line, and a learning setup's per-prompt errors and re-binding.
/// </summary>
[TestFixture, Category(ClaimIds.LearnAlign), Category(CategoryLabels.Library)]
public sealed class LibraryTraining
{
    private static Matrix<double> D(double[,] a) => Matrix<double>.Build.DenseOfArray(a);

    [Test]
    public void LEARN_ALIGN_Learned_matrix_and_alignment_metrics_by_hand()
    {
        Checks.Close(LearnedMetrics.DistToIdentity(D(new double[,] { { 1, 0 }, { 0, -1 } })), 1, 1e-15, "Dist of a traceless matrix is 1");
        Checks.Close(LearnedMetrics.DistToIdentity(D(new double[,] { { 3, 0 }, { 0, 3 } })), 0, 1e-15, "Dist of 3I is 0");
        Checks.Close(LearnedMetrics.DistToIdentity(D(new double[,] { { 2, 1 }, { 0, 2 } })), 1 / 3.0, 1e-15, "Dist of [[2,1],[0,2]] = ‖[[0,1],[0,0]]‖/‖M‖ = 1/3");
        Checks.Close(LearnedMetrics.DistToIdentity(D(new double[,] { { 4, 0 }, { 0, 0 } })), Math.Sqrt(8) / 4, 1e-15, "Dist of diag(4, 0) = ‖diag(2, −2)‖/4");
        var whitened = LearnedMetrics.Whitened(D(new double[,] { { 1, 2 }, { 3, 4 } }), D(new double[,] { { 4, 0 }, { 0, 9 } }));
        Checks.Close((whitened - D(new double[,] { { 4, 12 }, { 18, 36 } })).FrobeniusNorm(), 0, 1e-13, "Σ^½MΣ^½ at Σ = diag(4, 9)");
        Checks.True(LearnedMetrics.Scalar(D(new double[,] { { 1, 5 }, { 7, 3 } })) == 2, "the scalar is tr M/d = 2", CheckKind.Identity);
        Checks.Close(LearnedMetrics.SkewFraction(D(new double[,] { { 0, 1 }, { -1, 0 } })), 1, 1e-15, "a skew matrix is all skew");
        Checks.Close(LearnedMetrics.SkewFraction(D(new double[,] { { 1, 2 }, { 0, 1 } })), Math.Sqrt(2.0 / 6), 1e-15, "skew part [[0,1],[−1,0]]: √2/√6");
        Checks.Close(LearnedMetrics.Cosine([1.0, 0], [1.0, 1]), Math.Sqrt(0.5), 1e-15, "cos((1,0),(1,1)) = 1/√2");
        Checks.Close(LearnedMetrics.Cosine([1.0, 2], [-2.0, -4]), -1, 1e-15, "opposite vectors: −1");
        Checks.Close(LearnedMetrics.RelativeDistance([1.0, 1], [1.0, 0]), 1, 1e-15, "‖(0, 1)‖/‖(1, 0)‖ = 1");
        Checks.Close(LearnedMetrics.RelativeDistance([3.0, 4], [0.0, 2]), Math.Sqrt(13) / 2, 1e-15, "‖(3, 2)‖/‖(0, 2)‖");
        var block = LearnedMetrics.Block([0.0, 1, 2, 3, 4, 5, 6, 7, 8], 1, 2);
        Checks.True(block.Equals(D(new double[,] { { 1, 2 }, { 3, 4 } })), "the d×d block of θ from offset 1, row-major", CheckKind.Identity);
        Checks.True(LearnedMetrics.Block([0.0, 1, 2, 3, 4], 1, 2).Equals(D(new double[,] { { 1, 2 }, { 3, 4 } })), "a block may end at θ's last entry", CheckKind.Identity);
        Rejects(() => LearnedMetrics.Block([0.0, 1, 2, 3], 1, 2), "offset");
        Rejects(() => LearnedMetrics.Block([0.0, 1, 2, 3], -1, 1), "offset");
        Rejects(() => LearnedMetrics.DistToIdentity(D(new double[,] { { 0, 0 }, { 0, 0 } })), "m");
        Rejects(() => LearnedMetrics.DistToIdentity(D(new double[,] { { 1, 0, 0 } })), "m");
        Rejects(() => LearnedMetrics.SkewFraction(D(new double[,] { { 0 } })), "a");
        Rejects(() => LearnedMetrics.Cosine([0.0, 0], [1.0, 1]), "u");
        Rejects(() => LearnedMetrics.Cosine([1.0, 1], [0.0, 0]), "u");
        Rejects(() => LearnedMetrics.Cosine([1.0, 1], [1.0]), "v");
        Rejects(() => LearnedMetrics.RelativeDistance([1.0, 1], [0.0, 0]), "reference");
        Rejects(() => LearnedMetrics.RelativeDistance([1.0], [1.0, 0]), "u");

        var m = Alignment.Measure(2, [1.0, 0], [3.0, 4, 0, 0], [1.0, 1], [3.0, 4, 0, 1]);
        Checks.True(m.InputScale == 2, "the input scale is kept");
        Checks.Close(m.PredictionCosine, Math.Sqrt(0.5), 1e-15, "prediction cosine");
        Checks.Close(m.PredictionRelativeL2, 1 / Math.Sqrt(2), 1e-15, "prediction relative L2 ‖(0, −1)‖/‖(1, 1)‖");
        Checks.Close(m.GradientCosine, 25 / (5 * Math.Sqrt(26)), 1e-15, "gradient cosine 25/(5√26)");
        Checks.Close(m.GradientRelativeL2, 1 / Math.Sqrt(26), 1e-15, "gradient relative L2 1/√26");

        var x = Mat<Real>.Build(3, 2, (i, j) => (Real)(i - j + 0.5));
        var p = Prompt<Real>.Realizable(x, Mat<Real>.Build(2, 1, (i, _) => (Real)(i + 1.0)), Mat<Real>.Build(2, 1, (i, _) => (Real)(2.0 - 3 * i)));
        var scaled = Alignment.Scaled(p, 2);
        Checks.True(scaled.X.ExactlyEquals(new Real(2) * p.X) && scaled.Query.ExactlyEquals(new Real(2) * p.Query) && scaled.Task.ExactlyEquals(p.Task)
                    && scaled.Y.ExactlyEquals(new Real(2) * p.Y) && scaled.QueryTarget.Value == 2 * p.QueryTarget.Value,
            "x → 2x: covariates and query doubled, labels 2Xw* recomputed, w* kept", CheckKind.Identity);
        Checks.True(ReferenceEquals(Alignment.Scaled(p, 1), p), "c = 1 is the prompt itself");
    }

    [Test]
    public void LEARN_ALIGN_Least_squares_baseline_is_the_pseudo_inverse()
    {
        foreach (var (d, n) in new[] { (3, 8), (4, 2) })
        {
            var law = PromptLaw.Isotropic(d, TaskLaw.Isotropic);
            var batch = law.Draw(n, 11, 42);
            var yhat = Baselines.LeastSquaresPredictions(batch);
            var errors = Baselines.LeastSquaresErrors(batch, 5);
            Checks.True(yhat.Length == 11 && errors.Length == 5, "all prompts by default, the first count on request");
            for (int i = 0; i < 11; i++)
            {
                var prompt = batch.ToPrompt(i);
                var xm = Matrix<double>.Build.Dense(n, d, (r, c) => prompt.X[r, c].Value);
                var y = Vector<double>.Build.Dense(n, r => prompt.Y[r, 0].Value);
                var q = Vector<double>.Build.Dense(d, c => prompt.Query[c, 0].Value);
                double expected = q * (xm.PseudoInverse() * y);
                Checks.Close(yhat[i], expected, 1e-10 * Math.Max(1, Math.Abs(expected)), $"d={d} n={n} prompt {i}: ŷ = ⟨x_q, X⁺y⟩");
                if (n >= d) Checks.Close(yhat[i], batch.Target[i], 1e-10 * Math.Max(1, Math.Abs(batch.Target[i])), $"d={d} n={n} prompt {i}: noise-free labels with n ≥ d give ŷ = y_q");
                if (i < 5) Checks.Close(errors[i], (yhat[i] - batch.Target[i]) * (yhat[i] - batch.Target[i]), 1e-15 * Math.Max(1, errors[i]), $"prompt {i}: error (ŷ − y_q)²");
            }
            Checks.True(n >= d || errors.Any(e => e > 1e-6), $"d={d} n={n}: fewer examples than dimensions leave an error");
            Rejects(() => Baselines.LeastSquaresPredictions(batch, 0), "count");
            Rejects(() => Baselines.LeastSquaresPredictions(batch, 12), "count");
        }
        Rejects(() => Baselines.LeastSquaresPredictions(null!), "batch");
    }

    [Test]
    public void LEARN_ALIGN_Group_means_and_t_half_widths_by_formula()
    {
        double[] values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var est = LossEstimates.GroupMeans(values, 3);   // groups [0, 3), [3, 6), [6, 10): means 2, 5, 8.5
        double mean = (2 + 5 + 8.5) / 3, s2 = (Math.Pow(2 - mean, 2) + Math.Pow(5 - mean, 2) + Math.Pow(8.5 - mean, 2)) / 2;
        Checks.Close(est.Mean, mean, 1e-15, "the mean of the group means 2, 5, 8.5");
        Checks.Close(est.StandardError, Math.Sqrt(s2 / 3), 1e-15, "the SE of the three group means");
        Checks.True(est.Count == 3, "Count = groups");
        var all = LossEstimates.GroupMeans(values, 10);
        Checks.Close(all.Mean, 5.5, 1e-15, "ten groups of one: the plain mean");
        // Closed forms of Student's t quantile: ν = 2, t = (2p − 1)/√(2p(1 − p)); ν = 1 (Cauchy), t = tan(π(p − ½)). MathNet inverts the CDF
        // numerically (to ~1e-10 relative here), hence the tolerance.
        double t2 = (2 * 0.975 - 1) / Math.Sqrt(2 * 0.975 * 0.025);
        Checks.Close(LossEstimates.HalfWidth(est, 0.05), t2 * est.StandardError, 1e-9 * t2 * est.StandardError, "t₂(0.975)·SE = 4.3027·SE");
        Checks.Close(LossEstimates.HalfWidth(new Numerics.Statistics.Estimate(0, 1, 2), 0.1), Math.Tan(Math.PI * 0.45), 1e-9 * Math.Tan(Math.PI * 0.45), "t₁(0.95) = tan(0.45π)");
        Checks.Close(LossEstimates.LargestShare([1.0, 2, 3, 4]), 0.4, 1e-15, "largest share 4/10");
        Checks.True(LossEstimates.LargestShare([0.0, 0]) == 0, "an all-zero sample has share 0");
        Rejects(() => LossEstimates.GroupMeans(values, 1), "groups");
        Rejects(() => LossEstimates.GroupMeans(values, 11), "groups");
        Rejects(() => LossEstimates.GroupMeans([1.0, double.NaN, 3], 2), "values");
        Rejects(() => LossEstimates.GroupMeans(null!, 2), "values");
        Rejects(() => LossEstimates.HalfWidth(est, 0), "falseAlarm");
        Rejects(() => LossEstimates.HalfWidth(est, 1), "falseAlarm");
        Rejects(() => LossEstimates.HalfWidth(new Numerics.Statistics.Estimate(0, 1, 1), 0.05), "estimate");
    }

    [Test]
    public void LEARN_ALIGN_Linear_restriction_is_the_chain_rule()
    {
        // f(θ) = Σ c_i θ_i² with ∇f = 2cθ, restricted to θ = φ₀v₀ + φ₁v₁.
        double[] c = [1, 2, 3, 4];
        var inner = new DeterministicBatches(new DelegateObjective(4, t => (t.Select((v, i) => c[i] * v * v).Sum(), t.Select((v, i) => 2 * c[i] * v).ToArray())));
        double[][] directions = [[1, 0, 1, 0], [0, 1, 0, -1]];
        var restricted = new LinearRestriction<int>(inner, directions);
        double[] phi = [2, 3];
        var theta = restricted.Expand(phi);
        Checks.True(theta.SequenceEqual([2.0, 3, 2, -3]), $"θ = 2v₀ + 3v₁ = (2, 3, 2, −3) (got {string.Join(", ", theta)})", CheckKind.Identity);
        var g = new double[2];
        double value = restricted.Evaluate(phi, restricted.Draw(1, 0), g);
        Checks.True(value == 4 + 18 + 12 + 36, $"f(θ) = 70 (got {value})", CheckKind.Identity);
        Checks.True(g[0] == 4 + 12 && g[1] == 12 - (-24), $"∂f/∂φ = (⟨∇f, v₀⟩, ⟨∇f, v₁⟩) = (16, 36) (got {g[0]}, {g[1]})", CheckKind.Identity);
        Checks.True(restricted.Evaluate(phi, 0, []) == 70 && restricted.Dimension == 2 && restricted.Redraw(5, 7, 1) == 7, "value without a gradient; dimension; batches pass through");
        directions[0][0] = 100;   // the restriction keeps its own copy
        Checks.True(restricted.Expand(phi)[0] == 2, "the directions are copied");

        var cm = D(new double[,] { { 1, 2 }, { 3, 4 } });
        var blocks = LinearRestriction<int>.PerLayerBlocks(2, cm);
        Checks.True(blocks.Length == 2 && blocks[0].SequenceEqual([1.0, 2, 3, 4, 0, 0, 0, 0]) && blocks[1].SequenceEqual([0.0, 0, 0, 0, 1, 2, 3, 4]), "layer l's block = C, the others 0", CheckKind.Identity);
        Checks.True(LinearRestriction<int>.PerLayerTheta([0.5, -1], cm).SequenceEqual([0.5, 1, 1.5, 2, -1, -2, -3, -4]), "θ = (½C, −C)", CheckKind.Identity);
        Rejects(() => _ = new LinearRestriction<int>(inner, [[1.0, 0, 0]]), "directions[0]");
        Rejects(() => _ = new LinearRestriction<int>(inner, []), "directions.Count");
        Rejects(() => restricted.Expand([1.0]), "phi");
    }

    [Test]
    public void LEARN_ALIGN_Gradient_flow_follows_the_closed_form_flows()
    {
        // f = ½(θ₀² + 10θ₁²): θ(t) = θ(0)·e^{−ct}.
        var quad = new DelegateObjective(2, t => (0.5 * (t[0] * t[0] + 10 * t[1] * t[1]), [t[0], 10 * t[1]]));
        var path = GradientFlow.Integrate(quad, [1.0, -2.0], 1.5, tolerance: 1e-10);
        var end = path[^1];
        Checks.True(end.Time == 1.5 && path[0].Time == 0, $"the path runs from 0 to the end time exactly (got {end.Time})");
        Checks.Close(end.State[0], Math.Exp(-1.5), 1e-8, "θ₀(1.5) = e^{−1.5}");
        Checks.Close(end.State[1], -2 * Math.Exp(-15), 1e-8, "θ₁(1.5) = −2e^{−15}");
        foreach (var point in path)
        {
            var (value, gradient) = (0.5 * (point.State[0] * point.State[0] + 10 * point.State[1] * point.State[1]), Math.Sqrt(Math.Pow(point.State[0], 2) + Math.Pow(10 * point.State[1], 2)));
            Checks.Close(point.Loss, value, 1e-15 * Math.Max(1, value), $"t = {point.Time}: the recorded loss is f(θ)");
            Checks.Close(point.GradientNorm, gradient, 1e-14 * Math.Max(1, gradient), $"t = {point.Time}: the recorded gradient norm");
        }
        var stopped = GradientFlow.Integrate(quad, [1.0, -2.0], 10, tolerance: 1e-10, stopLoss: 0.1);
        Checks.True(stopped[^1].Loss <= 0.1 && stopped[^2].Loss > 0.1, "the flow stops at the first point at or below the stop loss");
        // Three steps from h = 1e-4, each at most 5 times the last: t ≤ 1e-4·(1 + 5 + 25), far short of the end time.
        var cut = GradientFlow.Integrate(quad, [1.0, -2.0], 1.5, maxSteps: 3);
        Checks.True(cut.Count <= 4 && cut[^1].Time <= 31e-4, $"maxSteps = 3 ends the flow after three steps (got {cut.Count} points, t = {cut[^1].Time})");

        // HittingTime interpolates linearly; HittingTimeBound is (16L/(L−1))(ξ^{−(L−1)/L} − L₀^{−(L−1)/L}).
        FlowPoint P(double t, double loss) => new(t, loss, 0, []);
        Checks.True(GradientFlow.HittingTime([P(0, 4), P(1, 2), P(3, 1)], 1.5) == 2, "ξ = 1.5 between (1, 2) and (3, 1): t = 2", CheckKind.Identity);
        Checks.True(GradientFlow.HittingTime([P(0, 4), P(1, 2)], 3) == 0.5, "ξ = 3 between (0, 4) and (1, 2), a drop of 2: t = ½", CheckKind.Identity);
        Checks.True(GradientFlow.HittingTime([P(0, 4), P(1, 2)], 5) == 0 && double.IsPositiveInfinity(GradientFlow.HittingTime([P(0, 4), P(1, 2)], 1)), "already below: 0; never: ∞");
        Checks.Close(GradientFlow.HittingTimeBound(2, 0.25, 1), 32, 1e-14, "L = 2, ξ = ¼, L₀ = 1: 32·(2 − 1)");
        Checks.Close(GradientFlow.HittingTimeBound(2, 0.25, 4), 48, 1e-14, "L = 2, ξ = ¼, L₀ = 4: 32·(2 − ½)");
        Checks.Close(GradientFlow.HittingTimeBound(3, 1.0 / 8, 1), 24 * (4 - 1), 1e-13, "L = 3, ξ = ⅛: 24·(8^{2/3} − 1) = 72");
        Rejects(() => GradientFlow.HittingTimeBound(1, 0.5, 1), "loops", "the polynomial bound needs L ≥ 2");

        // The one-step scalar line: ℓ₁(b) = d − 2bd + b²d(n+d+1)/n, ḃ = −ℓ₁'/d = 2 − 2b(n+d+1)/n, b(t) = b*(1 − e^{−2(n+d+1)t/n}).
        const int n = 6, dim = 2;
        var line = GradientFlow.ScalarLine(n, dim, 1, 0.5);
        double bStar = (double)n / (n + dim + 1), b = bStar * (1 - Math.Exp(-2.0 * (n + dim + 1) / n * 0.5));
        Checks.Close(line[^1].State[0], b, 1e-8, "b(½) of the one-step line");
        Checks.Close(line[^1].Loss, dim - 2 * b * dim + b * b * dim * (n + dim + 1.0) / n, 1e-8, "ℓ₁(b(½))");
        // Two loops at b = 0: ŷ = 0, so ℓ₂(0) = E(x_qᵀw*)² = d; ℓ₂'(0) = −2·L·E tr H = −2Ld (E H = I), so |ḃ| = 2L.
        var two = GradientFlow.ScalarLine(n, dim, 2, 0.01);
        Checks.Close(two[0].Loss, dim, 1e-13, "ℓ₂(0) = d");
        Checks.Close(two[0].GradientNorm, 4, 1e-13, "|ℓ₂'(0)|/d = 2L = 4 (the sum over both loops' steps)");
        // Every point of the path carries ℓ₂ at its own b (the loss is evaluated at the state, not at the last derivative's stage).
        var moments = Numerics.Moments.KernelPolynomial.Rounded(Numerics.Moments.WishartMoments.WhitenedMoments(4, n, dim), 2);
        Checks.True(two.Count > 2, "the two-loop path has interior points");
        foreach (var p in two)
            Checks.Close(p.Loss, Numerics.Moments.KernelPolynomial.Loss(moments, [p.State[0], p.State[0]]), 1e-13, $"ℓ₂(b) at t = {p.Time:G4}, b = {p.State[0]:G6}");

        Rejects(() => GradientFlow.Integrate(quad, [1.0], 1), "start");
        Rejects(() => GradientFlow.Integrate(quad, [1.0, 1], 0), "endTime");
        Rejects(() => GradientFlow.Integrate(quad, [1.0, 1], 1, tolerance: 0), "tolerance");
        Rejects(() => GradientFlow.Integrate(null!, [1.0, 1], 1), "objective");
        Assert.Throws<ArgumentNullException>(() => GradientFlow.Matrix(null!, Matrix<double>.Build.DenseIdentity(2), 1));
        // f = −θ⁴: the flow θ̇ = 4θ³ blows up at t = 1/(8θ₀²) = ⅛, so the integrator meets a non-finite value and says so.
        var blowUp = new DelegateObjective(1, t => (-Math.Pow(t[0], 4), [-4 * Math.Pow(t[0], 3)]));
        var diverged = Assert.Throws<InvalidOperationException>(() => GradientFlow.Integrate(blowUp, [1.0], 10))!;
        Checks.True(diverged.Message.StartsWith("Gradient flow diverged at t = ", StringComparison.Ordinal), diverged.Message);
    }

    [Test]
    public void LEARN_ALIGN_Learning_setup_binds_families_and_measures_per_prompt()
    {
        (ModelSpec Spec, string Family)[] specs =
        [
            (new ModelSpec(ModelFamily.Full, 2, 2, Tied: true), "full (P, Q), tied"),
            (new ModelSpec(ModelFamily.Sparse, 2, 2, SymmetricA: true), "sparse (8), symmetric A"),
            (new ModelSpec(ModelFamily.GdPlusPlus, 2, 3), "GD++ (11)"),
            (new ModelSpec(ModelFamily.Gatmiry, 2, 2, Tied: true, WithU: false), "Gatmiry (A), looped"),
        ];
        foreach (var (spec, family) in specs)
        {
            var f = LearningSetup.Parameterise(spec);
            Checks.True(f.Name == family && f.Dimension == spec.Dimension && f.Layers == spec.Layers, $"{spec}: the engine family '{family}' with the spec's θ length {spec.Dimension} (got '{f.Name}', {f.Dimension})");
        }
        Checks.True(new ModelSpec(ModelFamily.Gatmiry, 3, 2).BlockOffsets().SequenceEqual([0, 9, 12, 21, 24]) && new ModelSpec(ModelFamily.Sparse, 3, 4, Tied: true, SymmetricA: true).BlockOffsets().SequenceEqual([0, 6]),
            "block offsets: (A, u) per untied Gatmiry layer; one symmetric A (6 entries) for a tied sparse model", CheckKind.Identity);

        var recipe = new Recipe("library", "suite", new ModelSpec(ModelFamily.Sparse, 2, 1, Tied: true), DataSpec.Isotropic(2, 5, TaskLaw.Isotropic),
            OptimizerSettings.Adam(0.01), new TrainingSchedule(1, 8));
        var setup = new LearningSetup(recipe);
        double[] theta = [0.5, 0.25, 0, 0.5];
        var batch = setup.Draw(13, 3);
        var yhat = setup.Predict(theta, batch);
        var errors = setup.SquaredErrors(theta, batch);
        for (int p = 0; p < 13; p++)
            Checks.True(errors[p] == (yhat[p] - batch.Target[p]) * (yhat[p] - batch.Target[p]), $"prompt {p}: (ŷ − y_q)²", CheckKind.Identity);
        Checks.True(errors.Any(e => e > 0), "the model is not exact (the sign of the error matters)");
        var test = setup.TestLoss(theta, batch, groups: 4);
        var expected = LossEstimates.GroupMeans(errors, 4);
        Checks.True(test == expected, $"the test loss is the group-mean estimate of the squared errors ({test} vs {expected})", CheckKind.Identity);
        Checks.True(setup.TestLoss(theta, batch).Count == 13, "100 groups cap at the batch size");
        var (p1, g1) = setup.PredictWithGradients(theta, batch);
        Checks.True(g1.Length == 13 * 2, "predictions with gradients: d gradients per prompt");
        for (int p = 0; p < 13; p++) Checks.Close(p1[p], yhat[p], 1e-14 * Math.Max(1, Math.Abs(yhat[p])), $"prompt {p}: the same ŷ with gradients");
        var align = setup.Align(theta, theta, batch, [1.0, 2.0]);
        Checks.True(align.Length == 2 && align.All(a => Math.Abs(a.PredictionCosine - 1) < 1e-14 && a.PredictionRelativeL2 == 0 && a.GradientRelativeL2 == 0) && align[1].InputScale == 2,
            "θ against itself: cosine 1 and distance 0 at every scale");
        var looped = setup.With(loops: 3);
        Checks.True(looped.Model.Layers == 3 && looped.Family.Layers == 3 && looped.Recipe.Data.N == 5, "a tied model re-bound to 3 loops keeps n");
        var moreN = setup.With(n: 9);
        Checks.True(moreN.Recipe.Data.N == 9 && moreN.Model.Layers == 1 && moreN.Draw(8, 1).N == 9, "re-bound to n = 9");
        var untied = new LearningSetup(recipe with { Model = new ModelSpec(ModelFamily.Sparse, 2, 2) });
        Assert.Throws<InvalidOperationException>(() => untied.With(loops: 3));
        Checks.True(untied.With(loops: 2).Model.Layers == 2, "an untied model may be re-bound at its own depth");
        var softmax = new LearningSetup(recipe with { Model = recipe.Model with { Attention = AttentionKind.Softmax } });
        Assert.Throws<InvalidOperationException>(() => softmax.PredictWithGradients(theta, softmax.Draw(8, 1)));
    }

    /// <summary>
    /// LearnedModel reads A_l, B_l, u_l and (P_l, Q_l) from θ with each family's layout; read against the engine's map θ ↦ (P_l, Q_l) (itself
    /// pinned to the papers' block forms by LibraryParameterisation) at θ = (1, 2, …): family (8)'s A = −Q's block, GD++'s A = Q's and
    /// B = P's block, Gatmiry's A = Q's block and u = P's last row, the full family's P and Q; tied models read layer 0 for every layer.
    /// The theory's values at Σ = I: Γ⁻¹ = n/(n + d + 1)·I, the one-layer step n/(n + d + 1) with loss d(d + 1)/(n + d + 1), ℓ₁(b).
    /// </summary>
    [Test]
    public void LEARN_ALIGN_Learned_model_reads_the_engine_layout()
    {
        ModelSpec[] specs =
        [
            new(ModelFamily.Sparse, 2, 2), new(ModelFamily.Sparse, 3, 2, SymmetricA: true), new(ModelFamily.Sparse, 2, 3, Tied: true),
            new(ModelFamily.GdPlusPlus, 2, 2), new(ModelFamily.Gatmiry, 2, 2, Tied: false), new(ModelFamily.Gatmiry, 3, 2, SymmetricA: true, Tied: false),
            new(ModelFamily.Gatmiry, 2, 3, Tied: true, WithU: false), new(ModelFamily.Gatmiry, 2, 2, WithU: false), new(ModelFamily.Full, 2, 2), new(ModelFamily.Full, 1, 3, Tied: true),
        ];
        foreach (var spec in specs)
        {
            var theta = Enumerable.Range(1, spec.Dimension).Select(k => (double)k).ToArray();
            var model = new LearnedModel(spec, theta);
            var layers = LearningSetup.Parameterise(spec).ToLayers(theta);
            int d = spec.D;
            for (int l = 0; l < spec.Layers; l++)
            {
                Matrix<double> Block(Mat<Real> m, int rows, int cols, int row0 = 0, double sign = 1) => Matrix<double>.Build.Dense(rows, cols, (i, j) => sign * m[row0 + i, j].Value);
                switch (spec.Family)
                {
                    case ModelFamily.Sparse:
                        Checks.True(model.A(l).Equals(Block(layers[l].Q, d, d, sign: -1)), $"{spec}: A_{l} = −Q_{l}'s block", CheckKind.Identity);
                        break;
                    case ModelFamily.GdPlusPlus:
                        Checks.True(model.A(l).Equals(Block(layers[l].Q, d, d)) && model.B(l).Equals(Block(layers[l].P, d, d)), $"{spec}: A_{l}, B_{l} = Q_{l}'s, P_{l}'s blocks", CheckKind.Identity);
                        break;
                    case ModelFamily.Gatmiry:
                        Checks.True(model.A(l).Equals(Block(layers[l].Q, d, d)), $"{spec}: A_{l} = Q_{l}'s block", CheckKind.Identity);
                        if (spec.WithU) Checks.True(model.U(l).Equals(Block(layers[l].P, 1, d, row0: d).Row(0)), $"{spec}: u_{l} = P_{l}'s last row", CheckKind.Identity);
                        else Checks.True(Assert.Throws<InvalidOperationException>(() => model.U(l))!.Message.StartsWith("u is defined", StringComparison.Ordinal), "u: the refusal says why");
                        break;
                    case ModelFamily.Full:
                        var (p, q) = model.PQ(l);
                        Checks.True(p.Equals(Block(layers[l].P, d + 1, d + 1)) && q.Equals(Block(layers[l].Q, d + 1, d + 1)), $"{spec}: (P_{l}, Q_{l})", CheckKind.Identity);
                        Checks.True(Assert.Throws<InvalidOperationException>(() => model.A(l))!.Message == "A_l is not defined for the Full family.", "A: the refusal names the family");
                        break;
                }
                if (spec.Family != ModelFamily.GdPlusPlus) Checks.True(Assert.Throws<InvalidOperationException>(() => model.B(l))!.Message == $"B_l is defined for GD++ only (got {spec.Family}).", "B: the refusal names the family");
                if (spec.Family != ModelFamily.Full) Checks.True(Assert.Throws<InvalidOperationException>(() => model.PQ(l))!.Message == $"(P, Q) blocks are read for the full family only (got {spec.Family}).", "(P, Q): the refusal names the family");
            }
        }
        Rejects(() => _ = new LearnedModel(new ModelSpec(ModelFamily.Sparse, 2, 2), new double[7]), "theta");

        const int n = 6, dim = 2;
        var (gammaInverse, f) = LearningTheory.AhnSingleLayer(Matrix<double>.Build.DenseIdentity(dim), n);
        Checks.Close((gammaInverse - Matrix<double>.Build.DenseIdentity(dim) * (n / (n + dim + 1.0))).FrobeniusNorm(), 0, 1e-15, "Γ⁻¹ = n/(n + d + 1)·I at Σ = I");
        Checks.Close(f, dim * (dim + 1.0) / (n + dim + 1), 1e-15, "f* = d(d + 1)/(n + d + 1)");
        var (steps, loss) = LearningTheory.SparseOptimum(n, dim, 1);
        Checks.Close(steps.Single(), n / (n + dim + 1.0), 1e-12, "one layer: a* = n/(n + d + 1)");
        Checks.Close(loss, dim * (dim + 1.0) / (n + dim + 1), 1e-15, "one layer: g* = d(d + 1)/(n + d + 1)");
        Checks.Close(LearningTheory.LoopedLoss(n, dim, 0.5, 1), dim - dim + 0.25 * dim * (n + dim + 1.0) / n, 1e-14, "ℓ₁(½) = d − d + ¼·d(n + d + 1)/n");
        var (b, lb) = LearningTheory.LoopedOptimum(n, dim, 1);
        Checks.Close(b, n / (n + dim + 1.0), 1e-13, "the looped optimum at L = 1 is the one-step optimum");
        Checks.Close(lb, loss, 1e-13, "with the same loss");
        var (b2, lb2) = LearningTheory.LoopedOptimum(n, dim, 2);
        Checks.Close(LearningTheory.LoopedLoss(n, dim, b2, 2), lb2, 1e-12 * lb2, "ℓ₂ at the two-loop optimum is its optimal loss (moments of order 2L = 4)");
        Checks.True(LearningTheory.LoopedLoss(n, dim, 0, 2) == dim, "ℓ₂(0) = tr I = d", CheckKind.Identity);
        Rejects(() => _ = new LearnedModel(null!, [1.0]), "model");
        Rejects(() => _ = new LearnedModel(new ModelSpec(ModelFamily.Sparse, 2, 2), null!), "theta");
    }

    /// <summary>
    /// TRAINER (library level): SplitMix64's reference outputs (state 0: e220a8397b1dcdaf, 6e789e6aa1b965f4, 06c45d188009454f), every
    /// schedule and optimiser setting at the edge of its range (0 allowed and 1 refused for β₁, β₂ and momentum), block offsets, SGD with
    /// coupled weight decay and momentum by hand, and Reset returning the optimiser to its first step.
    /// </summary>
    [Test]
    public void LEARN_ALIGN_Trainer_settings_seeds_and_steps_by_hand()
    {
        Checks.True(Seeds.Mix(0, 0) == 0xE220A8397B1DCDAFUL && Seeds.Mix(0, 1) == 0x6E789E6AA1B965F4UL && Seeds.Mix(0, 2) == 0x06C45D188009454FUL,
            "Mix(0, k) is SplitMix64's k-th output from state 0", CheckKind.Identity);
        var schedule = new TrainingSchedule(10, 4, Seed: 7);
        Checks.True(schedule.StreamSeed(3, 5) == Seeds.Mix(Seeds.Mix(7, 3), 5), "stream seeds mix the schedule seed, the purpose and the index", CheckKind.Identity);
        schedule.Validate();
        (TrainingSchedule S, string Name)[] badSchedules =
        [
            (schedule with { Steps = 0 }, "Steps"), (schedule with { BatchSize = 0 }, "BatchSize"), (schedule with { RedrawEvery = 0 }, "RedrawEvery"),
            (schedule with { InitScale = -1e-9 }, "InitScale"), (schedule with { EvaluateEvery = 0 }, "EvaluateEvery"), (schedule with { KeepCheckpoints = 0 }, "KeepCheckpoints"),
            (schedule with { ValidationSize = 0 }, "ValidationSize"), (schedule with { TestBatches = 1 }, "TestBatches"), (schedule with { TestBatchSize = 0 }, "TestBatchSize"),
        ];
        foreach (var (badSchedule, name) in badSchedules) Rejects(badSchedule.Validate, name);
        (schedule with { TestBatches = 2, InitScale = 0 }).Validate();

        var adam = OptimizerSettings.Adam(0.1);
        (adam with { Beta1 = 0, Beta2 = 0 }).Validate();
        OptimizerSettings.Sgd(0.1, momentum: 0).Validate();
        (OptimizerSettings.Sgd(0.1) with { Clip = ClipMode.Global, ClipNorm = 1 }).Validate();
        (OptimizerSettings[] Settings, string Name)[] bad =
        [
            ([adam with { LearningRate = 0 }], "LearningRate"), ([adam with { Beta1 = 1 }, adam with { Beta1 = -0.1 }], "Beta1"),
            ([adam with { Beta2 = 1 }, adam with { Beta2 = -0.1 }], "Beta2"), ([adam with { Epsilon = 0 }], "Epsilon"), ([adam with { WeightDecay = -1 }], "WeightDecay"),
            ([OptimizerSettings.Sgd(0.1, momentum: 1), OptimizerSettings.Sgd(0.1, momentum: -0.5)], "Momentum"),
            ([adam with { Clip = ClipMode.Global, ClipNorm = 0 }, adam with { Clip = ClipMode.Global }], "ClipNorm"), ([adam with { HalveEvery = -1 }], "HalveEvery"),
        ];
        foreach (var (settings, name) in bad)
            foreach (var setting in settings)
            {
                Rejects(setting.Validate, name);
                var ex = Assert.Catch<ArgumentException>(setting.Validate);
                Checks.True(ex!.Message.Length > name.Length + 15, $"{name}: the rule is stated ({ex.Message})");
            }
        Rejects(() => _ = new Optimizer(adam, 4, [0, 2, 3]), "blockOffsets");
        Rejects(() => _ = new Optimizer(adam, 4, [1, 4]), "blockOffsets");
        Rejects(() => _ = new Optimizer(adam, 4, [0]), "blockOffsets");
        Rejects(() => _ = new Optimizer(adam, 4, [0, 3, 3, 4]), "blockOffsets");
        Rejects(() => _ = new Optimizer(adam, 0), "dimension");
        Rejects(() => new Optimizer(adam, 2).Step(new double[3], new double[2]), "theta");

        // SGD, λ = ½, μ = ½, η = 0.1, from θ = 2 with gradients 1 then 3: g₁ = 1 + 1 = 2, θ₁ = 1.8; g₂ = 3 + 0.9 = 3.9, b₂ = 1 + 3.9 = 4.9, θ₂ = 1.31.
        var sgd = new Optimizer(OptimizerSettings.Sgd(0.1, momentum: 0.5, weightDecay: 0.5), 1);
        double[] theta = [2];
        sgd.Step(theta, new double[] { 1 });
        Checks.Close(theta[0], 1.8, 1e-15, "SGD step 1: θ − η(g + λθ)");
        sgd.Step(theta, new double[] { 3 });
        Checks.Close(theta[0], 1.31, 1e-15, "SGD step 2: b = μb + g + λθ");
        sgd.Reset();
        theta[0] = 2;
        sgd.Step(theta, new double[] { 1 });
        Checks.Close(theta[0], 1.8, 1e-15, "after Reset the first step again (no momentum carried)");
        Checks.True(sgd.StepCount == 1, "Reset restarts the step count");
        var adamOpt = new Optimizer(OptimizerSettings.Adam(0.1), 1);
        double[] a1 = [0], a2 = [0];
        adamOpt.Step(a1, new double[] { 2 });
        adamOpt.Reset();
        adamOpt.Step(a2, new double[] { 2 });
        Checks.True(a1[0] == a2[0], "Adam after Reset repeats its first step (moments cleared)", CheckKind.Identity);
    }

    /// <summary>
    /// The noisy least-squares test problem by hand (loss, gradient 2/m·Σ r z, population loss), and the measuring tools' refusals, each
    /// with its rule: a refusal that names the parameter but says nothing is a defect (standard 5).
    /// </summary>
    [Test]
    public void LEARN_ALIGN_Test_problem_by_hand_and_each_refusal_states_its_rule()
    {
        var problem = new NoisyLeastSquares([1.0, -2.0], 0.5);
        Checks.True(problem.PopulationLoss([0.0, 0.0]) == 5.25, "‖0 − θ*‖² + σ² = 1 + 4 + ¼", CheckKind.Identity);
        // z = (1, 0), (0, 2), (1, 1), t = 1, 0, 3 at x = (1, 1): r = 0, 2, −1; loss 5/3; gradient (2/3)·(−1, 3) = (−⅔, 2).
        var batch = new NoisyLeastSquares.Batch([1.0, 0, 0, 2, 1, 1], [1.0, 0, 3]);
        var gradient = new double[2];
        Checks.Close(problem.Evaluate([1.0, 1.0], batch, gradient), 5.0 / 3, 1e-15, "loss = (0 + 4 + 1)/3");
        Checks.Close(gradient[0], -2.0 / 3, 1e-15, "∂/∂x₀ = (2/3)(0·1 + 2·0 − 1·1)");
        Checks.Close(gradient[1], 2, 1e-15, "∂/∂x₁ = (2/3)(0·0 + 2·2 − 1·1)");
        Assert.Throws<ArgumentNullException>(() => new NoisyLeastSquares(null!, 0));
        Rejects(() => new NoisyLeastSquares([], 0), "optimum.Length");
        Rejects(() => new NoisyLeastSquares([1.0], -0.1), "noise");
        Rejects(() => problem.Draw(0, 1), "prompts");
        Rejects(() => problem.Evaluate([1.0], batch, gradient), "x");

        Assert.Throws<ArgumentNullException>(() => new LinearRestriction<NoisyLeastSquares.Batch>(null!, [[1.0, 0]]));
        Assert.Throws<ArgumentNullException>(() => new LinearRestriction<NoisyLeastSquares.Batch>(problem, null!));
        Assert.Throws<ArgumentNullException>(() => new Optimizer(null!, 2));
        Rejects(() => new Optimizer(OptimizerSettings.Sgd(0.1), 2, [0, 1]), "blockOffsets", "blockOffsets must start at 0 and end at the dimension 2 (got [0, 1]).");
        Rejects(() => new Optimizer(OptimizerSettings.Sgd(0.1), 2, [0, 1, 1, 2]), "blockOffsets", "blockOffsets must be strictly increasing (got [0, 1, 1, 2]).");

        var zero = Matrix<double>.Build.Dense(2, 2);
        Rejects(() => LearnedMetrics.DistToIdentity(zero), "m", "m must be non-zero (Dist is a ratio to ‖m‖).");
        Rejects(() => LearnedMetrics.SkewFraction(zero), "a", "a must be non-zero.");
        Rejects(() => LearnedMetrics.Cosine([0.0, 0], [1.0, 0]), "u", "u and v must be non-zero for a cosine.");
        Rejects(() => LearnedMetrics.RelativeDistance([1.0], [0.0]), "reference", "reference must be non-zero.");
        Rejects(() => LearnedMetrics.Block([1.0, 2, 3], 0, 2), "offset", "offset 0 + d² = 4 exceeds θ's length 3.");
        Rejects(() => LossEstimates.GroupMeans([1.0, 2, 3], 1), "groups", "groups must be in [2, 3] (got 1).");
        Rejects(() => LossEstimates.GroupMeans([1.0, double.NaN, 3, 4], 2), "values", "values must be finite (values[1] = NaN).");
        var estimate = LossEstimates.GroupMeans([1.0, 2, 3, 4], 2);
        Rejects(() => LossEstimates.HalfWidth(estimate, 0), "falseAlarm", "falseAlarm must be in (0, 1) (got 0).");
        Rejects(() => LossEstimates.HalfWidth(new Numerics.Statistics.Estimate(0, 1, 1), 0.1), "estimate", "the estimate needs ≥ 2 groups.");

        var law = PromptLaw.Isotropic(2, TaskLaw.Isotropic);
        var prompts = law.Draw(3, 4, 5);
        var all = Baselines.LeastSquaresPredictions(prompts);
        Checks.True(Baselines.LeastSquaresPredictions(prompts, 1).SequenceEqual(all.Take(1)), "count = 1 is allowed: the first prompt's prediction", CheckKind.Identity);
        Rejects(() => Baselines.LeastSquaresPredictions(prompts, 5), "count", "count must be in [1, 4] (got 5).");

        var recipe = new Recipe("r", "s", new ModelSpec(ModelFamily.Sparse, 2, 1), new DataSpec(4, [1.0, 0.5], 5, TaskLaw.Isotropic),
            OptimizerSettings.Sgd(0.1), new TrainingSchedule(1, 1));
        Checks.True(recipe.WithSeed(9).Data.RotationSeed == 5 && recipe.WithSeed(9, 7).Data.RotationSeed == 7 && recipe.WithSeed(9).Schedule.Seed == 9,
            "WithSeed keeps Σ's rotation unless given one", CheckKind.Identity);

        var exported = ModelExport.SuiteTensors(Parameterisation.Sparse(2, 2), new double[8], Matrix<double>.Build.DenseIdentity(2));
        Checks.True(exported.Select(t => t.Name).SequenceEqual(["P.0", "Q.0", "P.1", "Q.1", "Sigma"]) && exported.All(t => t.DType == "float64"),
            "the export's tensors: P.l, Q.l per layer, then Sigma, each labelled float64", CheckKind.Identity);
    }
}
