using LoopedIcl.Numerics.Checkpoints;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Models;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Training;

/// <summary>
/// Writes a model trained here in the suite's layout, so it loads in PyTorch (safetensors) or NumPy (.npz) and back into the checker
/// (<c>check-model</c>, layout <c>suite</c>): per layer P.l and Q.l, (d+1)×(d+1) float64, for the + residual Z ← Z + (1/n)·P Z M Zᵀ Q Z
/// (a − residual model's Q is negated: the same layer), plus Sigma, the data law's covariance. The file name carries n as the authors'
/// pattern (…_N20_…), so the checker needs no --n.
/// </summary>
public static class ModelExport
{
    /// <summary>The tensors P.0, Q.0, …, Sigma of the model θ of <paramref name="family"/>.</summary>
    public static IReadOnlyList<NamedTensor> SuiteTensors(Parameterisation family, ReadOnlySpan<double> theta, Matrix<double> sigma)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(sigma);
        Guard.Shape(sigma.RowCount, sigma.ColumnCount, family.D, family.D, nameof(sigma));
        int w = family.Width;
        double qSign = family.Sign == ResidualSign.Minus ? -1 : 1;
        var tensors = new List<NamedTensor>();
        var layers = family.ToLayers(theta);
        for (int l = 0; l < layers.Length; l++)
        {
            tensors.Add(new NamedTensor($"P.{l}", [w, w], Flat(layers[l].P, 1), "float64"));
            tensors.Add(new NamedTensor($"Q.{l}", [w, w], Flat(layers[l].Q, qSign), "float64"));
        }
        tensors.Add(new NamedTensor("Sigma", [family.D, family.D], sigma.ToRowMajorArray(), "float64"));
        return tensors;
    }

    /// <summary>Writes DIR/STEM_N{n}.safetensors and DIR/STEM_N{n}.npz; returns their paths.</summary>
    public static (string Safetensors, string Npz) Write(string directory, string stem, int n, Parameterisation family, ReadOnlySpan<double> theta, Matrix<double> sigma)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(stem);
        Guard.Positive(n, nameof(n));
        var tensors = SuiteTensors(family, theta, sigma);
        Directory.CreateDirectory(directory);
        var basePath = Path.Combine(directory, $"{stem}_N{n}");
        CheckpointWriter.WriteSafetensors(basePath + ".safetensors", tensors);
        CheckpointWriter.WriteNpz(basePath + ".npz", tensors);
        return (basePath + ".safetensors", basePath + ".npz");
    }

    private static double[] Flat(Algebra.Mat<Algebra.Real> m, double sign)
    {
        var v = new double[m.Rows * m.Cols];
        for (int i = 0; i < m.Rows; i++)
            for (int j = 0; j < m.Cols; j++) v[i * m.Cols + j] = sign * m[i, j].Value;
        return v;
    }
}
