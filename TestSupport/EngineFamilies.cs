namespace LoopedIcl.TestSupport;

/// <summary>The parameterisations the engine tests run over (named once), with random parameters at a scale where L layers stay O(1).</summary>
public static class EngineFamilies
{
    public enum Kind { FullUntied, FullTiedMinus, Sparse, SparseTiedSymmetric, GdPlusPlus, GatmiryLooped, GatmiryLoopedSymmetricNoU, GatmiryUntied }

    public static Parameterisation Make(Kind kind, int d, int layers) => kind switch
    {
        Kind.FullUntied => Parameterisation.Full(d, layers),
        Kind.FullTiedMinus => Parameterisation.Full(d, layers, ResidualSign.Minus, tied: true),
        Kind.Sparse => Parameterisation.Sparse(d, layers),
        Kind.SparseTiedSymmetric => Parameterisation.Sparse(d, layers, tied: true, symmetricA: true),
        Kind.GdPlusPlus => Parameterisation.GdPlusPlus(d, layers),
        Kind.GatmiryLooped => Parameterisation.Gatmiry(d, layers),
        Kind.GatmiryLoopedSymmetricNoU => Parameterisation.Gatmiry(d, layers, symmetricA: true, withU: false),
        Kind.GatmiryUntied => Parameterisation.Gatmiry(d, layers, tied: false),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The engine's one-prompt evaluator of literal (P, Q) layers; the family is read off their values (<see cref="Parameterisation.Of"/>).</summary>
    public static IclEngine.Evaluator Evaluator(IReadOnlyList<AttentionLayer<Real>> layers, ResidualSign sign)
    {
        var (family, theta) = Parameterisation.Of(layers, sign);
        return new IclEngine(family).CreateEvaluator(theta);
    }

    /// <summary>
    /// The engine's batch predictor of literal (P, Q) layers (family read off their values), for Monte Carlo over prompt batches: the Gram
    /// engine for linear attention, the non-linear engine for a score activation (ReLU, softmax).
    /// </summary>
    public static BatchPredictor Predictor(IReadOnlyList<AttentionLayer<Real>> layers, ResidualSign sign, ScoreActivation activation = ScoreActivation.Identity)
    {
        var (family, theta) = Parameterisation.Of(layers, sign);
        if (activation == ScoreActivation.Identity)
        {
            var linear = new IclEngine(family);
            return (batch, predictions) => linear.Predict(theta, batch, predictions);
        }
        var nonLinear = new NonLinearAttentionEngine(family, activation);
        return (batch, predictions) => nonLinear.Predict(theta, batch, predictions);
    }

    /// <summary>θ with N(0, 0.16/(d+1)) entries (the scale of the FAST-PATH tests: ‖P‖, ‖Q‖ = O(0.4)).</summary>
    public static double[] RandomTheta(Parameterisation f, Random rng) =>
        Numerics.Prompts.Rng.Gaussians(rng, f.Dimension).Select(v => v * 0.4 / Math.Sqrt(f.Width)).ToArray();

    /// <summary>A random instance for a shape: the family, θ and a batch of <paramref name="count"/> prompts (all from the shape's seed).</summary>
    public static (Parameterisation Family, double[] Theta, PromptBatch Batch) Draw(Kind kind, Shape s, int count)
    {
        var rng = Numerics.Prompts.Rng.Create(s.Seed);
        var family = Make(kind, s.D, s.L);
        var theta = RandomTheta(family, rng);
        return (family, theta, Batch(s, count, rng));
    }

    /// <summary>A batch of <paramref name="count"/> prompts, x ~ N(0, Σ) with κ(Σ) = shape.Kappa, w* ~ N(0, Σ⁻¹).</summary>
    public static PromptBatch Batch(Shape s, int count, Random rng) =>
        new PromptLaw(Covariance.WithConditionNumber(s.D, s.Kappa, rng), TaskLaw.InverseCovariance).Draw(s.N, count, s.Stream);
}
