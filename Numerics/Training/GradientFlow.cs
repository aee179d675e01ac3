using LoopedIcl.Numerics.Losses;
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
    public static IReadOnlyList<FlowPoint> Integrate(Func<double[], (double Loss, double[] Gradient)> objective, double[] start, double endTime,
        double tolerance = 1e-9, double stopLoss = double.NegativeInfinity, int maxSteps = 200_000)
    {
        ArgumentNullException.ThrowIfNull(objective);
        Guard.Positive(endTime, nameof(endTime));
        Guard.Positive(tolerance, nameof(tolerance));
        var y = (double[])start.Clone();
        int n = y.Length;
        double t = 0, h = 1e-4;
        var (loss, g) = objective(y);
        var path = new List<FlowPoint> { new(t, loss, Norm(g), (double[])y.Clone()) };
        var k1 = g.Select(v => -v).ToArray();
        for (int step = 0; step < maxSteps && t < endTime && loss > stopLoss; step++)
        {
            h = Math.Min(h, endTime - t);
            var y2 = Add(y, k1, h / 2);
            var k2 = Negate(objective(y2).Gradient);
            var y3 = Add(y, k2, 3 * h / 4);
            var k3 = Negate(objective(y3).Gradient);
            var next = new double[n];
            for (int i = 0; i < n; i++) next[i] = y[i] + h * (2.0 / 9 * k1[i] + 1.0 / 3 * k2[i] + 4.0 / 9 * k3[i]);
            var (nextLoss, nextGrad) = objective(next);
            var k4 = Negate(nextGrad);
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
                y = next;
                loss = nextLoss;
                k1 = k4;
                path.Add(new FlowPoint(t, loss, Norm(nextGrad), (double[])y.Clone()));
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
        var m = Moments.WishartMoments.WhitenedMoments(2 * loops, n, d);
        double Loss(double b) => Moments.KernelPolynomial.LoopedLoss(m, b, loops);
        // ℓ_L(b) = g(b, …, b) for the untied g, so ℓ' = Σ_l ∂g/∂a_l (each exact: g is quadratic in every a_l).
        double Derivative(double b) => Moments.KernelPolynomial.Gradient(m, Enumerable.Repeat(b, loops).ToArray()).Sum();
        return Integrate(y => (Loss(y[0]), [Derivative(y[0]) / d]), [b0], endTime, 1e-10, stopLoss);
    }

    /// <summary>
    /// The full matrix flow Ȧ = −∇_A L(A, 0) on a sample-average looped loss (the state is A in column-major order); with
    /// <paramref name="symmetric"/> the flow of the symmetric class, Ȧ = −sym(∇L), which keeps a symmetric A symmetric.
    /// </summary>
    public static IReadOnlyList<FlowPoint> Matrix(LoopedLoss loss, Matrix<double> a0, double endTime, double tolerance = 1e-8,
        double stopLoss = double.NegativeInfinity, bool symmetric = false)
    {
        int d = a0.RowCount;
        return Integrate(y =>
        {
            var (v, g) = loss.ValueAndGradient(Matrix<double>.Build.DenseOfColumnMajor(d, d, y));
            if (symmetric) g = (g + g.Transpose()) / 2;
            return (v, g.ToColumnMajorArray());
        }, a0.ToColumnMajorArray(), endTime, tolerance, stopLoss);
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));
    private static double[] Negate(double[] v) => v.Select(x => -x).ToArray();
    private static double[] Add(double[] y, double[] k, double h) => y.Select((v, i) => v + h * k[i]).ToArray();
}
