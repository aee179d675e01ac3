using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Statistics;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// LEARN-GRAD (c): in expectation over prompts, the engine's batch gradient for one sparse layer (8) is the closed-form population
/// gradient ∇_A f = 2𝓔[C]AΣ − 2ΣCΣ (AhnLosses.SparseSingleLayerGradient, Wishart moments), within a 1e-6 false-alarm CI.
/// </summary>
[TestFixture, Category(ClaimIds.LearnGrad)]
public sealed class LearnGradPopulationGradient
{
    private const int Batches = 120, BatchSize = 1000;

    /// <summary>
    /// Mean and SE of each gradient coordinate over independent batches (the batch means are averages of 1000 prompts of a
    /// polynomial in Gaussians with all moments finite, κ(Σ) ≤ 4: light enough for the normal CI), each coordinate checked at
    /// false alarm 1e-6/d² (Bonferroni over the d² entries).
    /// </summary>
    internal static void AssertMatchesPopulationGradient(IclEngine engine, Matrix<double> sigma, Matrix<double> a, int n, int seed, string what)
    {
        int d = a.RowCount;
        var theta = Enumerable.Range(0, d * d).Select(k => a[k / d, k % d]).ToArray();
        var law = new PromptLaw(sigma, TaskLaw.Isotropic);
        var moments = new RunningMoments[d * d];
        var grad = new double[d * d];
        for (int b = 0; b < Batches; b++)
        {
            engine.Loss(theta, law.Draw(n, BatchSize, ParallelMonteCarlo.ChunkSeed(SeedPlan.EngineSeed(seed), b)), grad);
            for (int k = 0; k < grad.Length; k++) moments[k].Add(grad[k]);
        }
        var exact = AhnLosses.SparseSingleLayerGradient(sigma, n, a, Matrix<double>.Build.DenseIdentity(d));
        double z = SampleStatistics.TwoSidedZ(1e-6 / (d * d));
        for (int k = 0; k < d * d; k++)
        {
            var est = moments[k].ToEstimate();
            Checks.AtMost(Math.Abs(est.Mean - exact[k / d, k % d]), z * est.StandardError, $"{what}: ∂f/∂A[{k / d},{k % d}] = {est} vs closed form {exact[k / d, k % d]:G6}");
        }
    }

    private static (Matrix<double> Sigma, Matrix<double> A) Instance(int d, int seed)
    {
        var rng = Numerics.Prompts.Rng.Create(seed);
        var sigma = Covariance.WithConditionNumber(d, 4, rng);
        var a = Matrix<double>.Build.Dense(d, d, Numerics.Prompts.Rng.Gaussians(rng, d * d)) * (0.3 / Math.Sqrt(d));
        return (sigma, a);
    }

    /// <summary>LEARN-GRAD (c): E[engine gradient] = the sparse single-layer population gradient, d ∈ {2, 3}, n ∈ {5, 12}, κ(Σ) = 4, w* ~ N(0, I).</summary>
    [TestCase(2, 5)]
    [TestCase(3, 12)]
    public void LEARN_GRAD_Batch_gradient_averages_to_the_population_gradient(int d, int n)
    {
        int seed = TestSettings.SeedFor($"{nameof(LEARN_GRAD_Batch_gradient_averages_to_the_population_gradient)} {d} {n}");
        var (sigma, a) = Instance(d, seed);
        AssertMatchesPopulationGradient(new IclEngine(Parameterisation.Sparse(d, 1), threads: 2), sigma, a, n, seed, $"sparse L=1, d={d} n={n} seed={seed}");
    }

    /// <summary>LEARN-GRAD (c) negative control: the engine with a wrong-sign Q̄ does not average to the population gradient.</summary>
    [Test]
    public void LEARN_GRAD_Negative_control_wrong_sign_gradient_misses_the_population_gradient()
    {
        int seed = TestSettings.SeedFor(nameof(LEARN_GRAD_Negative_control_wrong_sign_gradient_misses_the_population_gradient));
        var (sigma, a) = Instance(3, seed);
        bool failed = false;
        using (ClaimLedger.Suspend())
        {
            try { AssertMatchesPopulationGradient(new IclEngine(Parameterisation.Sparse(3, 1), threads: 2) { Fault = AdjointFault.WrongSignQ }, sigma, a, 12, seed, "wrong-sign Q̄"); }
            catch (AssertionException) { failed = true; }
        }
        Checks.True(failed, "the wrong-sign gradient passed the population-gradient check: the check cannot tell them apart");
        ClaimLedger.RecordNegativeControl("wrong-sign Q̄ misses the population gradient");
    }
}
