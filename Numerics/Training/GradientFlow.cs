using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Optimization;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Training;

/// <summary>One recorded point of a gradient-flow trajectory.</summary>
public readonly record struct FlowPoint(double Time, double Loss, double GradientNorm, double[] State);

/// <summary>
/// Gradient flow θ̇ = −∇L(θ) integrated by an adaptive Bogacki–Shampine 3(2) pair (error per step ≤ tolerance·(1 + ‖θ‖)),
/// recording the whole trajectory so tests and reports read the same numbers.
/// </summary>
public static class GradientFlow
{
    /// <summary>Integrates from θ₀ until <paramref name="endTime"/> or until the loss drops below <paramref name="stopLoss"/>.</summary>
    public static IReadOnlyList<FlowPoint> Integrate(IObjective objective, ReadOnlySpan<double> start, double endTime,
        double tolerance = 1e-9, double stopLoss = double.NegativeInfinity, int maxSteps = 200_000)
    {
        ArgumentNullException.ThrowIfNull(objective);
        Guard.Positive(endTime, nameof(endTime));
        Guard.Positive(tolerance, nameof(tolerance));
        int n = objective.Dimension;
        Guard.Length(start.Length, n, nameof(start));
        var y = start.ToArray();
        double t = 0, h = 1e-4;
        var k1 = new double[n];
        var k2 = new double[n];
        var k3 = new double[n];
        var k4 = new double[n];
        var tmp = new double[n];
        var next = new double[n];
        var loss = objective.Evaluate(y, k1);
        var path = new List<FlowPoint> { new(t, loss, Norm(k1), (double[])y.Clone()) };
        Negate(k1);
        for (int step = 0; step < maxSteps && t < endTime && loss > stopLoss; step++)
        {
            h = Math.Min(h, endTime - t);
            for (int i = 0; i < n; i++) tmp[i] = y[i] + h / 2 * k1[i];
            objective.Evaluate(tmp, k2);
            Negate(k2);
            for (int i = 0; i < n; i++) tmp[i] = y[i] + 3 * h / 4 * k2[i];
            objective.Evaluate(tmp, k3);
            Negate(k3);
            for (int i = 0; i < n; i++) next[i] = y[i] + h * (2.0 / 9 * k1[i] + 1.0 / 3 * k2[i] + 4.0 / 9 * k3[i]);
            var nextLoss = objective.Evaluate(next, k4);
            var gradNorm = Norm(k4);
            Negate(k4);
            double err = 0;
            for (int i = 0; i < n; i++)
            {
                var z = y[i] + h * (7.0 / 24 * k1[i] + 1.0 / 4 * k2[i] + 1.0 / 3 * k3[i] + 1.0 / 8 * k4[i]);
                err = Math.Max(err, Math.Abs(next[i] - z));
            }
            if (!double.IsFinite(err) || !double.IsFinite(nextLoss)) throw new InvalidOperationException($"Gradient flow diverged at t = {t} (step {h}).");
            var scale = tolerance * (1 + Norm(y));
            if (err <= scale)
            {
                t += h;
                (y, next) = (next, y);
                loss = nextLoss;
                (k1, k4) = (k4, k1);
                path.Add(new FlowPoint(t, loss, gradNorm, (double[])y.Clone()));
            }
            h *= Math.Clamp(0.9 * Math.Pow(scale / Math.Max(err, 1e-300), 1.0 / 3), 0.2, 5);
        }
        return path;
    }

    /// <summary>The first time the loss is ≤ ξ (linear interpolation between recorded points), or +∞ if never.</summary>
    public static double HittingTime(IReadOnlyList<FlowPoint> path, double xi)
    {
        for (int i = 0; i < path.Count; i++)
        {
            if (path[i].Loss > xi) continue;
            if (i == 0) return 0;
            var (a, b) = (path[i - 1], path[i]);
            return a.Time + (b.Time - a.Time) * (a.Loss - xi) / (a.Loss - b.Loss);
        }
        return double.PositiveInfinity;
    }

    /// <summary>The bound of Theorem 3.3 as derived from the dominance inequality with μ = 1/16: t ≤ (16L/(L−1))(ξ^{−(L−1)/L} − L₀^{−(L−1)/L}).</summary>
    public static double HittingTimeBound(int loops, double xi, double initialLoss)
    {
        if (loops < 2) throw new ArgumentException("the polynomial bound needs L ≥ 2 (L = 1 is the PL case).", nameof(loops));
        double e = (loops - 1.0) / loops;
        return 16.0 * loops / (loops - 1) * (Math.Pow(xi, -e) - Math.Pow(initialLoss, -e));
    }

    /// <summary>The flow on the scalar line A = bΣ⁻¹: ḃ = −ℓ_L'(b)/d, ℓ from exact moments (L ≤ 4).</summary>
    public static IReadOnlyList<FlowPoint> ScalarLine(int n, int d, int loops, double endTime, double b0 = 0, double stopLoss = double.NegativeInfinity)
    {
        var m = Moments.KernelPolynomial.Rounded(Moments.WishartMoments.WhitenedMoments(2 * loops, n, d), loops); // rounded once, not per evaluation
        var steps = new double[loops];
        double Loss(double b) { Array.Fill(steps, b); return Moments.KernelPolynomial.Loss(m, steps); }
        // ℓ_L(b) = g(b, …, b) for the untied g, so ℓ' = Σ_l ∂g/∂a_l (each exact: g is quadratic in every a_l).
        double Derivative(double b) { Array.Fill(steps, b); return Moments.KernelPolynomial.Gradient(m, steps).Sum(); }
        return Integrate(new ScalarObjective(Loss, b => Derivative(b) / d), [b0], endTime, 1e-10, stopLoss);
    }

    /// <summary>
    /// The full matrix flow Ȧ = −∇_A L(A, 0) on a sample-average looped loss (the state is A in row-major order); with
    /// <paramref name="symmetric"/> the flow of the symmetric class, Ȧ = −sym(∇L), which keeps a symmetric A symmetric.
    /// </summary>
    public static IReadOnlyList<FlowPoint> Matrix(LoopedLoss loss, Matrix<double> a0, double endTime, double tolerance = 1e-8,
        double stopLoss = double.NegativeInfinity, bool symmetric = false)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return Integrate(loss.Objective(symmetric), a0.ToRowMajorArray(), endTime, tolerance, stopLoss);
    }

    /// <summary>A one-parameter objective from a value and a derivative (the scalar-line flows).</summary>
    private sealed class ScalarObjective(Func<double, double> value, Func<double, double> derivative) : IObjective
    {
        public int Dimension => 1;

        public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
        {
            if (!gradient.IsEmpty) gradient[0] = derivative(x[0]);
            return value(x[0]);
        }
    }

    private static double Norm(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (var x in v) s += x * x;
        return Math.Sqrt(s);
    }

    private static void Negate(double[] v)
    {
        for (int i = 0; i < v.Length; i++) v[i] = -v[i];
    }
}
