namespace LoopedIcl.Theorems;

/// <summary>
/// AHN-T5 (Theorem 5): one layer of ReLU attention Z + (1/n)PZMσ(ZᵀQZ), last row of Q zero, x, w* ~ N(0, I): a global minimiser is
/// P = [[0,0],[0,1]], Q = −(2n/(n+2d+3))[[I,0],[0,0]], with f* = d(2d+3)/(n+2d+3).
/// </summary>
[TestFixture, Category(ClaimIds.AhnT5)]
public sealed class AhnT5ReluOptimum
{

    private static AttentionLayer<Real> Layer(int d, Mat<Real> a, Mat<Real>? b0 = null, double labelWeight = 1.0)
    {
        var p = new Mat<Real>(d + 1, d + 1);
        if (b0 is not null) p.SetBlock(d, 0, b0.Transpose());
        p[d, d] = labelWeight;
        var q = new Mat<Real>(d + 1, d + 1);
        q.SetBlock(0, 0, a);
        return new AttentionLayer<Real>(p, q);
    }

    private static double AlphaStar(int d, int n) => -2.0 * n / (n + 2 * d + 3);

    /// <summary>The batched ReLU attention layer (the non-linear engine) the Monte Carlo checks run.</summary>
    private static BatchPredictor Relu(AttentionLayer<Real> layer) => EngineFamilies.Predictor([layer], ResidualSign.Plus, ScoreActivation.Relu);

    /// <summary>AHN-T5 support: the engine's ReLU attention layer (the Monte Carlo path) equals the literal ReLU attention layer's output, per prompt.</summary>
    [Test]
    public void AHN_T5_Engine_equals_literal_relu_attention() =>
        Properties.ForAll(Cases.OneLayerRelu, s =>
        {
            var batch = new PromptLaw(Sigmas.Random(s.D, s.Kappa, s.Seed), TaskLaw.Isotropic).Draw(s.N, 1, s.Stream);
            var prompt = batch.ToPrompt(0);
            var rng = Rng.Create(s.Seed);
            var layer = new AttentionLayer<Real>(Rng.GaussianMatrix(rng, s.D + 1, s.D + 1), Rng.GaussianMatrix(rng, s.D + 1, s.D + 1));
            var literal = new LinearTransformer<Real>([layer], activation: ScoreActivation.Relu).Predict(prompt).Value;
            var engine = new double[1];
            Relu(layer)(batch, engine);
            var scale = Math.Pow(1 + RealMat.MaxAbs(prompt.X), 3) * (s.D + 1) * (s.D + 1);
            Checks.Close(engine[0], literal, Tolerance.Accumulated(s.N * (s.D + 1), 1, scale), $"ReLU engine vs literal, {s}");
        });

    /// <summary>AHN-T5: f(αI) = d + αd + α²d(n+2d+3)/(4n) against Monte Carlo at α*, 0.8α*, 1.2α* (2·10⁵ prompts, z(1e-6)·SE).</summary>
    [TestCase(4, 7, 1.0)]
    [TestCase(4, 7, 0.8)]
    [TestCase(4, 7, 1.2)]
    [TestCase(3, 12, 1.0)]
    public void AHN_T5_Closed_form_matches_Monte_Carlo(int d, int n, double factor)
    {
        var alpha = factor * AlphaStar(d, n);
        var mc = MonteCarlo.PredictionLoss(PromptLaw.Isotropic(d, TaskLaw.Isotropic), n, TestSettings.EngineSeedFor($"AHN-T5 MC prompts d={d} n={n} factor={factor}"),
            200_000, Relu(Layer(d, (Real)alpha * Mat<Real>.Identity(d))));
        var closed = AhnLosses.ReluScalar(d, n, alpha);
        ClaimLedger.Note($"AHN-T5 d={d} n={n} α={alpha:F4}: MC {mc} vs closed form {closed:G7}" + (factor == 1 ? $" (f* = d(2d+3)/(n+2d+3) = {d * (2.0 * d + 3) / (n + 2 * d + 3):G7})" : ""));
        // z(1e-6)·SE is a valid 1e-6 band here: the per-prompt loss is a degree-6 polynomial in Gaussians (every moment finite, no heavy
        // tail), and at 2·10⁵ prompts its skewness moves the CLT tail by far less than the band (Berry–Esseen term ~ skew/√m ≈ 1e-2).
        Checks.Close(mc.Mean, closed, mc.HalfWidth(CheckPolicy.FalseAlarm), $"ReLU loss at α = {factor}α*");
        if (factor == 1)
        {
            Checks.RelativeClose(closed, d * (2.0 * d + 3) / (n + 2 * d + 3), 1e-12, "f(α*) = d(2d+3)/(n+2d+3)");
            // Negative control: the linear-attention optimum d(d+1)/(n+d+1) is not the ReLU loss.
            Properties.ExpectViolation("linear-attention f* d(d+1)/(n+d+1) for ReLU attention", () => Checks.Close(mc.Mean, d * (d + 1.0) / (n + d + 1), mc.HalfWidth(CheckPolicy.FalseAlarm), "ReLU loss at α* vs the linear-attention f*"));
        }
    }

    /// <summary>
    /// The ReLU layer's sample loss over its parameters θ = (A column-major (d²), b₀ (d), p): ŷ = −(1/n)Σ_i (b₀ᵀx_i + p·y_i)·σ(x_iᵀAx_q)
    /// (last row of Q zero, as the theorem assumes; P's last row = [b₀ᵀ, p]) on a fixed set of prompts, with its exact (almost-everywhere)
    /// gradient; allocation-free.
    /// </summary>
    private sealed class ReluSampleLoss : Numerics.Optimization.IObjective
    {
        private readonly int _d, _n, _m;
        private readonly double[] _x, _y, _q, _t, _aq, _ga, _score, _value;

        public ReluSampleLoss(int d, int n, int prompts, int seed)
        {
            (_d, _n, _m) = (d, n, prompts);
            _x = new double[prompts * n * d];
            _y = new double[prompts * n];
            _q = new double[prompts * d];
            _t = new double[prompts];
            var batch = PromptLaw.Isotropic(d, TaskLaw.Isotropic).Draw(n, prompts, SeedPlan.EngineSeed(seed));
            for (int k = 0; k < prompts; k++)
                _t[k] = batch.CopyPrompt(k, _x.AsSpan(k * n * d, n * d), _y.AsSpan(k * n, n), _q.AsSpan(k * d, d));
            _aq = new double[d];
            _ga = new double[d * d];
            (_score, _value) = (new double[n], new double[n]);
        }

        public int Dimension => _d * _d + _d + 1;

        public static double[] Pack(Mat<Real> a, double[] b0, double p)
        {
            int d = a.Rows;
            var x = new double[d * d + d + 1];
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) x[j * d + i] = a[i, j].Value;
            Array.Copy(b0, 0, x, d * d, d);
            x[^1] = p;
            return x;
        }

        public double Evaluate(ReadOnlySpan<double> theta, Span<double> gradient)
        {
            int d = _d, n = _n, dd = d * d;
            bool wantGradient = !gradient.IsEmpty;
            if (wantGradient) gradient.Clear();
            double total = 0, p = theta[^1];
            var b0 = theta.Slice(dd, d);
            for (int k = 0; k < _m; k++)
            {
                var xq = _q.AsSpan(k * d, d);
                for (int i = 0; i < d; i++) { double s = 0; for (int j = 0; j < d; j++) s += theta[j * d + i] * xq[j]; _aq[i] = s; } // A x_q
                double sum = 0;
                for (int i = 0; i < n; i++)
                {
                    var xi = _x.AsSpan((k * n + i) * d, d);
                    double score = 0, value = p * _y[k * n + i];
                    for (int b = 0; b < d; b++) { score += xi[b] * _aq[b]; value += b0[b] * xi[b]; }
                    if (score > 0) sum += value * score;
                    (_score[i], _value[i]) = (score, value); // the gradient pass reuses them
                }
                double r = -sum / n - _t[k];
                total += r * r;
                if (!wantGradient) continue;
                // ∂ŷ: −(1/n)Σ_{s_i>0} [v_i x_i x_qᵀ (A), s_i x_i (b₀), s_i y_i (p)], times 2r/m.
                double c = -2 * r / (n * (double)_m);
                for (int i = 0; i < n; i++)
                {
                    double score = _score[i], value = _value[i];
                    if (score <= 0) continue;
                    var xi = _x.AsSpan((k * n + i) * d, d);
                    for (int a = 0; a < d; a++)
                    {
                        double va = c * value * xi[a];
                        for (int b = 0; b < d; b++) gradient[b * d + a] += va * xq[b];
                        gradient[dd + a] += c * score * xi[a];
                    }
                    gradient[^1] += c * score * _y[k * n + i];
                }
            }
            return total / _m;
        }
    }

    /// <summary>
    /// AHN-T5 (global search over the ReLU layer's parameters A, b₀, p): BFGS with the exact gradient from 20 random starts on a fixed training
    /// sample of prompts; every run recorded (the ReLU sample loss is only piecewise smooth, so runs may stop at a kink: reported, not counted
    /// as converged); then one end point per distinct training value (0.1% apart) is evaluated on fresh prompts against the theorem's optimum by a paired difference (common
    /// prompts, light-tailed at these sizes): f(end point) − f(optimum) ≥ −z(1e-6)·SE for every one. Measured: the kinks stop every run
    /// (NoProgress at ‖∇f̂‖ ~ 1e-2, training f̂ below the optimum's by overfitting), and every end point is worse on fresh prompts.
    /// </summary>
    [TestCase(4, 7, 300, 20, 20_000)]
    [TestCase(4, 7, 4000, 40, 100_000, Category = "Slow")]
    public void AHN_T5_Global_search_finds_nothing_below_the_optimum(int d, int n, int trainingPrompts, int starts, int validationPrompts)
    {
        var objective = new ReluSampleLoss(d, n, trainingPrompts, TestSettings.SeedFor("AHN-T5 search training prompts"));
        var rng = Rng.Create(TestSettings.SeedFor("AHN-T5 search starts"));
        var search = Minimizer.MultiStart(objective, starts, _ =>
        {
            var x = Rng.Gaussians(rng, objective.Dimension).Select(v => 0.5 * v).ToArray();
            x[^1] = 1 + 0.3 * Rng.Gaussians(rng, 1)[0];
            return x;
        }, 1e-6, 150);
        var optimum = ReluSampleLoss.Pack((Real)AlphaStar(d, n) * Mat<Real>.Identity(d), new double[d], 1.0);
        var fOptTrain = objective.Evaluate(optimum, Span<double>.Empty);
        var best = Relu(Layer(d, (Real)AlphaStar(d, n) * Mat<Real>.Identity(d)));
        var distinct = search.Runs.OrderBy(r => r.Value).Aggregate(new List<Minimizer.Result>(), (list, r) =>
        {
            if (list.Count == 0 || Math.Abs(r.Value - list[^1].Value) > 1e-3 * list[^1].Value) list.Add(r); // one representative per basin (training f̂ within 0.1%)
            return list;
        });
        ClaimLedger.Note($"AHN-T5 global search (d={d} n={n}, {trainingPrompts} training prompts): {search.Summary()}; training loss at the theorem's optimum {fOptTrain:G6} (f* = {d * (2.0 * d + 3) / (n + 2 * d + 3):G6}); {distinct.Count} distinct end points validated on {validationPrompts} fresh prompts each");
        ClaimLedger.Count("converged runs", search.ConvergedRuns.Count);
        ClaimLedger.Count("failed runs", search.FailedRuns.Count);
        int k = 0;
        foreach (var r in distinct)
        {
            var th = r.Point.AsArray();
            var a = Mat<Real>.Build(d, d, (i, j) => (Real)th[j * d + i]);
            var other = Relu(Layer(d, a, Mat<Real>.Build(d, 1, (i, _) => (Real)th[d * d + i]), th[^1]));
            var diff = MonteCarlo.PairedLossDifference(PromptLaw.Isotropic(d, TaskLaw.Isotropic), n, TestSettings.EngineSeedFor($"AHN-T5 validation prompts {k++}"),
                validationPrompts, other, best);
            ClaimLedger.Note($"AHN-T5 end point (training f̂ = {r.Value:G6}, {r.Reason}, ‖∇f̂‖ = {r.GradientNorm:E1}): f − f(optimum) on fresh prompts = {diff}");
            Checks.AtLeast(diff.Mean + diff.HalfWidth(CheckPolicy.FalseAlarm), 0, $"end point {k} does not beat the optimum (upper confidence bound of the paired difference)");
        }
    }
}
