using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Algorithms;

/// <summary>
/// Preconditioned gradient descent on the empirical risk R(w) = (1/2n)‖Xw − y‖²:
/// w_0 = 0, w_{l+1} = w_l − Γ_l ∇R(w_l), ∇R(w) = (1/n) Xᵀ(Xw − y). Computed from X directly (not from a
/// cached XᵀX), so it is an independent check on the transformer paths.
/// </summary>
public static class PreconditionedGradientDescent
{
    /// <summary>w_0, …, w_L for per-step preconditioners Γ_0, …, Γ_{L−1}.</summary>
    public static IReadOnlyList<Mat<T>> Iterates<T>(Mat<T> x, Mat<T> y, IReadOnlyList<Mat<T>> preconditioners)
        where T : struct, IScalar<T>
    {
        ArgumentNullException.ThrowIfNull(preconditioners);
        int n = x.Rows, d = x.Cols;
        Guard.Shape(y.Rows, y.Cols, n, 1, nameof(y));
        var invN = T.One / T.FromInt(n);
        var xt = x.Transpose();
        var w = new Mat<T>(d, 1);
        var iterates = new List<Mat<T>>(preconditioners.Count + 1) { w };
        for (int l = 0; l < preconditioners.Count; l++)
        {
            Guard.Shape(preconditioners[l].Rows, preconditioners[l].Cols, d, d, $"{nameof(preconditioners)}[{l}]");
            var grad = invN * (xt * (x * w - y));
            w = w - preconditioners[l] * grad;
            iterates.Add(w);
        }
        return iterates;
    }

    /// <summary>The same preconditioner Γ for all L steps (the looped model's algorithm).</summary>
    public static IReadOnlyList<Mat<T>> Iterates<T>(Mat<T> x, Mat<T> y, Mat<T> preconditioner, int steps)
        where T : struct, IScalar<T>
    {
        Guard.NonNegative(steps, nameof(steps));
        return Iterates(x, y, Enumerable.Repeat(preconditioner, steps).ToArray());
    }
}

/// <summary>Plain gradient descent on R(w) with step η: PGD with Γ = ηI.</summary>
public static class GradientDescent
{
    public static IReadOnlyList<Mat<T>> Iterates<T>(Mat<T> x, Mat<T> y, T stepSize, int steps) where T : struct, IScalar<T>
    {
        if (!(stepSize > T.Zero)) throw new ArgumentException($"{nameof(stepSize)} (η) must be > 0 (got {stepSize}).", nameof(stepSize));
        return PreconditionedGradientDescent.Iterates(x, y, stepSize * Mat<T>.Identity(x.Cols), steps);
    }
}
