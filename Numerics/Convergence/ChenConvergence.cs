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
