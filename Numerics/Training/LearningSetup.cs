using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Optimization;
using LoopedIcl.Numerics.Models;
using LoopedIcl.Numerics.Statistics;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Training;

/// <summary>
/// A recipe bound to the engine of its attention: its parameterisation, prompt law, Σ, labels and in-context loss; trains, predicts per
/// prompt and re-binds the same θ to other loop counts or prompt laws (test-time looping, covariance shift).
/// </summary>
public sealed class LearningSetup
{
    public Recipe Recipe { get; }
    public Parameterisation Family { get; }
    /// <summary>The batched model: <see cref="IclEngine"/> for linear attention, <see cref="NonLinearAttentionEngine"/> otherwise.</summary>
    public IInContextModel Engine { get; }
    public PromptLaw Law { get; }
    /// <summary>The quadratic labels bound to <see cref="Law"/> (null for the papers' linear task).</summary>
    public QuadraticLabels? Labels { get; }
    /// <summary>The in-context loss; its batches carry the quadratic labels when the recipe has them.</summary>
    public IBatchObjective<PromptBatch> Objective { get; }
    public Matrix<double> Sigma => Law.Sigma;
    public ModelSpec Model => Recipe.Model;

    public LearningSetup(Recipe recipe, int threads = 1, Matrix<double>? sigma = null)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        recipe.Optimizer.Validate();
        recipe.Schedule.Validate();
        Recipe = recipe;
        Family = Parameterise(recipe.Model);
        if (Family.Dimension != recipe.Model.Dimension)
            throw new InvalidOperationException($"θ layout mismatch: engine '{Family.Name}' has {Family.Dimension} parameters, ModelSpec {recipe.Model.Dimension}.");
        Engine = AttentionModels.Create(recipe.Model.Attention, Family, threads);
        Law = new PromptLaw(sigma ?? recipe.Data.Sigma(), recipe.Data.Task);
        Labels = recipe.Data.Quadratic?.Bind(Law.Sigma);
        var loss = new InContextLoss(Engine, Law, recipe.Data.N);
        Objective = Labels is null ? loss : new QuadraticLabelObjective(loss, Labels);
    }

    /// <summary>The engine parameterisation of a model spec.</summary>
    public static Parameterisation Parameterise(ModelSpec m) => m.Family switch
    {
        ModelFamily.Full => Parameterisation.Full(m.D, m.Layers, ResidualSign.Plus, m.Tied),
        ModelFamily.Sparse => Parameterisation.Sparse(m.D, m.Layers, m.Tied, m.SymmetricA),
        ModelFamily.GdPlusPlus => Parameterisation.GdPlusPlus(m.D, m.Layers, m.Tied),
        ModelFamily.Gatmiry => Parameterisation.Gatmiry(m.D, m.Layers, m.SymmetricA, m.WithU, m.Tied),
        _ => throw new ArgumentOutOfRangeException(nameof(m), m.Family, "Unknown family."),
    };

    /// <summary>Trains the recipe (progress to <paramref name="progress"/>), from <paramref name="start"/> or the small random init.</summary>
    public TrainingResult Train(TextWriter? progress = null, double[]? start = null, double progressSecondsOverride = 10)
    {
        var blocks = Recipe.Model.BlockOffsets();
        if (Recipe.Warm is { } warm)
        {
            var first = Trainer.Train(Objective, warm.Optimizer, Recipe.Schedule with { Steps = warm.Steps, KeepCheckpoints = 1, TestBatches = 2, TestBatchSize = 1 },
                blocks, start, progress, progressSecondsOverride, Recipe.Name + " (warm start)");
            // Same seed: the same validation and test batches in both phases, so the two histories form one curve.
            var main = Trainer.Train(Objective, Recipe.Optimizer, Recipe.Schedule, blocks, first.Theta, progress, progressSecondsOverride, Recipe.Name);
            var history = first.History.Take(first.History.Count - 1).Concat(main.History.Select(c => c with { Step = c.Step + warm.Steps })).ToArray();
            return main with { History = history, Seconds = main.Seconds + first.Seconds, PromptSteps = main.PromptSteps + first.PromptSteps };
        }
        return Trainer.Train(Objective, Recipe.Optimizer, Recipe.Schedule, blocks, start, progress, progressSecondsOverride, Recipe.Name);
    }

    /// <summary>The same model with L loops (θ unchanged; tied models only) and optionally another prompt law or n.</summary>
    public LearningSetup With(int? loops = null, Matrix<double>? sigma = null, int? n = null)
    {
        if (loops is not null && !Model.Tied && loops != Model.Layers) throw new InvalidOperationException("Only a tied (looped) model keeps its θ under another loop count.");
        var r = Recipe with
        {
            Model = Model with { Layers = loops ?? Model.Layers },
            Data = Recipe.Data with { N = n ?? Recipe.Data.N },
        };
        return new LearningSetup(r, Engine.Threads, sigma ?? Sigma);
    }

    /// <summary>A held-out batch of <paramref name="count"/> prompts with seed <paramref name="seed"/>.</summary>
    public PromptBatch Draw(int count, ulong seed) => Objective.Draw(count, seed);

    /// <summary>Per-prompt squared errors (ŷ − y_q)² at θ.</summary>
    public double[] SquaredErrors(ReadOnlySpan<double> theta, PromptBatch batch)
    {
        var yhat = Predict(theta, batch);
        var e = new double[batch.Count];
        for (int p = 0; p < batch.Count; p++)
        {
            int g = p / PromptBatch.Lanes, k = p % PromptBatch.Lanes;
            double r = yhat[p] - batch.Target[g * PromptBatch.Lanes + k];
            e[p] = r * r;
        }
        return e;
    }

    /// <summary>Per-prompt predictions ŷ at θ.</summary>
    public double[] Predict(ReadOnlySpan<double> theta, PromptBatch batch)
    {
        var yhat = new double[batch.Count];
        AttentionModels.Predict(Engine, theta, batch, yhat);
        return yhat;
    }

    /// <summary>Predictions and query gradients (∂ŷ/∂x_q, p·d + a) at θ (linear attention: the engine's exact query gradient).</summary>
    public (double[] Predictions, double[] Gradients) PredictWithGradients(ReadOnlySpan<double> theta, PromptBatch batch)
    {
        if (Engine is not IclEngine linear)
            throw new InvalidOperationException($"exact query gradients need linear attention (this model has {Model.Attention}); take finite differences of Predict.");
        var yhat = new double[batch.Count];
        var grad = new double[batch.Count * batch.D];
        linear.PredictWithQueryGradient(theta, batch, yhat, grad);
        return (yhat, grad);
    }

    /// <summary>The loss at θ on a held-out batch as a mean with the SE of 100 group means.</summary>
    public Estimate TestLoss(ReadOnlySpan<double> theta, PromptBatch batch, int groups = 100) =>
        LossEstimates.GroupMeans(SquaredErrors(theta, batch), Math.Min(groups, batch.Count));

    /// <summary>
    /// Alignment metrics of θ against a reference θ (same family) on <paramref name="batch"/> with every covariate scaled by each of
    /// <paramref name="scales"/> (labels recomputed from w*).
    /// </summary>
    public AlignmentMetrics[] Align(double[] theta, double[] reference, PromptBatch batch, IReadOnlyList<double> scales) =>
        scales.Select(c =>
        {
            var scaled = c == 1 ? batch : PromptBatch.FromPrompts(Law, Enumerable.Range(0, batch.Count).Select(i => Alignment.Scaled(batch.ToPrompt(i), c)).ToArray());
            var (p, g) = PredictWithGradients(theta, scaled);
            var (pr, gr) = PredictWithGradients(reference, scaled);
            return Alignment.Measure(c, p, g, pr, gr);
        }).ToArray();
}
