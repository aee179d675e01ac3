using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace LoopedIcl.Numerics.Algorithms;

/// <summary>Quasi-Newton (BFGS) minimisation with a supplied gradient; reports where it stopped and how flat it was there.</summary>
public static class Minimizer
{
    public sealed record Result(Vector<double> Point, double Value, double GradientNorm, int Iterations, string Reason);

    public static Result Bfgs(Func<Vector<double>, (double Value, Vector<double> Gradient)> objective, Vector<double> start,
        double gradientTolerance = 1e-10, int maxIterations = 2000)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var f = ObjectiveFunction.Gradient(v => objective(v));
        var solver = new BfgsMinimizer(gradientTolerance, 1e-14, 1e-14, maxIterations);
        try
        {
            var r = solver.FindMinimum(f, start);
            return new Result(r.MinimizingPoint, r.FunctionInfoAtMinimum.Value, r.FunctionInfoAtMinimum.Gradient.L2Norm(), r.Iterations, r.ReasonForExit.ToString());
        }
        catch (MaximumIterationsException)
        {
            var (v, g) = objective(start);
            return new Result(start, v, g.L2Norm(), maxIterations, "MaximumIterations");
        }
    }

    /// <summary>
    /// Compass (pattern) search: try ±step along each coordinate, move on improvement, halve the step otherwise; stops after
    /// <paramref name="maxEvaluations"/> evaluations or when the step is below <paramref name="minStep"/>. Derivative-free and never throws.
    /// </summary>
    public static Result PatternSearch(Func<Vector<double>, double> f, Vector<double> start, double step, int maxEvaluations, double minStep = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(f);
        var x = start.Clone();
        double fx = f(x);
        int evals = 1;
        while (step > minStep && evals < maxEvaluations)
        {
            bool improved = false;
            for (int i = 0; i < x.Count && evals < maxEvaluations; i++)
                foreach (var sign in new[] { 1.0, -1.0 })
                {
                    var y = x.Clone();
                    y[i] += sign * step;
                    var fy = f(y);
                    evals++;
                    if (fy < fx) { x = y; fx = fy; improved = true; break; }
                }
            if (!improved) step /= 2;
        }
        return new Result(x, fx, double.NaN, evals, step <= minStep ? "StepBelowTolerance" : "MaximumEvaluations");
    }

    /// <summary>Golden-section search for the minimiser of a unimodal f on [lo, hi], to an interval of width <paramref name="tolerance"/>.</summary>
    public static double GoldenSection(Func<double, double> f, double lo, double hi, double tolerance = 1e-9)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (!(hi > lo)) throw new ArgumentException($"hi must exceed lo (got [{lo}, {hi}]).", nameof(hi));
        double g = (Math.Sqrt(5) - 1) / 2;
        double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1 = f(x1), f2 = f(x2);
        while (hi - lo > tolerance)
        {
            if (f1 < f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = f(x1); }
            else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = f(x2); }
        }
        return (lo + hi) / 2;
    }

    /// <summary>Central finite-difference gradient, h = 1e-6·max(1, |θ_i|) (error ~h² × third derivative).</summary>
    public static Vector<double> FiniteDifferenceGradient(Func<Vector<double>, double> f, Vector<double> x, double relativeStep = 1e-6)
    {
        var g = Vector<double>.Build.Dense(x.Count);
        for (int i = 0; i < x.Count; i++)
        {
            var h = relativeStep * Math.Max(1, Math.Abs(x[i]));
            var xp = x.Clone(); xp[i] += h;
            var xm = x.Clone(); xm[i] -= h;
            g[i] = (f(xp) - f(xm)) / (2 * h);
        }
        return g;
    }
}

/// <summary>The signed permutation matrices of size d (2^d·d! of them): the group that makes sample averages exactly symmetric.</summary>
public static class SignedPermutations
{
    public static IEnumerable<Matrix<double>> All(int d)
    {
        Guard.Positive(d, nameof(d));
        foreach (var perm in Permutations(Enumerable.Range(0, d).ToArray()))
            for (int signs = 0; signs < 1 << d; signs++)
            {
                var m = Matrix<double>.Build.Dense(d, d);
                for (int i = 0; i < d; i++) m[i, perm[i]] = ((signs >> i) & 1) == 1 ? -1 : 1;
                yield return m;
            }
    }

    /// <summary>The 2^d diagonal sign matrices.</summary>
    public static IEnumerable<Matrix<double>> Signs(int d)
    {
        for (int signs = 0; signs < 1 << d; signs++)
            yield return Matrix<double>.Build.DiagonalOfDiagonalArray(Enumerable.Range(0, d).Select(i => ((signs >> i) & 1) == 1 ? -1.0 : 1.0).ToArray());
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1) { yield return items; yield break; }
        for (int i = 0; i < items.Length; i++)
            foreach (var rest in Permutations(items.Where((_, j) => j != i).ToArray()))
                yield return new[] { items[i] }.Concat(rest).ToArray();
    }
}
