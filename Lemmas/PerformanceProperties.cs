using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Spectra;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>PERF: the fast kernels are exact stand-ins (same numbers), allocation-free per prompt, and thread-count independent.</summary>
[TestFixture, Category("PERF")]
public sealed class PerformanceProperties
{
    /// <summary>PERF: the allocation-free tridiagonal-QL κ(XᵀX) equals MathNet's dense EVD (relative 1e-10·κ).</summary>
    [Test]
    public void PERF_Fast_condition_number_equals_MathNet() =>
        Properties.ForAll(Cases.Shapes(dMax: 12, nMax: 60, where: s => s.N >= s.D), s =>
        {
            var inst = Instance.Draw(s);
            var x = inst.Prompt.X;
            var flat = Enumerable.Range(0, s.N * s.D).Select(k => x[k / s.D, k % s.D].Value).ToArray();
            var jacobi = SymmetricEigen.GramConditionNumber(flat, s.N, s.D, new double[s.D * s.D + 2 * s.D]);
            var mathnet = Conditioning.GramConditionNumber(x);
            Checks.RelativeClose(jacobi, mathnet, 1e-10 * Math.Max(1, mathnet), $"κ(XᵀX), {s}");
        });

    /// <summary>PERF: PromptBuffer.Next and GramKernel.Predict allocate nothing per prompt (measured with the runtime's allocation counter).</summary>
    [Test]
    public void PERF_Hot_loop_allocates_nothing_per_prompt()
    {
        var sigma = Matrix<double>.Build.DenseIdentity(10);
        var prompts = new PromptBuffer(sigma, TaskLaw.UnitSphere, 40, TestSettings.Seed);
        var kernel = new GramKernel(Enumerable.Repeat(Families.Gatmiry(Mat<Real>.Identity(10)), 8).ToArray(), ResidualSign.Minus);
        for (int i = 0; i < 10; i++) { prompts.Next(); kernel.Predict(prompts); } // warm-up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        double sink = 0;
        for (int i = 0; i < 1000; i++) { prompts.Next(); sink += kernel.Predict(prompts); }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Checks.True(double.IsFinite(sink), "predictions are finite");
        Checks.True(allocated == 0, $"1000 prompts allocated {allocated} bytes (expected 0)");
    }

    /// <summary>PERF: the chunked parallel Monte Carlo gives bit-identical mean and standard error with 1 and 2 threads.</summary>
    [Test]
    public void PERF_Parallel_Monte_Carlo_is_independent_of_the_thread_count()
    {
        var sigma = Covariance.WithConditionNumber(6, 10, Numerics.Prompts.Rng.Create(TestSettings.Seed));
        var layers = Enumerable.Repeat(Families.Gatmiry(RealMat.From(sigma.Inverse() * 0.7)), 4).ToArray();
        Func<Func<PromptBuffer, double>> factory = () => { var k = new GramKernel(layers, ResidualSign.Minus); return b => k.Predict(b); };
        var one = ParallelMonteCarlo.PredictionLoss(sigma, TaskLaw.InverseCovariance, 20, 20_000, TestSettings.Seed, factory, threads: 1);
        var two = ParallelMonteCarlo.PredictionLoss(sigma, TaskLaw.InverseCovariance, 20, 20_000, TestSettings.Seed, factory, threads: 2);
        Checks.True(one.Mean == two.Mean && one.StandardError == two.StandardError, $"1 thread {one} vs 2 threads {two}");
        Checks.True(double.IsFinite(one.Mean) && one.Count == 20_000, $"estimate {one}");
    }
}
