using LoopedIcl.Numerics.Prompts;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Training;

/// <summary>The trainable parameterisations of the learnability claims (the engine's families).</summary>
public enum ModelFamily
{
    /// <summary>All 2(d+1)² entries of every (P_l, Q_l).</summary>
    Full,
    /// <summary>Ahn et al. (8): Q_l = −[[A_l,0],[0,0]], P = [[0,0],[0,1]]; θ = (A_1 … A_L) row-major.</summary>
    Sparse,
    /// <summary>Ahn et al. (11): P_l = [[B_l,0],[0,1]], Q_l = [[A_l,0],[0,0]]; θ = per layer (A_l, B_l) row-major.</summary>
    GdPlusPlus,
    /// <summary>Gatmiry et al.: Q = [[A,0],[0,0]], P = [[0,0],[uᵀ,1]], − residual; θ = (A row-major or its upper triangle, u) per distinct layer.</summary>
    Gatmiry,
}

/// <summary>A model: family, d, L (layers or loops), tied (looped) or not, A symmetric or not, u trainable or not.</summary>
public sealed record ModelSpec(ModelFamily Family, int D, int Layers, bool Tied = false, bool SymmetricA = false, bool WithU = true)
{
    private int Distinct => Tied ? 1 : Layers;
    private int ABlock => SymmetricA ? D * (D + 1) / 2 : D * D;

    /// <summary>The per-matrix blocks of θ (CSR offsets, for per-block clipping): one block per P, Q, A, B or u of each distinct layer.</summary>
    public int[] BlockOffsets()
    {
        int w = D + 1;
        int[] perLayer = Family switch
        {
            ModelFamily.Full => [w * w, w * w],
            ModelFamily.Sparse => [ABlock],
            ModelFamily.GdPlusPlus => [D * D, D * D],
            ModelFamily.Gatmiry => WithU ? [ABlock, D] : [ABlock],
            _ => throw new ArgumentOutOfRangeException(nameof(Family), Family, "Unknown family."),
        };
        var offsets = new List<int> { 0 };
        for (int l = 0; l < Distinct; l++)
            foreach (var size in perLayer) offsets.Add(offsets[^1] + size);
        return offsets.ToArray();
    }

    /// <summary>The length of θ.</summary>
    public int Dimension => BlockOffsets()[^1];
}

/// <summary>
/// The prompt law: n context examples, x ~ N(0, Σ) with Σ = U diag(eigenvalues) Uᵀ (U Haar from <see cref="RotationSeed"/>;
/// no rotation when it is null), w* from <see cref="Task"/>.
/// </summary>
public sealed record DataSpec(int N, double[] Eigenvalues, int? RotationSeed, TaskLaw Task)
{
    public int D => Eigenvalues.Length;

    public Matrix<double> Sigma() => RotationSeed is int seed
        ? Covariance.FromSpectrum(Eigenvalues, Rng.Create(seed))
        : Matrix<double>.Build.DenseOfDiagonalArray(Eigenvalues);

    public static DataSpec Isotropic(int d, int n, TaskLaw task = TaskLaw.InverseCovariance) => new(n, Enumerable.Repeat(1.0, d).ToArray(), null, task);
}

/// <summary>A first phase before the recipe's optimiser: <see cref="Steps"/> steps of <see cref="Optimizer"/> on the recipe's batches.</summary>
public sealed record WarmStart(OptimizerSettings Optimizer, int Steps);

/// <summary>
/// A training recipe as data: what is trained, on which prompts, with which optimiser, for how long; <see cref="Source"/> says
/// where it comes from; <see cref="Warm"/> an optional first phase with another optimiser.
/// </summary>
public sealed record Recipe(string Name, string Source, ModelSpec Model, DataSpec Data, OptimizerSettings Optimizer, TrainingSchedule Schedule, WarmStart? Warm = null)
{
    public Recipe WithSeed(ulong seed, int? rotationSeed = null) => this with
    {
        Schedule = Schedule with { Seed = seed },
        Data = rotationSeed is null ? Data : Data with { RotationSeed = rotationSeed },
    };
}

/// <summary>
/// The authors' training recipes (papers/ahn2023-notes.md §4, from chengxiang/LinearTransformer at b6ddc35) and the suggested
/// looped protocol (gatmiry2024-notes.md §4, not the paper's settings). Differences from the code: U is Haar (the code takes
/// the left singular vectors of a Uniform(−1, 1) matrix), and the test batch is our seeded stream, not torch seed 99.
/// </summary>
public static class Recipes
{
    /// <summary>D² of the authors' rotation demos: D = diag(1, 1, 1/2, 1/4, 1).</summary>
    public static readonly double[] AhnSpectrum = [1, 1, 0.25, 0.0625, 1];

    /// <summary>
    /// Figures 1–2, notebook "rotation demonstration-Adam-p0": family (8), L = 3, d = 5, n = 20, Σ = UD²Uᵀ, w* ~ N(0, Σ⁻¹);
    /// Adam lr 0.02, β = (0.99, 0.9), lr halved every 2000, per-matrix clip 0.01, B = 20000 redrawn every 100, 30000 steps, init std 1e-4.
    /// </summary>
    public static Recipe AhnFigure1And2(int seed) => new(
        "rotation demonstration-Adam-p0", "Ahn et al. 2023, Figs. 1–2 (authors' notebook)",
        new ModelSpec(ModelFamily.Sparse, 5, 3),
        new DataSpec(20, AhnSpectrum, seed, TaskLaw.InverseCovariance),
        OptimizerSettings.Adam(0.02, 0.99, 0.9, clip: ClipMode.PerBlock, clipNorm: 0.01, halveEvery: 2000),
        new TrainingSchedule(30000, 20000, RedrawEvery: 100, EvaluateEvery: 100, KeepCheckpoints: 1, ValidationSize: 20000, TestBatches: 200, TestBatchSize: 100, Seed: (ulong)seed));

    /// <summary>
    /// Figures 3–5, notebook "rotation demonstration-Adam": family (11), L = 3, n = 20 (the paper prints 10); Adam lr 0.1,
    /// β = (0.99, 0.9), per-matrix clip 0.01, B = 20000 redrawn every 100, lr halved every 4000, 100000 steps.
    /// </summary>
    public static Recipe AhnFigure3To5(int seed, int n = 20) => new(
        "rotation demonstration-Adam", "Ahn et al. 2023, Figs. 3–5 (authors' notebook)",
        new ModelSpec(ModelFamily.GdPlusPlus, 5, 3),
        new DataSpec(n, AhnSpectrum, seed, TaskLaw.InverseCovariance),
        OptimizerSettings.Adam(0.1, 0.99, 0.9, clip: ClipMode.PerBlock, clipNorm: 0.01, halveEvery: 4000),
        new TrainingSchedule(100000, 20000, RedrawEvery: 100, EvaluateEvery: 500, KeepCheckpoints: 1, ValidationSize: 20000, TestBatches: 200, TestBatchSize: 100, Seed: (ulong)seed));

    /// <summary>Figure 6, "variable_N_exp": family (11), L = 3; B = 40000 fresh every step, lr 0.001 (n &lt; 5) else 0.01, β = (0.99, 0.99), clip 0.001, 8000 steps halved every 2000, best of last 10.</summary>
    public static Recipe AhnFigure6(int seed, int n) => new(
        "variable_N_exp", "Ahn et al. 2023, Fig. 6 (authors' notebook)",
        new ModelSpec(ModelFamily.GdPlusPlus, 5, 3),
        new DataSpec(n, AhnSpectrum, seed, TaskLaw.InverseCovariance),
        OptimizerSettings.Adam(n < 5 ? 0.001 : 0.01, 0.99, 0.99, clip: ClipMode.PerBlock, clipNorm: 0.001, halveEvery: 2000),
        new TrainingSchedule(8000, 40000, RedrawEvery: 1, EvaluateEvery: 100, KeepCheckpoints: 10, ValidationSize: 20000, TestBatches: 200, TestBatchSize: 100, Seed: (ulong)seed));

    /// <summary>Figure 7, "variable_L_exp": family (11), n = 20; lr 0.01, β = (0.99, 0.9), clip 0.01, B = 20000 redrawn every 100, halved every 4000, 20000 steps, best of last 20.</summary>
    public static Recipe AhnFigure7(int seed, int layers) => new(
        "variable_L_exp", "Ahn et al. 2023, Fig. 7 (authors' notebook)",
        new ModelSpec(ModelFamily.GdPlusPlus, 5, layers),
        new DataSpec(20, AhnSpectrum, seed, TaskLaw.InverseCovariance),
        OptimizerSettings.Adam(0.01, 0.99, 0.9, clip: ClipMode.PerBlock, clipNorm: 0.01, halveEvery: 4000),
        new TrainingSchedule(20000, 20000, RedrawEvery: 100, EvaluateEvery: 100, KeepCheckpoints: 20, ValidationSize: 20000, TestBatches: 200, TestBatchSize: 100, Seed: (ulong)seed));

    /// <summary>
    /// The looped protocol of gatmiry2024-notes §4 (suggested, not the paper's): Σ = I, d = 10, w* ~ N(0, I) = N(0, Σ⁻¹);
    /// Adam lr 1e-3, batch 4000 fresh every step, init std 1e-4.
    /// </summary>
    public static Recipe GatmiryLooped(int seed, int n, int loops, bool symmetricA, int d = 10, int steps = 20000, bool tied = true) => new(
        "looped protocol", "gatmiry2024-notes §4 (suggested protocol; the paper's settings are unknown)",
        new ModelSpec(ModelFamily.Gatmiry, d, loops, Tied: tied, SymmetricA: symmetricA),
        DataSpec.Isotropic(d, n),
        OptimizerSettings.Adam(1e-3),
        new TrainingSchedule(steps, 4000, EvaluateEvery: Math.Max(1, steps / 100), KeepCheckpoints: 10, ValidationSize: 4000, TestBatches: 100, TestBatchSize: 100, Seed: (ulong)seed));

    /// <summary>LEARN-AHN-F2 reduced: family (8), d = 3, n = 10, L = 2, Σ = U diag(1, 0.7, 0.5) Uᵀ; Adam lr 0.05 (β = 0.9, 0.999) halved every 75, batch 1000 fresh, 300 steps.</summary>
    public static Recipe AhnF2Reduced(int sigmaSeed, ulong seed) => new(
        "AHN-F2 reduced", "suite (reduced; the authors' β = (0.99, 0.9) and clip 0.01 converge too slowly for seconds)",
        new ModelSpec(ModelFamily.Sparse, 3, 2),
        new DataSpec(10, [1, 0.7, 0.5], sigmaSeed, TaskLaw.InverseCovariance),
        OptimizerSettings.Adam(0.05, halveEvery: 75),
        new TrainingSchedule(300, 1000, EvaluateEvery: 25, KeepCheckpoints: 4, ValidationSize: 2000, TestBatches: 10, TestBatchSize: 100, Seed: seed));

    /// <summary>LEARN-GAT-F1 reduced: looped (A, u), Σ = I, d = 3, L = 2 by default; Adam lr 0.05 halved every 75, batch 500 fresh, 300 steps.</summary>
    public static Recipe GatmiryReduced(int n, ulong seed, int d = 3, int loops = 2, bool symmetricA = true, bool tied = true) => new(
        "GAT-F1 reduced", "suite (reduced version of gatmiry2024-notes §4's protocol)",
        new ModelSpec(ModelFamily.Gatmiry, d, loops, Tied: tied, SymmetricA: symmetricA),
        DataSpec.Isotropic(d, n),
        OptimizerSettings.Adam(0.05, halveEvery: 75),
        new TrainingSchedule(300, 500, EvaluateEvery: 25, KeepCheckpoints: 4, ValidationSize: 2000, TestBatches: 10, TestBatchSize: 100, Seed: seed));
}
