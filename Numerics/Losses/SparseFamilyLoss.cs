using LoopedIcl.Numerics.Algebra;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Losses;

/// <summary>
/// The sparse family (8) / Gatmiry's looped family on a fixed sample of sample-covariance matrices S_k, with the query
/// and the task integrated exactly: w* − w_L = Πw*, Π = (I − A_{L−1}ᵀS)···(I − A_0ᵀS), and
/// E[(ŷ − y_q)² | S] = tr(ΠᵀΣΠC), C = Cov(w*). The sample mean f̂ and its exact gradient
/// ∇_{A_l} f̂ = −2 mean_k S R_l C Πᵀ Σ L_l (L_l, R_l the products left and right of layer l) — the form Gatmiry et al. give.
/// </summary>
public sealed class SparseFamilyLoss
{
    public IReadOnlyList<Matrix<double>> Samples { get; }
    public Matrix<double> Sigma { get; }
    public Matrix<double> TaskCovariance { get; }
    public int D => Sigma.RowCount;

    public SparseFamilyLoss(IReadOnlyList<Matrix<double>> samples, Matrix<double> sigma, Matrix<double> taskCovariance)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("samples must not be empty.", nameof(samples));
        Guard.SymmetricPositiveDefinite(sigma, nameof(sigma));
        Guard.Shape(taskCovariance.RowCount, taskCovariance.ColumnCount, sigma.RowCount, sigma.RowCount, nameof(taskCovariance));
        Samples = samples;
        Sigma = sigma;
        TaskCovariance = taskCovariance;
    }

    /// <summary>K sample covariances S = (1/n)XᵀX with X rows ~ N(0, Σ): the prompts of the engine's sequence at the seed (sign-extended).</summary>
    public static Matrix<double>[] DrawSamples(Matrix<double> sigma, int n, int count, int seed)
    {
        var batch = new Engine.PromptLaw(sigma, Prompts.TaskLaw.Isotropic).Draw(n, count, Engine.EngineSeed.FromInt(seed));
        var result = new Matrix<double>[count];
        int d = sigma.RowCount;
        var flat = new double[n * d];
        var (y, query) = (new double[n], new double[d]);
        for (int k = 0; k < count; k++)
        {
            batch.CopyPrompt(k, flat, y, query);
            var x = Matrix<double>.Build.Dense(d, n, (i, j) => flat[j * d + i]);
            result[k] = x * x.Transpose() / n;
        }
        return result;
    }

    /// <summary>The conditional loss tr(ΠᵀΣΠC) of each sample (for paired comparisons with common random numbers).</summary>
    public double[] PerSample(IReadOnlyList<Matrix<double>> a)
    {
        int d = D;
        var id = Matrix<double>.Build.DenseIdentity(d);
        return Samples.Select(s =>
        {
            var pi = id;
            foreach (var al in a) pi = (id - al.TransposeThisAndMultiply(s)) * pi;
            return (pi.TransposeThisAndMultiply(Sigma * pi) * TaskCovariance).Trace();
        }).ToArray();
    }

    /// <summary>f̂(A_0..A_{L−1}).</summary>
    public double Value(IReadOnlyList<Matrix<double>> a) => PerSample(a).Average();

    /// <summary>f̂ and ∇_{A_l} f̂ for every layer.</summary>
    public (double Value, Matrix<double>[] Gradient) ValueAndGradient(IReadOnlyList<Matrix<double>> a)
    {
        ArgumentNullException.ThrowIfNull(a);
        int layers = a.Count, d = D;
        var id = Matrix<double>.Build.DenseIdentity(d);
        var grads = Enumerable.Range(0, layers).Select(_ => Matrix<double>.Build.Dense(d, d)).ToArray();
        double total = 0;
        var factors = new Matrix<double>[layers];
        var right = new Matrix<double>[layers + 1];
        foreach (var s in Samples)
        {
            right[0] = id;
            for (int l = 0; l < layers; l++)
            {
                factors[l] = id - a[l].TransposeThisAndMultiply(s);
                right[l + 1] = factors[l] * right[l];
            }
            var pi = right[layers];
            var sigmaPi = Sigma * pi;
            total += (pi.TransposeThisAndMultiply(sigmaPi) * TaskCovariance).Trace();
            // ∇_{A_l} tr(ΠᵀΣΠC) = −2 S R_l C Πᵀ Σ L_l with L_l = F_{L−1}···F_{l+1}.
            var left = id;
            for (int l = layers - 1; l >= 0; l--)
            {
                grads[l] -= 2 * s * right[l] * TaskCovariance * sigmaPi.Transpose() * left;
                left = left * factors[l];
            }
        }
        int m = Samples.Count;
        foreach (var g in grads) g.Divide(m, g);
        return (total / m, grads);
    }
}

/// <summary>
/// <see cref="SparseFamilyLoss"/> as an allocation-free <see cref="Optimization.IObjective"/> (the hot loop of the multi-start
/// searches): the parameter vector holds one row-major d×d block per layer, or one block for all layers when
/// <paramref name="tied"/> (the looped model, gradient = sum of the layer gradients); with <paramref name="symmetric"/> each block V
/// is used as A = (V + Vᵀ)/2 and the gradient is symmetrised (the symmetric class). Same value and gradient as
/// <see cref="SparseFamilyLoss.ValueAndGradient"/> (tested); not thread-safe (one workspace).
/// Symmetric A here is (V + Vᵀ)/2 on all d² entries, not the engine's upper triangle (<see cref="Engine.Parameterisation.Sparse"/>),
/// on purpose: its gradient is the Frobenius gradient projected on symmetric matrices, the metric in which the multi-start
/// searches of AHN-T2 and GAT-T1 descend; the upper triangle counts each off-diagonal entry once and doubles its gradient.
/// On a symmetric V both give the same A, so their values agree; their gradients differ by that factor 2 off the diagonal.
/// </summary>
public sealed class SparseFamilyObjective : Optimization.IObjective
{
    private readonly int _d, _layers, _blocks;
    private readonly bool _symmetric;
    private readonly double[][] _samples;
    private readonly double[] _sigma, _task;
    private readonly double[][] _a, _f, _right, _grad;
    private readonly double[] _sigmaPi, _v, _n, _left, _t1, _t2;

    public int Dimension => _blocks * _d * _d;
    public int Layers => _layers;

    public SparseFamilyObjective(SparseFamilyLoss loss, int layers, bool tied, bool symmetric)
    {
        ArgumentNullException.ThrowIfNull(loss);
        Guard.Positive(layers, nameof(layers));
        int d = _d = loss.D;
        _layers = layers;
        _blocks = tied ? 1 : layers;
        _symmetric = symmetric;
        static double[] Flat(Matrix<double> m) => m.ToRowMajorArray();
        _samples = loss.Samples.Select(Flat).ToArray();
        _sigma = Flat(loss.Sigma);
        _task = Flat(loss.TaskCovariance);
        double[] New() => new double[d * d];
        _a = Enumerable.Range(0, _blocks).Select(_ => New()).ToArray();
        _grad = Enumerable.Range(0, _blocks).Select(_ => New()).ToArray();
        _f = Enumerable.Range(0, layers).Select(_ => New()).ToArray();
        _right = Enumerable.Range(0, layers + 1).Select(_ => New()).ToArray();
        (_sigmaPi, _v, _n, _left, _t1, _t2) = (New(), New(), New(), New(), New(), New());
    }

    /// <summary>The layer matrices A_l (row-major flat) a parameter vector stands for (tied: the one block; symmetric: (V + Vᵀ)/2).</summary>
    public Matrix<double>[] Matrices(ReadOnlySpan<double> x)
    {
        Load(x);
        return Enumerable.Range(0, _layers).Select(l => Matrix<double>.Build.Dense(_d, _d, (i, j) => _a[l % _blocks][i * _d + j])).ToArray();
    }

    private void Load(ReadOnlySpan<double> x)
    {
        Guard.Length(x.Length, Dimension, nameof(x));
        int d = _d;
        for (int b = 0; b < _blocks; b++)
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                {
                    double v = x[b * d * d + i * d + j];
                    _a[b][i * d + j] = _symmetric ? (v + x[b * d * d + j * d + i]) / 2 : v;
                }
    }

    public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
    {
        Load(x);
        int d = _d, dd = d * d, layers = _layers;
        bool wantGradient = !gradient.IsEmpty;
        if (wantGradient) { Guard.Length(gradient.Length, Dimension, nameof(gradient)); foreach (var g in _grad) Array.Clear(g); }
        double total = 0;
        bool tied = _blocks == 1;
        foreach (var s in _samples)
        {
            // Products with the identity are copies (RowMajor.TimesIdentity: the same values as the products they replace), and with tied
            // layers F_l = I − AᵀS is one matrix, formed once per sample: the same operations on the same operands, so the same values.
            for (int l = 0; l < layers; l++)
            {
                var f = _f[l];
                if (!tied || l == 0) RowMajor.TransposeTimes(_a[l % _blocks], s, f, d, subtractFromIdentity: true); // F_l = I − A_lᵀS
                else Array.Copy(_f[0], f, dd);
                if (l == 0) RowMajor.TimesIdentity(f, _right[1], d, identityOnLeft: false);
                else RowMajor.Multiply(f, _right[l], _right[l + 1], d);
            }
            var pi = _right[layers];
            RowMajor.Multiply(_sigma, pi, _sigmaPi, d);
            RowMajor.Multiply(_sigmaPi, _task, _v, d); // V = ΣΠC; tr(ΠᵀΣΠC) = Σ Π∘V
            for (int i = 0; i < dd; i++) total += pi[i] * _v[i];
            if (!wantGradient) continue;
            // N = CΠᵀΣ = Vᵀ; ∇_{A_l} += −2 S R_l N L_l, L_l = F_{L−1}···F_{l+1}.
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) _n[i * d + j] = _v[j * d + i];
            bool leftIsIdentity = true;
            for (int l = layers - 1; l >= 0; l--)
            {
                if (leftIsIdentity) RowMajor.TimesIdentity(_n, _t1, d, identityOnLeft: false);
                else RowMajor.Multiply(_n, _left, _t1, d);
                if (l == 0) RowMajor.TimesIdentity(_t1, _t2, d, identityOnLeft: true); // R_0 = I
                else RowMajor.Multiply(_right[l], _t1, _t2, d);
                RowMajor.Multiply(s, _t2, _t1, d);
                var g = _grad[l % _blocks];
                for (int i = 0; i < dd; i++) g[i] -= 2 * _t1[i];
                if (l > 0)
                {
                    if (leftIsIdentity) RowMajor.TimesIdentity(_f[l], _left, d, identityOnLeft: true);
                    else
                    {
                        RowMajor.Multiply(_left, _f[l], _t2, d);
                        Array.Copy(_t2, _left, dd);
                    }
                    leftIsIdentity = false;
                }
            }
        }
        int m = _samples.Length;
        if (wantGradient)
            for (int b = 0; b < _blocks; b++)
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++)
                    {
                        var g = _grad[b];
                        double v = _symmetric ? (g[i * d + j] + g[j * d + i]) / 2 : g[i * d + j];
                        gradient[b * dd + i * d + j] = v / m; // row-major, like the parameters (the Parameterisation layout)
                    }
        return total / m;
    }
}
