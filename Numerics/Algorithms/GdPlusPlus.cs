using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Algorithms;

/// <summary>
/// GD++ (Ahn et al. family (11)) written in d×d form. With X_k the covariate rows (query column included) and
/// Y_k the label row, S_k = (1/n) X_k M X_kᵀ and r_k = (1/n) X_k M Y_kᵀ:
/// X_{k+1} = (I + B_k S_k A_k) X_k and Y_{k+1} = Y_k + r_kᵀ A_k X_k.
/// </summary>
public static class GdPlusPlus
{
    public sealed record State<T>(Mat<T> Covariates, Mat<T> Labels) where T : struct, IScalar<T>;

    /// <summary>The states (X_k, Y_k), k = 0..L, starting from the d×(n+1) covariates and the 1×(n+1) label row.</summary>
    public static IReadOnlyList<State<T>> Run<T>(Mat<T> covariates, Mat<T> labels, IReadOnlyList<Mat<T>> a, IReadOnlyList<Mat<T>> b)
        where T : struct, IScalar<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"a and b must have one matrix per layer (got {a.Count} and {b.Count}).", nameof(b));
        int d = covariates.Rows, n = covariates.Cols - 1;
        Guard.Positive(n, "n (context tokens)");
        Guard.Shape(labels.Rows, labels.Cols, 1, n + 1, nameof(labels));
        var invN = T.One / T.FromInt(n);
        var states = new List<State<T>>(a.Count + 1) { new(covariates, labels) };
        var xk = covariates;
        var yk = labels;
        for (int k = 0; k < a.Count; k++)
        {
            Guard.Shape(a[k].Rows, a[k].Cols, d, d, $"{nameof(a)}[{k}]");
            Guard.Shape(b[k].Rows, b[k].Cols, d, d, $"{nameof(b)}[{k}]");
            var context = xk.Block(0, 0, d, n);
            var s = invN * (context * context.Transpose());
            var r = invN * (context * yk.Block(0, 0, 1, n).Transpose());
            var nextX = (Mat<T>.Identity(d) + b[k] * s * a[k]) * xk;
            var nextY = yk + r.Transpose() * a[k] * xk;
            xk = nextX;
            yk = nextY;
            states.Add(new State<T>(xk, yk));
        }
        return states;
    }
}
