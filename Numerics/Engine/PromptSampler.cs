using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Prompts;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// Seeded Gaussian prompts one at a time: x_i, x_q ~ N(0, Σ) i.i.d., w* from a <see cref="TaskLaw"/>, y_i = ⟨w*, x_i⟩ + σ ε_i.
/// A thin view over the engine's sampler (<see cref="PromptLaw"/>): one random stream per seed, so Sample(n, seed) is prompt 0 of
/// PromptLaw.Draw(n, ·, seed) and the first prompt of PromptBuffer(Σ, law, n, seed). The Random overloads draw that seed from the
/// caller's stream (one 64-bit value per prompt), so existing call sites still replay from their one seed.
/// </summary>
public sealed class PromptSampler
{
    private readonly PromptLaw _law;

    public Matrix<double> Sigma => _law.Sigma;
    public TaskLaw Task => _law.Task;
    public double NoiseSigma => _law.NoiseSigma;
    public int D => _law.D;

    public PromptSampler(Matrix<double> sigma, TaskLaw task, double noiseSigma = 0.0) => _law = new PromptLaw(sigma, task, noiseSigma);

    public static PromptSampler Isotropic(int d, TaskLaw task, double noiseSigma = 0.0)
    {
        Guard.Positive(d, nameof(d));
        return new PromptSampler(Matrix<double>.Build.DenseIdentity(d), task, noiseSigma);
    }

    /// <summary>The prompt of the engine's stream <paramref name="seed"/> (prompt 0 of PromptLaw.Draw(n, ·, seed)).</summary>
    public Prompt<Real> Sample(int n, ulong seed) => _law.Draw(n, 1, seed).ToPrompt(0);

    /// <summary>A prompt with a fresh task vector, from the engine stream whose seed is the next value of <paramref name="rng"/>.</summary>
    public Prompt<Real> Sample(int n, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Guard.Positive(n, nameof(n));
        return Sample(n, (ulong)rng.NextInt64());
    }

    /// <summary>A task vector w* (the task of a fresh one-example prompt).</summary>
    public Mat<Real> SampleTask(Random rng) => Sample(1, rng).Task;

    /// <summary>n covariate rows x_i ~ N(0, Σ) as an n×d matrix (the context of a fresh prompt).</summary>
    public Mat<Real> SampleCovariates(int n, Random rng) => Sample(n, rng).X;
}
