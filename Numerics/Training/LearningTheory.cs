using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Moments;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Training;

/// <summary>The theory's exact values the learnability claims compare trained models with (one producer, reused from the theorems' code).</summary>
public static class LearningTheory
{
    /// <summary>AHN-T1: Γ⁻¹ = (((n+1)/n)Σ + (tr Σ/n)I)⁻¹ and f* (one layer, w* ~ N(0, I)).</summary>
    public static (Matrix<double> GammaInverse, double Loss) AhnSingleLayer(Matrix<double> sigma, int n) =>
        (AhnLosses.Gamma(sigma, n).Inverse(), AhnLosses.OptimalSingleLayerLoss(sigma, n));

    /// <summary>
    /// AHN-T3 (and the untied Gatmiry model, which is the same algebra): the best per-layer steps a_l (A_l = a_lΣ⁻¹, ascending)
    /// and g*, from the kernel polynomial of the exact Wishart moments (w* ~ N(0, Σ⁻¹); Σ-free).
    /// </summary>
    public static (double[] Steps, double Loss) SparseOptimum(int n, int d, int layers)
    {
        var opt = KernelPolynomial.Solve(WishartMoments.WhitenedMoments(2 * layers, n, d), layers);
        return (opt.StepSizes, opt.OptimalLoss.ToDouble());
    }

    /// <summary>GAT-T1: the looped model's scalar optimum b* and ℓ_L(b*) (exact for L ≤ 4).</summary>
    public static (double B, double Loss) LoopedOptimum(int n, int d, int loops) => LoopedScalar.ExactOptimum(n, d, loops);

    /// <summary>ℓ_L(b) = E tr(I − bŴ)^{2L} exactly from moments (L ≤ 4): the looped model on the scalar line at any loop count.</summary>
    public static double LoopedLoss(int n, int d, double b, int loops) =>
        KernelPolynomial.LoopedLoss(WishartMoments.WhitenedMoments(2 * loops, n, d), b, loops);
}

/// <summary>The matrices of a trained θ, read with the layouts of <see cref="ModelFamily"/> (the engine's parameterisations).</summary>
public sealed class LearnedModel
{
    public ModelSpec Model { get; }
    public double[] Theta { get; }

    public LearnedModel(ModelSpec model, double[] theta)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(theta);
        Guard.Length(theta.Length, model.Dimension, nameof(theta));
        Model = model;
        Theta = theta;
    }

    private int Distinct(int layer) => Model.Tied ? 0 : layer;
    private int[] Offsets => Model.BlockOffsets();

    /// <summary>A_l: family (8)'s preconditioner (Q_l = −[[A_l,0],[0,0]]), family (11)'s Q-block, or Gatmiry's A.</summary>
    public Matrix<double> A(int layer)
    {
        int d = Model.D;
        return Model.Family switch
        {
            ModelFamily.Sparse => Read(Offsets[Distinct(layer)]),
            ModelFamily.GdPlusPlus => LearnedMetrics.Block(Theta, Offsets[2 * Distinct(layer)], d),
            ModelFamily.Gatmiry => Read(Offsets[(Model.WithU ? 2 : 1) * Distinct(layer)]),
            _ => throw new InvalidOperationException($"A_l is not defined for the {Model.Family} family."),
        };
    }

    /// <summary>B_l of family (11).</summary>
    public Matrix<double> B(int layer)
    {
        if (Model.Family != ModelFamily.GdPlusPlus) throw new InvalidOperationException($"B_l is defined for GD++ only (got {Model.Family}).");
        return LearnedMetrics.Block(Theta, Offsets[2 * Distinct(layer) + 1], Model.D);
    }

    /// <summary>Gatmiry's u (last row of P, first d entries).</summary>
    public Vector<double> U(int layer)
    {
        if (Model.Family != ModelFamily.Gatmiry || !Model.WithU) throw new InvalidOperationException("u is defined for the Gatmiry family with u only.");
        int start = Offsets[2 * Distinct(layer) + 1];
        return Vector<double>.Build.Dense(Theta[start..(start + Model.D)]);
    }

    /// <summary>Full family: (P_l, Q_l) row-major.</summary>
    public (Matrix<double> P, Matrix<double> Q) PQ(int layer)
    {
        if (Model.Family != ModelFamily.Full) throw new InvalidOperationException($"(P, Q) blocks are read for the full family only (got {Model.Family}).");
        int w = Model.D + 1, start = Offsets[2 * Distinct(layer)];
        return (LearnedMetrics.Block(Theta, start, w), LearnedMetrics.Block(Theta, start + w * w, w));
    }

    /// <summary>A d×d block from θ: row-major, or the upper triangle row by row when A is symmetric.</summary>
    private Matrix<double> Read(int start)
    {
        int d = Model.D;
        if (!Model.SymmetricA) return LearnedMetrics.Block(Theta, start, d);
        var m = Matrix<double>.Build.Dense(d, d);
        int k = start;
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++, k++) m[i, j] = m[j, i] = Theta[k];
        return m;
    }
}
