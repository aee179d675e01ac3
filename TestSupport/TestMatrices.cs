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

    /// <summary>The entries of d×d matrices stacked row-major into one vector (the suite's one θ layout, as <c>Parameterisation</c> packs A_l).</summary>
    public static Vector<double> Pack(IEnumerable<Matrix<double>> ms) => Vector<double>.Build.DenseOfEnumerable(ms.SelectMany(m => m.ToRowMajorArray()));

    /// <summary>The inverse of <see cref="Pack"/> for square d×d blocks.</summary>
    public static Matrix<double>[] Unpack(Vector<double> v, int d) =>
        Enumerable.Range(0, v.Count / (d * d)).Select(l => Matrix<double>.Build.DenseOfRowMajor(d, d, v.SubVector(l * d * d, d * d).ToArray())).ToArray();

    /// <summary>
    /// Asserts that analytic gradients (one per d×d block) equal central finite differences of <paramref name="f"/> at <paramref name="point"/>
    /// within the caller's absolute <paramref name="tolerance"/> (sup norm over all entries).
    /// </summary>
    public static void AssertGradientMatchesFiniteDifferences(IReadOnlyList<Matrix<double>> point, IEnumerable<Matrix<double>> analytic,
        Func<Matrix<double>[], double> f, double tolerance, string what)
    {
        int d = point[0].RowCount;
        var fd = Numerics.Algorithms.Minimizer.FiniteDifferenceGradient(v => f(Unpack(v, d)), Pack(point));
        Checks.AtMost((Pack(analytic) - fd).InfinityNorm(), tolerance, what);
    }

    /// <summary>J = blockdiag([[0,1],[−1,0]], …) (a zero last row/column when d is odd): the skew direction of the GAT-T1 finding.</summary>
    public static Matrix<double> BlockSkew(int d) =>
        Matrix<double>.Build.Dense(d, d, (r, c) => r / 2 == c / 2 && r != c && Math.Max(r, c) < d - d % 2 ? (r < c ? 1 : -1) : 0);
}
