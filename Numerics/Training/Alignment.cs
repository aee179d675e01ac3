using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Prompts;

namespace LoopedIcl.Numerics.Training;

/// <summary>Von Oswald et al.'s alignment metrics between a trained predictor and a reference on held-out prompts.</summary>
public sealed record AlignmentMetrics(double InputScale, double PredictionCosine, double PredictionRelativeL2, double GradientCosine, double GradientRelativeL2);

/// <summary>
/// Alignment of two in-context predictors from their per-prompt predictions ŷ and query gradients ∂ŷ/∂x_q (stacked over
/// prompts): cosine similarity and relative L2 distance to the reference, for predictions and for gradients.
/// </summary>
public static class Alignment
{
    public static AlignmentMetrics Measure(double inputScale, ReadOnlySpan<double> predictions, ReadOnlySpan<double> gradients,
        ReadOnlySpan<double> referencePredictions, ReadOnlySpan<double> referenceGradients) =>
        new(inputScale,
            LearnedMetrics.Cosine(predictions, referencePredictions), LearnedMetrics.RelativeDistance(predictions, referencePredictions),
            LearnedMetrics.Cosine(gradients, referenceGradients), LearnedMetrics.RelativeDistance(gradients, referenceGradients));

    /// <summary>The prompt with X and x_q scaled by c and the labels recomputed as Xw* (von Oswald's x → cx probe).</summary>
    public static Prompt<Real> Scaled(Prompt<Real> p, double c) =>
        c == 1 ? p : Prompt<Real>.Realizable(new Real(c) * p.X, new Real(c) * p.Query, p.Task);
}
