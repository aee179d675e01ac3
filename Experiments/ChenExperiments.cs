using LoopedIcl.Numerics.Statistics;
using MathNet.Numerics.Statistics;

namespace LoopedIcl.Experiments;

/// <summary>
/// Chen et al.'s experiments over many prompts (CHEN-E1's curves, CHEN-C1's median κ, X-SCALE's slopes): the loop itself is the
/// library's <see cref="ChenConvergence"/>; this is what the claims sample and summarise.
/// </summary>
public static class ChenExperiments
{
    /// <summary>Median κ(XᵀX) over <paramref name="samples"/> draws of X with N(0, I_d) rows, for each n = ratio·d (CHEN-C1's curve).</summary>
    public static double[] MedianConditionNumbers(int d, IReadOnlyList<int> ratios, int samples, int seed)
    {
        Guard.Positive(d, nameof(d));
        Guard.Positive(samples, nameof(samples));
        var law = PromptLaw.Isotropic(d, TaskLaw.UnitSphere);
        return ratios.Select((r, k) => SampleStatistics.Median(Conditioning.GramConditionNumbers(law, r * d, samples, unchecked(SeedPlan.EngineSeed(seed) + (ulong)k)))).ToArray();
    }

    /// <summary>The paper's experiment (CHEN-E1), one curve per n: medians over prompts of log10 error and log10 bound per T.</summary>
    public sealed record Curve(int D, int N, double[] MedianLog10Error, double[] MedianLog10Bound, double MedianKappa, double FittedSlope, double FitRSquared, int FitEnd, double SlopeStandardError = double.NaN);

    /// <summary>
    /// Medians over <paramref name="prompts"/> prompts (x ~ N(0, I_d), θ* uniform on the unit sphere, α = 1) of the log10
    /// error and of the log10 bound at each T; the slope is fitted on the median curve while it stays above <paramref name="floor"/>
    /// (below that, rounding, not the loop, sets the error). With <paramref name="replicates"/> ≥ 2 the slope gets a bootstrap standard error
    /// (as <see cref="MedianSlope"/>); <paramref name="inspect"/> sees every prompt and its run.
    /// </summary>
    public static Curve Experiment(int d, int n, int loops, int prompts, int seed, double floor = 1e-12, int replicates = 0, Action<Prompt<Real>, ChenRun>? inspect = null)
    {
        var (logErr, logBound, kappas) = LogErrors(d, n, loops, prompts, seed, inspect);
        var medErr = logErr.Select(SampleStatistics.Median).ToArray();
        var medBound = logBound.Select(SampleStatistics.Median).ToArray();
        int end = Array.FindIndex(medErr, v => v < Math.Log10(floor));
        end = end < 0 ? loops : Math.Max(1, end - 1);
        var fit = ChenConvergence.FitFromZero(medErr, end);
        double se = replicates == 0 ? double.NaN : BootstrapSlope(logErr, end, replicates, seed).StandardError;
        return new Curve(d, n, medErr, medBound, SampleStatistics.Median(kappas), fit.Slope, fit.RSquared, end, se);
    }

    /// <summary>The median curve's slope (log10 error per loop, fitted on T = 0..window) with its bootstrap standard error.</summary>
    public sealed record SlopeEstimate(int D, int N, int Prompts, int Window, double Slope, double StandardError, double[] Kappas, int Replicates)
    {
        public double MedianKappa => SampleStatistics.Median(Kappas);
    }

    /// <summary>
    /// X-SCALE's statistic: the slope of the median log10-error curve over T = 0..<paramref name="window"/> for <paramref name="prompts"/> prompts
    /// (as in <see cref="Experiment"/>), with the standard error of <paramref name="replicates"/> bootstrap resamples of the prompts (the errors are
    /// light-tailed here: κ(XᵀX) concentrates for n ≥ 2d, CHEN-C1). The prompts and the resamples come from the named run's streams, so the SE replays.
    /// </summary>
    public static SlopeEstimate MedianSlope(int d, int n, int window, int prompts, SeedPlan seeds, string run, int replicates)
    {
        Guard.Positive(window, nameof(window));
        Guard.Positive(d, nameof(d));
        Guard.Positive(n, nameof(n));
        Guard.Positive(prompts, nameof(prompts));
        // One batch of the engine's sampler (prompt i is lane i mod 8 of lane group ⌊i/8⌋): a one-prompt draw fills a whole lane group.
        var batch = Law(d).Draw(n, prompts, seeds.Stream(run));
        var (logErr, _, kappas) = LogErrors(window, prompts, batch.ToPrompt, null);
        var (slope, se) = BootstrapSlope(logErr, window, replicates, seeds.Int(run + ".bootstrap"));
        return new SlopeEstimate(d, n, prompts, window, slope, se, kappas, replicates);
    }

    /// <summary>The slope of the median curve over T = 0..window and the standard deviation of its value over bootstrap resamples of the prompts.</summary>
    private static (double Slope, double StandardError) BootstrapSlope(double[][] logErr, int window, int replicates, int seed)
    {
        if (replicates < 2) throw new ArgumentException($"{nameof(replicates)} must be ≥ 2 for a standard error (got {replicates}).", nameof(replicates));
        int prompts = logErr[0].Length, k = (prompts + 1) / 2; // the lower median, as SampleStatistics.Median
        var median = new double[window + 1];
        var buffer = new double[prompts];
        double Slope(int[]? pick)
        {
            for (int t = 0; t <= window; t++)
            {
                for (int i = 0; i < prompts; i++) buffer[i] = logErr[t][pick is null ? i : pick[i]];
                median[t] = ArrayStatistics.OrderStatisticInplace(buffer, k);
            }
            return ChenConvergence.FitFromZero(median, window).Slope;
        }
        double slope = Slope(null);
        var rng = Rng.Create(unchecked(seed * 31 + 17));
        var pick = new int[prompts];
        var moments = new RunningMoments();
        for (int b = 0; b < replicates; b++)
        {
            for (int i = 0; i < prompts; i++) pick[i] = rng.Next(prompts);
            moments.Add(Slope(pick));
        }
        return (slope, Math.Sqrt(moments.SumSquaredDeviations / (replicates - 1)));
    }

    /// <summary>Per T (rows) and prompt (columns): log10 of the error and of the printed bound, and each prompt's κ(XᵀX).</summary>
    private static (double[][] LogError, double[][] LogBound, double[] Kappas) LogErrors(int d, int n, int loops, int prompts, int seed, Action<Prompt<Real>, ChenRun>? inspect)
    {
        Guard.Positive(d, nameof(d));
        Guard.Positive(n, nameof(n));
        Guard.Positive(prompts, nameof(prompts));
        var rng = Rng.Create(seed);
        var law = Law(d);
        return LogErrors(loops, prompts, _ => law.Sample(n, rng), inspect);
    }

    private static PromptLaw Law(int d) => PromptLaw.Isotropic(d, TaskLaw.UnitSphere);

    private static (double[][] LogError, double[][] LogBound, double[] Kappas) LogErrors(int loops, int prompts, Func<int, Prompt<Real>> draw, Action<Prompt<Real>, ChenRun>? inspect)
    {
        var logErr = new double[loops + 1][];
        var logBound = new double[loops + 1][];
        for (int t = 0; t <= loops; t++) { logErr[t] = new double[prompts]; logBound[t] = new double[prompts]; }
        var kappas = new double[prompts];
        for (int i = 0; i < prompts; i++)
        {
            var prompt = draw(i);
            var run = ChenConvergence.Run(prompt, 1.0, loops);
            inspect?.Invoke(prompt, run);
            kappas[i] = run.Kappa;
            for (int t = 0; t <= loops; t++)
            {
                logErr[t][i] = Math.Log10(Math.Max(run.Error[t], 1e-300));
                logBound[t][i] = Math.Log10(Math.Max(run.Bound(t), 1e-300));
            }
        }
        return (logErr, logBound, kappas);
    }
}
