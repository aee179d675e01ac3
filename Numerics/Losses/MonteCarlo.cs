using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Statistics;

namespace LoopedIcl.Numerics.Losses;

/// <summary>Predictions ŷ of every prompt of a batch, into <c>predictions</c> (length ≥ batch.Count): e.g. an engine at a fixed θ.</summary>
public delegate void BatchPredictor(PromptBatch batch, Span<double> predictions);

/// <summary>Monte Carlo means with standard errors; paired (common random numbers) for differences.</summary>
public static class MonteCarlo
{
    /// <summary>Prompts per window of the sequence (a multiple of the lane count): the batch buffers stay small whatever the sample size.</summary>
    public const int WindowPrompts = 4096;

    /// <summary>
    /// The in-context loss E[(ŷ − y_q)²] of a predictor over prompts <paramref name="firstPrompt"/>, … of the law's sequence at
    /// <paramref name="seed"/> (those <c>law.Draw(n, ·, seed)</c> holds, a multiple of 8 to start at), added in prompt order; with
    /// <paramref name="printedSign"/> the loss of Ahn et al.'s eq. (5) as printed, E[(ŷ + y_q)²].
    /// </summary>
    public static Estimate PredictionLoss(PromptLaw law, int n, ulong seed, int samples, BatchPredictor predict, bool printedSign = false, int firstPrompt = 0)
    {
        ArgumentNullException.ThrowIfNull(predict);
        return OverPrompts(law, n, seed, samples, firstPrompt, [predict], (yhat, target, p) =>
        {
            var e = yhat[0][p] + (printedSign ? target : -target);
            return e * e;
        });
    }

    /// <summary>E[(ŷ_a − y_q)² − (ŷ_b − y_q)²] on common prompts (as <see cref="PredictionLoss"/>): the difference of two losses with a much smaller error.</summary>
    public static Estimate PairedLossDifference(PromptLaw law, int n, ulong seed, int samples, BatchPredictor predictA, BatchPredictor predictB)
    {
        ArgumentNullException.ThrowIfNull(predictA);
        ArgumentNullException.ThrowIfNull(predictB);
        return OverPrompts(law, n, seed, samples, 0, [predictA, predictB], (yhat, target, p) =>
        {
            double ea = yhat[0][p] - target, eb = yhat[1][p] - target;
            return ea * ea - eb * eb;
        });
    }

    /// <summary>The mean of value(predictions, y_q, index in window) over the prompts, a window at a time; a non-finite value ends it as NaN.</summary>
    private static Estimate OverPrompts(PromptLaw law, int n, ulong seed, int samples, int firstPrompt, BatchPredictor[] predictors, Func<double[][], double, int, double> value)
    {
        ArgumentNullException.ThrowIfNull(law);
        if (samples < 2) throw new ArgumentException($"samples must be ≥ 2 for a standard error (got {samples}).", nameof(samples));
        if (firstPrompt < 0 || firstPrompt % PromptBatch.Lanes != 0)
            throw new ArgumentException($"{nameof(firstPrompt)} must be a multiple of {PromptBatch.Lanes} ≥ 0 (got {firstPrompt}).", nameof(firstPrompt));
        int window = Math.Min(WindowPrompts, samples);
        var batch = law.Draw(n, window, seed);
        var yhat = predictors.Select(_ => new double[window]).ToArray();
        var moments = new RunningMoments();
        for (int start = 0; start < samples; start += window)
        {
            if (start > 0 || firstPrompt > 0) law.RedrawAt(batch, seed, (firstPrompt + start) / PromptBatch.Lanes);
            for (int k = 0; k < predictors.Length; k++) predictors[k](batch, yhat[k]);
            int count = Math.Min(window, samples - start);
            for (int p = 0; p < count; p++)
            {
                var v = value(yhat, batch.Target[p], p);
                if (!double.IsFinite(v)) return new Estimate(double.NaN, double.NaN, start + p + 1); // a NaN must never look like a small loss
                moments.Add(v);
            }
        }
        return moments.ToEstimate();
    }

    /// <summary>The mean of <paramref name="draw"/> over <paramref name="samples"/> calls, with its standard error.</summary>
    public static Estimate Mean(int samples, Func<double> draw)
    {
        if (samples < 2) throw new ArgumentException($"samples must be ≥ 2 for a standard error (got {samples}).", nameof(samples));
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
