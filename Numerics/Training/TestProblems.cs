using LoopedIcl.Numerics.Optimization;
using LoopedIcl.Numerics.Prompts;

namespace LoopedIcl.Numerics.Training;

/// <summary>A deterministic <see cref="IObjective"/> seen as a batch objective whose batches carry nothing (the batch is ignored).</summary>
public sealed class DeterministicBatches(IObjective objective) : IBatchObjective<int>
{
    public int Dimension => objective.Dimension;
    public int Draw(int prompts, ulong seed) => prompts;
    public double Evaluate(ReadOnlySpan<double> x, int batch, Span<double> gradient) => objective.Evaluate(x, gradient);
}

/// <summary>A function with its gradient as an <see cref="IObjective"/>.</summary>
public sealed class DelegateObjective(int dimension, Func<double[], (double Value, double[] Gradient)> evaluate) : IObjective
{
    public int Dimension => dimension;

    public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
    {
        var (value, g) = evaluate(x.ToArray());
        if (!gradient.IsEmpty) g.CopyTo(gradient);
        return value;
    }
}

/// <summary>
/// Noisy linear least squares with a known optimum, a stochastic test problem for the trainer: z ~ N(0, I_p),
/// t = ⟨z, θ*⟩ + σε; loss = batch mean of (⟨z, θ⟩ − t)². Population loss ‖θ − θ*‖² + σ², minimised at θ*.
/// </summary>
public sealed class NoisyLeastSquares : IBatchObjective<NoisyLeastSquares.Batch>
{
    public sealed record Batch(double[] Z, double[] T);

    public double[] Optimum { get; }
    public double Noise { get; }
    public int Dimension => Optimum.Length;

    public NoisyLeastSquares(double[] optimum, double noise)
    {
        ArgumentNullException.ThrowIfNull(optimum);
        Guard.Positive(optimum.Length, "optimum.Length");
        Guard.AtLeast(noise, 0, nameof(noise));
        Optimum = (double[])optimum.Clone();
        Noise = noise;
    }

    /// <summary>The population loss ‖θ − θ*‖² + σ².</summary>
    public double PopulationLoss(ReadOnlySpan<double> theta)
    {
        double s = Noise * Noise;
        for (int i = 0; i < Dimension; i++) s += (theta[i] - Optimum[i]) * (theta[i] - Optimum[i]);
        return s;
    }

    public Batch Draw(int prompts, ulong seed)
    {
        Guard.Positive(prompts, nameof(prompts));
        var rng = Rng.Create(Seeds.ToInt(seed));
        int p = Dimension;
        var z = Rng.Gaussians(rng, prompts * p);
        var e = Rng.Gaussians(rng, prompts);
        var t = new double[prompts];
        for (int k = 0; k < prompts; k++)
        {
            double s = Noise * e[k];
            for (int i = 0; i < p; i++) s += z[k * p + i] * Optimum[i];
            t[k] = s;
        }
        return new Batch(z, t);
    }

    public double Evaluate(ReadOnlySpan<double> x, Batch batch, Span<double> gradient)
    {
        int p = Dimension, m = batch.T.Length;
        Guard.Length(x.Length, p, nameof(x));
        if (!gradient.IsEmpty) gradient.Clear();
        double loss = 0;
        for (int k = 0; k < m; k++)
        {
            double r = -batch.T[k];
            for (int i = 0; i < p; i++) r += batch.Z[k * p + i] * x[i];
            loss += r * r;
            if (!gradient.IsEmpty) for (int i = 0; i < p; i++) gradient[i] += 2 * r * batch.Z[k * p + i] / m;
        }
        return loss / m;
    }
}
