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
        var partner = new int[factors];
        Array.Fill(partner, -1);
        void Recurse()
        {
            int first = Array.IndexOf(partner, -1);
            if (first < 0)
            {
                var (r, c) = (Classes(partner, rowOf, k), Classes(partner, colOf, k));
                coeff[r, c]++;
                return;
            }
            for (int g = first + 1; g < factors; g++)
            {
                if (partner[g] != -1) continue;
                partner[first] = g; partner[g] = first;
                Recurse();
                partner[first] = -1; partner[g] = -1;
            }
        }
        Recurse();
        return coeff;
    }

    /// <summary>Number of index classes after each pair identifies the indices of its two factors (union–find on k variables).</summary>
    private static int Classes(int[] partner, int[] indexOf, int k)
    {
        Span<int> parent = stackalloc int[k];
        for (int i = 0; i < k; i++) parent[i] = i;
        int Find(Span<int> p, int x) { while (p[x] != x) x = p[x] = p[p[x]]; return x; }
        int classes = k;
        for (int f = 0; f < partner.Length; f++)
        {
            int g = partner[f];
            if (g < f) continue;
            int a = Find(parent, indexOf[f]), b = Find(parent, indexOf[g]);
            if (a != b) { parent[a] = b; classes--; }
        }
        return classes;
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
