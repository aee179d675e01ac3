using static LoopedIcl.TestSupport.Refusals;
using System.Numerics;
using LoopedIcl.Numerics.Convergence;

namespace LoopedIcl.Lemmas;

/// <summary>
/// STATISTICS (library level, exact small cases): the quantities of Chen et al.'s convergence experiments (Numerics/Convergence):
/// the loop's errors e_t worked by hand on 2×2 dyadic cases and against an independent recurrence on <see cref="Mat{T}"/>, the
/// exact spectral form e_t = |α| Σ_j w_j (1 − ηλ_j)^t, the double-double reference against a closed form beyond double precision,
/// the loop's limit against an exact rational solve, the Marchenko–Pastur limit against the law's known moments, and the bounds'
/// formulas. Part of the mutation shards' fast set (Category Library: milliseconds).
/// </summary>
[TestFixture, Category(ClaimIds.Statistics), Category(CategoryLabels.Library)]
public sealed class LibraryConvergence
{

    private static Mat<Real> M(double[,] a) => RealMat.From(a);

    private static Mat<Real> Col(params double[] v) => RealMat.Column(v);

    /// <summary>The loop written independently on Mat: G = XᵀX, b = Xᵀy, q ← q − η(Gq + αb), TF = −q, e_t = |⟨TF_t, r⟩ − target|.</summary>
    private static double[] Recurrence(Mat<Real> x, Mat<Real> y, Mat<Real> r, double alpha, double eta, double target, int loops)
    {
        var g = x.Transpose() * x;
        var b = x.Transpose() * y;
        var q = Mat<Real>.Zeros(x.Cols, 1);
        var e = new double[loops + 1];
        e[0] = Math.Abs(target);
        for (int t = 1; t <= loops; t++)
        {
            q = q - new Real(eta) * (g * q + new Real(alpha) * b);
            e[t] = Math.Abs(Mat<Real>.Dot(-q, r).Value - target);
        }
        return e;
    }

    /// <summary>The exact rational value of a double.</summary>
    private static Rational Exact(double v)
    {
        if (v == 0) return Rational.Zero;
        long bits = BitConverter.DoubleToInt64Bits(v);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075;
        BigInteger num = bits < 0 ? -mantissa : mantissa;
        return exponent >= 0 ? Rational.Of(num << exponent, BigInteger.One) : Rational.Of(num, BigInteger.One << -exponent);
    }

    /// <summary>STATISTICS: the run's bounds as printed: |α| e^(−t/(2κ)) (κ the run's or a given one), |α|(1 − 1/κ)^t; Loops = T; the loops to reach ε is the first t with e_t ≤ ε.</summary>
    [Test]
    public void STATISTICS_Chen_run_bounds_and_loops_to_reach()
    {
        var run = new ChenRun([4, 2, 1, 0.5], Kappa: 4, StepSize: 0.25, Alpha: -2, TaskNormSquared: 1);
        Checks.True(run.Loops == 3, $"four errors: T = 3 (got {run.Loops})");
        Checks.Close(run.Bound(8), 2 / Math.E, 1e-15, "|α| e^(−8/8)");
        Checks.Close(run.Bound(0), 2, 1e-15, "|α| at t = 0");
        Checks.Close(run.Bound(8, 2), 2 * Math.Exp(-2), 1e-15, "|α| e^(−8/4) with κ = 2 given");
        Checks.Close(run.SharpBound(2), 9.0 / 8, 1e-15, "|α|(3/4)²");
        Checks.Close(run.SharpBound(0), 2, 1e-15, "|α|(3/4)⁰");
        foreach (var (eps, want) in new[] { (5.0, 0), (4, 0), (2, 1), (1.5, 2), (1, 2), (0.75, 3), (0.5, 3), (0.1, -1) })
            Checks.True(ChenConvergence.LoopsToReach(run, eps) == want, $"LoopsToReach(ε = {eps}) = {want} (got {ChenConvergence.LoopsToReach(run, eps)})");
    }

    /// <summary>
    /// STATISTICS: the errors of the loop on X = [[1, 0], [1, 1]], y = (1, 1), α = 2, η = 1/4, r = (1, 2), worked by hand: TF₁ = (1, 1/2),
    /// TF₂ = (11/8, 5/8), so ⟨TF_t, r⟩ = 0, 2, 21/8 and e = (3, 1, 3/8) against the target 3, (3, 5, 45/8) against −3 — in double and in
    /// double-double, and for 12 loops equal to an independent recurrence.
    /// </summary>
    [Test]
    public void STATISTICS_Loop_errors_worked_by_hand()
    {
        var x = M(new double[,] { { 1, 0 }, { 1, 1 } });
        var y = Col(1, 1);
        double[] r = [1, 2];
        foreach (var (target, want) in new[] { (3.0, new[] { 3, 1, 0.375 }), (-3.0, new[] { 3, 5, 5.625 }) })
        {
            var fast = ChenConvergence.Errors(x, y, r, 2, 0.25, target, 2);
            var high = ChenConvergence.HighPrecisionErrors(x, y, r, 2, 0.25, target, 2);
            Checks.True(fast.SequenceEqual(want), $"target {target}: double errors = ({string.Join(", ", want)}) (got {string.Join(", ", fast)})");
            Checks.True(high.SequenceEqual(want), $"target {target}: double-double errors = ({string.Join(", ", want)}) (got {string.Join(", ", high)})");
        }
        var reference = Recurrence(x, y, Col(r), 2, 0.25, 3, 12);
        var longFast = ChenConvergence.Errors(x, y, r, 2, 0.25, 3, 12);
        var longHigh = ChenConvergence.HighPrecisionErrors(x, y, r, 2, 0.25, 3, 12);
        Checks.True(longFast.Length == 13 && longHigh.Length == 13, "T = 12: 13 errors");
        for (int t = 0; t <= 12; t++)
        {
            Checks.Close(longFast[t], reference[t], 1e-14, $"double e_{t} = the recurrence");
            Checks.Close(longHigh[t], reference[t], 1e-14, $"double-double e_{t} = the recurrence");
        }
        // A 3×3 case with a full Gram matrix and a non-symmetric reference: the same recurrence.
        var x3 = M(new double[,] { { 1, 2, 0 }, { 0, 1, 3 }, { 2, 0, 1 }, { 1, 1, 1 } });
        var y3 = Col(0.5, -1, 2, 0.25);
        double[] r3 = [0.3, -0.7, 1.1];
        var ref3 = Recurrence(x3, y3, Col(r3), 1.5, 0.02, 0.4, 20);
        var fast3 = ChenConvergence.Errors(x3, y3, r3, 1.5, 0.02, 0.4, 20);
        var high3 = ChenConvergence.HighPrecisionErrors(x3, y3, r3, 1.5, 0.02, 0.4, 20);
        for (int t = 0; t <= 20; t++)
        {
            Checks.Close(fast3[t], ref3[t], 1e-13, $"3×3: double e_{t} = the recurrence");
            Checks.Close(high3[t], ref3[t], 1e-13, $"3×3: double-double e_{t} = the recurrence");
        }
        Checks.True(ChenConvergence.Errors(x, y, r, 2, 0.25, -3, 0).SequenceEqual([3.0]), "T = 0: only e₀ = |target|");
        Checks.True(ChenConvergence.HighPrecisionErrors(x, y, r, 2, 0.25, -3, 0).SequenceEqual([3.0]), "double-double T = 0: only e₀ = |target|");
        Rejects(() => ChenConvergence.Errors(x, y, r, 2, 0.25, 3, -1), "loops", "≥ 0");
        Rejects(() => ChenConvergence.HighPrecisionErrors(x, y, r, 2, 0.25, 3, -1), "loops", "≥ 0");
        Rejects(() => ChenConvergence.HighPrecisionErrors(x, y, [1.0, 2, 3], 2, 0.25, 3, 2), "reference", "length 2");
    }

    /// <summary>
    /// STATISTICS: the double-double loop carries ~106 bits: on X = y = (1), α = 1, η = 3/8, target 1 the error is exactly (5/8)^t,
    /// and at t = 60 (5/8)⁶⁰ ≈ 5·10⁻¹³ sits far below the rounding of q_t ≈ −1 in double; the double-double value matches the closed form
    /// to 1e-13 relative while the double loop is off by more than 1e-8 relative (so the check tells the two arithmetics apart).
    /// </summary>
    [Test]
    public void STATISTICS_Double_double_reference_beyond_double_precision()
    {
        var x = M(new double[,] { { 1 } });
        var y = Col(1);
        var high = ChenConvergence.HighPrecisionErrors(x, y, [1.0], 1, 0.375, 1, 80);
        var plain = ChenConvergence.Errors(x, y, [1.0], 1, 0.375, 1, 80);
        foreach (int t in new[] { 1, 2, 10, 30, 60, 80 })
            Checks.RelativeClose(high[t] / Math.Pow(0.625, t), 1, 1e-13, $"double-double e_{t} = (5/8)^{t}");
        Checks.Exceeds(Math.Abs(plain[60] / Math.Pow(0.625, 60) - 1), 1e-8, "the double loop's e₆₀ is off the closed form (the check needs the extra bits)");
        // A negative target near the value: |(1 − (5/8)^t) − (1 − 2⁻⁴⁰)| with both terms near 1.
        double target = 1 - Math.Pow(2, -40);
        var near = ChenConvergence.HighPrecisionErrors(x, y, [1.0], 1, 0.375, target, 60);
        Checks.RelativeClose(near[60] / (Math.Pow(2, -40) - Math.Pow(0.625, 60)), 1, 1e-12, "double-double |TF₆₀ − (1 − 2⁻⁴⁰)|");
        // Two coordinates that cancel: α = 1, b = (1, −1) through X = I, r = (1, 1): ⟨TF_t, r⟩ = 0 exactly, e_t = |target|.
        var cancel = ChenConvergence.HighPrecisionErrors(M(new double[,] { { 1, 0 }, { 0, 1 } }), Col(1, -1), [1.0, 1], 1, 0.375, 0.5, 40);
        Checks.True(cancel.All(e => e == 0.5), "symmetric coordinates cancel exactly: e_t = 0.5");
    }

    /// <summary>
    /// STATISTICS: Run on X = [[4, 2], [2, 4]] (XᵀX = [[20, 16], [16, 20]], eigenvalues 4 and 36, eigenvectors (1, ∓1)/√2), w* = (0.6, 0.8):
    /// the weights on the eigenvectors are 0.02 and 0.98, so e_t = |α|(0.02(1 − 4η)^t + 0.98(1 − 36η)^t) with η = stepFactor/36; κ = 9
    /// (λ_max/λ_min, not their product); a singular XᵀX has κ = ∞, also when its computed λ_min rounds below 0.
    /// </summary>
    [Test]
    public void STATISTICS_Run_follows_the_exact_spectral_form()
    {
        var x = M(new double[,] { { 4, 2 }, { 2, 4 } });
        var task = Col(0.6, 0.8);
        var prompt = Prompt<Real>.Realizable(x, Col(1, -1), task);
        foreach (var (alpha, factor) in new[] { (-1.5, 1.0), (2.0, 0.5), (0.75, 1.5) })
        {
            double eta = factor / 36;
            var run = ChenConvergence.Run(prompt, alpha, 25, factor);
            Checks.True(run.Error.Length == 26 && run.Loops == 25, "T = 25: 26 errors");
            Checks.Close(run.Kappa, 9, 1e-13, "κ(XᵀX) = 9");
            Checks.Close(run.StepSize, eta, 1e-16, $"η = {factor}/λ_max");
            Checks.True(run.Alpha == alpha, "α is kept");
            Checks.Close(run.TaskNormSquared, 1, 1e-15, "‖w*‖² = 1");
            for (int t = 0; t <= 25; t++)
            {
                double want = Math.Abs(alpha) * Math.Abs(0.02 * Math.Pow(1 - 4 * eta, t) + 0.98 * Math.Pow(1 - 36 * eta, t));
                Checks.Close(run.Error[t], want, 1e-14, $"α = {alpha}, factor {factor}: e_{t}");
            }
            var direct = ChenConvergence.Run(prompt.X, prompt.Y, prompt.Task, alpha, 25, factor);
            Checks.True(direct.Error.SequenceEqual(run.Error) && direct.Kappa == run.Kappa, "Run(prompt) = Run(X, y, w*)");
        }
        // Any reference: the errors against r = (1, 2) and the target α are those of the recurrence; ‖r‖² = 5.
        var y = x * task;
        var other = ChenConvergence.Run(x, y, Col(1, 2), 1.25, 10, 0.8);
        var rec = Recurrence(x, y, Col(1, 2), 1.25, 0.8 / 36, 1.25, 10);
        Checks.Close(other.TaskNormSquared, 5, 1e-15, "‖r‖² = 5");
        for (int t = 0; t <= 10; t++) Checks.Close(other.Error[t], rec[t], 1e-14, $"reference (1, 2): e_{t}");
        // A singular XᵀX (exactly: a zero column): κ = ∞.
        var singular = ChenConvergence.Run(M(new double[,] { { 1, 0 }, { 2, 0 } }), Col(1, 2), Col(0.5, 0.5), 1, 2);
        Checks.True(double.IsPositiveInfinity(singular.Kappa), $"a zero column: λ_min = 0, κ = ∞ (got {singular.Kappa})");
        // Columns (0.5, 1.25, 3) and 1.5 times it (exact in double): XᵀX is exactly singular and its computed λ_min is a rounding of 0 below it.
        var dependent = M(new double[,] { { 0.5, 0.75 }, { 1.25, 1.875 }, { 3, 4.5 } });
        var (lmin, _) = LoopedIcl.Numerics.Spectra.Conditioning.Extremes(new ChenFastLoop(dependent, Col(1, 1, 1)).Gram());
        Checks.True(lmin <= 0, $"the computed λ_min of the exactly singular Gram is ≤ 0 (got {lmin}): the case below tests that branch");
        Checks.True(double.IsPositiveInfinity(ChenConvergence.Run(dependent, Col(1, 1, 1), Col(0.5, 0.5), 1, 2).Kappa), "dependent columns: κ = ∞, never negative");
        Checks.True(ChenConvergence.Run(prompt, 1, 0).Error.SequenceEqual([1.0]), "T = 0: e₀ = |α|");

        Rejects(() => ChenConvergence.Run(prompt, 1, -1), "loops", "≥ 0");
        foreach (var bad in new[] { 0.0, -1, double.NaN, double.PositiveInfinity })
            Rejects(() => ChenConvergence.Run(prompt, 1, 3, bad), "stepFactor", "> 0");
        foreach (var bad in new[] { double.NaN, double.NegativeInfinity })
            Rejects(() => ChenConvergence.Run(prompt, bad, 3), "alpha", "must be finite");
        Rejects(() => ChenConvergence.Run(x, y, Col(1, 2, 3), 1, 3), "reference", "must be 2×1");
        Rejects(() => ChenConvergence.Run(x, y, M(new double[,] { { 1, 2 } }), 1, 3), "reference", "must be 2×1");
    }

    /// <summary>
    /// STATISTICS: the envelope's weight is (w*·v_min)² and its contraction 1 − λ_min/λ_max: 0.02 and 8/9 for XᵀX = [[5, 4], [4, 5]],
    /// w* = (0.6, 0.8); 0.36 and 3/4 for X = diag(1, 2); a null prompt is rejected by name.
    /// </summary>
    [Test]
    public void STATISTICS_Spectral_envelope_exact_cases()
    {
        var (w, rho) = ChenConvergence.SpectralEnvelope(Prompt<Real>.Realizable(M(new double[,] { { 2, 1 }, { 1, 2 } }), Col(1, 0), Col(0.6, 0.8)));
        Checks.Close(w, 0.02, 1e-15, "(w*·(1, −1)/√2)² = 0.02");
        Checks.Close(rho, 8.0 / 9, 1e-15, "1 − 1/9");
        var (w2, rho2) = ChenConvergence.SpectralEnvelope(Prompt<Real>.Realizable(M(new double[,] { { 1, 0 }, { 0, 2 }, { 0, 0 } }), Col(1, 0), Col(0.6, 0.8)));
        Checks.Close(w2, 0.36, 1e-15, "weight on e₁ = 0.6²");
        Checks.Close(rho2, 0.75, 1e-15, "1 − 1/4");
        Checks.True(Assert.Throws<ArgumentNullException>(() => ChenConvergence.SpectralEnvelope(null!))!.ParamName == "prompt", "a null prompt names itself");
    }

    /// <summary>
    /// STATISTICS: the loop's limit θ̃ = G⁻¹b on X = [[1, 1], [1, 1 + 2⁻¹⁰]] (κ(G) ≈ 1.7·10⁷), y = (0.1, 0.3), against the exact rational solve of the
    /// G, b formed in double: within 1e-13 relative (refined LU), within its own a-posteriori bound, and the bound equals ‖b − Gθ̃‖/λ_min(G)
    /// computed exactly from the returned θ̃.
    /// </summary>
    [Test]
    public void STATISTICS_Loop_limit_is_the_exact_solve()
    {
        double delta = Math.Pow(2, -10);
        foreach (var (rows, ys) in new[]
        {
            (new double[,] { { 1, 1 }, { 1, 1 + delta } }, new[] { 0.1, 0.3 }),
            (new double[,] { { 1, 2 }, { 3, 4 }, { 0.5, -1 } }, new[] { 1.0 / 3, -0.7, 2.2 }),
        })
        {
            var x = M(rows);
            var y = Col(ys);
            int n = x.Rows;
            // G and b formed in double in the loop's order (i outer), then solved exactly (Cramer).
            var g = new double[2, 2];
            var b = new double[2];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < 2; j++)
                {
                    b[j] += rows[i, j] * ys[i];
                    for (int k = 0; k < 2; k++) g[j, k] += rows[i, j] * rows[i, k];
                }
            Rational g00 = Exact(g[0, 0]), g01 = Exact(g[0, 1]), g10 = Exact(g[1, 0]), g11 = Exact(g[1, 1]), b0 = Exact(b[0]), b1 = Exact(b[1]);
            var det = g00 * g11 - g01 * g10;
            var t0 = (b0 * g11 - g01 * b1) / det;
            var t1 = (g00 * b1 - g10 * b0) / det;
            var (theta, bound) = ChenConvergence.LoopLimit(x, y);
            Checks.True(theta.Length == 2, "θ̃ has d = 2 entries");
            double scale = Math.Max(Math.Abs(t0.ToDouble()), Math.Abs(t1.ToDouble()));
            double err = Math.Sqrt(Math.Pow((Exact(theta[0]) - t0).ToDouble(), 2) + Math.Pow((Exact(theta[1]) - t1).ToDouble(), 2));
            Checks.AtMost(err, 1e-13 * scale, $"n = {n}: ‖θ̃ − G⁻¹b‖ (refined solve)");
            // The bound as defined, from the exact residual of the returned θ̃ and λ_min = det/λ_max.
            double r0 = (b0 - g00 * Exact(theta[0]) - g01 * Exact(theta[1])).ToDouble(), r1 = (b1 - g10 * Exact(theta[0]) - g11 * Exact(theta[1])).ToDouble();
            double tr = g[0, 0] + g[1, 1], lmax = (tr + Math.Sqrt(tr * tr - 4 * det.ToDouble())) / 2, lmin = det.ToDouble() / lmax;
            double want = Math.Sqrt(r0 * r0 + r1 * r1) / lmin;
            Checks.Close(bound, want, 1e-6 * want + 1e-300, $"n = {n}: the bound = ‖b − Gθ̃‖/λ_min");
            if (err > 0) Checks.AtMost(err, bound * (1 + 1e-9), $"n = {n}: the error is within the a-posteriori bound");
        }
    }

    /// <summary>
    /// STATISTICS: the Marchenko–Pastur limit e_t = ∫(1 − λ/λ₊)^t dμ_γ expands in the law's moments 1, 1, 1 + γ, 1 + 3γ + γ² (Bai &amp;
    /// Silverstein Thm 3.6): e₀ = 1, e₁ = 1 − 1/λ₊, e₂ = 1 − 2/λ₊ + (1 + γ)/λ₊², e₃ likewise, λ₊ = (1 + √γ)²; the slope over a window of 2 is
    /// (log₁₀ e₂ − log₁₀ e₀)/2.
    /// </summary>
    [Test]
    public void STATISTICS_Marchenko_pastur_limit_matches_the_moments()
    {
        foreach (var (aspect, nodes) in new[] { (4.0, 60), (2.0, 80), (10.0, 4000) })
        {
            double gamma = 1 / aspect, top = Math.Pow(1 + Math.Sqrt(gamma), 2);
            double m2 = 1 + gamma, m3 = 1 + 3 * gamma + gamma * gamma;
            double[] want = [1, 1 - 1 / top, 1 - 2 / top + m2 / (top * top), 1 - 3 / top + 3 * m2 / (top * top) - m3 / (top * top * top)];
            var e = ChenConvergence.MarchenkoPasturErrors(aspect, 3, nodes);
            Checks.True(e.Length == 4, "T = 3: four values");
            for (int t = 0; t <= 3; t++) Checks.Close(e[t], want[t], 1e-13, $"n/d = {aspect}, {nodes} nodes: e_{t}");
            Checks.Close(ChenConvergence.MarchenkoPasturSlope(aspect, 2, nodes), Math.Log10(want[2]) / 2, 1e-13, $"n/d = {aspect}: slope over t = 0..2");
        }
        var byDefault = ChenConvergence.MarchenkoPasturErrors(4, 1);
        Checks.Close(byDefault[1], 1 - 1 / 2.25, 1e-13, "default nodes: e₁ at n/d = 4");
        Checks.Close(ChenConvergence.MarchenkoPasturSlope(4, 1), Math.Log10(1 - 1 / 2.25), 1e-13, "default nodes: slope over t = 0..1");
        foreach (var bad in new[] { 1.0, 0.5, double.NaN })
            Rejects(() => ChenConvergence.MarchenkoPasturErrors(bad, 3), "aspectRatio", "must be > 1");
        Rejects(() => ChenConvergence.MarchenkoPasturErrors(4, -1), "loops", "≥ 0");
        Rejects(() => ChenConvergence.MarchenkoPasturErrors(4, 3, 0), "nodes", "≥ 1");
    }

    /// <summary>STATISTICS: the fit from zero uses t = 0..end only: slope −1/2 and R² = 1 on 3, 2.5, 2, 1.5 (a fifth value ignored); slope 0, R² = 0 on 0, 1, 0.</summary>
    [Test]
    public void STATISTICS_Fit_from_zero_uses_the_window()
    {
        var (slope, r2) = ChenConvergence.FitFromZero([3, 2.5, 2, 1.5, 100], 3);
        Checks.Close(slope, -0.5, 1e-15, "slope of 3 − t/2");
        Checks.Close(r2, 1, 1e-15, "R² of an exact line");
        var (flat, r2Flat) = ChenConvergence.FitFromZero([0, 1, 0, -7], 2);
        Checks.Close(flat, 0, 1e-15, "slope of 0, 1, 0");
        Checks.Close(r2Flat, 0, 1e-15, "R² of 0, 1, 0");
    }
}
