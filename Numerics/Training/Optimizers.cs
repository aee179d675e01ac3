namespace LoopedIcl.Numerics.Training;

/// <summary>The update rule of a first-order optimiser.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with heavy-ball momentum as in PyTorch: b ← μb + g (b = g on the first step), θ ← θ − η b; weight decay adds λθ to g (coupled L2).</summary>
    Sgd,

    /// <summary>AdamW as in PyTorch: θ ← θ(1 − ηλ) (decoupled decay), then Adam with bias correction and ε added to √v̂. λ = 0 is plain Adam.</summary>
    AdamW,
}

/// <summary>How the gradient is clipped before the update.</summary>
public enum ClipMode
{
    None,

    /// <summary>One norm over the whole vector: g ← g·min(1, c/‖g‖).</summary>
    Global,

    /// <summary>Each parameter block (one P or Q block of one layer) separately: g_b ← g_b·min(1, c/‖g_b‖) — the authors' per-matrix clip.</summary>
    PerBlock,
}

/// <summary>
/// An optimiser and its settings, as data (part of a training recipe). The learning rate at step t (0-based) is
/// η·2^(−⌊t/HalveEvery⌋) (HalveEvery = 0: constant). Clipping has no ε in the denominator: a block is rescaled only when its
/// norm exceeds <see cref="ClipNorm"/>, to exactly that norm.
/// </summary>
public sealed record OptimizerSettings(
    OptimizerKind Kind,
    double LearningRate,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-8,
    double WeightDecay = 0,
    double Momentum = 0,
    ClipMode Clip = ClipMode.None,
    double ClipNorm = double.PositiveInfinity,
    int HalveEvery = 0)
{
    /// <summary>Adam/AdamW with the given β's (PyTorch's defaults otherwise).</summary>
    public static OptimizerSettings Adam(double learningRate, double beta1 = 0.9, double beta2 = 0.999, double weightDecay = 0,
        ClipMode clip = ClipMode.None, double clipNorm = double.PositiveInfinity, int halveEvery = 0) =>
        new(OptimizerKind.AdamW, learningRate, beta1, beta2, WeightDecay: weightDecay, Clip: clip, ClipNorm: clipNorm, HalveEvery: halveEvery);

    /// <summary>SGD with momentum μ.</summary>
    public static OptimizerSettings Sgd(double learningRate, double momentum = 0, double weightDecay = 0,
        ClipMode clip = ClipMode.None, double clipNorm = double.PositiveInfinity, int halveEvery = 0) =>
        new(OptimizerKind.Sgd, learningRate, WeightDecay: weightDecay, Momentum: momentum, Clip: clip, ClipNorm: clipNorm, HalveEvery: halveEvery);

    /// <summary>The learning rate used at 0-based step <paramref name="step"/>.</summary>
    public double LearningRateAt(int step) => HalveEvery > 0 ? LearningRate * Math.Pow(0.5, step / HalveEvery) : LearningRate;

    /// <summary>Throws ArgumentException naming the setting and the rule it breaks.</summary>
    public void Validate()
    {
        Guard.Positive(LearningRate, nameof(LearningRate));
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentException($"Beta1 must be in [0, 1) (got {Beta1}).", nameof(Beta1));
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException($"Beta2 must be in [0, 1) (got {Beta2}).", nameof(Beta2));
        Guard.Positive(Epsilon, nameof(Epsilon));
        Guard.AtLeast(WeightDecay, 0, nameof(WeightDecay));
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentException($"Momentum must be in [0, 1) (got {Momentum}).", nameof(Momentum));
        if (Clip != ClipMode.None && !(ClipNorm > 0 && double.IsFinite(ClipNorm)))
            throw new ArgumentException($"ClipNorm must be finite and > 0 when clipping (got {ClipNorm}).", nameof(ClipNorm));
        Guard.NonNegative(HalveEvery, nameof(HalveEvery));
    }
}

/// <summary>
/// A stateful optimiser on one flat parameter vector. <see cref="Step"/> allocates nothing: the moment buffers are owned here,
/// the gradient span is caller-owned scratch (clipped in place). Parameter blocks (for per-block clipping) are given as
/// CSR-style offsets: block b is [offsets[b], offsets[b+1]), offsets[0] = 0, offsets[^1] = dimension.
/// </summary>
public sealed class Optimizer
{
    private readonly double[] _first;
    private readonly double[] _second;
    private readonly int[] _blocks;

    public OptimizerSettings Settings { get; }
    public int Dimension { get; }

    /// <summary>Steps taken so far (the schedule's t).</summary>
    public int StepCount { get; private set; }

    /// <summary>The learning rate the next step will use.</summary>
    public double CurrentLearningRate => Settings.LearningRateAt(StepCount);

    public Optimizer(OptimizerSettings settings, int dimension, int[]? blockOffsets = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Guard.Positive(dimension, nameof(dimension));
        Settings = settings;
        Dimension = dimension;
        _blocks = blockOffsets is null ? [0, dimension] : (int[])blockOffsets.Clone();
        ValidateBlocks(_blocks, dimension);
        _first = new double[dimension];
        _second = settings.Kind == OptimizerKind.AdamW ? new double[dimension] : [];
    }

    private static void ValidateBlocks(int[] offsets, int dimension)
    {
        if (offsets.Length < 2 || offsets[0] != 0 || offsets[^1] != dimension)
            throw new ArgumentException($"blockOffsets must start at 0 and end at the dimension {dimension} (got [{string.Join(", ", offsets)}]).", "blockOffsets");
        for (int b = 1; b < offsets.Length; b++)
            if (offsets[b] <= offsets[b - 1])
                throw new ArgumentException($"blockOffsets must be strictly increasing (got [{string.Join(", ", offsets)}]).", "blockOffsets");
    }

    /// <summary>Forgets the moments and the step count.</summary>
    public void Reset()
    {
        Array.Clear(_first);
        Array.Clear(_second);
        StepCount = 0;
    }

    /// <summary>
    /// One update of θ in place from the gradient g (clipped in place first). Returns ‖g‖ before clipping. Throws
    /// ArgumentException on a non-finite gradient (a diverged run must not silently continue).
    /// </summary>
    public double Step(Span<double> theta, Span<double> gradient)
    {
        Guard.Length(theta.Length, Dimension, nameof(theta));
        Guard.Length(gradient.Length, Dimension, nameof(gradient));
        double norm = Norm(gradient);
        if (!double.IsFinite(norm)) throw new ArgumentException($"gradient must be finite (norm {norm} at step {StepCount}).", nameof(gradient));
        Clip(gradient, norm);
        var s = Settings;
        double lr = s.LearningRateAt(StepCount);
        StepCount++;
        if (s.Kind == OptimizerKind.Sgd)
        {
            bool first = StepCount == 1;
            for (int i = 0; i < theta.Length; i++)
            {
                double g = gradient[i] + s.WeightDecay * theta[i];
                double b = s.Momentum == 0 ? g : (first ? g : s.Momentum * _first[i] + g);
                _first[i] = b;
                theta[i] -= lr * b;
            }
            return norm;
        }
        double c1 = 1 - Math.Pow(s.Beta1, StepCount), sqrtC2 = Math.Sqrt(1 - Math.Pow(s.Beta2, StepCount));
        double step = lr / c1, decay = 1 - lr * s.WeightDecay;
        for (int i = 0; i < theta.Length; i++)
        {
            double g = gradient[i];
            double m = _first[i] = s.Beta1 * _first[i] + (1 - s.Beta1) * g;
            double v = _second[i] = s.Beta2 * _second[i] + (1 - s.Beta2) * g * g;
            theta[i] = theta[i] * decay - step * m / (Math.Sqrt(v) / sqrtC2 + s.Epsilon);
        }
        return norm;
    }

    private void Clip(Span<double> gradient, double globalNorm)
    {
        var s = Settings;
        if (s.Clip == ClipMode.Global)
        {
            if (globalNorm > s.ClipNorm) Scale(gradient, s.ClipNorm / globalNorm);
        }
        else if (s.Clip == ClipMode.PerBlock)
        {
            for (int b = 0; b + 1 < _blocks.Length; b++)
            {
                var block = gradient[_blocks[b].._blocks[b + 1]];
                double n = Norm(block);
                if (n > s.ClipNorm) Scale(block, s.ClipNorm / n);
            }
        }
    }

    private static void Scale(Span<double> v, double factor)
    {
        for (int i = 0; i < v.Length; i++) v[i] *= factor;
    }

    /// <summary>The Euclidean norm (scaled by the largest entry so huge gradients do not overflow to ∞).</summary>
    public static double Norm(ReadOnlySpan<double> v)
    {
        double max = 0;
        foreach (var x in v)
        {
            if (!double.IsFinite(x)) return double.NaN;
            max = Math.Max(max, Math.Abs(x));
        }
        if (max == 0) return 0;
        double sum = 0;
        foreach (var x in v) { double r = x / max; sum += r * r; }
        return max * Math.Sqrt(sum);
    }
}
