using LoopedIcl.Numerics.ModelCheck;
using LoopedIcl.Numerics.Checkpoints;
using System.Text.RegularExpressions;
using LoopedIcl.Numerics.Statistics;

namespace LoopedIcl.Experiments.ModelCheck;

/// <summary>
/// The data law a model is checked against: n context examples, x ~ N(0, Σ), w* ~ N(0, Σ⁻¹) (the law of AHN-T3, GAT-T1 and the Ahn et al.
/// code's rotated data, where X ← UDX and w ← UD⁻¹w; for Σ = I it is w* ~ N(0, I)), noiseless; and where each part came from.
/// </summary>
public sealed record DataLaw(int N, Matrix<double> Sigma, string NSource, string SigmaSource)
{
    public int D => Sigma.RowCount;

    private static readonly Regex NPattern = new(@"(?:^|[_\-.])N(\d+)(?=[_\-.]|$)", RegexOptions.CultureInvariant);

    /// <summary>n from the authors' file-name pattern (…_N20_…), or null.</summary>
    public static int? NFromFileName(string path)
    {
        var m = NPattern.Match(Path.GetFileNameWithoutExtension(path));
        return m.Success && int.TryParse(m.Groups[1].Value, out var n) && n >= 1 ? n : null;
    }
}

/// <summary>One check's outcome: held (true/false) or not applicable (null); its value, the threshold it is held to, and why.</summary>
public sealed record ModelCheckResult(string Name, bool? Held, double Value, double Threshold, string Detail);

/// <summary>The population loss of the weights and the theory's reference.</summary>
/// <param name="Exact">true: exact (Wishart word moments, <see cref="RoundingBound"/> its rounding bound); false: Monte Carlo (median, its exact
/// binomial interval and a distribution-free lower bound of the mean; never mean ± SE, the per-prompt loss is heavy-tailed).</param>
public sealed record ModelLoss(bool Exact, double Value, double RoundingBound, double Median, double MedianLow, double MedianHigh, double MeanLowerBound,
    int Prompts, double Reference, string ReferenceName);

/// <summary>Test-time loops k (looped models): the per-prompt loss's median with its exact binomial interval, the exact mean where word moments allow
/// (k ≤ 3), and ℓ_k(b*) of GAT-T1's optimum trained at the model's L (exact).</summary>
public sealed record LoopPoint(int Loops, double Median, double MedianLow, double MedianHigh, double? ExactMean, double ScalarOptimumLoss);

/// <summary>Everything the checker found for one snapshot.</summary>
public sealed record SnapshotCheck(string Label, int Layers, int D, string Family, bool Looped, double OutsideFamily, double[] LayerScale,
    double[] Scalars, double[] OptimalScalars, double[] WhitenedDist, double[] RawDist, double[] BDist, double[] ShiftNorm,
    Matrix<double>[] Preconditioners, ModelLoss? Loss, IReadOnlyList<AlignmentMetrics> Alignment, IReadOnlyList<LoopPoint> TestTimeLoops,
    IReadOnlyList<ModelCheckResult> Checks)
{
    /// <summary>Every applicable check held.</summary>
    public bool Held => Checks.All(c => c.Held != false);
    public ModelCheckResult Check(string name) => Checks.Single(c => c.Name == name);
}

/// <summary>
/// Checks given weights against the theory for a data law (CLAIMS.md, BYOM). The checks and their tolerances:
/// <list type="bullet">
/// <item><c>read</c> — the fast engine's predictions equal the literal model's on 64 prompts within the FAST-PATH rounding budget
/// (<see cref="RoundingBudget.GeneralLayers"/>): the weights were mapped onto a model the suite runs, and they are finite.</item>
/// <item><c>family</c> — after the (P, Q) → (P/γ, γQ) rescaling that fixes P[d+1,d+1] = 1, the part outside the narrowest of the theory's families
/// (sparse (8), sparse with a shift u (Gatmiry), GD++ (11)) is ≤ <see cref="FamilyTolerance"/> of the weights, and every layer acts (A_l ≠ 0).</item>
/// <item><c>preconditioner</c> — Dist(Σ^½A_lΣ^½) ≤ <see cref="DistTolerance"/> for every layer (the theory's A_l ∝ Σ⁻¹), and Dist(B_l) for GD++'s
/// B_l that reach the output.</item>
/// <item><c>scalars</c> — the per-layer scalars tr(Σ^½A_lΣ^½)/d, as a set (AHN-L4), within <see cref="ScalarTolerance"/> (relative) of AHN-T3's exact
/// optimum (untied) or GAT-T1's b* (looped).</item>
/// <item><c>loss</c> — the population loss ≤ (1 + <see cref="LossTolerance"/>)·reference (g* of AHN-T3, or ℓ_L(b*) of GAT-T1 for a looped model);
/// exact where Wishart word moments apply (families (8) and (A, u), L ≤ 4), else a one-sided Monte Carlo check (it fails only when the
/// distribution-free lower bound of the mean is above the threshold).</item>
/// </list>
/// Why these numbers: float32 weights carry ~6e-8 relative rounding, so an exact optimum written in float32 sits ~1e-7 from it in Dist and
/// scalars and ~1e-14 in loss (the loss is quadratic at the optimum); a trained model is judged like the suite's own trained models
/// (LEARN-AHN-F2's default tier: Dist ≤ 0.1, scalars within 15%, loss within 5% of the optimum).
/// </summary>
public static class ModelChecker
{
    public const double FamilyTolerance = 1e-6;
    public const double DistTolerance = 0.1;
    public const double ScalarTolerance = 0.15;
    public const double LossTolerance = 0.05;

    public const string Read = "read", Family = "family", Preconditioner = "preconditioner", Scalars = "scalars", Loss = "loss";

    private enum Kind { Sparse, Shifted, GdPlusPlus, Full }

    /// <summary>
    /// Checks one snapshot; <paramref name="full"/> adds alignment and test-time loops 1…<paramref name="maxLoops"/> (for the last snapshot of a log;
    /// ℓ_k(b*) beyond k = 15 needs Wishart moments of order > 30, which cost seconds once per (n, d)).
    /// </summary>
    public static SnapshotCheck Check(ModelSnapshot model, DataLaw law, ulong seed, bool full = true, int maxLoops = MaxTestTimeLoops)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(law);
        int d = model.D, layers = model.Depth, n = law.N;
        if (law.D != d) throw new ArgumentException($"Σ is {law.D}×{law.D} but the model has d = {d}: the data law must match the weights.");
        Guard.Positive(n, "n");
        foreach (var (layer, l) in model.Layers.Select((x, l) => (x, l)))
            for (int i = 0; i <= d; i++)
                for (int j = 0; j <= d; j++)
                    if (!double.IsFinite(layer.P[i, j].Value) || !double.IsFinite(layer.Q[i, j].Value))
                        throw new ArgumentException($"layer {l} of '{model.Label}' holds a non-finite weight (NaN or ∞).");
        var checks = new List<ModelCheckResult>();
        var promptLaw = new PromptLaw(law.Sigma, TaskLaw.InverseCovariance);

        // read: engine = literal model.
        var (family, theta) = Parameterisation.Of(model.Layers, model.Sign);
        var engine = new IclEngine(family);
        var batch = promptLaw.Draw(n, 64, Seeds.Mix(seed, 1));
        var yhat = new double[batch.Count];
        engine.Predict(theta, batch, yhat);
        var literal = new LinearTransformer<Real>(model.Layers, model.Sign);
        double readError = 0, readRatio = 0, readBudget = 0;
        for (int p = 0; p < batch.Count; p++)
        {
            var traj = literal.Trajectory(Embedding.ColumnTokens(batch.ToPrompt(p)));
            double z = traj.Max(RealMat.MaxAbs), budget = RoundingBudget.GeneralLayers(n, d, layers, z);
            double err = Math.Abs(yhat[p] - LinearTransformer<Real>.Readout(traj[^1]).Value);
            if (!(err <= budget) || err / budget > readRatio) { readRatio = double.IsFinite(err) ? err / budget : double.PositiveInfinity; readError = err; readBudget = budget; }
        }
        checks.Add(new(Read, readRatio <= 1, readError, readBudget, "max over 64 prompts of abs(ŷ_engine − ŷ_literal) vs the FAST-PATH rounding budget"));

        // family: normalise to the + residual and P[d+1,d+1] = 1, then measure what leaves each family.
        var p2 = new Matrix<double>[layers];
        var q2 = new Matrix<double>[layers];
        var scale = new double[layers];
        for (int l = 0; l < layers; l++)
        {
            var p = model.Layers[l].P.ToMathNet();
            var q = model.Layers[l].Q.ToMathNet();
            if (model.Sign == ResidualSign.Minus) q = -q; // Z − (1/n)Attn(P, Q) = Z + (1/n)Attn(P, −Q)
            double g = p[d, d];
            scale[l] = g;
            if (g != 0 && g != 1) { p = p / g; q = q * g; } // Attn is bilinear in (P, Q): (P/γ, γQ) is the same layer
            p2[l] = p;
            q2[l] = q;
        }
        double total = Math.Sqrt(Enumerable.Range(0, layers).Sum(l => Sq(p2[l]) + Sq(q2[l])));
        double Outside(Kind k) => Math.Sqrt(Enumerable.Range(0, layers).Sum(l => OutsideSquared(k, p2[l], q2[l], d))) / Math.Max(total, double.Epsilon);
        var kinds = new[] { Kind.Sparse, Kind.Shifted, Kind.GdPlusPlus };
        var leak = kinds.ToDictionary(k => k, Outside);
        var kind = kinds.FirstOrDefault(k => leak[k] <= FamilyTolerance, Kind.Full);
        double outside = kind == Kind.Full ? kinds.Min(k => leak[k]) : leak[kind];
        bool looped = model.Looped;
        var a = q2.Select(q => -q.SubMatrix(0, d, 0, d)).ToArray(); // the (8) sign: Q = −[[A,0],[0,0]]
        var b = p2.Select(p => p.SubMatrix(0, d, 0, d)).ToArray();
        var u = p2.Select(p => p.SubMatrix(d, 1, 0, d).Row(0)).ToArray();
        string familyName = kind switch
        {
            Kind.Sparse => "sparse (8)",
            Kind.Shifted => "sparse with shift u (Gatmiry's (A, u))",
            Kind.GdPlusPlus => "GD++ (11)",
            _ => "full (P, Q): in none of the theory's families",
        } + (looped ? ", looped" : layers > 1 ? ", untied" : "");
        var inert = Enumerable.Range(0, layers).Where(l => kind != Kind.Full && a[l].FrobeniusNorm() == 0).ToArray();
        checks.Add(new(Family, kind != Kind.Full && inert.Length == 0, outside, FamilyTolerance,
            kind == Kind.Full ? $"relative size outside the nearest family: (8) {leak[Kind.Sparse]:G3}, (A, u) {leak[Kind.Shifted]:G3}, (11) {leak[Kind.GdPlusPlus]:G3}"
            : inert.Length > 0 ? $"layer(s) {string.Join(", ", inert)} have A_l = 0 and do nothing (a misread layout?)"
            : $"{familyName}; relative size outside it {outside:G3}"));

        if (kind == Kind.Full)
        {
            foreach (var name in new[] { Preconditioner, Scalars, Loss }) checks.Add(new(name, null, double.NaN, double.NaN, "not applicable outside the theory's families"));
            return new SnapshotCheck(model.Label, layers, d, familyName, looped, outside, scale, [], [], [], [], [], [], [], null, [], [], checks);
        }

        // The PGD it implements (AHN-L1: Γ_l = A_lᵀ; GAT-L1 on labels y + Xu) and the theory's basis.
        var root = Covariance.Power(law.Sigma, 0.5);
        var whitened = a.Select(m => root * m * root).ToArray();
        var wDist = whitened.Select(SafeDist).ToArray();
        var rawDist = a.Select(SafeDist).ToArray();
        var scalars = whitened.Select(LearnedMetrics.Scalar).ToArray();
        var bDist = kind == Kind.GdPlusPlus ? b.Take(layers - 1).Select(SafeDist).ToArray() : [];
        var shift = kind == Kind.Shifted ? Enumerable.Range(0, layers).Select(l => (root * u[l]).L2Norm() / Math.Max(whitened[l].FrobeniusNorm(), double.Epsilon)).ToArray() : [];
        double worstDist = wDist.Concat(bDist).Max();
        checks.Add(new(Preconditioner, worstDist <= DistTolerance, worstDist, DistTolerance,
            kind == Kind.GdPlusPlus ? "max over layers of Dist(Σ^½A_lΣ^½) and Dist(B_l) (l < L−1; B_{L−1} never reaches the output)" : "max over layers of Dist(Σ^½A_lΣ^½)"));

        // The theory's optimum.
        double[] optimal;
        double reference;
        string referenceName;
        if (looped && kind != Kind.GdPlusPlus)
        {
            var (bStar, lStar) = LoopedScalar.ExactOptimum(n, d, layers);
            optimal = Enumerable.Repeat(bStar, layers).ToArray();
            (reference, referenceName) = (lStar, $"ℓ_L(b*) of GAT-T1 (b* = {bStar:G6}, exact)");
        }
        else
        {
            var (steps, gStar) = LearningTheory.SparseOptimum(n, d, layers);
            optimal = steps;
            (reference, referenceName) = (gStar, kind == Kind.GdPlusPlus ? "g* of AHN-T3 (family (11) contains (8), so its optimum is ≤ g*)" : "g* of AHN-T3 (exact)");
        }
        if (kind == Kind.GdPlusPlus)
            checks.Add(new(Scalars, null, double.NaN, ScalarTolerance, "not judged: family (11) has no exact optimum in the suite (AHN-T4 gives critical points)"));
        else
        {
            var sorted = scalars.OrderBy(x => x).ToArray();
            double worst = Enumerable.Range(0, layers).Max(l => Math.Abs(sorted[l] - optimal[l]) / Math.Abs(optimal[l]));
            checks.Add(new(Scalars, worst <= ScalarTolerance, worst, ScalarTolerance, "max relative error of the sorted scalars tr(Σ^½A_lΣ^½)/d against the optimum (as a set, AHN-L4)"));
        }

        // The population loss.
        ModelLoss loss;
        if (kind != Kind.GdPlusPlus && layers <= GatmiryPopulationLoss.MaxLayers)
        {
            var shifts = Enumerable.Range(0, layers).Select(l => kind == Kind.Shifted ? root * u[l] : null).ToArray();
            IReadOnlyList<Matrix<double>> dl = whitened;
            IReadOnlyList<Vector<double>?> sl = shifts;
            if (looped) { dl = Enumerable.Repeat(whitened[0], layers).ToArray(); sl = Enumerable.Repeat(shifts[0], layers).ToArray(); } // shared objects: cached words
            var m = GatmiryPopulationLoss.Whitened(dl, sl, n);
            loss = new ModelLoss(true, m.Value, m.RoundingBound, double.NaN, double.NaN, double.NaN, double.NaN, 0, reference, referenceName);
            bool held = m.Value - reference <= LossTolerance * reference + m.RoundingBound;
            checks.Add(new(Loss, held, m.Value, (1 + LossTolerance) * reference + m.RoundingBound, $"exact population loss (Wishart word moments, rounding ≤ {m.RoundingBound:G2}) ≤ (1 + {LossTolerance}) × {referenceName}"));
        }
        else
        {
            loss = MonteCarloLoss(engine, theta, promptLaw, n, seed, reference, referenceName);
            bool refuted = loss.MeanLowerBound > (1 + LossTolerance) * reference;
            checks.Add(new(Loss, !refuted, loss.MeanLowerBound, (1 + LossTolerance) * reference,
                $"one-sided Monte Carlo check ({loss.Prompts} prompts): fails only if the distribution-free lower bound of the mean exceeds (1 + {LossTolerance}) × reference; median {loss.Median:G4} [{loss.MedianLow:G4}, {loss.MedianHigh:G4}]"));
        }

        var preconditioners = a.Select(m => m.Transpose()).ToArray();
        IReadOnlyList<AlignmentMetrics> alignment = [];
        IReadOnlyList<LoopPoint> loops = [];
        if (full && inert.Length == 0) // an inert model predicts 0: nothing to align
        {
            alignment = Align(engine, theta, promptLaw, n, d, layers, optimal, seed);
            if (looped && kind != Kind.GdPlusPlus) loops = TestTimeLoops(whitened[0], kind == Kind.Shifted ? root * u[0] : null, n, d, optimal[0], maxLoops, seed);
        }
        return new SnapshotCheck(model.Label, layers, d, familyName, looped, outside, scale, scalars, optimal, wDist, rawDist, bDist, shift,
            preconditioners, loss, alignment, loops, checks);
    }

    private static double Sq(Matrix<double> m) => m.Enumerate().Sum(v => v * v);

    private static double SafeDist(Matrix<double> m) => m.FrobeniusNorm() > 0 ? LearnedMetrics.DistToIdentity(m) : 1;

    /// <summary>‖what leaves the family‖² of one normalised layer (P[d,d] = 1 is the family's; Q's last row and column are outside every family).</summary>
    private static double OutsideSquared(Kind k, Matrix<double> p, Matrix<double> q, int d)
    {
        double s = (p[d, d] - 1) * (p[d, d] - 1);
        for (int i = 0; i <= d; i++)
        {
            s += q[d, i] * q[d, i] + (i < d ? q[i, d] * q[i, d] : 0);
            for (int j = 0; j <= d; j++)
            {
                if (i == d && j == d) continue;
                bool allowed = k switch
                {
                    Kind.Sparse => false,
                    Kind.Shifted => i == d,             // the last row holds uᵀ
                    _ => i < d && j < d,                // GD++: the block B
                };
                if (!allowed) s += p[i, j] * p[i, j];
            }
        }
        return s;
    }

    private const int MonteCarloPrompts = 16384;

    /// <summary>Per-prompt squared errors through the engine: median with its exact binomial interval, and the DKW lower bound of the mean.</summary>
    private static ModelLoss MonteCarloLoss(IclEngine engine, double[] theta, PromptLaw law, int n, ulong seed, double reference, string referenceName)
    {
        var batch = law.Draw(n, MonteCarloPrompts, Seeds.Mix(seed, 2));
        var yhat = new double[batch.Count];
        engine.Predict(theta, batch, yhat);
        var errors = Enumerable.Range(0, batch.Count).Select(p => (yhat[p] - batch.Target[p]) * (yhat[p] - batch.Target[p])).ToArray();
        if (errors.Any(e => !double.IsFinite(e))) throw new ArgumentException("the model's predictions overflow (∞ or NaN) on prompts of this data law.");
        var (lo, hi) = SampleStatistics.QuantileInterval(errors, 0.5, CheckPolicy.FalseAlarm);
        return new ModelLoss(false, double.NaN, 0, SampleStatistics.Median(errors), lo, hi, SampleStatistics.NonNegativeMeanLowerBound(errors, CheckPolicy.FalseAlarm),
            errors.Length, reference, referenceName);
    }

    /// <summary>LEARN-ALIGN's metrics against the theory's construction (L-step PGD with A_l = a*_lΣ⁻¹), in distribution and for x → 2x, 3x.</summary>
    private static IReadOnlyList<AlignmentMetrics> Align(IclEngine engine, double[] theta, PromptLaw law, int n, int d, int layers, double[] optimal, ulong seed)
    {
        var sigmaInv = law.Sigma.Inverse();
        var construction = Parameterisation.Sparse(d, layers);
        var thetaRef = optimal.SelectMany(s => (sigmaInv * s).ToRowMajorArray()).ToArray();
        var refEngine = new IclEngine(construction);
        var baseBatch = law.Draw(n, 512, Seeds.Mix(seed, 3));
        var result = new List<AlignmentMetrics>();
        foreach (var c in new[] { 1.0, 2.0, 3.0 })
        {
            var batch = c == 1 ? baseBatch : PromptBatch.FromPrompts(law, Enumerable.Range(0, baseBatch.Count).Select(p => Alignment.Scaled(baseBatch.ToPrompt(p), c)).ToArray());
            double[] y = new double[batch.Count], g = new double[batch.Count * d], yr = new double[batch.Count], gr = new double[batch.Count * d];
            engine.PredictWithQueryGradient(theta, batch, y, g);
            refEngine.PredictWithQueryGradient(thetaRef, batch, yr, gr);
            result.Add(Numerics.Training.Alignment.Measure(c, y, g, yr, gr));
        }
        return result;
    }

    public const int MaxTestTimeLoops = 50;
    private const int LoopDraws = 2000;

    /// <summary>
    /// Test-time loops 1…50 in the whitened basis (GatmiryPopulationLoss's form): per draw Ŵ, with Π_k = (I − ŴD)^k and the shift part
    /// c_{k+1}ᵀ = c_kᵀ(I − ŴD) − sᵀŴD (c_0 = 0), the conditional loss is tr(Π_kΠ_kᵀ) + ‖c_k‖² (w̃* ~ N(0, I) is independent of c_k).
    /// </summary>
    private static IReadOnlyList<LoopPoint> TestTimeLoops(Matrix<double> dMat, Vector<double>? s, int n, int d, double bStar, int maxLoops, ulong seed)
    {
        if (maxLoops < 1 || maxLoops > MaxTestTimeLoops) throw new ArgumentException($"maxLoops must be in 1 … {MaxTestTimeLoops} (got {maxLoops}).", nameof(maxLoops));
        var draws = SparseFamilyLoss.DrawSamples(Matrix<double>.Build.DenseIdentity(d), n, LoopDraws, Seeds.ToInt(Seeds.Mix(seed, 4)));
        var perLoop = Enumerable.Range(0, maxLoops).Select(_ => new double[LoopDraws]).ToArray();
        var id = Matrix<double>.Build.DenseIdentity(d);
        for (int k = 0; k < LoopDraws; k++)
        {
            var step = id - draws[k] * dMat; // I − ŴD
            var pi = id;
            var c = Vector<double>.Build.Dense(d);
            var sw = s is null ? null : draws[k] * dMat;
            for (int loop = 0; loop < maxLoops; loop++)
            {
                pi = pi * step;
                if (s is not null) c = step.TransposeThisAndMultiply(c) - sw!.TransposeThisAndMultiply(s);
                double v = Sq(pi) + (s is null ? 0 : c.DotProduct(c));
                perLoop[loop][k] = double.IsFinite(v) ? v : double.MaxValue;
            }
        }
        var points = new List<LoopPoint>();
        for (int loop = 1; loop <= maxLoops; loop++)
        {
            var xs = perLoop[loop - 1];
            var (lo, hi) = SampleStatistics.QuantileInterval(xs, 0.5, CheckPolicy.FalseAlarm);
            double? exact = loop <= 3 ? GatmiryPopulationLoss.Whitened(Enumerable.Repeat(dMat, loop).ToArray(), Enumerable.Repeat(s, loop).ToArray(), n).Value : null;
            points.Add(new LoopPoint(loop, SampleStatistics.Median(xs), lo, hi, exact, LoopedScalar.ExactLoss(n, d, loop, bStar)));
        }
        return points;
    }
}
