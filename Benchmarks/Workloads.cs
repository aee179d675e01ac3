using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Models;
using LoopedIcl.Numerics.Optimization;
using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Spectra;
using LoopedIcl.Numerics.Training;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Benchmarks;

/// <summary>The named workloads of the quick mode; the same code the BenchmarkDotNet classes call.</summary>
internal static class Workloads
{
    public const int D = 10, N = 40;

    /// <summary>A looped model (Gatmiry family, A = 0.9·I + small noise) with <paramref name="loops"/> loops, as literal layers.</summary>
    public static AttentionLayer<Real>[] LoopedLayers(int loops, int d = D)
    {
        var a = (Real)0.9 * Mat<Real>.Identity(d) + Rng.GaussianMatrix(Rng.Create(1), d, d, 0.01);
        return Enumerable.Repeat(Families.Gatmiry(a), loops).ToArray();
    }

    /// <summary>The same looped model for the engine: Gatmiry (A), u = 0, θ = A row-major.</summary>
    public static (Parameterisation Family, double[] Theta) LoopedEngineModel(int loops, int d = D)
    {
        var family = Parameterisation.Gatmiry(d, loops, withU: false);
        var a = LoopedLayers(1, d)[0].Q;
        return (family, Enumerable.Range(0, d * d).Select(k => a[k / d, k % d].Value).ToArray());
    }

    public static readonly PromptLaw LoopedLaw = PromptLaw.Isotropic(D, TaskLaw.InverseCovariance);

    /// <summary>
    /// Kernel only, like the C anchor (a pool of 1000 pre-drawn prompts reused): <paramref name="repeats"/> forward passes over the
    /// pre-drawn <paramref name="pool"/>; one thread. Returns a checksum.
    /// </summary>
    public static double EngineForward(IclEngine engine, double[] theta, PromptBatch pool, int repeats, double[] predictions)
    {
        double sum = 0;
        for (int r = 0; r < repeats; r++)
        {
            engine.Predict(theta, pool, predictions);
            sum += predictions[0];
        }
        return sum;
    }

    /// <summary>Full pipeline: draw prompts (one thread) into a reused buffer of <paramref name="buffer"/>.Count, then the forward pass, until <paramref name="prompts"/>.</summary>
    public static double EnginePipeline(IclEngine engine, double[] theta, PromptBatch buffer, int prompts, ulong seed, double[] predictions)
    {
        double sum = 0;
        for (int done = 0, k = 0; done < prompts; done += buffer.Count, k++)
        {
            LoopedLaw.Redraw(buffer, seed * 1000 + (ulong)k);
            engine.Predict(theta, buffer, predictions);
            sum += predictions[0];
        }
        return sum;
    }

    /// <summary>Standard normals from the engine's 8-lane stream into <paramref name="target"/>.</summary>
    public static double Normals(double[] target, ulong seed)
    {
        var rng = new LaneNormals(seed, 0);
        rng.Fill(target);
        return target[0] + target[^1];
    }

    /// <summary>The engine's one-prompt evaluator of literal layers (what main's GramKernel wrapped).</summary>
    private static IclEngine.Evaluator Evaluator(AttentionLayer<Real>[] layers, ResidualSign sign)
    {
        var (family, theta) = Parameterisation.Of(layers, sign);
        return new IclEngine(family).CreateEvaluator(theta);
    }

    /// <summary>
    /// The old per-prompt path (each prompt copied out of the batch and run by the one-prompt evaluator, as main's GramKernel):
    /// <paramref name="prompts"/> looped forwards. Returns a checksum.
    /// </summary>
    public static double LoopedForwardPerPrompt(int prompts, int n, int loops, int seed)
    {
        var batch = LoopedLaw.Draw(n, prompts, EngineSeed.FromInt(seed));
        var kernel = Evaluator(LoopedLayers(loops), ResidualSign.Minus);
        var predict = PerPrompt(kernel, n);
        var yhat = new double[prompts];
        predict(batch, yhat);
        return yhat.Sum();
    }

    /// <summary>A batch predictor that runs the one-prompt evaluator prompt by prompt (the per-prompt path's cost, allocation-free per prompt).</summary>
    private static BatchPredictor PerPrompt(IclEngine.Evaluator kernel, int n)
    {
        var (x, y, query) = (new double[n * D], new double[n], new double[D]);
        return (batch, predictions) =>
        {
            for (int p = 0; p < batch.Count; p++)
            {
                batch.CopyPrompt(p, x, y, query);
                predictions[p] = kernel.Predict(x, y, query);
            }
        };
    }

    /// <summary>Literal path: the same forwards through the O(n²)-per-loop literal attention. Returns a checksum.</summary>
    public static double LoopedForwardLiteral(int prompts, int n, int loops, int seed)
    {
        var batch = LoopedLaw.Draw(n, prompts, EngineSeed.FromInt(seed));
        var model = new LinearTransformer<Real>(LoopedLayers(loops), ResidualSign.Minus);
        double sum = 0;
        for (int i = 0; i < prompts; i++) sum += model.Predict(batch.ToPrompt(i)).Value;
        return sum;
    }

    /// <summary>The Monte Carlo looped loss (d = 10, n = 40, L loops) through the engine on <paramref name="threads"/> threads.</summary>
    public static LoopedIcl.Numerics.Statistics.Estimate McLossEngine(int prompts, int loops, int threads, ulong seed)
    {
        var (family, theta) = LoopedEngineModel(loops);
        return ParallelMonteCarlo.Loss(family, theta, LoopedLaw, N, prompts, seed, threads);
    }

    /// <summary>The same Monte Carlo loss through the per-prompt API kept from main (ParallelMonteCarlo + one-prompt evaluator).</summary>
    public static LoopedIcl.Numerics.Statistics.Estimate McLossPerPrompt(int prompts, int loops, int threads, int seed)
    {
        var layers = LoopedLayers(loops);
        return ParallelMonteCarlo.PredictionLoss(Matrix<double>.Build.DenseIdentity(D), TaskLaw.InverseCovariance, N, prompts, seed,
            () => PerPrompt(Evaluator(layers, ResidualSign.Minus), N), threads);
    }

    /// <summary>A training problem: the objective, θ₀ and an Adam optimiser.</summary>
    public sealed record TrainProblem(string Name, IBatchObjective<PromptBatch> Objective, double[] Theta, Optimizer Optimizer, int BatchSize);

    public static TrainProblem Train(string name, Parameterisation family, int n, int batch, int threads)
    {
        var law = PromptLaw.Isotropic(family.D, TaskLaw.Isotropic);
        var theta = Rng.Gaussians(Rng.Create(3), family.Dimension).Select(v => 0.1 * v / family.Width).ToArray();
        return new TrainProblem(name, new InContextLoss(new IclEngine(family, threads), law, n), theta,
            new Optimizer(OptimizerSettings.Adam(1e-3), family.Dimension), batch);
    }

    /// <summary>A training problem of a non-linear attention model (X-SOFTMAX): O(n²(d+1)) per layer and prompt, no Gram state.</summary>
    public static TrainProblem TrainNonLinear(string name, Parameterisation family, ScoreActivation activation, int n, int batch, int threads)
    {
        var law = PromptLaw.Isotropic(family.D, TaskLaw.Isotropic);
        var theta = Rng.Gaussians(Rng.Create(3), family.Dimension).Select(v => 0.1 * v / family.Width).ToArray();
        return new TrainProblem(name, new InContextLoss(new NonLinearAttentionEngine(family, activation, threads), law, n), theta,
            new Optimizer(OptimizerSettings.Adam(1e-3), family.Dimension), batch);
    }

    /// <summary>One train step: forward + backward on <paramref name="batch"/>, then an Adam update of θ.</summary>
    public static double TrainStep(TrainProblem p, PromptBatch batch, double[] gradient)
    {
        double loss = p.Objective.Evaluate(p.Theta, batch, gradient);
        p.Optimizer.Step(p.Theta, gradient);
        return loss;
    }

    /// <summary>A slice of a paper-scale recipe and the full run's time at its rate.</summary>
    public sealed record RecipeRun(string Recipe, int Batch, int Steps, int FullSteps, double PromptStepsPerSecond, double FullRunSeconds);

    /// <summary>
    /// The first <paramref name="steps"/> steps of <paramref name="recipe"/> through the recipe path (LearningSetup → Trainer: its batch,
    /// redraws, validation and test evaluations every EvaluateEvery steps, checkpoints), timed by the trainer itself; the full run's
    /// time is the recipe's prompt-steps at that rate.
    /// </summary>
    public static RecipeRun RecipeSlice(Recipe recipe, int steps, int threads)
    {
        var s = recipe.Schedule;
        var slice = recipe with { Schedule = s with { Steps = steps } };
        var result = new LearningSetup(slice, threads).Train();
        double rate = result.PromptStepsPerSecond;
        return new RecipeRun(recipe.Source, s.BatchSize, steps, s.Steps, rate, (double)s.Steps * s.BatchSize / rate);
    }

    /// <summary>κ(XᵀX) for <paramref name="draws"/> Gaussian X (n×d) with the allocation-free tridiagonal-QL solver, split over threads by fixed chunks.</summary>
    public static double Kappa(int draws, int threads, int seed)
    {
        const int chunk = 4096;
        int chunks = (draws + chunk - 1) / chunk;
        var medians = new double[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            int count = Math.Min(chunk, draws - c * chunk);
            var batch = PromptLaw.Isotropic(D, TaskLaw.Isotropic).Draw(N, count, EngineSeed.FromInt(unchecked(seed * 31 + c)));
            var scratch = new double[D * D + 2 * D];
            var (x, y, query) = (new double[N * D], new double[N], new double[D]);
            double sum = 0;
            for (int i = 0; i < count; i++) { batch.CopyPrompt(i, x, y, query); sum += SymmetricEigen.GramConditionNumber(x, N, D, scratch); }
            medians[c] = sum / count;
        });
        return medians.Average();
    }
}
