using LoopedIcl.Numerics.Optimization;

namespace LoopedIcl.Numerics.Training;

/// <summary>
/// An objective restricted to a linear subspace θ = Σ_k φ_k·v_k of another one (e.g. A_l = a_l·I: plain GD with per-layer steps;
/// A_l = a_l·Σ⁻¹: the theory's family 𝒮): ∂f/∂φ_k = ⟨∇_θ f, v_k⟩.
/// </summary>
public sealed class LinearRestriction<TBatch> : IBatchObjective<TBatch>
{
    private readonly IBatchObjective<TBatch> _inner;
    private readonly double[][] _directions;

    public int Dimension => _directions.Length;

    public LinearRestriction(IBatchObjective<TBatch> inner, IReadOnlyList<double[]> directions)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(directions);
        Guard.Positive(directions.Count, "directions.Count");
        for (int k = 0; k < directions.Count; k++) Guard.Length(directions[k].Length, inner.Dimension, $"directions[{k}]");
        _inner = inner;
        _directions = directions.Select(v => (double[])v.Clone()).ToArray();
    }

    /// <summary>θ = Σ φ_k v_k.</summary>
    public double[] Expand(ReadOnlySpan<double> phi)
    {
        Guard.Length(phi.Length, Dimension, nameof(phi));
        var theta = new double[_inner.Dimension];
        for (int k = 0; k < phi.Length; k++)
            for (int i = 0; i < theta.Length; i++) theta[i] += phi[k] * _directions[k][i];
        return theta;
    }

    public TBatch Draw(int prompts, ulong seed) => _inner.Draw(prompts, seed);

    public TBatch Redraw(TBatch previous, int prompts, ulong seed) => _inner.Redraw(previous, prompts, seed);

    public double Evaluate(ReadOnlySpan<double> x, TBatch batch, Span<double> gradient)
    {
        var theta = Expand(x);
        if (gradient.IsEmpty) return _inner.Evaluate(theta, batch, Span<double>.Empty);
        var full = new double[theta.Length];
        double value = _inner.Evaluate(theta, batch, full);
        for (int k = 0; k < Dimension; k++)
        {
            double s = 0;
            for (int i = 0; i < full.Length; i++) s += full[i] * _directions[k][i];
            gradient[k] = s;
        }
        return value;
    }

    /// <summary>Per-layer directions for a family whose θ is L consecutive d×d blocks (family (8)): layer l's block = C, the others 0.</summary>
    public static double[][] PerLayerBlocks(int layers, MathNet.Numerics.LinearAlgebra.Matrix<double> c)
    {
        int d = c.RowCount;
        return Enumerable.Range(0, layers).Select(l =>
        {
            var v = new double[layers * d * d];
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) v[l * d * d + i * d + j] = c[i, j];
            return v;
        }).ToArray();
    }

    /// <summary>θ of a family whose θ is L consecutive d×d blocks (family (8)) with block l = steps[l]·C.</summary>
    public static double[] PerLayerTheta(IReadOnlyList<double> steps, MathNet.Numerics.LinearAlgebra.Matrix<double> c)
    {
        var blocks = PerLayerBlocks(steps.Count, c);
        var theta = new double[blocks[0].Length];
        for (int l = 0; l < steps.Count; l++)
            for (int i = 0; i < theta.Length; i++) theta[i] += steps[l] * blocks[l][i];
        return theta;
    }
}
