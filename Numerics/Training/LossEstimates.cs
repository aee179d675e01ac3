using LoopedIcl.Numerics.Statistics;
using MathNet.Numerics.Distributions;

namespace LoopedIcl.Numerics.Training;

/// <summary>
/// A trained model's loss is a Monte Carlo mean over held-out prompts. Its standard error comes from K group means of
/// consecutive prompts (each a mean of many prompts, so close to normal even when single squared errors are skewed), and the
/// two-sided interval at false-alarm δ uses Student's t with K − 1 degrees of freedom (the SE itself is estimated).
/// </summary>
public static class LossEstimates
{
    /// <summary>The mean of <paramref name="values"/> with the SE of <paramref name="groups"/> group means (Count = groups).</summary>
    public static Estimate GroupMeans(IReadOnlyList<double> values, int groups)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (groups < 2 || groups > values.Count) throw new ArgumentException($"groups must be in [2, {values.Count}] (got {groups}).", nameof(groups));
        var means = new double[groups];
        for (int g = 0; g < groups; g++)
        {
            int lo = (int)((long)g * values.Count / groups), hi = (int)((long)(g + 1) * values.Count / groups);
            double s = 0;
            for (int i = lo; i < hi; i++)
            {
                if (!double.IsFinite(values[i])) throw new ArgumentException($"values must be finite (values[{i}] = {values[i]}).", nameof(values));
                s += values[i];
            }
            means[g] = s / (hi - lo);
        }
        return SampleStatistics.MeanAndError(means);
    }

    /// <summary>t_{K−1}(1 − δ/2)·SE: the half-width of the two-sided (1 − δ) interval.</summary>
    public static double HalfWidth(Estimate estimate, double falseAlarm)
    {
        if (!(falseAlarm > 0 && falseAlarm < 1)) throw new ArgumentException($"falseAlarm must be in (0, 1) (got {falseAlarm}).", nameof(falseAlarm));
        if (estimate.Count < 2) throw new ArgumentException("the estimate needs ≥ 2 groups.", nameof(estimate));
        return StudentT.InvCDF(0, 1, estimate.Count - 1, 1 - falseAlarm / 2) * estimate.StandardError;
    }

    /// <summary>The largest single value's share of the sum (a tail diagnostic: near 1/m for light tails, near 1 when one prompt dominates).</summary>
    public static double LargestShare(IReadOnlyList<double> nonNegative)
    {
        double sum = 0, max = 0;
        foreach (var v in nonNegative) { sum += v; max = Math.Max(max, v); }
        return sum > 0 ? max / sum : 0;
    }
}
