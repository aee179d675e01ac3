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

    /// <summary>Median κ(XᵀX) over <paramref name="samples"/> draws of X with N(0, I_d) rows, for each n = ratio·d (CHEN-C1's curve).</summary>
    public static double[] MedianConditionNumbers(int d, IReadOnlyList<int> ratios, int samples, int seed)
    {
        Guard.Positive(d, nameof(d));
        Guard.Positive(samples, nameof(samples));
        var rng = Rng.Create(seed);
        var sampler = PromptSampler.Isotropic(d, TaskLaw.UnitSphere);
        return ratios.Select(r => SampleStatistics.Median(
            Enumerable.Range(0, samples).Select(_ => Conditioning.GramConditionNumber(sampler.SampleCovariates(r * d, rng))).ToArray())).ToArray();
    }

    /// <summary>The paper's experiment (CHEN-E1), one curve per n: medians over prompts of log10 error and log10 bound per T.</summary>
    public sealed record Curve(int D, int N, double[] MedianLog10Error, double[] MedianLog10Bound, double MedianKappa, double FittedSlope, double FitRSquared, int FitEnd);

    /// <summary>
    /// Medians over <paramref name="prompts"/> prompts (x ~ N(0, I_d), θ* uniform on the unit sphere, α = 1) of the log10
    /// error and of the log10 bound at each T; the slope is fitted on the median curve while it stays above <paramref name="floor"/>
    /// (below that, rounding, not the loop, sets the error).
    /// </summary>
    public static Curve Experiment(int d, int n, int loops, int prompts, int seed, double floor = 1e-12)
    {
        Guard.Positive(d, nameof(d));
        Guard.Positive(n, nameof(n));
        Guard.Positive(prompts, nameof(prompts));
        var rng = Rng.Create(seed);
        var sampler = PromptSampler.Isotropic(d, TaskLaw.UnitSphere);
        var logErr = new double[loops + 1][];
        var logBound = new double[loops + 1][];
        for (int t = 0; t <= loops; t++) { logErr[t] = new double[prompts]; logBound[t] = new double[prompts]; }
        var kappas = new double[prompts];
        for (int i = 0; i < prompts; i++)
        {
            var run = Run(sampler.Sample(n, rng), 1.0, loops);
            kappas[i] = run.Kappa;
            for (int t = 0; t <= loops; t++)
            {
                logErr[t][i] = Math.Log10(Math.Max(run.Error[t], 1e-300));
                logBound[t][i] = Math.Log10(Math.Max(run.Bound(t), 1e-300));
            }
        }
        var medErr = logErr.Select(SampleStatistics.Median).ToArray();
        var medBound = logBound.Select(SampleStatistics.Median).ToArray();
        int end = Array.FindIndex(medErr, v => v < Math.Log10(floor));
        end = end < 0 ? loops : Math.Max(1, end - 1);
        var ts = Enumerable.Range(0, end + 1).Select(t => (double)t).ToArray();
        var fit = SampleStatistics.LinearFit(ts, medErr.Take(end + 1).ToArray());
        return new Curve(d, n, medErr, medBound, SampleStatistics.Median(kappas), fit.Slope, fit.RSquared, end);
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
