using LoopedIcl.Numerics;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Models;
using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Spectra;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Benchmarks;

/// <summary>The named workloads of the quick mode; the same code the BenchmarkDotNet classes call.</summary>
internal static class Workloads
{
    public const int D = 10, N = 40;

    /// <summary>A looped model (Gatmiry family, A = 0.9·I + small noise) with <paramref name="loops"/> loops.</summary>
    public static AttentionLayer<Real>[] LoopedLayers(int loops, int d = D)
    {
        var a = (Real)0.9 * Mat<Real>.Identity(d) + Rng.GaussianMatrix(Rng.Create(1), d, d, 0.01);
        return Enumerable.Repeat(Families.Gatmiry(a), loops).ToArray();
    }

    /// <summary>Fast path: <paramref name="prompts"/> looped forwards through the Gram kernel (allocation-free). Returns a checksum.</summary>
    public static double LoopedForwardFast(int prompts, int n, int loops, int seed)
    {
        var buffer = new PromptBuffer(Matrix<double>.Build.DenseIdentity(D), TaskLaw.InverseCovariance, n, seed);
        var kernel = new GramKernel(LoopedLayers(loops), ResidualSign.Minus);
        double sum = 0;
        for (int i = 0; i < prompts; i++) { buffer.Next(); sum += kernel.Predict(buffer); }
        return sum;
    }

    /// <summary>Literal path: the same forwards through the O(n²)-per-loop literal attention. Returns a checksum.</summary>
    public static double LoopedForwardLiteral(int prompts, int n, int loops, int seed)
    {
        var buffer = new PromptBuffer(Matrix<double>.Build.DenseIdentity(D), TaskLaw.InverseCovariance, n, seed);
        var model = new LinearTransformer<Real>(LoopedLayers(loops), ResidualSign.Minus);
        double sum = 0;
        for (int i = 0; i < prompts; i++) { buffer.Next(); sum += model.Predict(buffer.ToPrompt()).Value; }
        return sum;
    }

    /// <summary>The Monte Carlo looped population loss (d = 10, n = 40, L loops) on <paramref name="threads"/> threads.</summary>
    public static LoopedIcl.Numerics.Statistics.Estimate McLoss(int prompts, int loops, int threads, int seed)
    {
        var layers = LoopedLayers(loops);
        return ParallelMonteCarlo.PredictionLoss(Matrix<double>.Build.DenseIdentity(D), TaskLaw.InverseCovariance, N, prompts, seed,
            () => { var k = new GramKernel(layers, ResidualSign.Minus); return b => k.Predict(b); }, threads);
    }

    /// <summary>κ(XᵀX) for <paramref name="draws"/> Gaussian X (n×d) with the allocation-free tridiagonal-QL solver, split over threads by fixed chunks.</summary>
    public static double Kappa(int draws, int threads, int seed)
    {
        const int chunk = 4096;
        int chunks = (draws + chunk - 1) / chunk;
        var medians = new double[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            var buffer = new PromptBuffer(Matrix<double>.Build.DenseIdentity(D), TaskLaw.Isotropic, N, seed * 31 + c);
            var scratch = new double[D * D + 2 * D];
            double sum = 0;
            int count = Math.Min(chunk, draws - c * chunk);
            for (int i = 0; i < count; i++) { buffer.Next(); sum += SymmetricEigen.GramConditionNumber(buffer.X, N, D, scratch); }
            medians[c] = sum / count;
        });
        return medians.Average();
    }
}
