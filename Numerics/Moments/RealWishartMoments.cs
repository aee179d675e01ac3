using System.Collections.Concurrent;
using System.Numerics;
using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Moments;

/// <summary>
/// Exact moments E tr W^k of the real (β = 1) Wishart matrix W = XᵀX, X ∈ R^{n×d} with N(0, 1) entries, as integers, for k ≤ 100.
/// <para>
/// Stein recursion (proved; derived here): with p_k = tr W^k, p_0 = d, and Gaussian integration by parts E[X_ai F] = E[∂F/∂X_ai]
/// (Stein's lemma) applied to p_k = Σ_ai X_ai (XW^{k−1})_ai, for any product Π of power sums
/// E[p_k Π] = (n + k − 1) E[p_{k−1} Π] + Σ_{j=0}^{k−2} E[p_{j+1} p_{k−2−j} Π] + Σ_{m∈Π} 2m E[p_{k+m−1} Π∖{m}]
/// (the derivative of X gives n·p_{k−1}; of W^{k−1}, (k−1)p_{k−1} + Σ p_{j+1}p_{k−2−j}; of p_m ∈ Π, 2m(XW^{m−1})_ai). These are the loop
/// equations of the Laguerre β = 1 ensemble (cf. Forrester, Rahman &amp; Witte 2017). Every step lowers the total degree by one, so memoised on
/// partitions it terminates; applied to the smallest factor it visits ~10⁵ partitions up to k = 100. Exact in integers: E tr W^k, k ≤ 100,
/// is proved (no truncation, no rounding).
/// </para>
/// <para>
/// Independent cross-check (<see cref="Extend"/>): the β = 1 Laguerre density satisfies a linear differential equation of order 5 with
/// polynomial coefficients (Rahman &amp; Forrester, "Linear differential equations for the resolvents of the classical matrix ensembles",
/// arXiv:1908.04963, via the β ↔ 4/β duality), so for fixed (n, d) the single-trace moments satisfy a linear recurrence
/// Σ_{j≤r} P_j(k) t_{k+j} = 0 with polynomial P_j. The smallest such recurrence recovered from k ≤ 42 (one-dimensional null space, ≥ 8
/// redundant equations) reproduces the Stein values to k = 100 in the tests; so does an exact integral for d = 2.
/// </para>
/// </summary>
public static class RealWishartMoments
{
    public const int MaxOrder = 100;
    /// <summary>The recurrence cross-check is recovered from the values k ≤ FitOrder.</summary>
    public const int FitOrder = 42;
    /// <summary>Equations beyond the rank that the recovered recurrence must also satisfy.</summary>
    public const int Redundancy = 8;

    private const int SmallOrder = 30;

    private static readonly ConcurrentDictionary<(int N, int D), Lazy<BigInteger[]>> Cache = new();

    /// <summary>E tr W^k for k = 0 … maxOrder (exact integers), cached per (n, d).</summary>
    public static BigInteger[] TraceMoments(int n, int d, int maxOrder)
    {
        Validate(n, d, maxOrder);
        if (maxOrder <= SmallOrder && !Cache.ContainsKey((n, d))) return Stein(n, d, maxOrder); // cheap: no need to cache
        var all = Cache.GetOrAdd((n, d), key => new Lazy<BigInteger[]>(() => Stein(key.N, key.D, MaxOrder))).Value;
        return all[..(maxOrder + 1)];
    }

    /// <summary>m_k = E tr Ŵ^k = E tr W^k / n^k for the whitened Ŵ = W/n, k = 0 … maxOrder, exactly.</summary>
    public static Rational[] WhitenedMoments(int maxOrder, int n, int d)
    {
        var t = TraceMoments(n, d, maxOrder);
        var r = new Rational[t.Length];
        for (int k = 0; k < t.Length; k++) r[k] = Rational.Of(t[k], BigInteger.Pow(n, k));
        return r;
    }

    /// <summary>E Σ_j p(λ_j(Ŵ)) = Σ_k c_k m_k for a polynomial p(μ) = Σ_k c_k μ^k with rational coefficients, exactly.</summary>
    public static Rational ExpectedTraceOfPolynomial(IReadOnlyList<Rational> coefficients, int n, int d)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        var m = WhitenedMoments(coefficients.Count - 1, n, d);
        var sum = Rational.Zero;
        for (int k = 0; k < coefficients.Count; k++) if (!coefficients[k].IsZero) sum += coefficients[k] * m[k];
        return sum;
    }

    /// <summary>E tr W^k, k = 0 … maxOrder, from the Stein recursion alone (exact; the cost grows like the number of partitions).</summary>
    public static BigInteger[] Stein(int n, int d, int maxOrder)
    {
        Validate(n, d, maxOrder);
        if (Math.Min(n, d) == 1) return ChiSquare(Math.Max(n, d), d, maxOrder);
        var stein = new SteinRecursion(n, d);
        var t = new BigInteger[maxOrder + 1];
        t[0] = d;
        for (int k = 1; k <= maxOrder; k++) t[k] = stein.Mixed([k]);
        return t;
    }

    /// <summary>min(n, d) = 1: the one non-zero eigenvalue is χ²_m, m = max(n, d), with E (χ²_m)^k = m(m+2)…(m+2k−2) (and tr W⁰ = d).</summary>
    private static BigInteger[] ChiSquare(int m, int d, int maxOrder)
    {
        var t = new BigInteger[maxOrder + 1];
        BigInteger moment = 1;
        for (int k = 1; k <= maxOrder; k++) t[k] = moment *= m + 2 * (k - 1);
        t[0] = d;
        return t;
    }

    /// <summary>E[Π_i tr W^{k_i}] (k_i ≥ 1) from the Stein recursion, exactly.</summary>
    public static BigInteger MixedMoment(int n, int d, params int[] powers)
    {
        Validate(n, d, 0);
        if (powers.Any(p => p < 1)) throw new ArgumentException("powers must be ≥ 1 (tr W⁰ = d is a constant).", nameof(powers));
        return new SteinRecursion(n, d).Mixed(powers);
    }

    /// <summary>A recovered recurrence Σ_{j≤Order} P_j(k) t_{k+j} = 0, P_j(k) = Σ_e Coefficients[j, e] k^e, and the moments it produced.</summary>
    public sealed record Recurrence(int Order, int Degree, BigInteger[,] Coefficients, int RedundantEquations, BigInteger[] Moments);

    /// <summary>
    /// Recovers the smallest recurrence satisfied by the exact values <paramref name="known"/> (null space of dimension exactly one, ≥ Redundancy
    /// extra equations) and extends the sequence to <paramref name="maxOrder"/>; throws if no such recurrence exists or a value is not an integer.
    /// </summary>
    public static Recurrence Extend(IReadOnlyList<BigInteger> known, int maxOrder)
    {
        ArgumentNullException.ThrowIfNull(known);
        int count = known.Count;
        var candidates = (from r in Enumerable.Range(1, 8) from deg in Enumerable.Range(0, 9) select (R: r, D: deg))
            .OrderBy(c => (c.R + 1) * (c.D + 1)).ThenBy(c => c.R);
        foreach (var (r, deg) in candidates)
        {
            int unknowns = (r + 1) * (deg + 1), equations = count - r;
            if (equations < unknowns - 1 + Redundancy) continue;
            var rows = new BigInteger[equations][];
            for (int k = 0; k < equations; k++)
            {
                rows[k] = new BigInteger[unknowns];
                for (int j = 0; j <= r; j++)
                {
                    BigInteger power = 1;
                    for (int e = 0; e <= deg; e++) { rows[k][j * (deg + 1) + e] = power * known[k + j]; power *= k; }
                }
            }
            if (RankModPrime(rows, unknowns) == unknowns) continue; // full rank mod p ⇒ full rank over Q
            var kernel = IntegerKernel(rows, unknowns);
            if (kernel is null) continue; // rank deficient only mod p
            var c = new BigInteger[r + 1, deg + 1];
            for (int j = 0; j <= r; j++)
                for (int e = 0; e <= deg; e++) c[j, e] = kernel[j * (deg + 1) + e];
            // Where the leading coefficient P_r(k) vanishes inside the fitted range, the equation leaves t_{k+r} free, so a recurrence with such a
            // root "fits" any value there (a sequence with one wrong moment was accepted this way): such a recurrence does not determine the data.
            if (Enumerable.Range(0, equations).Any(k => CoefficientAt(c, r, k).IsZero)) continue;
            var t = new BigInteger[Math.Max(maxOrder + 1, count)];
            for (int k = 0; k < count; k++) t[k] = known[k];
            for (int k = count - r; k + r <= maxOrder; k++)
            {
                BigInteger P(int j) => CoefficientAt(c, j, k);
                var lead = P(r);
                if (lead.IsZero) throw new InvalidOperationException($"The recovered recurrence (order {r}, degree {deg}) has a zero leading coefficient at k = {k}.");
                BigInteger sum = 0;
                for (int j = 0; j < r; j++) sum += P(j) * t[k + j];
                var q = BigInteger.DivRem(-sum, lead, out var rem);
                if (!rem.IsZero) throw new InvalidOperationException($"The recovered recurrence (order {r}, degree {deg}) gives a non-integer E tr W^{k + r}: it is not the moments' recurrence.");
                t[k + r] = q;
            }
            return new Recurrence(r, deg, c, equations - (unknowns - 1), t[..(maxOrder + 1)]);
        }
        throw new InvalidOperationException($"No recurrence with a one-dimensional null space and {Redundancy} redundant equations fits {count} values.");
    }

    /// <summary>P_j(k) = Σ_e c[j, e]·k^e: the j-th coefficient of a recovered recurrence at index k.</summary>
    private static BigInteger CoefficientAt(BigInteger[,] c, int j, int k)
    {
        BigInteger s = 0, pw = 1;
        for (int e = 0; e < c.GetLength(1); e++) { s += c[j, e] * pw; pw *= k; }
        return s;
    }

    private static void Validate(int n, int d, int maxOrder)
    {
        Guard.Positive(n, nameof(n));
        Guard.Positive(d, nameof(d));
        if (maxOrder < 0 || maxOrder > MaxOrder) throw new ArgumentException($"maxOrder must be in [0, {MaxOrder}] (got {maxOrder}).", nameof(maxOrder));
    }

    private const long Prime = 2305843009213693951; // 2^61 − 1

    /// <summary>The rank of the integer matrix modulo 2⁶¹ − 1 (≤ its rank over Q): a cheap filter before <see cref="IntegerKernel"/>.</summary>
    internal static int RankModPrime(BigInteger[][] rows, int cols)
    {
        var m = rows.Select(r => r.Select(x => (long)(((x % Prime) + Prime) % Prime)).ToArray()).ToArray();
        int rank = 0;
        for (int c = 0; c < cols && rank < m.Length; c++)
        {
            int p = Array.FindIndex(m, rank, row => row[c] != 0);
            if (p < 0) continue;
            (m[rank], m[p]) = (m[p], m[rank]);
            long inv = (long)BigInteger.ModPow(m[rank][c], Prime - 2, Prime);
            for (int j = 0; j < cols; j++) m[rank][j] = MulMod(m[rank][j], inv);
            for (int i = 0; i < m.Length; i++)
            {
                if (i == rank || m[i][c] == 0) continue;
                long f = m[i][c];
                for (int j = 0; j < cols; j++) m[i][j] = (m[i][j] - MulMod(f, m[rank][j]) + Prime) % Prime;
            }
            rank++;
        }
        return rank;
    }

    private static long MulMod(long a, long b) => (long)((UInt128)(ulong)a * (ulong)b % (ulong)Prime);

    /// <summary>The integer generator of the null space if it is one-dimensional (fraction-free Gauss–Jordan), else null.</summary>
    internal static BigInteger[]? IntegerKernel(BigInteger[][] rows, int cols)
    {
        var m = rows.Select(r => (BigInteger[])r.Clone()).ToArray();
        var pivots = new List<int>();
        int rank = 0;
        for (int c = 0; c < cols && rank < m.Length; c++)
        {
            int p = Array.FindIndex(m, rank, row => !row[c].IsZero);
            if (p < 0) continue;
            (m[rank], m[p]) = (m[p], m[rank]);
            for (int i = 0; i < m.Length; i++)
            {
                if (i == rank || m[i][c].IsZero) continue;
                var (a, b) = (m[rank][c], m[i][c]);
                for (int j = 0; j < cols; j++) m[i][j] = m[i][j] * a - m[rank][j] * b;
                Reduce(m[i]);
            }
            pivots.Add(c);
            rank++;
        }
        if (cols - rank != 1) return null;
        int free = Enumerable.Range(0, cols).First(c => !pivots.Contains(c));
        // Row i: piv_i x_{c_i} + w_i x_free = 0. Take x_free = lcm of the pivots.
        BigInteger l = 1;
        for (int i = 0; i < rank; i++) l = l / BigInteger.GreatestCommonDivisor(l, m[i][pivots[i]]) * m[i][pivots[i]];
        var x = new BigInteger[cols];
        x[free] = BigInteger.Abs(l);
        for (int i = 0; i < rank; i++) x[pivots[i]] = -m[i][free] * x[free] / m[i][pivots[i]];
        Reduce(x);
        return x;
    }

    private static void Reduce(BigInteger[] row)
    {
        BigInteger g = 0;
        foreach (var v in row) { g = BigInteger.GreatestCommonDivisor(g, v); if (g.IsOne) return; }
        if (g > 1) for (int j = 0; j < row.Length; j++) row[j] /= g;
    }

    /// <summary>
    /// The memoised Stein recursion on partitions (parts ≥ 1; tr W⁰ = d enters as a factor). A partition is a string of its parts as chars in
    /// descending order: it is its own dictionary key, and each neighbour state costs one allocation.
    /// </summary>
    private sealed class SteinRecursion(int n, int d)
    {
        private readonly Dictionary<string, BigInteger> _memo = new(StringComparer.Ordinal);

        public BigInteger Mixed(IEnumerable<int> parts) => Expect(new string(parts.OrderByDescending(p => p).Select(p => (char)p).ToArray()));

        private BigInteger Expect(string parts)
        {
            if (parts.Length == 0) return BigInteger.One;
            if (_memo.TryGetValue(parts, out var cached)) return cached;
            // Integrate by parts on the smallest factor: far fewer states than on the largest (to k = 100: ~10⁵ vs ~10⁹).
            int k = parts[^1];
            var rest = parts[..^1];
            BigInteger total = (n + k - 1) * (k == 1 ? d * Expect(rest) : Expect(Insert(rest, k - 1)));
            for (int j = 0; j <= k - 2; j++)
            {
                int a = j + 1, b = k - 2 - j;
                if (b == 0) { total += d * Expect(Insert(rest, a)); continue; }
                if (a < b) continue; // (a, b) and (b, a) give the same term: count it at a ≥ b
                var term = Expect(Insert(Insert(rest, a), b));
                total += a == b ? term : 2 * term;
            }
            BigInteger previous = 0;
            for (int i = 0; i < rest.Length; i++)
            {
                if (i == 0 || rest[i] != rest[i - 1]) previous = 2 * rest[i] * Expect(Insert(string.Concat(rest.AsSpan(0, i), rest.AsSpan(i + 1)), k + rest[i] - 1));
                total += previous; // equal parts give equal terms
            }
            _memo[parts] = total;
            return total;
        }

        private static string Insert(string parts, int p)
        {
            int i = 0;
            while (i < parts.Length && parts[i] >= p) i++;
            return string.Create(parts.Length + 1, (parts, p, i), static (span, s) =>
            {
                s.parts.AsSpan(0, s.i).CopyTo(span);
                span[s.i] = (char)s.p;
                s.parts.AsSpan(s.i).CopyTo(span[(s.i + 1)..]);
            });
        }
    }
}
