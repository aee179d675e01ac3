using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Statistics;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Losses;

/// <summary>
/// A looped model trained on Σ₀ with A = bΣ₀⁻¹ (u = 0), evaluated with L loops on prompts from Σ_te (w* ~ N(0, Σ_te⁻¹)).
/// With Ŵ₀ = Σ₀^{-1/2}ŜΣ₀^{-1/2} = VΛVᵀ and D = I − bΛ, C = (I − bΣ₀⁻¹Ŝ)^L = Σ₀^{-1/2}VD^LVᵀΣ₀^{1/2}, so the conditional loss
/// tr(CᵀΣ_teCΣ_te⁻¹) = Σ_ij (D_iD_j)^L K_ij G_ji with K = VᵀΣ₀^{-1/2}Σ_teΣ₀^{-1/2}V and G = VᵀΣ₀^{1/2}Σ_te⁻¹Σ₀^{1/2}V:
/// one eigendecomposition per draw serves every L, and only D and the products H_ij = K_ij G_ji (a flat d² array) are kept.
/// </summary>
public sealed class TestTimeLooping
{
    private readonly (double[] D, double[] H)[] _draws;

    public double StepSize { get; }
    public int Count => _draws.Length;

    public TestTimeLooping(Matrix<double> trainSigma, Matrix<double> testSigma, int n, double stepSize, int draws, int seed)
    {
        Guard.SymmetricPositiveDefinite(trainSigma, nameof(trainSigma));
        Guard.SymmetricPositiveDefinite(testSigma, nameof(testSigma));
        Guard.Finite(stepSize, nameof(stepSize));
        StepSize = stepSize;
        var half = Covariance.Power(trainSigma, 0.5);
        var halfInv = Covariance.Power(trainSigma, -0.5);
        var teInv = testSigma.Inverse();
        var kInner = halfInv * testSigma * halfInv; // the same for every draw
        var gInner = half * teInv * half;
        _draws = SparseFamilyLoss.DrawSamples(testSigma, n, draws, seed).Select(s =>
        {
            var w0 = halfInv * s * halfInv;
            var evd = ((w0 + w0.Transpose()) / 2).Evd(Symmetricity.Symmetric);
            var v = evd.EigenVectors;
            var d = evd.EigenValues.Select(e => 1 - stepSize * e.Real).ToArray();
            var k = v.TransposeThisAndMultiply(kInner) * v;
            var g = v.TransposeThisAndMultiply(gInner) * v;
            int dim = d.Length;
            var h = new double[dim * dim];
            for (int i = 0; i < dim; i++)
                for (int j = 0; j < dim; j++) h[i * dim + j] = k[i, j] * g[j, i];
            return (d, h);
        }).ToArray();
    }

    /// <summary>The conditional loss of each draw after <paramref name="loops"/> loops.</summary>
    public double[] PerSample(int loops)
    {
        Guard.NonNegative(loops, nameof(loops));
        return _draws.Select(x =>
        {
            int d = x.D.Length;
            Span<double> p = stackalloc double[d];
            for (int i = 0; i < d; i++) p[i] = Math.Pow(x.D[i], loops);
            double total = 0;
            for (int i = 0; i < d; i++)
            {
                double row = 0;
                for (int j = 0; j < d; j++) row += p[j] * x.H[i * d + j];
                total += p[i] * row;
            }
            return total;
        }).ToArray();
    }

    public Estimate Loss(int loops) => SampleStatistics.MeanAndError(PerSample(loops));

    /// <summary>Per draw, max_j |1 − bλ_j(Ŵ₀)|: the loop contracts every direction iff this is &lt; 1.</summary>
    public double[] SpectralRadius() => _draws.Select(x => x.D.Max(Math.Abs)).ToArray();
}
