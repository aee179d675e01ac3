using LoopedIcl.Numerics.Engine;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Training;

/// <summary>Non-learned predictors the trained models are compared with (Ahn et al. Appendix D).</summary>
public static class Baselines
{
    /// <summary>
    /// Per-prompt squared errors of least squares on all n context examples: ŵ = X⁺y (minimum norm when n &lt; d), ŷ = ⟨x_q, ŵ⟩.
    /// </summary>
    public static double[] LeastSquaresErrors(PromptBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = batch.N, d = batch.D, lanes = PromptBatch.Lanes;
        var e = new double[batch.Count];
        for (int p = 0; p < batch.Count; p++)
        {
            int g = p / lanes, k = p % lanes;
            var x = Matrix<double>.Build.Dense(n, d, (i, a) => batch.X[((g * n + i) * d + a) * lanes + k]);
            var y = Vector<double>.Build.Dense(n, i => batch.Y[(g * n + i) * lanes + k]);
            var w = x.PseudoInverse() * y;
            double yhat = 0;
            for (int a = 0; a < d; a++) yhat += batch.Query[(g * d + a) * lanes + k] * w[a];
            double r = yhat - batch.Target[p];
            e[p] = r * r;
        }
        return e;
    }
}
