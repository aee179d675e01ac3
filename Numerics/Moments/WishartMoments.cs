using System.Collections.Concurrent;
using LoopedIcl.Numerics.Algebra;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Moments;

/// <summary>
/// Moments of Gaussian sample covariances. m_k = E tr S̃^k for S̃ = (1/n)XᵀX, X ∈ R^{n×d} with N(0, 1) entries, computed exactly
/// by enumerating the (2k−1)!! Wick pairings of the 2k Gaussian factors of tr((XᵀX)^k): each pairing contributes
/// n^{#row classes}·d^{#column classes}. The enumeration runs once per k (k ≤ 8: 2 027 025 pairings) and yields a
/// polynomial in (n, d) evaluated exactly in rationals.
/// </summary>
public static class WishartMoments
{
    public const int MaxOrder = 8;
    private static readonly ConcurrentDictionary<int, long[,]> Polynomials = new();

    /// <summary>The coefficients c[r, c] of E tr((XᵀX)^k) = Σ c[r, c] n^r d^c (r, c ≤ k + 1), from the Wick enumeration.</summary>
    public static long[,] TracePolynomial(int k)
    {
        if (k < 0 || k > MaxOrder) throw new ArgumentException($"k must be in [0, {MaxOrder}] (got {k}).", nameof(k));
        return Polynomials.GetOrAdd(k, Enumerate);
    }

    private static long[,] Enumerate(int k)
    {
        var coeff = new long[k + 2, k + 2]; // exponents of n and d go up to k + 1 (e.g. E tr XᵀX = nd at k = 1; tr I = d at k = 0)
        if (k == 0) { coeff[0, 1] = 1; return coeff; } // tr I_d = d
        // Factor f = 2j is X[a_j, i_j], f = 2j+1 is X[a_j, i_{j+1 mod k}].
        int factors = 2 * k;
        var rowOf = new int[factors];
        var colOf = new int[factors];
        for (int j = 0; j < k; j++)
        {
            rowOf[2 * j] = j; colOf[2 * j] = j;
            rowOf[2 * j + 1] = j; colOf[2 * j + 1] = (j + 1) % k;
        }
        // Depth-first over the pairings (the first unpaired factor with each later unpaired one); each pair identifies the row indices and
        // the column indices of its two factors, so the classes are kept per depth as labels (a join relabels one class) and counted as
        // they merge: at a complete pairing the counts are the numbers of row and column classes.
        var paired = new bool[factors];
        var rows = new int[k + 1][];
        var cols = new int[k + 1][];
        for (int depth = 0; depth <= k; depth++) (rows[depth], cols[depth]) = (new int[k], new int[k]);
        for (int j = 0; j < k; j++) rows[0][j] = cols[0][j] = j;
        void Recurse(int depth, int rowClasses, int colClasses)
        {
            int first = Array.IndexOf(paired, false);
            if (first < 0) { coeff[rowClasses, colClasses]++; return; }
            paired[first] = true;
            for (int g = first + 1; g < factors; g++)
            {
                if (paired[g]) continue;
                paired[g] = true;
                var (r, c) = (rows[depth + 1], cols[depth + 1]);
                Array.Copy(rows[depth], r, k);
                Array.Copy(cols[depth], c, k);
                Recurse(depth + 1, rowClasses - Join(r, rowOf[first], rowOf[g]), colClasses - Join(c, colOf[first], colOf[g]));
                paired[g] = false;
            }
            paired[first] = false;
        }
        Recurse(0, k, k);
        return coeff;
    }

    /// <summary>Merges the classes of indices a and b (labels: each index's class); 1 if they were distinct, else 0.</summary>
    private static int Join(int[] classOf, int a, int b)
    {
        int ca = classOf[a], cb = classOf[b];
        if (ca == cb) return 0;
        for (int i = 0; i < classOf.Length; i++) if (classOf[i] == cb) classOf[i] = ca;
        return 1;
    }

    /// <summary>E tr((XᵀX)^k) exactly, for integers n, d ≥ 1.</summary>
    public static Rational ExpectedTraceOfWishartPower(int k, int n, int d)
    {
        Guard.Positive(n, nameof(n));
        Guard.Positive(d, nameof(d));
        var c = TracePolynomial(k);
        var sum = Rational.Zero;
        for (int r = 0; r < c.GetLength(0); r++)
            for (int col = 0; col < c.GetLength(1); col++)
                if (c[r, col] != 0) sum += Rational.FromInt(c[r, col]) * Power(n, r) * Power(d, col);
        return sum;
    }

    /// <summary>m_k = E tr S̃^k = E tr((XᵀX)^k)/n^k (whitened sample covariance), exactly.</summary>
    public static Rational WhitenedMoment(int k, int n, int d) => ExpectedTraceOfWishartPower(k, n, d) / Power(n, k);

    /// <summary>m_0 … m_K.</summary>
    public static Rational[] WhitenedMoments(int maxOrder, int n, int d) =>
        Enumerable.Range(0, maxOrder + 1).Select(k => WhitenedMoment(k, n, d)).ToArray();

    private static Rational Power(long b, int e)
    {
        var r = Rational.One;
        for (int i = 0; i < e; i++) r *= Rational.FromInt(b);
        return r;
    }

    /// <summary>
    /// E[S B S] for S = (1/n)Σ x_i x_iᵀ, x_i ~ N(0, Σ) i.i.d.: ΣBΣ + (1/n)(ΣBᵀΣ + tr(BΣ)Σ) (Isserlis). With
    /// <paramref name="dropTraceTerm"/> the (1/n)tr(BΣ)Σ term is omitted — a deliberately wrong formula for negative controls.
    /// </summary>
    public static Matrix<double> ExpectedSBS(Matrix<double> sigma, Matrix<double> b, int n, bool dropTraceTerm = false)
    {
        Guard.Positive(n, nameof(n));
        Guard.Shape(b.RowCount, b.ColumnCount, sigma.RowCount, sigma.RowCount, nameof(b));
        var r = sigma * b * sigma + (sigma * b.Transpose() * sigma) / n;
        return dropTraceTerm ? r : r + sigma * ((b * sigma).Trace() / n);
    }
}
