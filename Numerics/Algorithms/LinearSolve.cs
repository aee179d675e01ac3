using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Algorithms;

/// <summary>Gaussian elimination with partial pivoting, over any <see cref="IScalar{T}"/> (exact for <see cref="Rational"/>).</summary>
public static class LinearSolve
{
    /// <summary>Solves A x = b for square non-singular A; throws <see cref="ArgumentException"/> if A is singular.</summary>
    public static Mat<T> Solve<T>(Mat<T> a, Mat<T> b) where T : struct, IScalar<T>
    {
        Guard.Square(a.Rows, a.Cols, nameof(a));
        if (b.Rows != a.Rows) throw new ArgumentException($"b must have {a.Rows} rows (got {b.Rows}).", nameof(b));
        int m = a.Rows, k = b.Cols;
        var aug = new Mat<T>(m, m + k);
        aug.SetBlock(0, 0, a);
        aug.SetBlock(0, m, b);
        for (int col = 0; col < m; col++)
        {
            int pivot = -1;
            var best = T.Zero;
            for (int r = col; r < m; r++)
            {
                var v = aug[r, col];
                var abs = v < T.Zero ? -v : v;
                if (abs > best) { best = abs; pivot = r; }
            }
            if (pivot < 0) throw new ArgumentException("a is singular (no non-zero pivot).", nameof(a));
            if (pivot != col)
                for (int j = 0; j < m + k; j++) (aug[col, j], aug[pivot, j]) = (aug[pivot, j], aug[col, j]);
            var p = aug[col, col];
            for (int r = 0; r < m; r++)
            {
                if (r == col) continue;
                var f = aug[r, col] / p;
                if (f == T.Zero) continue;
                for (int j = col; j < m + k; j++) aug[r, j] -= f * aug[col, j];
            }
        }
        return Mat<T>.Build(m, k, (i, j) => aug[i, m + j] / aug[i, i]);
    }
}

/// <summary>Least squares θ̃ = (XᵀX)⁻¹Xᵀy (needs X of full column rank, so n ≥ d).</summary>
public static class LeastSquares
{
    public static Mat<T> Solve<T>(Mat<T> x, Mat<T> y) where T : struct, IScalar<T>
    {
        Guard.Shape(y.Rows, y.Cols, x.Rows, 1, nameof(y));
        if (x.Rows < x.Cols)
            throw new ArgumentException($"x must have n ≥ d rows for a unique least-squares solution (got n = {x.Rows}, d = {x.Cols}); use MinimumNorm.", nameof(x));
        var xt = x.Transpose();
        return LinearSolve.Solve(xt * x, xt * y);
    }

    /// <summary>The minimum-norm least-squares solution X⁺y (defined for any n, d; double only).</summary>
    public static double[] MinimumNorm(Mat<Real> x, Mat<Real> y)
    {
        var xm = x.ToMathNet();
        var pinv = xm.PseudoInverse();
        return (pinv * y.ToMathNet()).Column(0).ToArray();
    }
}
