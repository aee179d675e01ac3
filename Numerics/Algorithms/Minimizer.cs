using MathNet.Numerics.LinearAlgebra;
using LoopedIcl.Numerics.Optimization;

namespace LoopedIcl.Numerics.Algorithms;

/// <summary>
/// Quasi-Newton (BFGS) minimisation on an <see cref="IObjective"/> (dense inverse-Hessian update, backtracking Armijo line
/// search). A run is converged only when ‖∇f‖ ≤ the gradient tolerance; a run that hits the iteration limit, whose line search
/// cannot decrease f, or that decreases f by no more than rounding (4u|f|) for 20 iterations in a row returns the point it reached
/// with that reason, never its start and never as converged.
/// </summary>
public static class Minimizer
{
    public const string GradientTolerance = "GradientTolerance";
    public const string MaximumIterations = "MaximumIterations";
    public const string LineSearchFailed = "LineSearchFailed";
    public const string NoProgress = "NoProgress";

    /// <summary>Where a run stopped: the point, f, ‖∇f‖₂ there, iterations, objective evaluations and why it stopped.</summary>
    public sealed record Result(Vector<double> Point, double Value, double GradientNorm, int Iterations, string Reason, int Evaluations = 0)
    {
        /// <summary>True only when the run stopped because ‖∇f‖ reached the gradient tolerance.</summary>
        public bool Converged => Reason == GradientTolerance;

        public override string ToString() => $"f = {Value:G10}, ‖∇f‖ = {GradientNorm:E2}, {Iterations} iterations, {Reason}";
    }

    public static Result Bfgs(IObjective objective, ReadOnlySpan<double> start, double gradientTolerance = 1e-10, int maxIterations = 2000)
    {
        ArgumentNullException.ThrowIfNull(objective);
        int n = objective.Dimension;
        Guard.Length(start.Length, n, nameof(start));
        Guard.Positive(gradientTolerance, nameof(gradientTolerance));
        Guard.Positive(maxIterations, nameof(maxIterations));
        var x = start.ToArray();
        var g = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var p = new double[n];
        var hy = new double[n];
        var h = new double[n * n];
        for (int i = 0; i < n; i++) h[i * n + i] = 1;
        double f = objective.Evaluate(x, g);
        int evaluations = 1, iteration = 0;
        bool firstStep = true;
        int stalled = 0;
        string reason = MaximumIterations;
        if (!double.IsFinite(f)) throw new ArgumentException($"the objective is not finite at the start (f = {f}).", nameof(start));
        for (; iteration < maxIterations; iteration++)
        {
            double gNorm = Norm(g);
            if (gNorm <= gradientTolerance) { reason = GradientTolerance; break; }
            double slope = 0;
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s -= h[i * n + j] * g[j];
                p[i] = s;
                slope += s * g[i];
            }
            if (!(slope < 0))
            {
                // Not a descent direction (the update lost positive definiteness to rounding): restart from steepest descent.
                Array.Clear(h);
                for (int i = 0; i < n; i++) { h[i * n + i] = 1; p[i] = -g[i]; }
                slope = -gNorm * gNorm;
                firstStep = true;
            }
            double step = firstStep ? Math.Min(1, 1 / gNorm) : 1, fNew = double.NaN;
            bool accepted = false;
            for (int trial = 0; trial < 60; trial++)
            {
                for (int i = 0; i < n; i++) xNew[i] = x[i] + step * p[i];
                fNew = objective.Evaluate(xNew, gNew);
                evaluations++;
                if (double.IsFinite(fNew) && fNew <= f + 1e-4 * step * slope) { accepted = true; break; }
                step /= 2;
            }
            if (!accepted) { reason = LineSearchFailed; break; }
            firstStep = false;
            stalled = f - fNew <= 4 * 1.1102230246251565e-16 * Math.Abs(f) ? stalled + 1 : 0;
            // s = xNew − x, y = gNew − g; BFGS update of the inverse Hessian when the curvature yᵀs is positive.
            double sy = 0, yy = 0;
            for (int i = 0; i < n; i++)
            {
                double si = xNew[i] - x[i], yi = gNew[i] - g[i];
                sy += si * yi;
                yy += yi * yi;
                p[i] = si;
                g[i] = yi; // g holds y until the swap below
            }
            if (sy > 1e-12 * Math.Sqrt(yy) * Norm(p))
            {
                double yhy = 0;
                for (int i = 0; i < n; i++)
                {
                    double v = 0;
                    for (int j = 0; j < n; j++) v += h[i * n + j] * g[j];
                    hy[i] = v;
                    yhy += v * g[i];
                }
                double rho = 1 / sy, c = (1 + rho * yhy) * rho;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        h[i * n + j] += c * p[i] * p[j] - rho * (hy[i] * p[j] + p[i] * hy[j]);
            }
            (x, xNew) = (xNew, x);
            (g, gNew) = (gNew, g);
            f = fNew;
            if (stalled >= 20) { reason = Norm(g) <= gradientTolerance ? GradientTolerance : NoProgress; iteration++; break; }
        }
        return new Result(Vector<double>.Build.Dense(x), f, Norm(g), iteration, reason, evaluations);
    }

    /// <summary>BFGS with a delegate objective (value and gradient as MathNet vectors); same stopping rules as the <see cref="IObjective"/> overload.</summary>
    public static Result Bfgs(Func<Vector<double>, (double Value, Vector<double> Gradient)> objective, Vector<double> start,
        double gradientTolerance = 1e-10, int maxIterations = 2000)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return Bfgs(new DelegateObjective(start.Count, objective), start.ToArray(), gradientTolerance, maxIterations);
    }

    private sealed class DelegateObjective(int dimension, Func<Vector<double>, (double Value, Vector<double> Gradient)> f) : IObjective
    {
        public int Dimension => dimension;

        public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
        {
            var (v, g) = f(Vector<double>.Build.DenseOfArray(x.ToArray()));
            if (!gradient.IsEmpty) for (int i = 0; i < dimension; i++) gradient[i] = g[i];
            return v;
        }
    }

    /// <summary>
    /// BFGS from each of <paramref name="starts"/> start points (<paramref name="startPoint"/>(k) gives start k); every run is kept,
    /// converged or not, so callers can report failures and the stationary points reached.
    /// </summary>
    public static MultiStartResult MultiStart(IObjective objective, int starts, Func<int, double[]> startPoint, double gradientTolerance, int maxIterations)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(startPoint);
        Guard.Positive(starts, nameof(starts));
        var runs = new Result[starts];
        for (int k = 0; k < starts; k++) runs[k] = Bfgs(objective, startPoint(k), gradientTolerance, maxIterations);
        return new MultiStartResult(runs, gradientTolerance);
    }

    /// <summary>Central finite-difference gradient of an <see cref="IObjective"/>'s value, h = relativeStep·max(1, |x_i|).</summary>
    public static double[] FiniteDifferenceGradient(IObjective objective, ReadOnlySpan<double> x, double relativeStep = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var y = x.ToArray();
        var g = new double[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            double xi = y[i], h = relativeStep * Math.Max(1, Math.Abs(xi));
            y[i] = xi + h;
            double fp = objective.Evaluate(y, Span<double>.Empty);
            y[i] = xi - h;
            double fm = objective.Evaluate(y, Span<double>.Empty);
            y[i] = xi;
            g[i] = (fp - fm) / (2 * h);
        }
        return g;
    }

    private static double Norm(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (var x in v) s += x * x;
        return Math.Sqrt(s);
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

/// <summary>All runs of a multi-start search: converged runs, failed runs (with their reasons) and the distinct stationary values reached.</summary>
public sealed record MultiStartResult(IReadOnlyList<Minimizer.Result> Runs, double GradientTolerance)
{
    public IReadOnlyList<Minimizer.Result> ConvergedRuns => Runs.Where(r => r.Converged).ToArray();

    public IReadOnlyList<Minimizer.Result> FailedRuns => Runs.Where(r => !r.Converged).ToArray();

    /// <summary>The converged run with the least f (throws if no run converged: a search without a converged run has found nothing).</summary>
    public Minimizer.Result Best => ConvergedRuns.Count > 0 ? ConvergedRuns.MinBy(r => r.Value)!
        : throw new InvalidOperationException($"no run of {Runs.Count} converged: " + string.Join("; ", Runs.Select(r => r.ToString())));

    /// <summary>Distinct stationary values of the converged runs (relative gap &gt; <paramref name="relative"/>), each with its count and largest ‖∇f‖.</summary>
    public IReadOnlyList<(double Value, int Count, double MaxGradientNorm)> StationaryValues(double relative = 1e-6)
    {
        var groups = new List<(double Value, int Count, double MaxGradientNorm)>();
        foreach (var r in ConvergedRuns.OrderBy(r => r.Value))
        {
            if (groups.Count > 0 && Math.Abs(r.Value - groups[^1].Value) <= relative * Math.Max(1, Math.Abs(groups[^1].Value)))
                groups[^1] = (groups[^1].Value, groups[^1].Count + 1, Math.Max(groups[^1].MaxGradientNorm, r.GradientNorm));
            else groups.Add((r.Value, 1, r.GradientNorm));
        }
        return groups;
    }

    /// <summary>One line for the ledger: starts, converged, failures with reasons, and the stationary values with counts.</summary>
    public string Summary() =>
        $"{Runs.Count} starts, {ConvergedRuns.Count} converged (‖∇f‖ ≤ {GradientTolerance:E0}; max ‖∇f‖ {(ConvergedRuns.Count > 0 ? ConvergedRuns.Max(r => r.GradientNorm).ToString("E1") : "n/a")}), "
        + $"{FailedRuns.Count} failed" + (FailedRuns.Count > 0 ? " [" + string.Join("; ", FailedRuns.Select(r => $"{r.Reason} at f = {r.Value:G8}, ‖∇f‖ = {r.GradientNorm:E1}")) + "]" : "")
        + "; stationary values: " + string.Join(", ", StationaryValues().Select(g => $"{g.Value:G8} ×{g.Count}"));
}
