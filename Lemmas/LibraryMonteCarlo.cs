using static LoopedIcl.TestSupport.Refusals;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Statistics;

namespace LoopedIcl.Lemmas;

/// <summary>
/// STATISTICS (library level): the Monte Carlo loss estimators of Numerics/Losses against their definition — the plain mean and standard
/// error, computed here by two passes, of (ŷ − y_q)² over the prompts the law's seeded sequence holds (drawn here in one batch, or per
/// chunk with the documented chunk seeds). Predictors with known errors (zero, the target itself, half the target) make every value a
/// function of the drawn targets alone; windows and chunks are crossed (5000 prompts: two windows of 4096; 1124: three chunks of 512).
/// </summary>
[TestFixture, Category(ClaimIds.Statistics), Category(CategoryLabels.Library)]
public sealed class LibraryMonteCarlo
{
    private static readonly PromptLaw Law = PromptLaw.Isotropic(2, TaskLaw.Isotropic);
    private const int N = 3;

    private static void Zero(PromptBatch batch, Span<double> predictions) => predictions[..batch.Count].Clear();
    private static void Oracle(PromptBatch batch, Span<double> predictions) => batch.Target.AsSpan(0, batch.Count).CopyTo(predictions);
    private static void Half(PromptBatch batch, Span<double> predictions)
    {
        for (int p = 0; p < batch.Count; p++) predictions[p] = 0.5 * batch.Target[p];
    }

    /// <summary>Mean and standard error √(s²/N) with s² = Σ(v − mean)²/(N − 1), by two passes.</summary>
    private static (double Mean, double Error) TwoPass(IReadOnlyList<double> v)
    {
        double mean = v.Sum() / v.Count;
        double ss = v.Sum(x => (x - mean) * (x - mean));
        return (mean, Math.Sqrt(ss / (v.Count - 1) / v.Count));
    }

    private static void Agrees(Estimate actual, IReadOnlyList<double> values, string what)
    {
        var (mean, error) = TwoPass(values);
        // Two summation orders of ≤ 5000 positive terms: the relative difference is ≤ 5000·2⁻⁵² ≈ 1e-12 (the variance's likewise, ×2 in √).
        Checks.Close(actual.Mean, mean, 1e-11 * Math.Abs(mean), $"{what}: mean = {mean}");
        Checks.Close(actual.StandardError, error, 1e-10 * error, $"{what}: standard error = {error}");
        Checks.True(actual.Count == values.Count, $"{what}: {values.Count} prompts counted (got {actual.Count})");
    }

    [Test]
    public void STATISTICS_Prediction_loss_is_the_mean_over_the_law_sequence()
    {
        const ulong seed = 11;
        int samples = MonteCarlo.WindowPrompts + 904;
        var all = Law.Draw(N, samples + 16, seed);
        double[] Squares(int from, double scale) => all.Target.Skip(from).Take(samples).Select(y => scale * y * y).ToArray();

        Agrees(MonteCarlo.PredictionLoss(Law, N, seed, samples, Zero), Squares(0, 1), "ŷ = 0 over two windows");
        Agrees(MonteCarlo.PredictionLoss(Law, N, seed, samples, Zero, firstPrompt: 16), Squares(16, 1), "ŷ = 0 from prompt 16");
        Agrees(MonteCarlo.PredictionLoss(Law, N, seed, samples, Half), Squares(0, 0.25), "ŷ = y/2: (y/2)²");
        Agrees(MonteCarlo.PredictionLoss(Law, N, seed, samples, Oracle, printedSign: true), Squares(0, 4), "eq. (5) as printed, ŷ = y: (2y)²");
        var exact = MonteCarlo.PredictionLoss(Law, N, seed, 40, Oracle);
        Checks.True(exact.Mean == 0 && exact.StandardError == 0 && exact.Count == 40, $"ŷ = y costs exactly 0 (got {exact})", CheckKind.Identity);
        Agrees(MonteCarlo.PairedLossDifference(Law, N, seed, samples, Half, Zero), Squares(0, -0.75), "paired (y/2)² − y²");
        Agrees(MonteCarlo.PairedLossDifference(Law, N, seed, samples, Zero, Half), Squares(0, 0.75), "paired y² − (y/2)²");

        // A non-finite value ends the estimate as NaN at the prompt it occurs (a NaN never looks like a small loss).
        var nan = MonteCarlo.PredictionLoss(Law, N, seed, 100, (b, p) => { Zero(b, p); p[3] = double.NaN; });
        Checks.True(double.IsNaN(nan.Mean) && double.IsNaN(nan.StandardError) && nan.Count == 4, $"NaN at prompt 3: NaN after 4 prompts (got {nan})");
        var late = MonteCarlo.PredictionLoss(Law, N, seed, samples, (b, p) => { Zero(b, p); if (b.Count == MonteCarlo.WindowPrompts && b.Target[5] != all.Target[5]) p[5] = double.PositiveInfinity; });
        Checks.True(double.IsNaN(late.Mean) && late.Count == MonteCarlo.WindowPrompts + 6, $"∞ in the second window's prompt 5: NaN after 4102 prompts (got {late})");

        Rejects(() => MonteCarlo.PredictionLoss(Law, N, seed, 1, Zero), "samples");
        Agrees(MonteCarlo.PredictionLoss(Law, N, seed, 2, Zero), Squares(0, 1).Take(2).ToArray(), "two prompts are enough for an error");
        var rule = Assert.Catch<ArgumentException>(() => MonteCarlo.PredictionLoss(Law, N, seed, 10, Zero, firstPrompt: 4));
        Checks.True(rule!.Message.Contains("multiple of 8", StringComparison.Ordinal), $"the firstPrompt rule is stated ({rule.Message})");
        rule = Assert.Catch<ArgumentException>(() => MonteCarlo.PredictionLoss(Law, N, seed, 1, Zero));
        Checks.True(rule!.Message.Contains("≥ 2", StringComparison.Ordinal), $"the samples rule is stated ({rule.Message})");
        Rejects(() => MonteCarlo.PredictionLoss(Law, N, seed, 10, Zero, firstPrompt: 4), "firstPrompt");
        Rejects(() => MonteCarlo.PredictionLoss(Law, N, seed, 10, Zero, firstPrompt: -8), "firstPrompt");
        Rejects(() => MonteCarlo.PredictionLoss(null!, N, seed, 10, Zero), "law");
        Rejects(() => MonteCarlo.PredictionLoss(Law, N, seed, 10, null!), "predict");
        Rejects(() => MonteCarlo.PairedLossDifference(Law, N, seed, 10, null!, Zero), "predictA");
        Rejects(() => MonteCarlo.PairedLossDifference(Law, N, seed, 10, Zero, null!), "predictB");
    }

    [Test]
    public void STATISTICS_Mean_of_draws_is_the_sample_mean()
    {
        int k = 0;
        var est = MonteCarlo.Mean(5, () => ++k);
        Checks.True(est.Mean == 3 && est.Count == 5, $"draws 1…5: mean 3 (got {est})", CheckKind.Identity);
        Checks.Close(est.StandardError, Math.Sqrt(2.5 / 5), 1e-15, "draws 1…5: s² = 2.5, error √(s²/5)");
        k = 0;
        var nan = MonteCarlo.Mean(5, () => ++k == 3 ? double.NaN : k);
        Checks.True(double.IsNaN(nan.Mean) && nan.Count == 3, $"NaN at the third draw: NaN after 3 (got {nan})");
        Rejects(() => MonteCarlo.Mean(1, () => 1), "samples");
        Rejects(() => MonteCarlo.Mean(0, () => 1), "samples");
        var two = MonteCarlo.Mean(2, () => 4);
        Checks.True(two.Mean == 4 && two.StandardError == 0 && two.Count == 2, $"two equal draws: mean 4, error 0 (got {two})", CheckKind.Identity);
        var rule = Assert.Catch<ArgumentException>(() => MonteCarlo.Mean(1, () => 1));
        Checks.True(rule!.Message.Contains("≥ 2", StringComparison.Ordinal), $"the rule is stated ({rule.Message})");
    }

    [Test]
    public void STATISTICS_Chunked_losses_follow_their_chunk_seeds()
    {
        // ChunkSeed(s, c) = s·φ + c·ψ + 1 mod 2⁶⁴ (φ = 0x9E3779B97F4A7C15, ψ = 0xD1B54A32D192ED03): the documented stream of chunk c.
        Checks.True(ParallelMonteCarlo.ChunkSeed(0, 0) == 1 && ParallelMonteCarlo.ChunkSeed(1, 0) == 0x9E3779B97F4A7C16UL
                    && ParallelMonteCarlo.ChunkSeed(0, 1) == 0xD1B54A32D192ED04UL && ParallelMonteCarlo.ChunkSeed(2, 3) == unchecked(2 * 0x9E3779B97F4A7C15UL + 3 * 0xD1B54A32D192ED03UL + 1),
            "chunk seeds s·φ + c·ψ + 1", CheckKind.Identity);

        // The engine's loss: chunks of 512 prompts, chunk c from ChunkSeed(seed, c), the last one short. θ: one sparse layer A = ½I.
        var family = Parameterisation.Sparse(2, 1);
        double[] theta = [0.5, 0, 0, 0.5];
        var engine = new IclEngine(family);
        const ulong seed = 5;
        int samples = 2 * ParallelMonteCarlo.EngineChunkSize + 100;
        var errors = new List<double>();
        for (int c = 0; c * ParallelMonteCarlo.EngineChunkSize < samples; c++)
        {
            int count = Math.Min(ParallelMonteCarlo.EngineChunkSize, samples - c * ParallelMonteCarlo.EngineChunkSize);
            var batch = Law.Draw(N, count, ParallelMonteCarlo.ChunkSeed(seed, c));
            var predictions = new double[ParallelMonteCarlo.EngineChunkSize];   // the engine may fill the last lane group
            engine.Predict(theta, batch, predictions);
            errors.AddRange(predictions.Take(count).Select((y, p) => (y - batch.Target[p]) * (y - batch.Target[p])));
        }
        Checks.True(errors.Any(e => e > 0), "the predictions are not the targets (the sign of the error matters)");
        var one = ParallelMonteCarlo.Loss(family, theta, Law, N, samples, seed, threads: 1);
        Agrees(one, errors, "engine loss, 1124 prompts in chunks of 512");
        var two = ParallelMonteCarlo.Loss(family, theta, Law, N, samples, seed, threads: 2);
        Checks.True(one == two, $"two threads give the same bits ({one} vs {two})", CheckKind.Identity);

        // The predictor loss: chunks of 4096 from the int seed·7919 + c, sign-extended; ŷ = y/2 costs (y/2)².
        const int intSeed = -3;
        samples = ParallelMonteCarlo.ChunkSize + 100;
        var halves = new List<double>();
        for (int c = 0; c < 2; c++)
        {
            var batch = Law.Draw(N, c == 0 ? ParallelMonteCarlo.ChunkSize : 100, EngineSeed.FromInt(intSeed * 7919 + c));
            halves.AddRange(batch.Target.Take(batch.Count).Select(y => 0.25 * y * y));
        }
        Agrees(ParallelMonteCarlo.PredictionLoss(Law.Sigma, TaskLaw.Isotropic, N, samples, intSeed, () => Half, threads: 2), halves, "predictor loss, 4196 prompts in chunks of 4096");

        // Exact multiples of the chunk sizes: two full chunks, no empty third.
        var whole = ParallelMonteCarlo.Loss(family, theta, Law, N, 2 * ParallelMonteCarlo.EngineChunkSize, seed, threads: 1);
        Checks.True(whole.Count == 1024, $"1024 prompts in two chunks (got {whole.Count})");
        Agrees(whole, errors.Take(1024).ToArray(), "engine loss over exactly two chunks");
        var full = ParallelMonteCarlo.PredictionLoss(Law.Sigma, TaskLaw.Isotropic, N, ParallelMonteCarlo.ChunkSize, intSeed, () => Half, threads: 1);
        Agrees(full, halves.Take(ParallelMonteCarlo.ChunkSize).ToArray(), "predictor loss over exactly one chunk");
        var thetaRule = Assert.Catch<ArgumentException>(() => ParallelMonteCarlo.Loss(family, theta.AsSpan(0, 3), Law, N, 10, seed, 1));
        Checks.True(thetaRule!.Message.Contains("length 4", StringComparison.Ordinal), $"θ's length is stated ({thetaRule.Message})");
        Rejects(() => ParallelMonteCarlo.Loss(family, theta.AsSpan(0, 3), Law, N, 10, seed, 1), "theta");
        Rejects(() => ParallelMonteCarlo.Loss(family, theta, Law, 0, 10, seed, 1), "n");
        Rejects(() => ParallelMonteCarlo.Loss(family, theta, Law, N, 0, seed, 1), "samples");
        Rejects(() => ParallelMonteCarlo.Loss(family, theta, Law, N, 10, seed, 0), "threads");
        Rejects(() => ParallelMonteCarlo.Loss(null!, theta, Law, N, 10, seed, 1), "family");
        Rejects(() => ParallelMonteCarlo.Loss(family, theta, null!, N, 10, seed, 1), "law");
        Rejects(() => ParallelMonteCarlo.PredictionLoss(Law.Sigma, TaskLaw.Isotropic, N, 0, 1, () => Half, 1), "samples");
        Rejects(() => ParallelMonteCarlo.PredictionLoss(Law.Sigma, TaskLaw.Isotropic, N, 10, 1, () => Half, 0), "threads");
        Rejects(() => ParallelMonteCarlo.PredictionLoss(Law.Sigma, TaskLaw.Isotropic, N, 10, 1, null!, 1), "predictorFactory");
    }
}
