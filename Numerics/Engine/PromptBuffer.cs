using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Engine;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// One prompt at a time in flat arrays, refilled in place for Monte Carlo (no allocation per prompt): X (n×d, row-major),
/// y (n), x_q (d), y_q, w* (d). A thin view over the engine's sampler (<see cref="PromptLaw"/>): it draws lane groups of 8 prompts
/// and serves them in order, so the k-th prompt of PromptBuffer(Σ, law, n, seed) is prompt k of PromptLaw.Draw(n, ·, seed).
/// </summary>
public sealed class PromptBuffer
{
    private readonly PromptBatch _group;
    private ulong _stream;
    private int _lane = PromptBatch.Lanes;

    public int N { get; }
    public int D { get; }
    public TaskLaw Task { get; }
    public double NoiseSigma { get; }
    public double[] X { get; }
    public double[] Y { get; }
    public double[] Query { get; }
    public double QueryTarget { get; private set; }
    public double[] W { get; }

    public PromptBuffer(Matrix<double> sigma, TaskLaw task, int n, int seed, double noiseSigma = 0)
    {
        Guard.Positive(n, nameof(n));
        var law = new PromptLaw(sigma, task, noiseSigma);
        D = law.D;
        N = n;
        Task = task;
        NoiseSigma = noiseSigma;
        _group = PromptBatch.Empty(law, n, PromptBatch.Lanes, unchecked((ulong)(long)seed));
        X = new double[n * D];
        Y = new double[n];
        Query = new double[D];
        W = new double[D];
    }

    /// <summary>Draws a fresh prompt (task vector included) into the buffers.</summary>
    public void Next()
    {
        const int lanes = PromptBatch.Lanes;
        if (_lane == lanes)
        {
            _group.DrawGroup(0, _stream++);
            _lane = 0;
        }
        int k = _lane++, d = D;
        for (int m = 0; m < N * d; m++) X[m] = _group.X[m * lanes + k];
        for (int i = 0; i < N; i++) Y[i] = _group.Y[i * lanes + k];
        for (int a = 0; a < d; a++)
        {
            Query[a] = _group.Query[a * lanes + k];
            W[a] = _group.Task[a * lanes + k];
        }
        QueryTarget = _group.Target[k];
    }

    /// <summary>The current prompt as a <see cref="Prompt{T}"/> (allocates; for cross-checks against the literal path).</summary>
    public Prompt<Real> ToPrompt() => new(
        Mat<Real>.Build(N, D, (i, j) => X[i * D + j]), Mat<Real>.Build(N, 1, (i, _) => Y[i]),
        Mat<Real>.Build(D, 1, (i, _) => Query[i]), QueryTarget, Mat<Real>.Build(D, 1, (i, _) => W[i]));
}
