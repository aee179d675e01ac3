using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.TestSupport;

/// <summary>Two computations of one quantity, named, so a failure says which entry disagreed.</summary>
public readonly record struct Pair<T>(string What, T Lhs, T Rhs) where T : struct, IScalar<T>;

/// <summary>Compares lists of <see cref="Pair{T}"/>: within a rounding budget in double, exactly in rationals.</summary>
public static class Agreement
{
    public static IEnumerable<Pair<T>> Entries<T>(string what, Mat<T> lhs, Mat<T> rhs) where T : struct, IScalar<T>
    {
        if (lhs.Rows != rhs.Rows || lhs.Cols != rhs.Cols)
            throw new ArgumentException($"{what}: shapes differ ({lhs.Rows}×{lhs.Cols} vs {rhs.Rows}×{rhs.Cols}).");
        for (int i = 0; i < lhs.Rows; i++)
            for (int j = 0; j < lhs.Cols; j++) yield return new Pair<T>($"{what}[{i},{j}]", lhs[i, j], rhs[i, j]);
    }

    /// <summary>The largest |lhs − rhs| and where; NaN (and that entry) if any side is not finite.</summary>
    public static (double Error, string Where) Worst(IEnumerable<Pair<Real>> pairs)
    {
        double worst = 0;
        string where = "(none)";
        foreach (var p in pairs)
        {
            var e = Math.Abs(p.Lhs.Value - p.Rhs.Value);
            if (!double.IsFinite(e)) return (double.NaN, p.What);
            if (e > worst) { worst = e; where = p.What; }
        }
        return (worst, where);
    }

    /// <summary>Asserts every pair agrees within <paramref name="tolerance"/> (absolute); records the worst error/tolerance.</summary>
    public static void Within(IEnumerable<Pair<Real>> pairs, double tolerance, string what)
    {
        var (error, where) = Worst(pairs);
        Checks.AtMost(error, tolerance, $"{what} (worst at {where})", CheckKind.Identity);
    }

    /// <summary>True when every pair is exactly equal.</summary>
    public static bool Exact(IEnumerable<Pair<Rational>> pairs) => pairs.All(p => p.Lhs == p.Rhs);

    /// <summary>The largest absolute entry of the given matrices (the magnitude in a rounding budget).</summary>
    public static double Magnitude(IEnumerable<Mat<Real>> matrices) => matrices.Select(RealMat.MaxAbs).DefaultIfEmpty(0).Max();
}
