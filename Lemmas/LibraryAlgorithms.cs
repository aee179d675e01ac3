using static LoopedIcl.TestSupport.Refusals;
using LoopedIcl.Numerics.Optimization;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// STATISTICS (library level, exact small cases): the algorithms of Numerics/Algorithms — Gaussian elimination and least squares
/// against Cramer's rule, Chen's loop, preconditioned GD and GD++ against iterates worked by hand in rationals, BFGS against runs
/// whose every step is determined (1-D and isotropic quadratics, linear objectives, scripted line searches), golden section and the
/// finite differences against closed forms, the signed permutation group by its size. Part of the mutation shards' fast set
/// (Category Library: each test runs in milliseconds).
/// </summary>
[TestFixture, Category(ClaimIds.Statistics), Category(CategoryLabels.Library)]
public sealed class LibraryAlgorithms
{
    private static Rational Q(long p, long q = 1) => Rational.Of(p, q);

    private static Mat<Rational> M(Rational[,] a) => Mat<Rational>.Build(a.GetLength(0), a.GetLength(1), (i, j) => a[i, j]);

    private static Mat<Rational> Col(params Rational[] v) => Mat<Rational>.Column(v);

    private static void Exact(Mat<Rational> actual, Mat<Rational> expected, string what) =>
        Checks.True(actual.ExactlyEquals(expected), $"{what}: expected {expected}, got {actual}");

    private static void RejectsNull(Action call, string parameter)
    {
        var ex = Assert.Throws<ArgumentNullException>(() => call());
        Checks.True(ex!.ParamName == parameter, $"a null argument names '{parameter}' (got '{ex.ParamName}')");
    }

    private static Rational Det3(Mat<Rational> a) =>
        a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1])
        - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
        + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);

    // ---------------------------------------------------------------- LinearSolve, LeastSquares

    /// <summary>
    /// STATISTICS: A x = B for a 3×3 A with a zero leading entry (a row swap is needed) and two right-hand sides equals Cramer's rule
    /// x_i = det(A with column i replaced by b)/det A, exactly in rationals.
    /// </summary>
    [Test]
    public void STATISTICS_Linear_solve_equals_cramers_rule()
    {
        var a = M(new[,] { { Q(0), Q(2), Q(1) }, { Q(1), Q(1), Q(0) }, { Q(2), Q(0), Q(3) } });
        var b = M(new[,] { { Q(3), Q(1) }, { Q(2), Q(0) }, { Q(5), Q(-1) } });
        var x = LinearSolve.Solve(a, b);
        Checks.True(x.Rows == 3 && x.Cols == 2, "one solution column per right-hand side");
        var det = Det3(a);
        Checks.True(det == Q(-8), $"det A = −8 by hand (got {det})");
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < 3; i++)
            {
                var ai = Mat<Rational>.Build(3, 3, (r, c) => c == i ? b[r, k] : a[r, c]);
                var cramer = Det3(ai) / det;
                Checks.True(x[i, k] == cramer, $"x[{i},{k}] = det(A_{i})/det A = {cramer} (got {x[i, k]})");
            }
        // By hand for the first column: x = (1, 1, 1).
        Exact(x.Block(0, 0, 3, 1), Col(Q(1), Q(1), Q(1)), "A·(1, 1, 1) = (3, 2, 5)");
        Exact(a * x, b, "A x = B");
        // A permutation matrix: only a row swap makes the pivot non-zero; the solution is the swapped right-hand side.
        Exact(LinearSolve.Solve(M(new[,] { { Q(0), Q(1) }, { Q(1), Q(0) } }), Col(Q(2), Q(3))), Col(Q(3), Q(2)), "[[0,1],[1,0]] x = (2, 3)");
        // Non-unit diagonal: 2x = 3 gives 3/2.
        Exact(LinearSolve.Solve(M(new[,] { { Q(2) } }), Col(Q(3))), Col(Q(3, 2)), "2x = 3");
    }

    /// <summary>
    /// STATISTICS: partial pivoting takes the entry of largest |value| (a negative one included): [[1e-20, 1], [−1, 1]] x = (1, 0) has
    /// x = (1, 1)/(1 + 1e-20) = (1, 1) in double; the tiny pivot would give x₀ = 0.
    /// </summary>
    [Test]
    public void STATISTICS_Linear_solve_pivots_on_the_largest_magnitude()
    {
        var a = Mat<Real>.Build(2, 2, (i, j) => new[,] { { 1e-20, 1.0 }, { -1.0, 1.0 } }[i, j]);
        var x = LinearSolve.Solve(a, RealMat.Column([1.0, 0.0]));
        Checks.Close(x[0, 0].Value, 1, 1e-15, "x₀");
        Checks.Close(x[1, 0].Value, 1, 1e-15, "x₁");
    }

    /// <summary>STATISTICS: a singular, non-square or mis-shaped system is rejected naming the argument.</summary>
    [Test]
    public void STATISTICS_Linear_solve_rejects_singular_and_misshaped()
    {
        Rejects(() => LinearSolve.Solve(M(new[,] { { Q(1), Q(2) }, { Q(2), Q(4) } }), Col(Q(1), Q(1))), "a", "singular");
        Rejects(() => LinearSolve.Solve(M(new[,] { { Q(0), Q(0) }, { Q(0), Q(0) } }), Col(Q(1), Q(1))), "a", "singular");
        Rejects(() => LinearSolve.Solve(Mat<Real>.Zeros(2, 2), RealMat.Column([1.0, 1.0])), "a", "singular");
        Rejects(() => LinearSolve.Solve(Mat<Rational>.Identity(2).Block(0, 0, 1, 2), Col(Q(1))), "a", "square");
        Rejects(() => LinearSolve.Solve(Mat<Rational>.Identity(2), Col(Q(1), Q(1), Q(1))), "b", "2 rows");
    }

    /// <summary>
    /// STATISTICS: least squares θ = (XᵀX)⁻¹Xᵀy: rows (1, 0), (0, 1), (1, 1) with y = (1, 2, 4) give XᵀX = [[2, 1], [1, 2]], Xᵀy = (5, 6),
    /// θ = (4/3, 7/3); a square X (n = d) solves X θ = y; the minimum-norm solution of x₁ + x₂ = 2 is (1, 1).
    /// </summary>
    [Test]
    public void STATISTICS_Least_squares_exact_cases()
    {
        var x = M(new[,] { { Q(1), Q(0) }, { Q(0), Q(1) }, { Q(1), Q(1) } });
        Exact(LeastSquares.Solve(x, Col(Q(1), Q(2), Q(4))), Col(Q(4, 3), Q(7, 3)), "θ of the 3×2 case");
        Exact(LeastSquares.Solve(M(new[,] { { Q(1), Q(1) }, { Q(0), Q(2) } }), Col(Q(3), Q(2))), Col(Q(2), Q(1)), "n = d: X θ = y");
        Rejects(() => LeastSquares.Solve(x, Col(Q(1), Q(2))), "y", "must be 3×1");
        var mn = LeastSquares.MinimumNorm(RealMat.From(new double[,] { { 1, 1 } }), RealMat.Column([2.0]));
        Checks.True(mn.Length == 2, "one entry per column");
        Checks.Close(mn[0], 1, 1e-14, "min-norm θ₀");
        Checks.Close(mn[1], 1, 1e-14, "min-norm θ₁");
    }

    // ---------------------------------------------------------------- Chen's loop, PGD, GD, GD++

    /// <summary>
    /// STATISTICS: Chen's loop q ← q − η Xᵀ(X q + α y) with X = [[1, 1], [0, 1]], y = (1, 0), α = 2, η = ½ from q₀ = 0:
    /// q₁ = (−1, −1), q₂ = (−1, −½) (by hand); from q₀ = (1, 0): q₁ = (−½, −3/2). L loops give L + 1 iterates, the first q₀.
    /// </summary>
    [Test]
    public void STATISTICS_Chen_loop_iterates_by_hand()
    {
        var x = M(new[,] { { Q(1), Q(1) }, { Q(0), Q(1) } });
        var y = Col(Q(1), Q(0));
        var q = ChenGradientDescent.Iterates(x, y, Q(2), Q(1, 2), 2);
        Checks.True(q.Count == 3, $"2 loops: 3 iterates (got {q.Count})");
        Exact(q[0], Col(Q(0), Q(0)), "q₀ = 0 by default");
        Exact(q[1], Col(Q(-1), Q(-1)), "q₁");
        Exact(q[2], Col(Q(-1), Q(-1, 2)), "q₂");
        var start = Col(Q(1), Q(0));
        var fromStart = ChenGradientDescent.Iterates(x, y, Q(2), Q(1, 2), 1, start);
        Checks.True(fromStart.Count == 2, "1 loop: 2 iterates");
        Exact(fromStart[0], start, "q₀ is the given start");
        Exact(fromStart[1], Col(Q(-1, 2), Q(-3, 2)), "q₁ from (1, 0)");
        var none = ChenGradientDescent.Iterates(x, y, Q(2), Q(1, 2), 0, start);
        Checks.True(none.Count == 1 && none[0].ExactlyEquals(start), "0 loops: only q₀");
        Rejects(() => ChenGradientDescent.Iterates(x, y, Q(2), Q(1, 2), -1), "loops", "≥ 0");
        Rejects(() => ChenGradientDescent.Iterates(x, Col(Q(1), Q(0), Q(0)), Q(2), Q(1, 2), 1), "y", "must be 2×1");
        Rejects(() => ChenGradientDescent.Iterates(x, y, Q(2), Q(0), 1), "stepSize", "> 0");
        Rejects(() => ChenGradientDescent.Iterates(x, y, Q(2), Q(-1), 1), "stepSize", "> 0");
        Rejects(() => ChenGradientDescent.Iterates(x, y, Q(2), Q(1, 2), 1, Col(Q(1), Q(0), Q(0))), "q0", "must be 2×1");
    }

    /// <summary>
    /// STATISTICS: PGD on R(w) = (1/2n)‖Xw − y‖², X = [[2, 0], [1, 1]], y = (2, 3), n = 2: ∇R(0) = (−7/2, −3/2), so Γ₀ = I gives
    /// w₁ = (7/2, 3/2); ∇R(w₁) = (6, 1), Γ₁ = diag(1, 2) gives w₂ = (−5/2, −1/2) (by hand). The same Γ = I twice gives w₂ = (−5/2, ½);
    /// plain GD with η = ½ is PGD with Γ = ½I: w₁ = (7/4, 3/4).
    /// </summary>
    [Test]
    public void STATISTICS_Preconditioned_gd_iterates_by_hand()
    {
        var x = M(new[,] { { Q(2), Q(0) }, { Q(1), Q(1) } });
        var y = Col(Q(2), Q(3));
        var w = PreconditionedGradientDescent.Iterates(x, y, [Mat<Rational>.Identity(2), M(new[,] { { Q(1), Q(0) }, { Q(0), Q(2) } })]);
        Checks.True(w.Count == 3, $"2 preconditioners: 3 iterates (got {w.Count})");
        Exact(w[0], Col(Q(0), Q(0)), "w₀ = 0");
        Exact(w[1], Col(Q(7, 2), Q(3, 2)), "w₁");
        Exact(w[2], Col(Q(-5, 2), Q(-1, 2)), "w₂");
        var same = PreconditionedGradientDescent.Iterates(x, y, Mat<Rational>.Identity(2), 2);
        Checks.True(same.Count == 3, "2 steps: 3 iterates");
        Exact(same[1], Col(Q(7, 2), Q(3, 2)), "same Γ: w₁");
        Exact(same[2], Col(Q(-5, 2), Q(1, 2)), "same Γ: w₂");
        Checks.True(PreconditionedGradientDescent.Iterates(x, y, Mat<Rational>.Identity(2), 0).Count == 1, "0 steps: only w₀");
        var gd = GradientDescent.Iterates(x, y, Q(1, 2), 1);
        Checks.True(gd.Count == 2, "1 GD step: 2 iterates");
        Exact(gd[1], Col(Q(7, 4), Q(3, 4)), "GD η = ½: w₁");
        RejectsNull(() => PreconditionedGradientDescent.Iterates(x, y, (IReadOnlyList<Mat<Rational>>)null!), "preconditioners");
        Rejects(() => PreconditionedGradientDescent.Iterates(x, y, [Mat<Rational>.Identity(3)]), "preconditioners[0]", "must be 2×2");
        Rejects(() => PreconditionedGradientDescent.Iterates(x, y, [Mat<Rational>.Identity(2), Mat<Rational>.Identity(3)]), "preconditioners[1]", "must be 2×2");
    }

    /// <summary>
    /// STATISTICS: one GD++ layer by hand. Columns x₁ = (1, 0), x₂ = (1, 2), query (0, 1), labels (1, 3, 0), n = 2:
    /// S = ½Σxᵢxᵢᵀ = [[1, 1], [1, 2]], r = ½Σxᵢyᵢ = (2, 3); with A = [[1, 0], [1, 1]], B = diag(−½, −1): I + BSA = [[0, −½], [−3, −1]],
    /// X₁ = [[0, −1, −½], [−3, −5, −1]], Y₁ = Y₀ + rᵀA X₀ = (6, 14, 3). A second layer A = I, B = 0 keeps X and adds r₁ᵀX₁ with
    /// r₁ = ½ X₁,ctx Y₁,ctxᵀ = (−7, −44): Y₂ = (138, 241, 101/2).
    /// </summary>
    [Test]
    public void STATISTICS_Gd_plus_plus_layers_by_hand()
    {
        var x0 = M(new[,] { { Q(1), Q(1), Q(0) }, { Q(0), Q(2), Q(1) } });
        var y0 = M(new[,] { { Q(1), Q(3), Q(0) } });
        var a = M(new[,] { { Q(1), Q(0) }, { Q(1), Q(1) } });
        var b = M(new[,] { { Q(-1, 2), Q(0) }, { Q(0), Q(-1) } });
        var states = GdPlusPlus.Run(x0, y0, [a, Mat<Rational>.Identity(2)], [b, Mat<Rational>.Zeros(2, 2)]);
        Checks.True(states.Count == 3, $"2 layers: 3 states (got {states.Count})");
        Exact(states[0].Covariates, x0, "X₀");
        Exact(states[0].Labels, y0, "Y₀");
        var x1 = M(new[,] { { Q(0), Q(-1), Q(-1, 2) }, { Q(-3), Q(-5), Q(-1) } });
        Exact(states[1].Covariates, x1, "X₁");
        Exact(states[1].Labels, M(new[,] { { Q(6), Q(14), Q(3) } }), "Y₁");
        Exact(states[2].Covariates, x1, "B = 0: X₂ = X₁");
        Exact(states[2].Labels, M(new[,] { { Q(138), Q(241), Q(101, 2) } }), "Y₂");
        var id = Mat<Rational>.Identity(2);
        RejectsNull(() => GdPlusPlus.Run(x0, y0, null!, [id]), "a");
        RejectsNull(() => GdPlusPlus.Run(x0, y0, [id], null!), "b");
        Rejects(() => GdPlusPlus.Run(x0, y0, [id], []), "b", "one matrix per layer");
        Rejects(() => GdPlusPlus.Run(x0.Block(0, 0, 2, 1), y0.Block(0, 0, 1, 1), [id], [id]), "n (context tokens)", "≥ 1");
        Rejects(() => GdPlusPlus.Run(x0, y0.Block(0, 0, 1, 2), [id], [id]), "labels", "must be 1×3");
        Rejects(() => GdPlusPlus.Run(x0, y0, [Mat<Rational>.Identity(3)], [id]), "a[0]", "must be 2×2");
        Rejects(() => GdPlusPlus.Run(x0, y0, [id, id], [id, Mat<Rational>.Identity(3)]), "b[1]", "must be 2×2");
    }

    // ---------------------------------------------------------------- BFGS

    /// <summary>An objective given by a function of x returning (value, gradient); records every point it is evaluated at.</summary>
    private sealed class Fn(int dimension, Func<double[], (double Value, double[] Gradient)> f) : IObjective
    {
        public List<double[]> Points { get; } = [];

        public int Dimension => dimension;

        public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
        {
            var xs = x.ToArray();
            Points.Add(xs);
            var (v, g) = f(xs);
            if (!gradient.IsEmpty) g.CopyTo(gradient);
            return v;
        }
    }

    /// <summary>|actual − expected| ≤ tol, or exactly equal when tol = 0 (the case is exact in double).</summary>
    private static void Near(double actual, double expected, double tol, string what)
    {
        if (tol == 0) Checks.True(actual == expected, $"{what}: exactly {expected:R} (got {actual:R})");
        else Checks.Close(actual, expected, tol, what);
    }

    private static void Run(Minimizer.Result r, double[] point, double value, double gradientNorm, int iterations, int evaluations, string reason, double tol, string what)
    {
        Checks.True(r.Iterations == iterations, $"{what}: {iterations} iterations (got {r.Iterations}; {r})");
        Checks.True(r.Evaluations == evaluations, $"{what}: {evaluations} evaluations (got {r.Evaluations})");
        Checks.True(r.Reason == reason, $"{what}: stops with {reason} (got {r.Reason})");
        Checks.True(r.Converged == (reason == Minimizer.GradientTolerance), $"{what}: converged exactly when the reason is {Minimizer.GradientTolerance}");
        Checks.True(r.Point.Count == point.Length, $"{what}: point dimension");
        for (int i = 0; i < point.Length; i++) Near(r.Point[i], point[i], tol, $"{what}: x[{i}]");
        Near(r.Value, value, tol, $"{what}: f");
        Near(r.GradientNorm, gradientNorm, tol, $"{what}: ‖∇f‖");
    }

    /// <summary>
    /// STATISTICS: BFGS on f = x²/4 from x₀ = 1, every number exact: g = ½ &lt; 1 so the first step is the full step −g: x₁ = ½; the update
    /// gives the secant H = s/y = (−½)/(−¼) = 2 = 1/f″, so the second step is Newton's, x₂ = 0, ∇f = 0: converged after 2 iterations and
    /// 3 evaluations, at the points 1, ½, 0.
    /// </summary>
    [Test]
    public void STATISTICS_Bfgs_one_dimensional_quadratic_is_newton_after_one_update()
    {
        var f = new Fn(1, x => (x[0] * x[0] / 4, [x[0] / 2]));
        var r = Minimizer.Bfgs(f, [1.0]);
        Run(r, [0], 0, 0, 2, 3, Minimizer.GradientTolerance, 0, "x²/4 from 1");
        Checks.True(f.Points.Select(p => p[0]).SequenceEqual([1.0, 0.5, 0.0]), $"evaluated at 1, ½, 0 (got {string.Join(", ", f.Points.Select(p => p[0]))})");
        // The delegate overload runs the same algorithm.
        var d = Minimizer.Bfgs(v => (v[0] * v[0] / 4, Vector<double>.Build.Dense([v[0] / 2])), Vector<double>.Build.Dense([1.0]));
        Run(d, [0], 0, 0, 2, 3, Minimizer.GradientTolerance, 0, "delegate overload");
    }

    /// <summary>
    /// STATISTICS: BFGS on the isotropic f = ¼‖x‖² from (1, ½): the first step x₁ = x₀/2 gives s = −x₀/2, y = s/2 and the update
    /// H = I + ssᵀ/‖s‖² (off-diagonal ⅖), whose step from x₁ is exactly −x₁: the minimiser 0 after 2 iterations and 3 evaluations.
    /// </summary>
    [Test]
    public void STATISTICS_Bfgs_isotropic_quadratic_two_steps()
    {
        var f = new Fn(2, x => ((x[0] * x[0] + x[1] * x[1]) / 4, [x[0] / 2, x[1] / 2]));
        var r = Minimizer.Bfgs(f, [1.0, 0.5]);
        Run(r, [0, 0], 0, 0, 2, 3, Minimizer.GradientTolerance, 1e-15, "¼‖x‖² from (1, ½)");
        Near(f.Points[1][0], 0.5, 0, "x₁ = x₀/2");
        Near(f.Points[1][1], 0.25, 0, "x₁ = x₀/2");
    }

    /// <summary>STATISTICS: Rosenbrock's function from the classic start (−1.2, 1) reaches its known minimiser (1, 1), f = 0.</summary>
    [Test]
    public void STATISTICS_Bfgs_reaches_the_rosenbrock_minimum()
    {
        var r = Minimizer.Bfgs(v => (Math.Pow(1 - v[0], 2) + 100 * Math.Pow(v[1] - v[0] * v[0], 2),
            Vector<double>.Build.Dense([-2 * (1 - v[0]) - 400 * v[0] * (v[1] - v[0] * v[0]), 200 * (v[1] - v[0] * v[0])])),
            Vector<double>.Build.Dense([-1.2, 1.0]), 1e-9, 500);
        Checks.True(r.Converged, $"converged ({r})");
        Checks.AtMost(r.GradientNorm, 1e-9, "‖∇f‖ ≤ tolerance at the end", CheckKind.Identity);
        Checks.Close(r.Point[0], 1, 1e-8, "x* = 1");
        Checks.Close(r.Point[1], 1, 1e-8, "y* = 1");
        Checks.Close(r.Value, 0, 1e-16, "f* = 0");
        Checks.True(r.Iterations > 1 && r.Evaluations > r.Iterations, $"iterations and evaluations counted ({r.Iterations}, {r.Evaluations})");
    }

    /// <summary>
    /// STATISTICS: the linear f = −(x₁ + x₂) has no minimum and no curvature (y = 0: H stays I). The first step is 1/‖g‖ = 1/√2 along
    /// (1, 1), every later step 1: after the iteration limit 25 the point is (24 + 1/√2)(1, 1), 26 evaluations, reason MaximumIterations.
    /// </summary>
    [Test]
    public void STATISTICS_Bfgs_stops_at_the_iteration_limit()
    {
        var f = new Fn(2, x => (-(x[0] + x[1]), [-1.0, -1.0]));
        var r = Minimizer.Bfgs(f, [0.0, 0.0], 1e-10, 25);
        double end = 24 + 1 / Math.Sqrt(2);
        Run(r, [end, end], -2 * end, Math.Sqrt(2), 25, 26, Minimizer.MaximumIterations, 1e-12, "−(x₁ + x₂), 25 iterations");
        Checks.Close(f.Points[1][0], 1 / Math.Sqrt(2), 1e-16, "first step 1/‖g‖");
        Checks.Close(f.Points[2][0] - f.Points[1][0], 1, 1e-15, "later steps 1");
        // One iteration allowed: one step.
        var one = Minimizer.Bfgs(new Fn(1, x => (x[0] / 2, [0.5])), [3.0], 0.25, 1);
        Run(one, [2.5], 1.25, 0.5, 1, 2, Minimizer.MaximumIterations, 0, "f = x/2, 1 iteration");
    }

    /// <summary>
    /// STATISTICS: the gradient test is ‖∇f‖ ≤ tolerance: a start with ‖∇f‖ equal to the tolerance is converged with no step
    /// (0 iterations, 1 evaluation).
    /// </summary>
    [Test]
    public void STATISTICS_Bfgs_gradient_equal_to_the_tolerance_is_converged()
    {
        var r = Minimizer.Bfgs(new Fn(2, x => (0.6 * x[0] + 0.8 * x[1], [0.375, 0.5])), [1.0, 1.0], 0.625, 10);
        Run(r, [1, 1], 1.4, 0.625, 0, 1, Minimizer.GradientTolerance, 1e-15, "‖(3/8, ½)‖ = 5/8");
    }

    /// <summary>
    /// STATISTICS: no progress. On f = −1 − c(x₁ + x₂) with c = 2⁻²⁶ each unit step lowers f by exactly 2c² = 2⁻⁵¹ = 4u|f| at f = −1 (u = 2⁻⁵³)
    /// and ≤ 4u|f| below: every iteration is stalled (the rule is ≤), so the run stops after 20 with NoProgress at (20c, 20c),
    /// f = −1 − 20·2⁻⁵¹ (‖∇f‖ = √2·c is above the tolerance). If the 20th stalled step lands where ‖∇f‖ equals the tolerance, the run is
    /// converged.
    /// </summary>
    [Test]
    public void STATISTICS_Bfgs_stops_after_twenty_stalled_iterations()
    {
        double c = Math.ScaleB(1, -26);
        var r = Minimizer.Bfgs(new Fn(2, x => (-1 - c * (x[0] + x[1]), [-c, -c])), [0.0, 0.0]);
        Run(r, [20 * c, 20 * c], -1 - 20 * Math.ScaleB(1, -51), Math.Sqrt(2) * c, 20, 21, Minimizer.NoProgress, 0, "−1 − c(x₁ + x₂)");
        double tol = 5 * Math.ScaleB(1, -40);
        var flat = Minimizer.Bfgs(new Fn(2, x => (-1 - c * (x[0] + x[1]), x[0] >= 20 * c ? [3 * Math.ScaleB(1, -40), 4 * Math.ScaleB(1, -40)] : [-c, -c])), [0.0, 0.0], tol);
        Run(flat, [20 * c, 20 * c], -1 - 20 * Math.ScaleB(1, -51), tol, 20, 21, Minimizer.GradientTolerance, 0, "stalled onto ‖∇f‖ = tolerance");
    }

    /// <summary>
    /// STATISTICS: the Armijo rule f(x + tp) ≤ f(x) + 10⁻⁴·t·∇fᵀp, with halving from t = 1. Scripted 1-D objective: f(0) = 0, ∇f(0) = −½
    /// (p = ½, slope −¼); the trial at t = 1 (x = ½) is rejected (f = 1), the trial at t = ½ (x = ¼) returns exactly the bound
    /// 10⁻⁴·½·(−¼) and is accepted (3 evaluations, 1 iteration); one ulp above the bound every trial is rejected: 60 halvings, then
    /// LineSearchFailed at the start (61 evaluations, 0 iterations). A −∞ trial is rejected like NaN (non-finite values never accepted).
    /// </summary>
    [Test]
    public void STATISTICS_Bfgs_armijo_rule_and_line_search_failure()
    {
        double bound = 0.0 + 1e-4 * 0.5 * -0.25;
        Fn Scripted(double atQuarter, double atHalf) => new(1, x => x[0] switch
        {
            0.0 => (0.0, [-0.5]),
            0.25 => (atQuarter, [0.0]),
            0.5 => (atHalf, [0.0]),
            _ => (1.0, [0.0]),
        });
        var onBound = Scripted(bound, 1.0);
        Run(Minimizer.Bfgs(onBound, [0.0]), [0.25], bound, 0, 1, 3, Minimizer.GradientTolerance, 0, "a trial on the Armijo bound is accepted");
        Checks.True(onBound.Points.Select(p => p[0]).SequenceEqual([0.0, 0.5, 0.25]), "trials at t = 1, then ½");
        var above = Scripted(Math.BitIncrement(bound), 1.0);
        Run(Minimizer.Bfgs(above, [0.0]), [0], 0, 0.5, 0, 61, Minimizer.LineSearchFailed, 0, "one ulp above the bound: rejected");
        Near(above.Points[^1][0], Math.ScaleB(0.5, -59), 0, "the 60th trial is t = 2⁻⁵⁹");
        foreach (var bad in new[] { double.NegativeInfinity, double.NaN })
            Run(Minimizer.Bfgs(Scripted(-1.0, bad), [0.0]), [0.25], -1, 0, 1, 3, Minimizer.GradientTolerance, 0, $"a {bad} trial is rejected");
        // A gradient that claims descent where f never decreases: every trial fails.
        var liar = Minimizer.Bfgs(new Fn(1, _ => (0.0, [1.0])), [0.0]);
        Run(liar, [0], 0, 1, 0, 61, Minimizer.LineSearchFailed, 0, "f constant, ∇f = 1");
    }

    /// <summary>
    /// STATISTICS: restart from steepest descent. Scripted by call: f(0) = 0, ∇f = (−2⁻⁸⁰, 0); the full step to x₁ = (2⁻⁸⁰, 0) gives f = −1,
    /// ∇f = g₁ = (1, 1), so s = (2⁻⁸⁰, 0), y = (1, 1): the update of I is [[1 + 2⁻⁸⁰, −1], [−1, 1]] (positive definite, determinant 2⁻⁸⁰),
    /// in double [[1, −1], [−1, 1]], singular with g₁ in its null space: the slope −g₁ᵀHg₁ is exactly 0, not a descent direction. The
    /// run restarts from H = I with a first step: the trial x₁ − g₁/√2 (f = −1.0001, above the Armijo bound −1 − 10⁻⁴·√2: rejected),
    /// then x₂ = x₁ − g₁/(2√2) (f = −1000, ∇f = g₂ = (1, −2)); the next step is −H₂g₂ with H₂ the textbook BFGS update of I,
    /// (I − ρsyᵀ)(I − ρysᵀ) + ρssᵀ (Nocedal–Wright 6.17), and there ∇f = 0: 3 iterations, 5 evaluations.
    /// </summary>
    [Test]
    public void STATISTICS_Bfgs_restarts_when_the_update_loses_descent()
    {
        double tiny = Math.ScaleB(1, -80);
        double[] g1 = [1.0, 1.0], g2 = [1.0, -2.0];
        var script = new (double, double[])[] { (0.0, [-tiny, 0.0]), (-1.0, g1), (-1.0001, [5.0, 5.0]), (-1000.0, g2), (-1001.0, [0.0, 0.0]) };
        int call = 0;
        var f = new Fn(2, _ => call < script.Length ? script[call++] : (0.0, [1.0, 1.0]));
        var r = Minimizer.Bfgs(f, [0.0, 0.0], Math.ScaleB(1, -100)); // a tolerance below ‖∇f(0)‖ = 2⁻⁸⁰
        Checks.True(r.Converged && r.Iterations == 3 && r.Evaluations == 5, $"converged after 3 iterations, 5 evaluations ({r}, {r.Evaluations})");
        double[] x1 = [tiny, 0.0];
        Checks.True(f.Points[1].SequenceEqual(x1), "x₁ = x₀ − ∇f(x₀) (‖∇f‖ < 1: the full step)");
        double t = 1 / Math.Sqrt(2);
        for (int i = 0; i < 2; i++)
        {
            Checks.True(f.Points[2][i] == x1[i] + t * -g1[i], $"restart: trial 1 is x₁ − g₁/‖g₁‖, coordinate {i} (got {f.Points[2][i]:R})");
            Checks.True(f.Points[3][i] == x1[i] + t / 2 * -g1[i], $"restart: trial 2 is x₁ − g₁/(2‖g₁‖), coordinate {i} (got {f.Points[3][i]:R})");
        }
        var s = Vector<double>.Build.DenseOfArray(f.Points[3]) - Vector<double>.Build.DenseOfArray(x1);
        var y = Vector<double>.Build.DenseOfArray(g2) - Vector<double>.Build.DenseOfArray(g1);
        double rho = 1 / s.DotProduct(y);
        var id = Matrix<double>.Build.DenseIdentity(2);
        var h2 = (id - rho * s.OuterProduct(y)) * (id - rho * y.OuterProduct(s)) + rho * s.OuterProduct(s);
        var x3 = Vector<double>.Build.DenseOfArray(f.Points[3]) - h2 * Vector<double>.Build.DenseOfArray(g2);
        for (int i = 0; i < 2; i++) Checks.Close(f.Points[4][i], x3[i], 1e-14, $"after the restart: x₃ = x₂ − H₂g₂ from H = I, coordinate {i}");
        Checks.True(r.Point.SequenceEqual(Vector<double>.Build.DenseOfArray(f.Points[4])) && r.Value == -1001, "ends at x₃");
    }

    /// <summary>
    /// STATISTICS: the update needs curvature yᵀs &gt; 10⁻¹²‖y‖‖s‖. Scripted by call: ∇f(0) = (−½, 0), the full step to x₁ = (½, 0) (s = (½, 0)),
    /// ∇f(x₁) = (½, Y), y = (1, Y), yᵀs = ½. At Y = 2⁴⁰ the bound is 10⁻¹²·2⁴⁰·½ ≈ 0.55 ≥ ½: no update, H stays I and the next trial
    /// is exactly x₁ − ∇f(x₁) = (0, −2⁴⁰). At Y = 2³⁹ the bound is ≈ 0.27 &lt; ½: the update is made and the next trial is another point.
    /// </summary>
    [Test]
    public void STATISTICS_Bfgs_skips_the_update_without_curvature()
    {
        Fn Script(double bigY)
        {
            var script = new (double, double[])[] { (0.0, [-0.5, 0.0]), (-1.0, [0.5, bigY]), (-1e30, [0.0, 0.0]) };
            int call = 0;
            return new Fn(2, _ => call < script.Length ? script[call++] : (0.0, [1.0, 1.0]));
        }
        var flat = Script(Math.ScaleB(1, 40));
        var r = Minimizer.Bfgs(flat, [0.0, 0.0]);
        Checks.True(r.Converged && r.Iterations == 2 && r.Evaluations == 3, $"2 iterations, 3 evaluations ({r})");
        Checks.True(flat.Points[2].SequenceEqual([0.0, -Math.ScaleB(1, 40)]), $"no update: x₂ = x₁ − g₁ (got ({string.Join(", ", flat.Points[2])}))");
        var curved = Script(Math.ScaleB(1, 39));
        Minimizer.Bfgs(curved, [0.0, 0.0]);
        Checks.True(!curved.Points[2].SequenceEqual([0.0, -Math.ScaleB(1, 39)]), "update made: x₂ ≠ x₁ − g₁");
    }

    /// <summary>STATISTICS: BFGS and the multi-start reject a null objective, a start of the wrong length, a non-positive tolerance or limit and a non-finite start.</summary>
    [Test]
    public void STATISTICS_Bfgs_rejects_bad_arguments()
    {
        var f = new Fn(2, x => (x[0] * x[0] + x[1] * x[1], [2 * x[0], 2 * x[1]]));
        RejectsNull(() => Minimizer.Bfgs((IObjective)null!, [0.0]), "objective");
        RejectsNull(() => Minimizer.Bfgs((Func<Vector<double>, (double, Vector<double>)>)null!, Vector<double>.Build.Dense(1)), "objective");
        Rejects(() => Minimizer.Bfgs(f, [1.0]), "start", "length 2");
        foreach (var tol in new[] { 0.0, -1, double.NaN })
            Rejects(() => Minimizer.Bfgs(f, [1.0, 1.0], tol), "gradientTolerance", "> 0");
        Rejects(() => Minimizer.Bfgs(f, [1.0, 1.0], 1e-10, 0), "maxIterations", "≥ 1");
        foreach (var bad in new[] { double.NaN, double.PositiveInfinity })
            Rejects(() => Minimizer.Bfgs(new Fn(1, _ => (bad, [0.0])), [0.0]), "start", "not finite");
        bool drawn = false;
        RejectsNull(() => Minimizer.MultiStart(null!, 1, _ => { drawn = true; return [0.0, 0.0]; }, 1e-10, 10), "objective");
        Checks.True(!drawn, "a null objective is rejected before any start point is drawn");
        RejectsNull(() => Minimizer.MultiStart(f, 1, null!, 1e-10, 10), "startPoint");
        Rejects(() => Minimizer.MultiStart(f, 0, _ => [0.0, 0.0], 1e-10, 10), "starts", "≥ 1");
    }

    /// <summary>STATISTICS: a result prints f (G10), ‖∇f‖ (E2), the iterations and the reason; Converged only for GradientTolerance.</summary>
    [Test]
    public void STATISTICS_Bfgs_result_text_and_status()
    {
        var r = new Minimizer.Result(Vector<double>.Build.Dense([1.0]), 1.5, 0.25, 3, Minimizer.NoProgress);
        Checks.True(r.ToString() == "f = 1.5, ‖∇f‖ = 2.50E-001, 3 iterations, NoProgress", $"text: {r}");
        Checks.True(!r.Converged && r.Evaluations == 0, "NoProgress is not converged; evaluations default 0");
        Checks.True(new Minimizer.Result(r.Point, 0, 0, 1, Minimizer.GradientTolerance).Converged, "GradientTolerance is converged");
        Checks.True(new[] { Minimizer.GradientTolerance, Minimizer.MaximumIterations, Minimizer.LineSearchFailed, Minimizer.NoProgress }
            .SequenceEqual(["GradientTolerance", "MaximumIterations", "LineSearchFailed", "NoProgress"]), "reason names");
    }

    /// <summary>
    /// STATISTICS: a multi-start keeps every run: start k is startPoint(k), run k equals a single BFGS run from it. On x²/4 from 1, 2, 4
    /// (all exact: the secant step lands on 0) all converge, to the one stationary value 0.
    /// </summary>
    [Test]
    public void STATISTICS_Multi_start_keeps_every_run()
    {
        var f = new Fn(1, x => (x[0] * x[0] / 4, [x[0] / 2]));
        var calls = new List<int>();
        var search = Minimizer.MultiStart(f, 3, k => { calls.Add(k); return [Math.ScaleB(1, k)]; }, 1e-10, 50);
        Checks.True(calls.SequenceEqual([0, 1, 2]), "start points 0, 1, 2 asked in order");
        Checks.True(search.Runs.Count == 3 && search.GradientTolerance == 1e-10, "3 runs, the tolerance kept");
        for (int k = 0; k < 3; k++)
        {
            var single = Minimizer.Bfgs(f, [Math.ScaleB(1, k)], 1e-10, 50);
            var run = search.Runs[k];
            Checks.True(run.Iterations == single.Iterations && run.Evaluations == single.Evaluations && run.Point[0] == single.Point[0] && run.Reason == single.Reason,
                $"run {k} = BFGS from 2^{k} ({run} vs {single})");
        }
        Checks.True(search.ConvergedRuns.Count == 3 && search.FailedRuns.Count == 0, "all converged");
        Checks.True(search.Best.Value == 0, "best value 0");
    }

    private static Minimizer.Result R(double value, double gradientNorm, string reason) =>
        new(Vector<double>.Build.Dense(1), value, gradientNorm, 1, reason);

    /// <summary>
    /// STATISTICS: the multi-start summary: converged runs (reason GradientTolerance) and failed runs split; Best is the converged run of
    /// least f (never a failed one, even with a lower f); stationary values group converged values within relative·max(1, |v|) of the
    /// group's first (boundary included), each with its count and its largest ‖∇f‖.
    /// </summary>
    [Test]
    public void STATISTICS_Multi_start_result_groups_and_summary()
    {
        var runs = new[]
        {
            R(4, 0.25, Minimizer.GradientTolerance), R(1, 0.5, Minimizer.GradientTolerance), R(-7, 2, Minimizer.LineSearchFailed),
            R(6, 0.125, Minimizer.GradientTolerance), R(1.5, 0.75, Minimizer.GradientTolerance), R(2.5, 0.5, Minimizer.GradientTolerance),
        };
        var s = new MultiStartResult(runs, 1e-8);
        Checks.True(s.ConvergedRuns.Count == 5 && s.FailedRuns.Count == 1 && s.FailedRuns[0].Value == -7, "5 converged, 1 failed");
        Checks.True(s.Best.Value == 1 && s.Best.GradientNorm == 0.5, $"best converged value 1 (got {s.Best})");
        // Sorted 1, 1.5, 2.5, 4, 6 at relative ½, each against its group's first value: 1.5 − 1 = ½ ≤ ½·max(1, 1) joins 1 (the boundary);
        // 2.5 − 1 = 1.5 > ½ starts a group; 4 − 2.5 = 1.5 > ½·2.5 starts one; 6 − 4 = 2 ≤ ½·4 joins 4 (the gap is relative above 1).
        var groups = s.StationaryValues(0.5);
        var want = new[] { (1.0, 2, 0.75), (2.5, 1, 0.5), (4.0, 2, 0.25) };
        Checks.True(groups.SequenceEqual(want), $"groups {string.Join("; ", want)} (got {string.Join("; ", groups)})");
        // At the default 1e-6 all five values are distinct.
        Checks.True(s.StationaryValues().Count == 5, "default relative gap 1e-6");
        Checks.True(s.Summary() == "6 starts, 5 converged (‖∇f‖ ≤ 1E-008; max ‖∇f‖ 7.5E-001), 1 failed [LineSearchFailed at f = -7, ‖∇f‖ = 2.0E+000]; "
            + "stationary values: 1 ×1, 1.5 ×1, 2.5 ×1, 4 ×1, 6 ×1", $"summary: {s.Summary()}");
        var allGood = new MultiStartResult([runs[1], runs[1]], 1e-6);
        Checks.True(allGood.Summary() == "2 starts, 2 converged (‖∇f‖ ≤ 1E-006; max ‖∇f‖ 5.0E-001), 0 failed; stationary values: 1 ×2", $"summary: {allGood.Summary()}");
        var none = new MultiStartResult([runs[2], R(3, 1, Minimizer.MaximumIterations)], 1e-6);
        Checks.True(none.Summary() == "2 starts, 0 converged (‖∇f‖ ≤ 1E-006; max ‖∇f‖ n/a), 2 failed [LineSearchFailed at f = -7, ‖∇f‖ = 2.0E+000; "
            + "MaximumIterations at f = 3, ‖∇f‖ = 1.0E+000]; stationary values: ", $"summary: {none.Summary()}");
        var ex = Assert.Throws<InvalidOperationException>(() => _ = none.Best);
        Checks.True(ex!.Message == "no run of 2 converged: f = -7, ‖∇f‖ = 2.00E+000, 1 iterations, LineSearchFailed; f = 3, ‖∇f‖ = 1.00E+000, 1 iterations, MaximumIterations",
            $"Best with no converged run lists every run: {ex.Message}");
    }

    // ---------------------------------------------------------------- Finite differences, golden section, signed permutations

    /// <summary>
    /// STATISTICS: the central difference of x³ is 3x² + h² (exact for cubics), with h = relativeStep·max(1, |x|): at x = 4, step ½ → h = 2,
    /// 48 + 4 + ∂(x₁x₂) = 52.5 for f = x₁³ + x₁x₂; at x₂ = ½ → h = ½ (the max with 1), ∂f/∂x₂ = x₁ = 4 (x₁ restored).
    /// </summary>
    [Test]
    public void STATISTICS_Finite_difference_gradients_exact_for_cubics()
    {
        static double F(double a, double b) => a * a * a + a * b;
        var g = Minimizer.FiniteDifferenceGradient(new Fn(2, x => (F(x[0], x[1]), [double.NaN, double.NaN])), [4.0, 0.5], 0.5);
        Checks.True(g.Length == 2 && g[0] == 52.5 && g[1] == 4, $"IObjective: (52.5, 4) (got ({string.Join(", ", g)}))");
        var v = Minimizer.FiniteDifferenceGradient(w => F(w[0], w[1]), Vector<double>.Build.Dense([4.0, 0.5]), 0.5);
        Checks.True(v.Count == 2 && v[0] == 52.5 && v[1] == 4, $"delegate: (52.5, 4) (got {v})");
        // |x| < 1: h = step. x³ at ½ with step ½: 3/4 + 1/4 = 1.
        var small = Minimizer.FiniteDifferenceGradient(w => w[0] * w[0] * w[0], Vector<double>.Build.Dense([0.5]), 0.5);
        Checks.True(small[0] == 1, $"x³ at ½, h = ½: 1 (got {small[0]})");
        var negative = Minimizer.FiniteDifferenceGradient(new Fn(1, x => (x[0] * x[0] * x[0], [0.0])), [-4.0], 0.5);
        Checks.True(negative[0] == 52, $"x³ at −4, h = 2: 48 + 4 (got {negative[0]})");
        RejectsNull(() => Minimizer.FiniteDifferenceGradient((IObjective)null!, [1.0]), "objective");
    }

    /// <summary>STATISTICS: golden section finds the minimiser of (x − m)² on [0, 1] to the tolerance, for m inside and at either end.</summary>
    [Test]
    public void STATISTICS_Golden_section_known_minimisers()
    {
        foreach (var m in new[] { 1.0 / 3, 0.9, 0.05, 0.5 })
        {
            int calls = 0;
            double x = Minimizer.GoldenSection(t => { calls++; return (t - m) * (t - m); }, 0, 1, 1e-3);
            Checks.Close(x, m, 1e-3, $"minimiser {m}");
            // Each iteration shrinks the interval by g = (√5 − 1)/2: 0.618^N ≤ 1e-3 first at N = 15 (log 1e-3 / log g = 14.36); 2 + 15 calls.
            Checks.True(calls == 17, $"17 evaluations (got {calls})");
        }
        Checks.Close(Minimizer.GoldenSection(t => t, 0, 1, 1e-9), 0, 1e-9, "increasing f: the left end");
        Checks.Close(Minimizer.GoldenSection(t => -t, -2, 3, 1e-9), 3, 1e-9, "decreasing f: the right end");
        Checks.Close(Minimizer.GoldenSection(t => (t - 1.25) * (t - 1.25), 1, 2), 1.25, 1e-9, "default tolerance 1e-9");
        // The loop runs while the width exceeds the tolerance: a tolerance equal to the width returns the midpoint after the two first calls.
        int wide = 0;
        Checks.True(Minimizer.GoldenSection(t => { wide++; return t; }, 0, 1, 1) == 0.5 && wide == 2, $"tolerance = width: midpoint, 2 calls (got {wide})");
        RejectsNull(() => Minimizer.GoldenSection(null!, 0, 1), "f");
        Rejects(() => Minimizer.GoldenSection(t => t, 1, 1), "hi", "exceed lo");
        Rejects(() => Minimizer.GoldenSection(t => t, 1, 0), "hi", "exceed lo");
        Rejects(() => Minimizer.GoldenSection(t => t, 0, double.NaN), "hi", "exceed lo");
    }

    /// <summary>
    /// STATISTICS: the signed permutations of size d are the 2^d·d! matrices with one ±1 in every row and column: the 8 of d = 2 listed,
    /// 48 distinct orthogonal ones for d = 3; the sign matrices are the 2^d diagonal ±1 matrices.
    /// </summary>
    [Test]
    public void STATISTICS_Signed_permutations_are_the_hyperoctahedral_group()
    {
        static string Key(Matrix<double> m) => string.Join(",", m.ToRowMajorArray());
        var two = SignedPermutations.All(2).Select(Key).Order(StringComparer.Ordinal).ToArray();
        var want = new[] { "1,0,0,1", "-1,0,0,1", "1,0,0,-1", "-1,0,0,-1", "0,1,1,0", "0,-1,1,0", "0,1,-1,0", "0,-1,-1,0" }.Order(StringComparer.Ordinal);
        Checks.True(two.SequenceEqual(want), $"d = 2: {string.Join(" ", two)}");
        var three = SignedPermutations.All(3).ToArray();
        Checks.True(three.Length == 48 && three.Select(Key).Distinct().Count() == 48, $"d = 3: 48 distinct (got {three.Length})");
        foreach (var m in three)
            Checks.True((m * m.Transpose()).Equals(Matrix<double>.Build.DenseIdentity(3)), $"orthogonal: {m}");
        Checks.True(SignedPermutations.All(1).Select(Key).Order(StringComparer.Ordinal).SequenceEqual(["-1", "1"]), "d = 1: ±1");
        var signs = SignedPermutations.Signs(2).Select(Key).Order(StringComparer.Ordinal).ToArray();
        Checks.True(signs.SequenceEqual(new[] { "1,0,0,1", "-1,0,0,1", "1,0,0,-1", "-1,0,0,-1" }.Order(StringComparer.Ordinal)), $"signs d = 2: {string.Join(" ", signs)}");
        Checks.True(SignedPermutations.Signs(3).Count() == 8, "signs d = 3: 8");
        Rejects(() => SignedPermutations.All(0).ToArray(), "d", "≥ 1");
    }
}
