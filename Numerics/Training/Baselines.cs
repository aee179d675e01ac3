using LoopedIcl.Numerics.Engine;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Training;

/// <summary>Non-learned predictors the trained models are compared with (Ahn et al. Appendix D).</summary>
public static class Baselines
{
    /// <summary>
    /// Per-prompt squared errors (of the first <paramref name="count"/> prompts, all by default) of least squares on all n context examples: ŵ = X⁺y (minimum norm when n &lt; d; X has full rank almost surely), ŷ = ⟨x_q, ŵ⟩.
    /// </summary>
    public static double[] LeastSquaresErrors(PromptBatch batch, int? count = null)
    {
        var yhat = LeastSquaresPredictions(batch, count);
        var e = new double[yhat.Length];
        for (int p = 0; p < e.Length; p++) e[p] = (yhat[p] - batch.Target[p]) * (yhat[p] - batch.Target[p]);
        return e;
    }

    /// <summary>The least-squares predictions ŷ = ⟨x_q, X⁺y⟩ of the first <paramref name="count"/> prompts (all by default).</summary>
    public static double[] LeastSquaresPredictions(PromptBatch batch, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int m = count ?? batch.Count;
        if (m < 1 || m > batch.Count) throw new ArgumentException($"count must be in [1, {batch.Count}] (got {m}).", nameof(count));
        int n = batch.N, d = batch.D, lanes = PromptBatch.Lanes;
        var result = new double[m];
        for (int p = 0; p < m; p++)
        {
            int g = p / lanes, k = p % lanes;
            var x = Matrix<double>.Build.Dense(n, d, (i, a) => batch.X[((g * n + i) * d + a) * lanes + k]);
            var y = Vector<double>.Build.Dense(n, i => batch.Y[(g * n + i) * lanes + k]);
            // X⁺y through the Gram matrix of full rank (a.s. for Gaussian covariates): (XᵀX)⁻¹Xᵀy for n ≥ d, Xᵀ(XXᵀ)⁻¹y for n < d.
            var w = n >= d ? x.TransposeThisAndMultiply(x).Solve(x.TransposeThisAndMultiply(y)) : x.TransposeThisAndMultiply(x.TransposeAndMultiply(x).Solve(y));
            double yhat = 0;
            for (int a = 0; a < d; a++) yhat += batch.Query[(g * d + a) * lanes + k] * w[a];
            result[p] = yhat;
        }
        return result;
    }
}
