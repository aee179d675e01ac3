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

    /// <summary>K sample covariances S = (1/n)XᵀX with X rows ~ N(0, Σ).</summary>
    public static Matrix<double>[] DrawSamples(Matrix<double> sigma, int n, int count, int seed)
    {
        var buffer = new Prompts.PromptBuffer(sigma, Prompts.TaskLaw.Isotropic, n, seed);
        var result = new Matrix<double>[count];
        int d = sigma.RowCount;
        for (int k = 0; k < count; k++)
        {
            buffer.Next();
            var x = Matrix<double>.Build.Dense(d, n, (i, j) => buffer.X[j * d + i]);
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
