using MathNet.Numerics.Statistics;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Models;
using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Spectra;
using LoopedIcl.Numerics.Statistics;

namespace LoopedIcl.Numerics.Convergence;

/// <summary>One prompt's run of Chen et al.'s loop: the error |⟨TF_t, θ⟩ − α‖θ‖²|… per loop, κ(XᵀX), η, and the bounds.</summary>
public sealed record ChenRun(double[] Error, double Kappa, double StepSize, double Alpha, double TaskNormSquared)
{
    /// <summary>The bound of Theorem 4.5 as printed: |α| e^(−T/(2κ)).</summary>
    public double Bound(int t, double? kappa = null) => Math.Abs(Alpha) * Math.Exp(-t / (2 * (kappa ?? Kappa)));

    /// <summary>The sharper bound for this quadratic: |α|(1 − 1/κ)^T.</summary>
    public double SharpBound(int t) => Math.Abs(Alpha) * Math.Pow(1 - 1 / Kappa, t);

    public int Loops => Error.Length - 1;
}

/// <summary>
/// Chen et al.'s looped transformer evaluated through the fast path (the context Gram matrix once, then one
/// (d+1)-vector update per loop), with the quantities Theorem 4.5 and the experiments need.
/// </summary>
public static class ChenConvergence
{
    /// <summary>
    /// Runs T loops from q(0) = 0 and records e_t = |⟨TF_t, θ⟩ − α| against a reference direction θ (the task θ* by default).
    /// The step is η = stepFactor/λ_max(XᵀX) (stepFactor = 1 is the theorem's choice; &gt; 2 diverges).
    /// </summary>
    public static ChenRun Run(Mat<Real> x, Mat<Real> y, Mat<Real> reference, double alpha, int loops, double stepFactor = 1.0)
    {
        Guard.NonNegative(loops, nameof(loops));
        Guard.Positive(stepFactor, nameof(stepFactor));
        Guard.Finite(alpha, nameof(alpha));
        Guard.Shape(reference.Rows, reference.Cols, x.Cols, 1, nameof(reference));
        var loop = new ChenFastLoop(x, y);
        var (min, max) = Conditioning.Extremes(loop.Gram());
        double eta = stepFactor / max;
        var error = new double[loops + 1];
        loop.Errors(reference.ColumnToArray(), alpha, eta, alpha, error);
        return new ChenRun(error, min > 0 ? max / min : double.PositiveInfinity, eta, alpha, Mat<Real>.Dot(reference, reference).Value);
    }

    /// <summary>
    /// The same loop (q ← q − η(Gq + αb), G = XᵀX, b = Xᵀy from the same double X, y; the same double η) in double-double arithmetic
    /// (≈ 106-bit significands via error-free TwoSum/TwoProd), returning e_t = |⟨TF_t, r⟩ − target| for t = 0..T: the higher-precision
    /// reference the double run's rounding floor is calibrated against.
    /// </summary>
    public static double[] HighPrecisionErrors(Mat<Real> x, Mat<Real> y, ReadOnlySpan<double> reference, double alpha, double stepSize, double target, int loops)
    {
        Guard.NonNegative(loops, nameof(loops));
        int n = x.Rows, d = x.Cols;
        Guard.Length(reference.Length, d, nameof(reference));
        var g = new DoubleDouble[d * d];
        var b = new DoubleDouble[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                var xij = x[i, j].Value;
                b[j] += DoubleDouble.Product(xij, y[i, 0].Value);
                for (int k = 0; k < d; k++) g[j * d + k] += DoubleDouble.Product(xij, x[i, k].Value);
            }
        var q = new DoubleDouble[d];
        var next = new DoubleDouble[d];
        var errors = new double[loops + 1];
        errors[0] = Math.Abs(target);
        DoubleDouble a = alpha, eta = stepSize, tgt = target;
        for (int t = 1; t <= loops; t++)
        {
            for (int j = 0; j < d; j++)
            {
                var sum = a * b[j];
                for (int k = 0; k < d; k++) sum += g[j * d + k] * q[k];
                next[j] = q[j] - eta * sum;
            }
            DoubleDouble dot = 0;
            for (int j = 0; j < d; j++) { q[j] = next[j]; dot -= q[j] * reference[j]; }
            errors[t] = Math.Abs((dot - tgt).Value);
        }
        return errors;
    }

    /// <summary>
    /// The exact limit θ̃ = G⁻¹b of the double loop (G = XᵀX, b = Xᵀy formed in double in the loop's order), to near working precision:
    /// an LU solve refined twice with residuals in double-double; returns θ̃ and the a-posteriori bound ‖θ̃ − G⁻¹b‖ ≤ ‖b − Gθ̃‖/λ_min(G).
    /// </summary>
    public static (double[] Theta, double ErrorBound) LoopLimit(Mat<Real> x, Mat<Real> y)
    {
        int n = x.Rows, d = x.Cols;
        var g = new double[d, d];
        var b = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                var xij = x[i, j].Value;
                b[j] += xij * y[i, 0].Value;
                for (int k = 0; k < d; k++) g[j, k] += xij * x[i, k].Value;
            }
        var gm = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(g);
        var lu = gm.LU();
        var theta = lu.Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(b)).ToArray();
        double[] Residual()
        {
            var r = new double[d];
            for (int j = 0; j < d; j++)
            {
                DoubleDouble s = b[j];
                for (int k = 0; k < d; k++) s -= DoubleDouble.Product(g[j, k], theta[k]);
                r[j] = s.Value;
            }
            return r;
        }
        for (int pass = 0; pass < 2; pass++)
        {
            var c = lu.Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(Residual()));
            for (int j = 0; j < d; j++) theta[j] += c[j];
        }
        var (min, _) = Conditioning.Extremes(gm);
        var res = Residual();
        return (theta, Math.Sqrt(res.Sum(v => v * v)) / min);
    }

    /// <summary>The loop's errors e_t = |⟨TF_t, r⟩ − target| against any reference direction and target (e.g. θ̃ and α‖θ̃‖² with noisy labels).</summary>
    public static double[] Errors(Mat<Real> x, Mat<Real> y, ReadOnlySpan<double> reference, double alpha, double stepSize, double target, int loops)
    {
        Guard.NonNegative(loops, nameof(loops));
        var error = new double[loops + 1];
        new ChenFastLoop(x, y).Errors(reference, alpha, stepSize, target, error);
        return error;
    }

    /// <summary>The same for a prompt, measured against its own task vector.</summary>
    public static ChenRun Run(Prompt<Real> prompt, double alpha, int loops, double stepFactor = 1.0) =>
        Run(prompt.X, prompt.Y, prompt.Task, alpha, loops, stepFactor);

    /// <summary>The loops needed to bring the error to ≤ ε (or −1 if not reached within the run).</summary>
    public static int LoopsToReach(ChenRun run, double epsilon) => Array.FindIndex(run.Error, e => e <= epsilon);

    /// <summary>
    /// The exact envelope of one prompt's error (noiseless labels, q(0) = 0, η = 1/λ_max): e_T = |α| Σ_j w_j (1 − λ_j/λ_max)^T with
    /// w_j = (θ·v_j)² ≥ 0 over the eigenpairs of XᵀX and Σ_j w_j = ‖θ‖², every factor in [0, ρ], ρ = 1 − 1/κ; so
    /// |α| w_min ρ^T ≤ e_T ≤ |α|‖θ‖²ρ^T, w_min the weight on λ_min's eigenvector. Returns (w_min, ρ).
    /// </summary>
    public static (double WeightOnSlowest, double Contraction) SpectralEnvelope(Prompt<Real> prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var x = prompt.X.ToMathNet();
        var evd = x.TransposeThisAndMultiply(x).Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(z => z.Real).ToArray(); // ascending for a symmetric EVD
        double weight = Math.Pow(evd.EigenVectors.Column(0).DotProduct(prompt.Task.ToMathNet().Column(0)), 2);
        return (weight, 1 - values[0] / values[^1]);
    }

    /// <summary>
    /// The d → ∞ limit of e_T at fixed n/d. e_T = θ*ᵀ(I − ηXᵀX)^Tθ* (α = 1, ‖θ*‖ = 1); for θ* uniform on the sphere this concentrates at
    /// (1/d) tr (I − ηXᵀX)^T, whose limit is ∫ (1 − λ/λ₊)^T dμ_γ(λ) with μ_γ the Marchenko–Pastur law of XᵀX/n, γ = d/n: density
    /// √((λ₊ − λ)(λ − λ₋))/(2πγλ) on [λ₋, λ₊] = [(1 − √γ)², (1 + √γ)²] (Marchenko &amp; Pastur 1967; Bai &amp; Silverstein, "Spectral Analysis of
    /// Large Dimensional Random Matrices", Thm 3.6), and ηλ_max → λ/λ₊ (Bai–Yin). Gauss–Chebyshev quadrature of the second kind on the
    /// semicircular factor: the rest is smooth on the support (λ₋ &gt; 0), so <paramref name="nodes"/> well above T converges geometrically.
    /// </summary>
    public static double[] MarchenkoPasturErrors(double aspectRatio, int loops, int nodes = 4000)
    {
        if (!(aspectRatio > 1)) throw new ArgumentException($"{nameof(aspectRatio)} (n/d) must be > 1 (got {aspectRatio}).", nameof(aspectRatio));
        Guard.NonNegative(loops, nameof(loops));
        Guard.Positive(nodes, nameof(nodes));
        double gamma = 1 / aspectRatio, centre = 1 + gamma, radius = 2 * Math.Sqrt(gamma), top = centre + radius;
        var e = new double[loops + 1];
        for (int i = 1; i <= nodes; i++)
        {
            double angle = i * Math.PI / (nodes + 1), sin = Math.Sin(angle), lambda = centre + radius * Math.Cos(angle);
            double weight = Math.PI / (nodes + 1) * sin * sin * radius * radius / (2 * Math.PI * gamma * lambda);
            double power = 1, q = 1 - lambda / top;
            for (int t = 0; t <= loops; t++) { e[t] += weight * power; power *= q; }
        }
        return e;
    }

    /// <summary>The slope (log10 error per loop) of the Marchenko–Pastur limit curve fitted on T = 0..window, as <see cref="MedianSlope"/> fits a sample.</summary>
    public static double MarchenkoPasturSlope(double aspectRatio, int window, int nodes = 4000) =>
        FitFromZero(MarchenkoPasturErrors(aspectRatio, window, nodes).Select(Math.Log10).ToArray(), window).Slope;

    /// <summary>The least-squares line through (t, log10 e_t) for t = 0..end: its slope (log10 error per loop) and R².</summary>
    public static (double Slope, double RSquared) FitFromZero(double[] log10Error, int end)
    {
        var ts = Enumerable.Range(0, end + 1).Select(t => (double)t).ToArray();
        var fit = SampleStatistics.LinearFit(ts, log10Error.Take(end + 1).ToArray());
        return (fit.Slope, fit.RSquared);
    }
}

/// <summary>Double-double numbers (hi + lo, |lo| ≤ u|hi|) with error-free transformations (Dekker/Knuth TwoSum, FMA TwoProd): ~106-bit arithmetic.</summary>
internal readonly struct DoubleDouble(double hi, double lo)
{
    public double Hi { get; } = hi;
    public double Lo { get; } = lo;
    public double Value => Hi + Lo;

    public static implicit operator DoubleDouble(double v) => new(v, 0);

    public static DoubleDouble Product(double a, double b)
    {
        var p = a * b;
        return new DoubleDouble(p, Math.FusedMultiplyAdd(a, b, -p));
    }

    private static DoubleDouble TwoSum(double a, double b)
    {
        var s = a + b;
        var bb = s - a;
        return new DoubleDouble(s, (a - (s - bb)) + (b - bb));
    }

    private static DoubleDouble Normalize(double hi, double lo)
    {
        var s = hi + lo;
        return new DoubleDouble(s, lo - (s - hi));
    }

    public static DoubleDouble operator +(DoubleDouble x, DoubleDouble y)
    {
        var s = TwoSum(x.Hi, y.Hi);
        var t = TwoSum(x.Lo, y.Lo);
        var r = Normalize(s.Hi, s.Lo + t.Hi);
        return Normalize(r.Hi, r.Lo + t.Lo);
    }

    public static DoubleDouble operator -(DoubleDouble x) => new(-x.Hi, -x.Lo);

    public static DoubleDouble operator -(DoubleDouble x, DoubleDouble y) => x + -y;

    public static DoubleDouble operator *(DoubleDouble x, DoubleDouble y)
    {
        var p = Product(x.Hi, y.Hi);
        return Normalize(p.Hi, p.Lo + (x.Hi * y.Lo + x.Lo * y.Hi));
    }
}
