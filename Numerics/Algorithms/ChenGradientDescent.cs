using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Algorithms;

/// <summary>
/// The algorithm Chen et al.'s loop runs (CHEN-L4.2): q(t) = q(t−1) − η Xᵀ(X q(t−1) + α y), i.e. gradient descent
/// on ½‖Xq + αy‖², which for y = Xθ* is ½‖X(q + αθ*)‖² with minimiser q = −αθ*. Readout TF = −q.
/// </summary>
public static class ChenGradientDescent
{
    public static IReadOnlyList<Mat<T>> Iterates<T>(Mat<T> x, Mat<T> y, T alpha, T stepSize, int loops, Mat<T>? q0 = null)
        where T : struct, IScalar<T>
    {
        Guard.NonNegative(loops, nameof(loops));
        Guard.Shape(y.Rows, y.Cols, x.Rows, 1, nameof(y));
        if (!(stepSize > T.Zero)) throw new ArgumentException($"{nameof(stepSize)} (η) must be > 0 (got {stepSize}).", nameof(stepSize));
        var q = q0 ?? new Mat<T>(x.Cols, 1);
        Guard.Shape(q.Rows, q.Cols, x.Cols, 1, nameof(q0));
        var xt = x.Transpose();
        var list = new List<Mat<T>>(loops + 1) { q };
        for (int t = 0; t < loops; t++)
        {
            q = q - stepSize * (xt * (x * q + alpha * y));
            list.Add(q);
        }
        return list;
    }
}
