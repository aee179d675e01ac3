using static LoopedIcl.TestSupport.Refusals;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Losses;

namespace LoopedIcl.Lemmas;

/// <summary>INPUT: the engine rejects bad input with an ArgumentException naming the parameter and the rule, never a silent NaN.</summary>
[TestFixture, Category(ClaimIds.Input), Category(CategoryLabels.Library)]
public sealed class EngineInputValidation
{

    /// <summary>INPUT: families, parameter vectors, batches and sampler arguments are checked.</summary>
    [Test]
    public void INPUT_Engine_arguments_are_checked()
    {
        var family = Parameterisation.Sparse(2, 2);
        var law = PromptLaw.Isotropic(2, TaskLaw.Isotropic);
        var batch = law.Draw(4, 3, 1);
        var engine = new IclEngine(family);
        Rejects(() => Parameterisation.Full(0, 1), "d", "≥ 1");
        Rejects(() => Parameterisation.Gatmiry(2, 0), "layers", "≥ 1");
        Rejects(() => engine.Loss(new double[3], batch, default), "theta", "length 8");
        Rejects(() => engine.Loss(new double[8], batch, new double[7]), "gradient", "length 8");
        Rejects(() => engine.Loss(new double[8], PromptLaw.Isotropic(3, TaskLaw.Isotropic).Draw(4, 3, 1), default), "batch", "d = 3");
        Rejects(() => engine.Predict(new double[8], batch, new double[2]), "predictions", "≥ 3");
        Rejects(() => _ = new IclEngine(family, threads: 0), "threads", "≥ 1");
        Rejects(() => law.Draw(0, 3, 1), "n", "≥ 1");
        Rejects(() => law.Draw(4, 0, 1), "count", "≥ 1");
        Rejects(() => PromptLaw.Isotropic(2, TaskLaw.Isotropic, noiseSigma: double.NaN), "noiseSigma", "finite and ≥ 0");
        Rejects(() => PromptLaw.Isotropic(2, (TaskLaw)42), "task", "defined TaskLaw");
        Rejects(() => PromptLaw.Isotropic(2, TaskLaw.Isotropic).Redraw(batch, 2), "batch", "drawn from this law");
        Rejects(() => family.Extract(new double[family.ExpandedLength]), "layers", "not in the family");
        Rejects(() => ParallelMonteCarlo.Loss(family, new double[8], law, 4, 0, 1, 1), "samples", "≥ 1");
        Rejects(() => engine.CreateEvaluator(new double[8]).Predict(new double[3], new double[2], new double[2]), "x", "n·d");
    }
}
