using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Statistics;

namespace LoopedIcl.Numerics.Losses;

/// <summary>Monte Carlo means with standard errors; paired (common random numbers) for differences.</summary>
public static class MonteCarlo
{
    /// <summary>
    /// The in-context loss E[(ŷ − y_q)²] of a predictor over fresh prompts from the buffer (each call draws a new prompt);
    /// with <paramref name="printedSign"/> the loss of Ahn et al.'s eq. (5) as printed, E[(ŷ + y_q)²].
    /// </summary>
    public static Estimate PredictionLoss(PromptBuffer prompts, Func<PromptBuffer, double> predict, int samples, bool printedSign = false) =>
        Mean(samples, () =>
        {
            prompts.Next();
            var e = predict(prompts) + (printedSign ? prompts.QueryTarget : -prompts.QueryTarget);
            return e * e;
        });

    /// <summary>E[(ŷ_a − y_q)² − (ŷ_b − y_q)²] on common prompts: the difference of two losses with a much smaller error.</summary>
    public static Estimate PairedLossDifference(PromptBuffer prompts, Func<PromptBuffer, double> predictA, Func<PromptBuffer, double> predictB, int samples) =>
        Mean(samples, () =>
        {
            prompts.Next();
            double ea = predictA(prompts) - prompts.QueryTarget, eb = predictB(prompts) - prompts.QueryTarget;
            return ea * ea - eb * eb;
        });

    /// <summary>The mean of <paramref name="draw"/> over <paramref name="samples"/> calls, with its standard error.</summary>
    public static Estimate Mean(int samples, Func<double> draw)
    {
        Guard.Positive(samples, nameof(samples));
        if (samples < 2) throw new ArgumentException("samples must be ≥ 2 for a standard error.", nameof(samples));
        var moments = new RunningMoments();
        for (int i = 0; i < samples; i++)
        {
            var v = draw();
            if (!double.IsFinite(v)) return new Estimate(double.NaN, double.NaN, i + 1); // a NaN must never look like a small loss
            moments.Add(v);
        }
        return moments.ToEstimate();
    }
}
