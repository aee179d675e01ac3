using LoopedIcl.Numerics.Moments;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Losses;

/// <summary>
/// The population loss of Gatmiry's looped model at any (A, u), exactly (L ≤ 4): in the whitened basis (B = Σ^{1/2}AᵀΣ^{1/2},
/// v = Σ^{1/2}u, Ŵ the whitened sample covariance) L(A, u) = E tr(CᵀC) + E‖(I − C)v‖², C = (I − BŴ)^L (the conditional loss of
/// <see cref="LoopedLoss"/> averaged over X). I and BŴ commute, so C = Σ_k c_k (BŴ)^k with c_k = (−1)^k C(L, k), and both terms are
/// sums of Wishart word moments E tr(⋯) (<see cref="WishartWordMoments"/>), exact up to double rounding, which is bounded.
/// At a non-symmetric A this replaces a Monte Carlo mean, whose per-prompt loss is a degree-2L polynomial of Ŵ and heavy-tailed.
/// </summary>
public static class LoopedPopulationLoss
{
    /// <summary>2L Ŵ's per word: L = 4 is <see cref="WishartWordMoments.MaxOrder"/>.</summary>
    public const int MaxLoops = WishartWordMoments.MaxOrder / 2;

    /// <summary>L(A, u) for Σ = I (B = Aᵀ, v = u); u = null means u = 0.</summary>
    public static WishartWordMoments.Moment Isotropic(Matrix<double> a, Vector<double>? u, int n, int loops)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Whitened(a.Transpose(), u, n, loops);
    }

    /// <summary>L in the whitened parameters (B, v); v = null means v = 0.</summary>
    public static WishartWordMoments.Moment Whitened(Matrix<double> b, Vector<double>? v, int n, int loops)
    {
        ArgumentNullException.ThrowIfNull(b);
        Guard.Square(b.RowCount, b.ColumnCount, nameof(b));
        Guard.AllFinite(b, nameof(b));
        Guard.Positive(n, nameof(n));
        if (loops < 1 || loops > MaxLoops) throw new ArgumentException($"loops must be in 1 … {MaxLoops} (2L Ŵ's per word; got {loops}).", nameof(loops));
        int d = b.RowCount;
        if (v is not null)
        {
            Guard.Length(v.Count, d, nameof(v));
            for (int i = 0; i < d; i++) Guard.Finite(v[i], nameof(v));
        }
        var bt = b.Transpose();
        var c = Enumerable.Range(0, loops + 1).Select(k => (k % 2 == 0 ? 1.0 : -1.0) * Binomial(loops, k)).ToArray();
        double total = 0, bound = 0, running = 0;
        void Add(double weight, List<Matrix<double>?> word)
        {
            var w = WishartWordMoments.WhitenedWord(word, n, d);
            total += weight * w.Value;
            bound += Math.Abs(weight) * w.RoundingBound;
            running += Math.Abs(total) + Math.Abs(weight * w.Value);
        }
        // tr(CᵀC) = Σ_{j,k} c_j c_k tr((ŴBᵀ)^j (BŴ)^k); the (j, k) and (k, j) words are transposes of each other, so equal in trace.
        for (int j = 0; j <= loops; j++)
            for (int k = j; k <= loops; k++)
            {
                var word = new List<Matrix<double>?>();
                for (int i = 0; i < j; i++) { word.Add(null); word.Add(bt); }
                for (int i = 0; i < k; i++) { word.Add(b); word.Add(null); }
                Add((j == k ? 1 : 2) * c[j] * c[k], word);
            }
        if (v is not null) AddShiftTerm();
        // Each weighted addition rounds twice: the product weight·value and the partial sum (ε each, Higham's running error).
        return new WishartWordMoments.Moment(total, (bound + WishartWordMoments.Gamma(1) * running) * 1.01);

        void AddShiftTerm()
        {
        // ‖(I − C)v‖² = tr((I − C) vvᵀ (I − C)ᵀ), I − C = −Σ_{k≥1} c_k (BŴ)^k.
            var vv = v.OuterProduct(v);
            for (int j = 1; j <= loops; j++)
                for (int k = j; k <= loops; k++)
                {
                    var word = new List<Matrix<double>?>();
                    for (int i = 0; i < j; i++) { word.Add(b); word.Add(null); }
                    word.Add(vv);
                    for (int i = 0; i < k; i++) { word.Add(null); word.Add(bt); }
                    Add((j == k ? 1 : 2) * c[j] * c[k], word);
                }
        }
    }

    private static double Binomial(int n, int k)
    {
        double r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }
}
