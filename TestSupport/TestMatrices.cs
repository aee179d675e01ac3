using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.TestSupport;

/// <summary>Random and structured matrices the theorem tests share.</summary>
public static class TestMatrices
{
    /// <summary>A rows×cols matrix with i.i.d. N(0, scale²) entries drawn from <paramref name="rng"/>.</summary>
    public static Matrix<double> Gaussian(int rows, int cols, Random rng, double scale = 1.0)
    {
        var g = Numerics.Prompts.Rng.Gaussians(rng, rows * cols);
        return Matrix<double>.Build.Dense(rows, cols, (i, j) => scale * g[i * cols + j]);
    }

    /// <summary>(G + Gᵀ)/2 for a Gaussian G.</summary>
    public static Matrix<double> SymmetricGaussian(int d, Random rng, double scale = 1.0)
    {
        var g = Gaussian(d, d, rng, scale);
        return (g + g.Transpose()) / 2;
    }

    /// <summary>J = blockdiag([[0,1],[−1,0]], …) (a zero last row/column when d is odd): the skew direction of the GAT-T1 finding.</summary>
    public static Matrix<double> BlockSkew(int d) =>
        Matrix<double>.Build.Dense(d, d, (r, c) => r / 2 == c / 2 && r != c && Math.Max(r, c) < d - d % 2 ? (r < c ? 1 : -1) : 0);
}
