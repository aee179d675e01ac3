using LoopedIcl.Numerics.Engine;

namespace LoopedIcl.Theorems;

/// <summary>
/// Shared checks of the X-QUAD-* and X-SOFTMAX tests: per-prompt squared errors, the loss interval and the floor check. What they train
/// and draw is in Experiments (<see cref="Recipes"/>' round-three recipes and sample sizes, <see cref="BeyondLinear"/>).
/// </summary>
internal static class XQuad
{
    public static double[] SquaredErrors(double[] yhat, PromptBatch batch) =>
        Enumerable.Range(0, batch.Count).Select(p => (yhat[p] - batch.Target[p]) * (yhat[p] - batch.Target[p])).ToArray();

    /// <summary>A loss as the mean of 100 group means with its two-sided t half-width at δ = 1e-6.</summary>
    public static (Estimate Loss, double HalfWidth) Interval(double[] squaredErrors)
    {
        var est = LossEstimates.GroupMeans(squaredErrors, 100);
        return (est, LossEstimates.HalfWidth(est, CheckPolicy.FalseAlarm));
    }

    /// <summary>
    /// X-QUAD-FLOOR's own check on a measured loss: it is not below γ² beyond its interval (mean + half-width ≥ γ²). A model that is
    /// handed q(x_q) must fail it on finite values.
    /// </summary>
    public static void NotBelowFloor(Estimate loss, double halfWidth, double gammaSquared, string what) =>
        Checks.AtLeast(loss.Mean + halfWidth, gammaSquared, $"{what}: loss {loss.Mean:G6} + CI half-width {halfWidth:G3} ≥ γ² = {gammaSquared:G4}");

    /// <summary>q(x_q) of each prompt of a batch whose labels were transformed: (target after − target before)/γ.</summary>
    public static double[] QueryQ(double[] targetBefore, PromptBatch after, double gamma) =>
        Enumerable.Range(0, after.Count).Select(p => (after.Target[p] - targetBefore[p]) / gamma).ToArray();
}
