using LoopedIcl.Numerics.Engine;
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

/// <summary>A model: family, d, L (layers or loops), tied (looped) or not, A symmetric or not, u trainable or not, and its attention (the θ layout does not depend on it).</summary>
public sealed record ModelSpec(ModelFamily Family, int D, int Layers, bool Tied = false, bool SymmetricA = false, bool WithU = true, AttentionKind Attention = AttentionKind.Linear)
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
/// The quadratic part of the labels, y = ⟨w*, x⟩ + γ·q(x) (<see cref="QuadraticLabels"/>): one symmetric M for every prompt, or M drawn per
/// prompt when it is null. Bound to a Σ at use, so a recipe re-bound to another law (covariance shift) centres q for that law.
/// </summary>
public sealed record QuadraticPart(double Gamma, Matrix<double>? M = null)
{
    public QuadraticLabels Bind(Matrix<double> sigma) => M is null ? QuadraticLabels.PerPrompt(Gamma, sigma.RowCount, sigma) : QuadraticLabels.Fixed(Gamma, M, sigma);
}

/// <summary>
/// The prompt law: n context examples, x ~ N(0, Σ) with Σ = U diag(eigenvalues) Uᵀ (U Haar from <see cref="RotationSeed"/>;
/// no rotation when it is null), w* from <see cref="Task"/>, labels with a <see cref="Quadratic"/> part when given.
/// </summary>
public sealed record DataSpec(int N, double[] Eigenvalues, int? RotationSeed, TaskLaw Task, QuadraticPart? Quadratic = null)
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
