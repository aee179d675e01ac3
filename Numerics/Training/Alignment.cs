using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Prompts;

namespace LoopedIcl.Numerics.Training;

/// <summary>Von Oswald et al.'s alignment metrics between a trained predictor and a reference on held-out prompts.</summary>
public sealed record AlignmentMetrics(double InputScale, double PredictionCosine, double PredictionRelativeL2, double GradientCosine, double GradientRelativeL2);

/// <summary>
/// Alignment of two in-context predictors. Every linear transformer with the query masked out of the keys is linear in x_q
/// (context columns never see the query; the query column's update is linear in it), so ∂ŷ/∂x_q = (ŷ(e_1), …, ŷ(e_d)) exactly.
/// </summary>
public static class Alignment
{
    /// <summary>
    /// Metrics over <paramref name="prompts"/> with every covariate scaled by <paramref name="inputScale"/> (labels recomputed from w*):
    /// cosine and relative L2 distance (to the reference) of the stacked predictions, and of the stacked input gradients.
    /// </summary>
    public static AlignmentMetrics Measure(Func<Prompt<Real>, double> trained, Func<Prompt<Real>, double> reference,
        IReadOnlyList<Prompt<Real>> prompts, double inputScale = 1)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        Guard.Positive(prompts.Count, "prompts.Count");
        Guard.Positive(inputScale, nameof(inputScale));
        int d = prompts[0].D;
        var pt = new double[prompts.Count];
        var pr = new double[prompts.Count];
        var gt = new double[prompts.Count * d];
        var gr = new double[prompts.Count * d];
        for (int k = 0; k < prompts.Count; k++)
        {
            var p = Scaled(prompts[k], inputScale);
            pt[k] = trained(p);
            pr[k] = reference(p);
            for (int j = 0; j < d; j++)
            {
                var basis = WithQuery(p, j);
                gt[k * d + j] = trained(basis);
                gr[k * d + j] = reference(basis);
            }
        }
        return new AlignmentMetrics(inputScale, LearnedMetrics.Cosine(pt, pr), LearnedMetrics.RelativeDistance(pt, pr),
            LearnedMetrics.Cosine(gt, gr), LearnedMetrics.RelativeDistance(gt, gr));
    }

    /// <summary>The prompt with X and x_q scaled by c and the labels recomputed as Xw*.</summary>
    public static Prompt<Real> Scaled(Prompt<Real> p, double c) =>
        c == 1 ? p : Prompt<Real>.Realizable(new Real(c) * p.X, new Real(c) * p.Query, p.Task);

    /// <summary>The prompt with x_q replaced by e_j (for ∂ŷ/∂x_q by linearity).</summary>
    private static Prompt<Real> WithQuery(Prompt<Real> p, int j)
    {
        var e = Mat<Real>.Build(p.D, 1, (i, _) => i == j ? 1.0 : 0.0);
        return new Prompt<Real>(p.X, p.Y, e, Real.Zero, p.Task);
    }
}
