namespace LoopedIcl.Experiments;

/// <summary>
/// The expected curves of the suite. A sampled curve draws from its own named stream of the seed plan (the snapshots use
/// <see cref="SeedPlan.Default"/>, the report its run's base seed) and records the seed; <c>scale</c> multiplies the sample sizes (1 = default tier).
/// </summary>
public static class ExpectedCurves
{
    /// <summary>All curves, in report order.</summary>
    public static IEnumerable<Func<SeedPlan, int, CurveSet>> All() =>
    [
        ChenSinglePrompt, ChenErrorVersusLoops, ChenMedianKappa, AhnSingleLayerOptimum, AhnOptimalStepSizes, GatmiryScalarOptimum, GatmiryFlow, GatmiryTestTimeLooping,
    ];

    private static int Scaled(int count, int scale) => Math.Max(1, count * Math.Max(1, scale));

    /// <summary>CHEN-L4.2: the literal looped transformer's error on one fixed prompt (d = 4, n = 16) with its own bound |α|e^{−T/2κ}.</summary>
    public static CurveSet ChenSinglePrompt(SeedPlan seeds, int scale = 1)
    {
        const int d = 4, n = 16, loops = 40;
        int seed = seeds.Int("chen-l42-single-prompt");
        const double alpha = 1.0;
        var prompt = PromptLaw.Isotropic(d, TaskLaw.UnitSphere).Sample(n, Rng.Create(seed));
        var (min, max) = Conditioning.GramExtremes(prompt.X);
        var model = new ChenLoopedTransformer<Real>(Families.ChenIdentity<Real>(d), 1.0 / max);
        var trajectory = model.Trajectory(Embedding.RowTokens(prompt.X, prompt.Y, Mat<Real>.Zeros(d, 1), (Real)alpha), loops);
        var error = trajectory.Select(z => Math.Log10(Math.Abs(Mat<Real>.Dot(ChenLoopedTransformer<Real>.Readout(z), prompt.Task).Value - alpha))).ToArray();
        var kappa = max / min;
        var bound = Enumerable.Range(0, loops + 1).Select(t => Math.Log10(Math.Abs(alpha)) - t / (2 * kappa) / Math.Log(10)).ToArray();
        var sharp = Enumerable.Range(0, loops + 1).Select(t => Math.Log10(Math.Abs(alpha)) + t * Math.Log10(1 - 1 / kappa)).ToArray();
        return new CurveSet("chen-l42-single-prompt", ClaimIds.ChenL42, "One prompt through the literal looped transformer (d = 4, n = 16)", "loops T",
            "|⟨TF_T, θ*⟩ − α|", true, Enumerable.Range(0, loops + 1).Select(t => (double)t).ToArray(),
            [new Series("error (literal attention)", error), new Series("|α|e^(−T/2κ) (Thm 4.5)", bound, IsTheory: true), new Series("|α|(1 − 1/κ)^T", sharp, IsTheory: true)],
            new Dictionary<string, object> { ["d"] = d, ["n"] = n, ["seed"] = seed, ["alpha"] = alpha, ["kappa"] = kappa },
            "The literal row-layout transformer's error on one prompt falls geometrically, below both the printed bound and the sharper (1 − 1/κ)^T.");
    }

    /// <summary>CHEN-E1: median log10 error vs T (d = 4) per n, with the median bound log10 e^{−T/2κ}.</summary>
    public static CurveSet ChenErrorVersusLoops(SeedPlan seeds, int scale = 1)
    {
        const int d = 4, loops = 100;
        int seed = seeds.Int("chen-e1-error-vs-loops");
        int prompts = Scaled(500, scale);
        var series = new List<Series>();
        foreach (var n in new[] { 4, 8, 16, 32, 64 })
        {
            var c = ChenExperiments.Experiment(d, n, loops, prompts, seed + n);
            // Below 1e-12 the error is rounding (its last bits depend on summation order): clamp there.
            series.Add(new Series($"n={n}", c.MedianLog10Error.Select(v => Math.Max(v, -12.0)).ToArray()));
            series.Add(new Series($"bound n={n}", c.MedianLog10Bound.Select(v => Math.Max(v, -12.0)).ToArray(), IsTheory: true));
        }
        return new CurveSet("chen-e1-error-vs-loops", ClaimIds.ChenE1, "Looped transformer error vs loops (d = 4, medians)", "loops T",
            "median |⟨TF_T, θ*⟩ − α|", true, Enumerable.Range(0, loops + 1).Select(t => (double)t).ToArray(), series,
            new Dictionary<string, object> { ["d"] = d, ["prompts"] = prompts, ["seed"] = seed, ["alpha"] = 1.0 },
            "Straight lines on the log scale (exponential decay), steeper for larger n/d, each below its dashed bound |α|e^(−T/2κ) at the median κ(XᵀX).");
    }

    /// <summary>CHEN-C1: median κ(XᵀX) vs n/d per d, with the Marchenko–Pastur limit.</summary>
    public static CurveSet ChenMedianKappa(SeedPlan seeds, int scale = 1)
    {
        int[] ratios = [2, 4, 8, 16, 32];
        int seed = seeds.Int("chen-c1-median-kappa");
        int samples = Scaled(400, scale);
        var series = new List<Series>();
        foreach (var d in new[] { 4, 10, 20 })
            series.Add(new Series($"d={d}", ChenExperiments.MedianConditionNumbers(d, ratios, samples, seed + d).Select(Math.Log10).ToArray()));
        series.Add(new Series("Marchenko–Pastur limit", ratios.Select(r => Math.Log10(Conditioning.MarchenkoPasturConditionNumber(1.0 / r))).ToArray(), IsTheory: true));
        return new CurveSet("chen-c1-median-kappa", ClaimIds.ChenC1, "Median condition number of XᵀX vs n/d", "n/d", "median κ(XᵀX)", true,
            ratios.Select(r => Math.Log10(r)).ToArray(), series, new Dictionary<string, object> { ["samples"] = samples, ["seed"] = seed },
            "κ(XᵀX) = O(1) once n = C·d: the medians rise with d towards the dashed Marchenko–Pastur value ((1+√(d/n))/(1−√(d/n)))² and stay below it.") { Log10X = true };
    }

    /// <summary>AHN-T1: the optimal one-layer loss and ‖Γ⁻¹ − Σ⁻¹‖_F vs n for a fixed Σ (κ = 10, d = 5).</summary>
    public static CurveSet AhnSingleLayerOptimum(SeedPlan seeds, int scale = 1)
    {
        const int d = 5;
        int seed = seeds.Int("ahn-t1-optimum-vs-n");
        var sigma = Covariance.WithConditionNumber(d, 10, Rng.Create(seed));
        int[] ns = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
        var id = Matrix<double>.Build.DenseIdentity(d);
        var fStar = ns.Select(n => AhnLosses.OptimalSingleLayerLoss(sigma, n)).ToArray();
        var fSigmaInv = ns.Select(n => AhnLosses.SparseSingleLayer(sigma, n, sigma.Inverse(), id)).ToArray();
        var distance = ns.Select(n => (AhnLosses.Gamma(sigma, n).Inverse() - sigma.Inverse()).FrobeniusNorm()).ToArray();
        return new CurveSet("ahn-t1-optimum-vs-n", ClaimIds.AhnT1, "One-layer optimum vs context size (d = 5, κ(Σ) = 10)", "n (context examples)",
            "loss / distance", true, ns.Select(n => Math.Log10(n)).ToArray(),
            [new Series("f* = f(Γ⁻¹)", fStar.Select(Math.Log10).ToArray()), new Series("f(Σ⁻¹)", fSigmaInv.Select(Math.Log10).ToArray(), IsTheory: false),
             new Series("‖Γ⁻¹ − Σ⁻¹‖_F", distance.Select(Math.Log10).ToArray()), new Series("slope −1 reference", ns.Select(n => Math.Log10(distance[^1] * ns[^1] / (double)n)).ToArray(), IsTheory: true)],
            new Dictionary<string, object> { ["d"] = d, ["kappa"] = 10, ["seed"] = seed },
            "The learned preconditioner Γ⁻¹ = (((n+1)/n)Σ + (trΣ/n)I)⁻¹ beats Σ⁻¹ at every finite n (blue below orange) and tends to it at rate 1/n (green parallel to the dashed slope −1 for large n).") { Log10X = true };
    }

    /// <summary>AHN-T3: the optimal per-layer step sizes (sorted) and the optimal loss g* vs L (n = 20, d = 5), exact from moments.</summary>
    public static CurveSet AhnOptimalStepSizes(SeedPlan seeds, int scale = 1)
    {
        const int n = 20, d = 5;
        var moments = WishartMoments.WhitenedMoments(8, n, d);
        var optima = Enumerable.Range(1, 4).Select(l => KernelPolynomial.Solve(moments, l)).ToArray();
        var series = new List<Series> { new("g*(L)", optima.Select(o => Math.Log10(o.OptimalLoss.ToDouble())).ToArray()) };
        for (int k = 0; k < 4; k++)
            series.Add(new Series($"step {k + 1} (sorted)", optima.Select(o => k < o.StepSizes.Length ? Math.Log10(o.StepSizes[k]) : double.NaN).ToArray()));
        return new CurveSet("ahn-t3-steps-vs-depth", ClaimIds.AhnT3, "Optimal Σ⁻¹-preconditioned step sizes and loss vs depth (n = 20, d = 5)", "layers L",
            "step size a_l / loss g*", true, [1, 2, 3, 4], series, new Dictionary<string, object> { ["n"] = n, ["d"] = d },
            "Reciprocals of the kernel-polynomial roots (exact, Wishart moments): the steps spread out with depth (L = 3: 0.42, 0.69, 1.71 as in the paper's Fig. 2) and g* falls.");
    }

    /// <summary>GAT-T1: the looped model's scalar optimum b* and f(b*Σ⁻¹) vs L for d = 10 and n ∈ {20, 40, 100} (exact Wishart moments, L ≤ 20).</summary>
    public static CurveSet GatmiryScalarOptimum(SeedPlan seeds, int scale = 1)
    {
        const int d = 10;
        int[] loops = [1, 2, 3, 4, 5, 7, 10, 15, 20];
        var series = new List<Series>();
        foreach (var n in new[] { 20, 40, 100 })
        {
            var opt = loops.Select(l => LoopedScalar.ExactOptimum(n, d, l)).ToArray();
            series.Add(new Series($"b* n={n}", opt.Select(o => Math.Log10(o.B)).ToArray()));
            series.Add(new Series($"f* n={n}", opt.Select(o => Math.Log10(o.Loss)).ToArray()));
        }
        return new CurveSet("gat-t1-optimum-vs-loops", ClaimIds.GatT1, "Looped model: optimal b (A* = b*Σ⁻¹) and loss vs loops (d = 10)", "loops L",
            "b* / f(b*Σ⁻¹)", true, loops.Select(l => (double)l).ToArray(), series, new Dictionary<string, object> { ["d"] = d },
            "Exact from Wishart moments: b* < 1 (shrinkage), rising towards 1 with n and falling with L (the optimum retreats from the rare large eigenvalues); the optimal loss keeps falling with L.");
    }

    /// <summary>GAT-T3: the loss along the scalar gradient flow from A(0) = 0 (d = 10, n = 1000, L = 2, 3) with the hitting-time bound.</summary>
    public static CurveSet GatmiryFlow(SeedPlan seeds, int scale = 1)
    {
        const int d = 10, n = 1000;
        var times = Enumerable.Range(0, 61).Select(k => Math.Pow(10, -2 + k / 15.0)).ToArray(); // 1e-2 … 1e2
        var series = new List<Series>();
        foreach (var loops in new[] { 2, 3 })
        {
            var path = GradientFlow.ScalarLine(n, d, loops, times[^1]);
            series.Add(new Series($"L(t), L={loops}", times.Select(t => Math.Log10(LossAt(path, t))).ToArray()));
            // The bound: the loss is ≤ ξ no later than t_bound(ξ); inverted, L(t) ≤ [L₀^{−(L−1)/L} + t(L−1)/(16L)]^{−L/(L−1)}.
            double e = (loops - 1.0) / loops;
            series.Add(new Series($"bound, L={loops}", times.Select(t => Math.Log10(Math.Pow(Math.Pow(d, -e) + t / (16.0 * loops / (loops - 1)), -1 / e))).ToArray(), IsTheory: true));
        }
        return new CurveSet("gat-t3-flow", ClaimIds.GatT3, "Gradient flow from A(0) = 0 (d = 10, n = 1000)", "time t", "loss L(A_t)", true,
            times.Select(Math.Log10).ToArray(), series, new Dictionary<string, object> { ["d"] = d, ["n"] = n },
            "The flow (solid) reaches every loss level long before the dashed bound from the dominance inequality with μ = 1/16, and levels off at the optimum ℓ_L(b*).") { Log10X = true };
    }

    private static double LossAt(IReadOnlyList<FlowPoint> path, double t)
    {
        int i = 0;
        while (i + 1 < path.Count && path[i + 1].Time <= t) i++;
        if (i + 1 >= path.Count) return path[^1].Loss;
        var (a, b) = (path[i], path[i + 1]);
        return a.Loss + (b.Loss - a.Loss) * (t - a.Time) / (b.Time - a.Time);
    }

    /// <summary>GAT-R1: the exact population loss ℓ_L(b*) vs test-time loops for a model trained at L = 2 (b*), d = 10, per n (ID; exact Wishart moments).</summary>
    public static CurveSet GatmiryTestTimeLooping(SeedPlan seeds, int scale = 1)
    {
        const int d = 10;
        int[] loops = [1, 2, 3, 5, 7, 10, 15, 20, 30, 40, 50];
        var series = new List<Series>();
        foreach (var n in new[] { 20, 40, 100 })
        {
            var b = LoopedScalar.ExactOptimum(n, d, 2).B;
            series.Add(new Series($"n={n}", loops.Select(l => Math.Log10(LoopedScalar.ExactLoss(n, d, l, b))).ToArray()));
        }
        return new CurveSet("gat-r1-test-time-loops", ClaimIds.GatR1, "Test-time looping of a model trained with 2 loops (d = 10)", "test-time loops L",
            "population loss (exact)", true, loops.Select(l => (double)l).ToArray(), series, new Dictionary<string, object> { ["d"] = d, ["method"] = "exact Wishart moments" },
            "Exact population loss E tr(I − b*Ŵ)^{2L} with A = b*Σ⁻¹ fixed: it first falls, then rises without bound (rare Wishart eigenvalues with b*λ > 2) — at n = 100 it is least at L = 12 and rises from L = 13: n must grow with L.");
    }
}
