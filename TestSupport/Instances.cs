using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Prompts;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.TestSupport;

/// <summary>A sampled instance for a generated <see cref="Shape"/>: Σ with κ(Σ) = shape.Kappa, one prompt, and the stream for more draws.</summary>
public sealed record Instance(Shape Shape, Matrix<double> Sigma, PromptLaw Law, Prompt<Real> Prompt, Random Rng)
{
    public static Instance Draw(Shape s, TaskLaw law = TaskLaw.Isotropic, double noise = 0.0)
    {
        var rng = Numerics.Prompts.Rng.Create(s.Seed);
        var sigma = Covariance.WithConditionNumber(s.D, s.Kappa, rng);
        var prompts = new PromptLaw(sigma, law, noise);
        // The prompt is prompt 0 of the engine's sequence at the shape's seed.
        return new Instance(s, sigma, prompts, prompts.Sample(s.N, s.Stream), rng);
    }

    /// <summary>A d×d matrix with N(0, scale²/d) entries: ‖A‖ = O(scale), so products over L ≤ 5 layers stay O(1).</summary>
    public Mat<Real> RandomMatrix(double scale = 0.5) => Numerics.Prompts.Rng.GaussianMatrix(Rng, Shape.D, Shape.D, scale / Math.Sqrt(Shape.D));

    public Mat<Real> RandomSymmetricMatrix(double scale = 0.5)
    {
        var a = RandomMatrix(scale);
        return (Real)0.5 * (a + a.Transpose());
    }

    public Mat<Real> RandomVector(int length, double scale = 1.0) => Numerics.Prompts.Rng.GaussianMatrix(Rng, length, 1, scale);
}
