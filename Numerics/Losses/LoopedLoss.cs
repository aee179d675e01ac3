using LoopedIcl.Numerics.Moments;
using LoopedIcl.Numerics.Statistics;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Losses;

/// <summary>
/// Gatmiry et al.'s looped model (Q = [[A,0],[0,0]], P = [[0,0],[uᵀ,1]], Z ← Z − (1/n)Attn, L loops) on a fixed sample of
/// sample covariances Ŝ, w* ~ N(0, Σ⁻¹), x_q ~ N(0, Σ) integrated exactly (Lemma R3 of the notes):
/// E[(TF_L − y_q)² | X] = tr(CᵀΣCΣ⁻¹) + uᵀ(I − C)ᵀΣ(I − C)u, C = (I − AᵀŜ)^L.
/// The A-part is the sparse family with L tied layers, so its gradient is the sum of the per-layer gradients.
/// </summary>
public sealed class LoopedLoss
{
    private readonly SparseFamilyLoss _tied;
    public int Loops { get; }
    public Matrix<double> Sigma => _tied.Sigma;
    public IReadOnlyList<Matrix<double>> Samples => _tied.Samples;

    public LoopedLoss(IReadOnlyList<Matrix<double>> samples, Matrix<double> sigma, int loops, Matrix<double>? taskCovariance = null)
    {
        Guard.Positive(loops, nameof(loops));
        Loops = loops;
        _tied = new SparseFamilyLoss(samples, sigma, taskCovariance ?? sigma.Inverse());
    }

    private Matrix<double>[] Tied(Matrix<double> a) => Enumerable.Repeat(a, Loops).ToArray();

    /// <summary>L(A, u) on the sample (u = null means u = 0).</summary>
    public double Value(Matrix<double> a, Vector<double>? u = null) => _tied.Value(Tied(a)) + (u is null ? 0 : ShiftTerm(a, u).Average());

    /// <summary>Per-sample conditional losses (for paired differences).</summary>
    public double[] PerSample(Matrix<double> a, Vector<double>? u = null)
    {
        var v = _tied.PerSample(Tied(a));
        if (u is null) return v;
        var shift = ShiftTerm(a, u);
        return v.Select((x, i) => x + shift[i]).ToArray();
    }

    /// <summary>uᵀ(I − C)ᵀΣ(I − C)u per sample: what a non-zero u costs (≥ 0; 0 iff (I − C)u = 0).</summary>
    public double[] ShiftTerm(Matrix<double> a, Vector<double> u)
    {
        int d = Sigma.RowCount;
        var id = Matrix<double>.Build.DenseIdentity(d);
        return Samples.Select(s =>
        {
            var c = id;
            var step = id - a.TransposeThisAndMultiply(s);
            for (int l = 0; l < Loops; l++) c = step * c;
            var v = (id - c) * u;
            return v * (Sigma * v);
        }).ToArray();
    }

    /// <summary>L(A, 0) as an allocation-free objective over A (row-major d² entries; <paramref name="symmetric"/>: A = (V + Vᵀ)/2, see <see cref="SparseFamilyObjective"/> for why not the upper triangle).</summary>
    public SparseFamilyObjective Objective(bool symmetric = false) => new(_tied, Loops, tied: true, symmetric);

    /// <summary>(L(A, 0), ∇_A L(A, 0)): the tied layers' gradients summed.</summary>
    public (double Value, Matrix<double> Gradient) ValueAndGradient(Matrix<double> a)
    {
        var (v, grads) = _tied.ValueAndGradient(Tied(a));
        var g = grads[0].Clone();
        for (int l = 1; l < grads.Length; l++) g += grads[l];
        return (v, g);
    }
}
