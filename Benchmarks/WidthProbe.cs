using LoopedIcl.Experiments;
using System.Runtime.Intrinsics;
using System.Text.Json;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Training;

namespace LoopedIcl.Benchmarks;

/// <summary>
/// The numbers that must not depend on the vector width, as one hash: normals (odd lengths, so the kept second normal of a pair
/// is exercised), draws under Σ = I, a rotated Σ with noise and unit-sphere tasks, the engine's loss, gradient, predictions and
/// query gradients on the label-row, general and preconditioned paths (2 threads), a Monte Carlo loss, and a short run of the
/// Ahn Figs. 1–2 recipe (redraws, validation, checkpoints). `--width-probe` prints it with the width in force, for the PERF
/// test that runs this under each width's runtime knobs in child processes.
/// </summary>
public static class WidthProbe
{
    /// <summary>The width in force, and the hash; <see cref="ControlHash"/> hashes the same numbers with the first normal one ulp off (the negative control).</summary>
    public sealed record Report(int Bits, bool Vector512, bool Vector256, bool Vector128, bool Fma, string Hash, string ControlHash);

    public static Report Run(ulong seed = 1)
    {
        var h = new Hasher();
        var rng = new LaneNormals(seed, 3);
        foreach (int len in new[] { 8, 24, 16, 800, 8, 0, 40 })
        {
            var z = new double[len];
            rng.Fill(z);
            h.Add(z);
        }
        var rotated = new DataSpec(7, Recipes.AhnSpectrum, 3, TaskLaw.InverseCovariance).Sigma();
        foreach (var law in new[]
        {
            PromptLaw.Isotropic(5, TaskLaw.InverseCovariance),
            new PromptLaw(rotated, TaskLaw.InverseCovariance, noiseSigma: 0.3),
            new PromptLaw(rotated, TaskLaw.UnitSphere),
        })
        {
            var b = law.Draw(7, 300, seed, threads: 2);
            h.Add(b.X); h.Add(b.Y); h.Add(b.Query); h.Add(b.Target); h.Add(b.Task);
        }
        foreach (var (family, n) in new[] { (Parameterisation.Sparse(5, 3), 9), (Parameterisation.Full(5, 2), 9), (Parameterisation.Gatmiry(5, 6), 12) })
        {
            var engine = new IclEngine(family, threads: 2);
            var law = new PromptLaw(rotated, TaskLaw.InverseCovariance);
            var batch = law.Draw(n, 700, seed + 1, threads: 2);
            var theta = Rng.Gaussians(Rng.Create(5), family.Dimension).Select(v => 0.3 * v / family.Width).ToArray();
            var gradient = new double[family.Dimension];
            h.Add(engine.Loss(theta, batch, gradient));
            h.Add(gradient);
            var yhat = new double[batch.Count];
            var qgrad = new double[batch.Count * batch.D];
            engine.PredictWithQueryGradient(theta, batch, yhat, qgrad);
            h.Add(yhat); h.Add(qgrad);
            engine.Predict(theta, batch, yhat);
            h.Add(yhat);
            var mc = ParallelMonteCarlo.Loss(family, theta, law, n, 1000, seed, threads: 2);
            h.Add(mc.Mean); h.Add(mc.StandardError);
        }
        var recipe = Recipes.AhnFigure1And2(3);
        recipe = recipe with { Schedule = recipe.Schedule with { Steps = 20, BatchSize = 300, RedrawEvery = 5, EvaluateEvery = 5, KeepCheckpoints = 3, ValidationSize = 300, TestBatches = 4, TestBatchSize = 50, Seed = seed } };
        var run = new LearningSetup(recipe, threads: 2).Train();
        h.Add(run.Theta);
        foreach (var c in run.History) { h.Add(c.TrainLoss); h.Add(c.ValidationLoss); h.Add(c.TestLoss); }
        return new Report(SimdWidth.Bits, Vector512.IsHardwareAccelerated, Vector256.IsHardwareAccelerated, Vector128.IsHardwareAccelerated,
            SimdWidth.FusedMultiplyAddInHardware, h.Value.ToString("X16"), h.Control.ToString("X16"));
    }

    public static string ToJson(Report r) => JsonSerializer.Serialize(r);

    public static Report? FromJson(string json) => JsonSerializer.Deserialize<Report>(json);

    /// <summary>FNV-1a over the bits of every double, in order; <see cref="Control"/> runs alongside with the first double's last bit flipped.</summary>
    private sealed class Hasher
    {
        public ulong Value { get; private set; } = 14695981039346656037UL;
        public ulong Control { get; private set; } = 14695981039346656037UL;
        public long Count { get; private set; }

        public void Add(double v)
        {
            ulong bits = BitConverter.DoubleToUInt64Bits(v);
            Value = Step(Value, bits);
            Control = Step(Control, Count == 0 ? bits ^ 1 : bits);
            Count++;
        }

        private static ulong Step(ulong h, ulong bits)
        {
            for (int k = 0; k < 8; k++) h = (h ^ ((bits >> (8 * k)) & 0xFF)) * 1099511628211UL;
            return h;
        }

        public void Add(IEnumerable<double> values)
        {
            foreach (var v in values) Add(v);
        }
    }
}
