using LoopedIcl.Numerics.Algebra;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Prompts;

/// <summary>
/// One prompt held in flat arrays, refilled in place for Monte Carlo (no allocation per prompt): X (n×d, row-major),
/// y (n), x_q (d), y_q, w* (d). Sampling law as in <see cref="PromptSampler"/>: x ~ N(0, Σ) via x = Rg with RRᵀ = Σ.
/// </summary>
public sealed class PromptBuffer
{
    private readonly double[] _chol;       // R, lower triangular, row-major d×d
    private readonly double[] _cholInvT;   // R⁻ᵀ, upper triangular, row-major d×d
    private readonly double[] _g;
    private readonly Random _rng;
    private bool _hasSpare;
    private double _spare;

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
        ArgumentNullException.ThrowIfNull(sigma);
        Guard.SymmetricPositiveDefinite(sigma, nameof(sigma));
        Guard.Positive(n, nameof(n));
        if (!(noiseSigma >= 0 && double.IsFinite(noiseSigma))) throw new ArgumentException($"{nameof(noiseSigma)} must be finite and ≥ 0 (got {noiseSigma}).", nameof(noiseSigma));
        D = sigma.RowCount;
        N = n;
        Task = task;
        NoiseSigma = noiseSigma;
        var r = sigma.Cholesky().Factor;
        _chol = Flatten(r);
        _cholInvT = Flatten(r.Inverse().Transpose());
        _g = new double[D];
        _rng = Rng.Create(seed);
        X = new double[n * D];
        Y = new double[n];
        Query = new double[D];
        W = new double[D];
    }

    private static double[] Flatten(Matrix<double> m) => Enumerable.Range(0, m.RowCount * m.ColumnCount).Select(k => m[k / m.ColumnCount, k % m.ColumnCount]).ToArray();

    /// <summary>A standard normal (Marsaglia's polar method, pairs cached).</summary>
    public double NextGaussian()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double u, v, s;
        do
        {
            u = 2 * _rng.NextDouble() - 1;
            v = 2 * _rng.NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        var f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * f;
        _hasSpare = true;
        return u * f;
    }

    private void Covariate(Span<double> target)
    {
        int d = D;
        for (int j = 0; j < d; j++) _g[j] = NextGaussian();
        for (int i = 0; i < d; i++)
        {
            double s = 0;
            int row = i * d;
            for (int j = 0; j <= i; j++) s += _chol[row + j] * _g[j];
            target[i] = s;
        }
    }

    /// <summary>Draws a fresh prompt (task vector included) into the buffers.</summary>
    public void Next()
    {
        int d = D;
        for (int j = 0; j < d; j++) _g[j] = NextGaussian();
        switch (Task)
        {
            case TaskLaw.Isotropic:
                Array.Copy(_g, W, d);
                break;
            case TaskLaw.InverseCovariance:
                for (int i = 0; i < d; i++)
                {
                    double s = 0;
                    for (int j = i; j < d; j++) s += _cholInvT[i * d + j] * _g[j];
                    W[i] = s;
                }
                break;
            case TaskLaw.UnitSphere:
                double norm = 0;
                for (int j = 0; j < d; j++) norm += _g[j] * _g[j];
                norm = Math.Sqrt(norm);
                for (int j = 0; j < d; j++) W[j] = _g[j] / norm;
                break;
            default:
                throw new InvalidOperationException($"Unknown task law {Task}.");
        }
        for (int i = 0; i < N; i++)
        {
            var row = X.AsSpan(i * d, d);
            Covariate(row);
            double y = 0;
            for (int j = 0; j < d; j++) y += row[j] * W[j];
            Y[i] = NoiseSigma > 0 ? y + NoiseSigma * NextGaussian() : y;
        }
        Covariate(Query);
        double yq = 0;
        for (int j = 0; j < d; j++) yq += Query[j] * W[j];
        QueryTarget = yq;
    }

    /// <summary>The current prompt as a <see cref="Prompt{T}"/> (allocates; for cross-checks against the literal path).</summary>
    public Prompt<Real> ToPrompt() => new(
        Mat<Real>.Build(N, D, (i, j) => X[i * D + j]), Mat<Real>.Build(N, 1, (i, _) => Y[i]),
        Mat<Real>.Build(D, 1, (i, _) => Query[i]), QueryTarget, Mat<Real>.Build(D, 1, (i, _) => W[i]));
}
