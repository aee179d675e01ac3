using static LoopedIcl.TestSupport.Refusals;
using System.Numerics;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Moments;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// WISHART (library level, exact small cases): the moment code of Numerics/Moments against values from the literature — E tr W^k of a
/// real Wishart W = XᵀX (X n×d standard normal) for k ≤ 4 (symmetric in n and d; χ² moments when min(n, d) = 1), the chi-square moments
/// of tr W ~ χ²_{nd}, Wick's E[Q_A Q_B] and E[Q_A³] of Gaussian quadratic forms, and the kernel polynomial of measures whose optimum
/// is known (a two-point measure: p* vanishes on its support, g* = 0). The two Wishart implementations (WishartMoments' trace polynomials,
/// the reference up to order 8; RealWishartMoments' Stein recursion) are equated. Rationals and big integers: every value is exact.
/// </summary>
[TestFixture, Category(ClaimIds.Wishart), Category(CategoryLabels.Library)]
public sealed class LibraryMoments
{
    /// <summary>E tr W^k for W ~ Wishart_d(n, I), k = 1 … 4 (Letac–Massam; each reduces to E(χ²_n)^k at d = 1).</summary>
    private static BigInteger Literature(int k, int n, int d) => k switch
    {
        1 => n * d,
        2 => n * d * (n + d + 1),
        3 => n * d * (n * n + d * d + 3 * n * d + 3 * n + 3 * d + 4),
        4 => (BigInteger)n * d * ((BigInteger)n * n * n + d * d * d + 6 * n * n * d + 6 * n * d * d + 6 * n * n + 6 * d * d + 17 * n * d + 21 * n + 21 * d + 20),
        _ => throw new ArgumentOutOfRangeException(nameof(k)),
    };

    private static readonly (int N, int D)[] Shapes = [(1, 1), (1, 4), (5, 1), (3, 2), (2, 3), (7, 4), (12, 10)];

    [Test]
    public void WISHART_Trace_moments_equal_the_literature_for_k_up_to_4()
    {
        foreach (var (n, d) in Shapes)
        {
            var stein = RealWishartMoments.TraceMoments(n, d, 4);
            Checks.True(stein[0] == d, $"n={n} d={d}: tr W⁰ = d (got {stein[0]})", CheckKind.Identity);
            for (int k = 1; k <= 4; k++)
            {
                var expected = Literature(k, n, d);
                var exact = WishartMoments.ExpectedTraceOfWishartPower(k, n, d);
                Checks.True(stein[k] == expected, $"Stein: E tr W^{k}, n={n} d={d} = {expected} (got {stein[k]})", CheckKind.Identity);
                Checks.True(exact == Rational.Of(expected, 1), $"trace polynomial: E tr W^{k}, n={n} d={d} = {expected} (got {exact})", CheckKind.Identity);
                Checks.True(WishartMoments.WhitenedMoment(k, n, d) == Rational.Of(expected, BigInteger.Pow(n, k)), $"whitened m_{k} = E tr W^{k}/n^{k}, n={n} d={d}", CheckKind.Identity);
            }
        }
    }

    /// <summary>The reference (trace polynomials, k ≤ 8) and the Stein recursion agree to order 8; the recursion alone and the extended recurrence too.</summary>
    [Test]
    public void WISHART_The_two_implementations_agree_to_order_8()
    {
        // Small shapes: the Stein recursion's cost grows with the partitions of 8 times min(n, d) (12×10 alone took most of a second).
        foreach (var (n, d) in new[] { (1, 1), (5, 1), (1, 4), (3, 2), (2, 3), (4, 3) })
        {
            var stein = RealWishartMoments.Stein(n, d, WishartMoments.MaxOrder);
            var traceMoments = RealWishartMoments.TraceMoments(n, d, WishartMoments.MaxOrder);
            var whitened = WishartMoments.WhitenedMoments(WishartMoments.MaxOrder, n, d);
            var realWhitened = RealWishartMoments.WhitenedMoments(WishartMoments.MaxOrder, n, d);
            for (int k = 0; k <= WishartMoments.MaxOrder; k++)
            {
                var reference = WishartMoments.ExpectedTraceOfWishartPower(k, n, d);
                Checks.True(Rational.Of(stein[k], 1) == reference, $"n={n} d={d} k={k}: Stein = trace polynomial ({reference})", CheckKind.Identity);
                Checks.True(traceMoments[k] == stein[k], $"n={n} d={d} k={k}: TraceMoments = Stein", CheckKind.Identity);
                Checks.True(whitened[k] == realWhitened[k] && whitened[k] == reference / Rational.Of(BigInteger.Pow(n, k), 1), $"n={n} d={d} k={k}: whitened moments agree", CheckKind.Identity);
            }
        }
    }

    /// <summary>tr W ~ χ²_{nd}: E(tr W)² = nd(nd + 2), E(tr W)³ = nd(nd + 2)(nd + 4); and E[tr W² · tr W] = nd(n + d + 1)(nd + 4).</summary>
    [Test]
    public void WISHART_Mixed_moments_of_traces()
    {
        foreach (var (n, d) in Shapes)
        {
            BigInteger m = n * d;
            Checks.True(RealWishartMoments.MixedMoment(n, d, 1, 1) == m * (m + 2), $"n={n} d={d}: E(tr W)² = nd(nd+2)", CheckKind.Identity);
            Checks.True(RealWishartMoments.MixedMoment(n, d, 1, 1, 1) == m * (m + 2) * (m + 4), $"n={n} d={d}: E(tr W)³ = nd(nd+2)(nd+4)", CheckKind.Identity);
            Checks.True(RealWishartMoments.MixedMoment(n, d, 2, 1) == m * (n + d + 1) * (m + 4), $"n={n} d={d}: E[tr W² tr W] = nd(n+d+1)(nd+4)", CheckKind.Identity);
            Checks.True(RealWishartMoments.MixedMoment(n, d, 3) == Literature(3, n, d), $"n={n} d={d}: a single power is the trace moment", CheckKind.Identity);
        }
        Assert.Throws<ArgumentException>(() => RealWishartMoments.MixedMoment(3, 2, 1, 0));
    }

    /// <summary>Wick: E Q_A = tr A, E[Q_A Q_B] = trA·trB + 2tr(AB), E Q_A³ = (trA)³ + 6 trA·tr(A²) + 8 tr(A³), for rational symmetric A, B.</summary>
    [Test]
    public void WISHART_Gaussian_quadratic_forms_by_Wick()
    {
        var a = Mat<Rational>.Build(2, 2, (i, j) => i == j ? Rational.FromInt(i + 2) : Rational.Of(1, 2));      // [[2, ½], [½, 3]]
        var b = Mat<Rational>.Build(2, 2, (i, j) => i == j ? Rational.FromInt(1 - 2 * i) : Rational.FromInt(3)); // [[1, 3], [3, −1]]
        Rational tr(Mat<Rational> m) => m.Trace();
        Checks.True(GaussianQuadraticForms.Moment<Rational>([]) == Rational.One, "the empty product is 1", CheckKind.Identity);
        Checks.True(GaussianQuadraticForms.Moment([a]) == Rational.FromInt(5), "E Q_A = tr A = 5", CheckKind.Identity);
        var ab = tr(a) * tr(b) + Rational.FromInt(2) * tr(a * b);
        // trA = 5, trB = 0, AB = [[7/2, 11/2], [19/2, −3/2]]: E[Q_A Q_B] = 0 + 2·2 = 4.
        Checks.True(GaussianQuadraticForms.Moment([a, b]) == ab && ab == Rational.FromInt(4), $"E[Q_A Q_B] = trA trB + 2tr(AB) = 4 (got {ab})", CheckKind.Identity);
        var a2 = a * a;
        var aaa = tr(a) * tr(a) * tr(a) + Rational.FromInt(6) * tr(a) * tr(a2) + Rational.FromInt(8) * tr(a2 * a);
        Checks.True(GaussianQuadraticForms.Moment([a, a, a]) == aaa, $"E Q_A³ = (trA)³ + 6trA tr(A²) + 8tr(A³) = {aaa}", CheckKind.Identity);
        // Centred: E(Q_A − tr A)² = Var Q_A = 2tr(A²).
        Checks.True(GaussianQuadraticForms.CentredMoment(a, 2, []) == Rational.FromInt(2) * tr(a2), "E(Q_A − trA)² = 2tr(A²)", CheckKind.Identity);
        Checks.True(GaussianQuadraticForms.CentredMoment(a, 1, [b]) == Rational.FromInt(2) * tr(a * b), "E[(Q_A − trA) Q_B] = 2tr(AB)", CheckKind.Identity);
        var tooMany = Enumerable.Repeat(a, GaussianQuadraticForms.MaxForms + 1).ToArray();
        Assert.Throws<ArgumentException>(() => GaussianQuadraticForms.Moment(tooMany));
    }

    /// <summary>
    /// The kernel polynomial of ν = ½δ₁ + ½δ₂ (m_k = (1 + 2^k)/2): with L = 2, p*(μ) = (1 − μ)(1 − μ/2) vanishes on the support, so
    /// g* = 0, the coefficients are (1, −3/2, 1/2) and the step sizes ½ and 1. With L = 1: a* = m₁/m₂ and g* = m₀ − m₁²/m₂.
    /// </summary>
    [Test]
    public void WISHART_Kernel_polynomial_of_a_two_point_measure()
    {
        var m = Enumerable.Range(0, 5).Select(k => Rational.Of(1 + (1L << k), 2)).ToArray();   // 1, 3/2, 5/2, 9/2, 17/2
        var two = KernelPolynomial.Solve(m, 2);
        Checks.True(two.OptimalLoss.IsZero, $"L = 2: g* = 0 (got {two.OptimalLoss})", CheckKind.Identity);
        Checks.True(two.Coefficients.SequenceEqual([Rational.One, Rational.Of(-3, 2), Rational.Of(1, 2)]), "L = 2: p* = 1 − 3μ/2 + μ²/2", CheckKind.Identity);
        Checks.Close(two.StepSizes[0], 0.5, 1e-12, "L = 2: the smaller step 1/2 (root-finding in double)");
        Checks.Close(two.StepSizes[1], 1, 1e-12, "L = 2: the larger step 1");
        Checks.Close(KernelPolynomial.Loss(m, [0.5, 1.0]), 0, 1e-15, "g at the optimal steps is 0");
        Checks.True(KernelPolynomial.Loss(m, [0.0, 0.0]) == 1, "g at zero steps is m₀ = 1", CheckKind.Identity);

        var one = KernelPolynomial.Solve(m, 1);
        var expected = m[0] - m[1] * m[1] / m[2];   // 1 − (9/4)/(5/2) = 1/10
        Checks.True(one.OptimalLoss == expected && expected == Rational.Of(1, 10), $"L = 1: g* = m₀ − m₁²/m₂ = 1/10 (got {one.OptimalLoss})", CheckKind.Identity);
        Checks.Close(one.StepSizes[0], 0.6, 1e-15, "L = 1: a* = m₁/m₂ = 3/5");
        // g(a) = m₀ − 2a m₁ + a² m₂: at a = 0 the gradient is −2m₁ = −3; at a* it vanishes.
        Checks.Close(KernelPolynomial.Gradient(m, [0.0])[0], -3, 1e-15, "∂g/∂a at 0 = −2m₁");
        Checks.Close(KernelPolynomial.Gradient(m, [0.6])[0], 0, 1e-15, "∂g/∂a at a* = 0");
        // The looped restriction: E(1 − bμ)^{2L} = ½(1 − b)^{2L} + ½(1 − 2b)^{2L}; at b = 1, L = 2: ½·0 + ½·1 = ½.
        Checks.Close(KernelPolynomial.LoopedLoss(m, 1, 2), 0.5, 1e-15, "ℓ_2(1) = ½");
        Checks.Close(KernelPolynomial.LoopedLoss(m, 0.25, 1), 0.5 * 0.5625 + 0.5 * 0.25, 1e-15, "ℓ_1(¼) = ½(¾)² + ½(½)²");

        var ex = Assert.Throws<ArgumentException>(() => KernelPolynomial.Solve(m, 3));
        Checks.True(ex!.ParamName == "moments", $"three layers need m_0..m_6: the error names 'moments' ({ex.Message})");
        Assert.Throws<ArgumentException>(() => KernelPolynomial.Solve(m, 0));
        // Sequences that are not the moments of a measure on (0, ∞): p* = 1 + μ (a point mass at −1: m_k = (−1)^k) has the root −1;
        // [1, 1, 2, 1, −1] gives p* = 1 − μ + μ² (H·c = −m with c = (−1, 1)), roots ½ ± (√3/2)i.
        Rejects(() => KernelPolynomial.Solve([Rational.One, -Rational.One, Rational.One], 1), "moments", "roots must be real and positive (got -1)");
        Rejects(() => KernelPolynomial.Solve(new long[] { 1, 1, 2, 1, -1 }.Select(Rational.FromInt).ToArray(), 2), "moments", "(got 0.5 ± 0.866025i)"); // a conjugate pair
    }
    /// <summary>
    /// Wick for two W's: E[W B W] = n²B + nBᵀ + n·tr(B)·I (E[xxᵀBxxᵀ] = B + Bᵀ + tr(B)I), so E tr(AŴBŴ) = tr(AB) + (tr(ABᵀ) + trA·trB)/n;
    /// with A = [[1,2],[0,1]], B = [[0,1],[3,2]], n = 5: 8 + (4 + 4)/5 = 9.6. One W: E Ŵ = I. The word form multiplies the matrices between
    /// the Ŵ's cyclically, and a word without Ŵ is its trace. Each value must lie within its own rounding bound of the exact one.
    /// </summary>
    [Test]
    public void WISHART_Word_moments_of_one_and_two_wisharts_by_hand()
    {
        var a = Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 2 }, { 0, 1 } });
        var b = Matrix<double>.Build.DenseOfArray(new double[,] { { 0, 1 }, { 3, 2 } });
        var i2 = Matrix<double>.Build.DenseIdentity(2);
        void Within(WishartWordMoments.Moment m, double exact, string what)
        {
            Checks.True(m.RoundingBound > 0 && m.RoundingBound < 1e-12 * Math.Max(1, Math.Abs(exact)), $"{what}: a small positive rounding bound (got {m.RoundingBound:G3})");
            Checks.Close(m.Value, exact, m.RoundingBound, $"{what} = {exact} within its rounding bound");
        }
        Within(WishartWordMoments.WhitenedTrace([a], 5), 2, "E tr(AŴ) = tr A");
        Within(WishartWordMoments.WhitenedTrace([a, b], 5), 9.6, "E tr(AŴBŴ)");
        Within(WishartWordMoments.WhitenedTrace([i2, i2], 5), 2.0 * 8 / 5, "E tr Ŵ² = d(n+d+1)/n");
        Within(WishartWordMoments.WhitenedTrace([i2, i2, i2], 3), 2.0 * 3 * (9 + 4 + 18 + 9 + 6 + 4) / 27, "E tr Ŵ³ = nd(n²+d²+3nd+3n+3d+4)/n³");
        Within(WishartWordMoments.WhitenedWord([a, null, b, null], 5, 2), 9.6, "word (A, Ŵ, B, Ŵ)");
        Within(WishartWordMoments.WhitenedWord([null, a, null, b], 5, 2), 9.6, "word (Ŵ, A, Ŵ, B): the tail B joins the head");
        // (A, B, Ŵ, Ŵ) = E tr(C Ŵ I Ŵ) with C = AB = [[6,5],[3,2]]: tr C + (tr C + tr C·tr I)/n = 8 + 24/5.
        Within(WishartWordMoments.WhitenedWord([a, b, null, null], 5, 2), 12.8, "word (A, B, Ŵ, Ŵ)");
        Within(WishartWordMoments.WhitenedWord([a, b], 5, 2), 8, "a word without Ŵ is tr(AB)");
        Checks.True(WishartWordMoments.Gamma(2) == 2 * Math.Pow(2, -53) / (1 - 2 * Math.Pow(2, -53)), "γ₂ = 2u/(1 − 2u)", CheckKind.Identity);
        var noMatrix = Assert.Throws<ArgumentException>(() => WishartWordMoments.WhitenedTrace([], 5));
        Checks.True(noMatrix!.ParamName == "between", "an empty word names 'between'");
        Assert.Throws<ArgumentException>(() => WishartWordMoments.WhitenedTrace(Enumerable.Repeat(i2, WishartWordMoments.MaxOrder + 1).ToArray(), 5));
        Assert.Throws<ArgumentException>(() => WishartWordMoments.WhitenedTrace([i2, Matrix<double>.Build.DenseIdentity(3)], 5));
        Assert.Throws<ArgumentException>(() => WishartWordMoments.WhitenedTrace([i2], 0));
        Assert.Throws<ArgumentException>(() => WishartWordMoments.WhitenedWord([i2], 5, 2, tokenRoundings: -1));
    }

    /// <summary>
    /// The rounding bound's formula (Higham's running error, documented on <see cref="WishartWordMoments.WhitenedTrace(IReadOnlyList{Matrix{double}}, int)"/>),
    /// computed here on 1×1 words, where it is known in closed form: every pairing's value is P = ∏ a_k (dyadic, so exact), the
    /// pairings with c row classes number count_c, the coefficients of n(n + 2)⋯(n + 2m − 2) = Σ_c count_c·n^c, and the sum of their
    /// values has the partial sums jP (exact), so its running error is u·|P|·count_c(count_c + 1)/2. The bound is then
    /// 1.01·[γ_{m(d+2+r)}·∏|a_k|·E ŵ^m + Σ_c u|P|·count_c(count_c + 1)/2·n^{c−m} + γ_{2m+2}·Σ_c count_c|P|·n^{c−m}], r the roundings that
    /// formed the a's (a word's products between Ŵ's: (longest segment + tail) factors, one rounding of d terms each, plus the tokens').
    /// A word without Ŵ (d = 2, diagonal): 1.01·γ_{#tokens·(d+2)+r}·d·‖|A||B|‖₂. Pinned to 1e-12 relative (the bound's own rounding is
    /// ~1e-15): a wrong γ argument, norm, scale or running error moves it by ≥ 5 %.
    /// </summary>
    [Test]
    public void WISHART_Word_moment_rounding_bounds_equal_their_formula_on_scalar_words()
    {
        const double u = 1.1102230246251565e-16;
        static double Gamma(int k) => WishartWordMoments.Gamma(k); // pinned to ku/(1 − ku) in the test above
        static Matrix<double> S(double a) => Matrix<double>.Build.Dense(1, 1, a);
        static void Pinned(double bound, double expected, string what) => Checks.Close(bound, expected, 1e-12 * expected, what); // relative: the bounds are ~1e-15
        double[] a = [-0.5, 1.5, 0.75, -1.25];
        double Expected(double[] factors, int n, int formationRoundings)
        {
            int m = factors.Length;
            var count = new long[m + 1]; // n(n + 2)⋯(n + 2m − 2) by powers of n
            count[0] = 1;
            for (int j = 0; j < m; j++)
            {
                for (int c = j + 1; c >= 0; c--) count[c] = (c > 0 ? count[c - 1] : 0) + 2L * j * count[c];
            }
            double p = factors.Aggregate(1.0, (x, y) => x * y), moment = 1;
            for (int j = 0; j < m; j++) moment *= (n + 2.0 * j) / n;
            double summation = 0, magnitude = 0;
            for (int c = 0; c <= m; c++)
            {
                summation += u * Math.Abs(p) * count[c] * (count[c] + 1) / 2 * Math.Pow(n, c - m);
                magnitude += count[c] * Math.Abs(p) * Math.Pow(n, c - m);
            }
            return 1.01 * (Gamma(m * (1 + 2 + formationRoundings)) * Math.Abs(p) * moment + summation + Gamma(2 * m + 2) * magnitude);
        }
        foreach (int n in new[] { 1, 3, 7 })
            for (int m = 1; m <= a.Length; m++)
            {
                var w = WishartWordMoments.WhitenedTrace(a[..m].Select(S).ToArray(), n);
                double expected = Expected(a[..m], n, 0);
                Pinned(w.RoundingBound, expected, $"m = {m}, n = {n}: the bound {w.RoundingBound:G6} = its formula {expected:G6}");
            }
        // The word (a, Ŵ, b, c, Ŵ, e): segments e·a (the tail joins the head) and b·c; 2 + 1 factors formed, one rounding of d = 1 term each.
        foreach (int tokens in new[] { 0, 1 })
        {
            var word = WishartWordMoments.WhitenedWord([S(-0.5), null, S(1.5), S(0.75), null, S(-1.25)], 5, 1, tokens);
            double expected = Expected([-1.25 * -0.5, 1.5 * 0.75], 5, 3 + tokens);
            Pinned(word.RoundingBound, expected, $"word (a, Ŵ, b, c, Ŵ, e), {tokens} token roundings: the bound = its formula {expected:G6}");
            Checks.Close(word.Value, 0.625 * 1.125 * 7 / 5, word.RoundingBound, "its value E[ŵ²]·eabc = (n + 2)/n·eabc");
        }
        var plain = WishartWordMoments.WhitenedWord([Matrix<double>.Build.DenseOfDiagonalArray([0.5, -1.5]), Matrix<double>.Build.DenseOfDiagonalArray([3, 0.5])], 5, 2, 1);
        Pinned(plain.RoundingBound, 1.01 * Gamma(2 * (2 + 2) + 1) * 2 * 1.5, "no Ŵ: 1.01·γ_{2(d+2)+1}·d·‖|A||B|‖₂ with |A||B| = diag(1.5, 0.75)");
        Checks.True(plain.Value == 0.75, $"no Ŵ: tr(AB) = 1.5 − 0.75 (got {plain.Value})", CheckKind.Identity);
        // A formed product whose entries cancel: A·B = 0 for A = [[1,1],[1,1]], B = [[1,−1],[−1,1]], but |A||B| = [[2,2],[2,2]] (norm 4) bounds
        // the rounding of forming it: (A, B, Ŵ) has value 0, no pairing contributes, and the bound is 1.01·γ_{1·(d+2+2d)}·4·E tr Ŵ (= d).
        var cancel = WishartWordMoments.WhitenedWord([Matrix<double>.Build.Dense(2, 2, 1), Matrix<double>.Build.DenseOfArray(new double[,] { { 1, -1 }, { -1, 1 } }), null], 5, 2);
        Pinned(cancel.RoundingBound, 1.01 * Gamma(2 + 2 + 2 * 2) * 4 * 2, "(A, B, Ŵ) with AB = 0: the bound uses ‖|A||B|‖₂ = 4, not ‖|AB|‖₂ = 0");
        Checks.True(cancel.Value == 0, "its value tr(AB) = 0", CheckKind.Identity);
    }

    /// <summary>
    /// The two exact linear-algebra kernels of the recurrence recovery on small integer matrices: the rank modulo 2⁶¹ − 1 (a zero first
    /// column, a row swap, a rank-one matrix, entries negative or ≥ the prime) and the integer null-space generator (one free column,
    /// scaled by the lcm of the pivots and reduced by the gcd; null when the null space is larger).
    /// </summary>
    [Test]
    public void WISHART_Rank_and_integer_kernel_of_small_matrices()
    {
        static BigInteger[][] M(params long[][] rows) => rows.Select(r => r.Select(v => (BigInteger)v).ToArray()).ToArray();
        const long p = 2305843009213693951;
        foreach (var (rows, cols, rank) in new[]
                 {
                     (M([1, 0, 0], [0, 1, 0], [0, 0, 1]), 3, 3), (M([0, 0], [0, 5]), 2, 1), (M([1, 2], [2, 4], [3, 6]), 2, 1),
                     (M([0, 1], [1, 0]), 2, 2), (M([-1, p], [2, 3]), 2, 2), (M([p, 2 * p], [1, 1]), 2, 1),
                 })
            Checks.True(RealWishartMoments.RankModPrime(rows, cols) == rank, $"rank mod p of [{string.Join("; ", rows.Select(r => string.Join(" ", r)))}] = {rank}", CheckKind.Identity);
        string Kernel(BigInteger[][] rows, int cols) => RealWishartMoments.IntegerKernel(rows, cols) is { } x ? string.Join(" ", x) : "null";
        Checks.True(Kernel(M([2, 0, 1], [0, 3, 1]), 3) == "-3 -2 6", $"kernel of [2 0 1; 0 3 1] = (−3, −2, 6): x₃ = lcm(2, 3) (got {Kernel(M([2, 0, 1], [0, 3, 1]), 3)})", CheckKind.Identity);
        Checks.True(Kernel(M([2, 0, 2], [0, 3, 3]), 3) == "-1 -1 1", $"kernel of [2 0 2; 0 3 3] = (−1, −1, 1), reduced from (−6, −6, 6) (got {Kernel(M([2, 0, 2], [0, 3, 3]), 3)})", CheckKind.Identity);
        Checks.True(Kernel(M([0, 1, 1], [1, 0, 1]), 3) == "-1 -1 1", "kernel of [0 1 1; 1 0 1] (a row swap) = (−1, −1, 1)", CheckKind.Identity);
        Checks.True(Kernel(M([1, 2, 3], [2, 4, 6]), 3) == "null", "a two-dimensional null space gives null", CheckKind.Identity);
    }

    /// <summary>Extend recovers the smallest recurrence of known sequences: k! (order 1, degree 1), Fibonacci (order 2, constant), and refuses the primes.</summary>
    [Test]
    public void WISHART_Recurrence_recovery_on_known_sequences()
    {
        var factorials = new BigInteger[31];
        factorials[0] = 1;
        for (int k = 1; k <= 30; k++) factorials[k] = factorials[k - 1] * k;
        var f = RealWishartMoments.Extend(factorials[..20], 30);
        Checks.True(f.Order == 1 && f.Degree == 1, $"k!: order 1, degree 1 (got {f.Order}, {f.Degree})", CheckKind.Identity);
        Checks.True(f.Moments.SequenceEqual(factorials), "k! extended to k = 30", CheckKind.Identity);
        var fib = new BigInteger[41];
        fib[0] = 0; fib[1] = 1;
        for (int k = 2; k <= 40; k++) fib[k] = fib[k - 1] + fib[k - 2];
        var g = RealWishartMoments.Extend(fib[..20], 40);
        Checks.True(g.Order == 2 && g.Degree == 0 && g.Moments.SequenceEqual(fib), $"Fibonacci: order 2, constant coefficients, extended to 40 (got {g.Order}, {g.Degree})", CheckKind.Identity);
        var primes = Enumerable.Range(2, 400).Where(p => Enumerable.Range(2, p - 2).All(q => p % q != 0)).Take(42).Select(p => (BigInteger)p).ToArray();
        var none = Assert.Throws<InvalidOperationException>(() => RealWishartMoments.Extend(primes, 50));
        Checks.True(none!.Message.Contains("No recurrence with a one-dimensional null space and 8 redundant equations fits 42 values"), $"the primes: {none.Message}");
        Rejects(() => RealWishartMoments.Extend(null!, 5), "known");

        // The smallest recurrence by (r + 1)(d + 1), then by r: (k + 1)2^k has order 1, degree 1 ((k + 1) t_{k+1} = 2(k + 2) t_k, 4 coefficients,
        // the leading one non-zero for k ≥ 0) and order 2, constant (t_{k+2} = 4t_{k+1} − 4t_k, 3): the second; (k + 1)(k + 2)2^k has order 1,
        // degree 1 ((k + 1) t_{k+1} = 2(k + 3) t_k) and order 3, constant ((x − 2)³), both with 4 coefficients: the lower order.
        var twos = Enumerable.Range(0, 31).Select(k => (k + 1) * BigInteger.Pow(2, k)).ToArray();
        var t2 = RealWishartMoments.Extend(twos[..20], 30);
        Checks.True(t2.Order == 2 && t2.Degree == 0 && t2.Moments.SequenceEqual(twos), $"(k + 1)2^k: order 2, constant (got {t2.Order}, {t2.Degree})", CheckKind.Identity);
        var cubic = Enumerable.Range(0, 31).Select(k => (BigInteger)(k + 1) * (k + 2) * BigInteger.Pow(2, k)).ToArray();
        var t3 = RealWishartMoments.Extend(cubic[..20], 30);
        Checks.True(t3.Order == 1 && t3.Degree == 1 && t3.Moments.SequenceEqual(cubic), $"(k + 1)(k + 2)2^k: order 1, degree 1 before order 3 (got {t3.Order}, {t3.Degree})", CheckKind.Identity);
        // Enough values: order 1, degree 1 (4 unknowns) needs 3 + Redundancy = 11 equations, so 12 values; with 11 nothing fits.
        var exact = RealWishartMoments.Extend(factorials[..12], 30);
        Checks.True(exact.Order == 1 && exact.Degree == 1 && exact.RedundantEquations == RealWishartMoments.Redundancy && exact.Moments.SequenceEqual(factorials),
            $"k! from 12 values: order 1, degree 1, {RealWishartMoments.Redundancy} redundant equations (got {exact.RedundantEquations})", CheckKind.Identity);
        Checks.True(f.RedundantEquations == 20 - 1 - 3, $"from 20 values: 19 equations, 3 = unknowns − 1 determine it, 16 redundant (got {f.RedundantEquations})", CheckKind.Identity);
        Assert.Throws<InvalidOperationException>(() => RealWishartMoments.Extend(factorials[..11], 30));
        // The extension refuses what the data did not determine: 2^{20−k} halves each step (2t_{k+1} = t_k) and is not an integer past k = 20;
        // c/(26 − k) (c = 26!) satisfies (25 − k)t_{k+1} = (26 − k)t_k, whose leading coefficient vanishes at k = 25.
        var halves = Enumerable.Range(0, 20).Select(k => BigInteger.Pow(2, 20 - k)).ToArray();
        var half = Assert.Throws<InvalidOperationException>(() => RealWishartMoments.Extend(halves, 25));
        Checks.True(half!.Message.Contains("non-integer E tr W^21"), $"2^(20−k): {half.Message}");
        Checks.True(RealWishartMoments.Extend(halves, 20).Moments[20] == 1, "2^(20−k) to k = 20 is 1");
        var c26 = Enumerable.Range(1, 26).Aggregate(BigInteger.One, (x, y) => x * y);
        var pole = Enumerable.Range(0, 20).Select(k => c26 / (26 - k)).ToArray();
        var lead = Assert.Throws<InvalidOperationException>(() => RealWishartMoments.Extend(pole, 30));
        Checks.True(lead!.Message.Contains("zero leading coefficient at k = 25"), $"c/(26 − k): {lead.Message}");
        // The use it is made for, at a size the Library set affords: Wishart moments (n = 3, d = 2 and n = 2, d = 3) recovered from
        // k ≤ 42 predict the Stein values to k = 56 exactly, and one moment off by 1 admits no recurrence — before the leading coefficient's roots were
        // checked, a recurrence vanishing there (order 2, degree 5 at n = 3, d = 2) "fitted" the wrong value.
        foreach (var (n, d) in new[] { (3, 2), (2, 3) })
        {
            var stein = RealWishartMoments.Stein(n, d, 56);
            var rec = RealWishartMoments.Extend(stein[..(RealWishartMoments.FitOrder + 1)], 56);
            Checks.True(rec.Moments.SequenceEqual(stein) && rec.RedundantEquations >= RealWishartMoments.Redundancy,
                $"n={n} d={d}: the recovered recurrence (order {rec.Order}, degree {rec.Degree}) gives E tr W^k to k = 56", CheckKind.Identity);
            var bad = stein[..(RealWishartMoments.FitOrder + 1)];
            bad[30] += 1;
            Assert.Throws<InvalidOperationException>(() => RealWishartMoments.Extend(bad, 56));
        }
    }

    /// <summary>
    /// Every argument check of the moment code names its argument and states its rule: form counts and shapes (the last form's shape too),
    /// the centred moment's operands, the kernel polynomial's layers and moment counts, the Wishart orders at both ends of their ranges
    /// (maxOrder = 100 accepted: min(n, d) = 1 takes the χ² path, E(χ²₃)^k = 3·5···(2k + 1)), and the powers of a mixed moment.
    /// </summary>
    [Test]
    public void WISHART_Moment_arguments_are_checked_by_name()
    {
        var i2 = Mat<Rational>.Identity(2);
        Rejects(() => GaussianQuadraticForms.Moment<Rational>(null!), "forms", "");
        Rejects(() => GaussianQuadraticForms.Moment(Enumerable.Repeat(i2, GaussianQuadraticForms.MaxForms + 1).ToArray()), "forms", "at most 10 forms (got 11)");
        Checks.True(GaussianQuadraticForms.Moment(Enumerable.Repeat(Mat<Rational>.Identity(1), GaussianQuadraticForms.MaxForms).ToArray()) == Rational.FromInt(654729075),
            "ten forms are allowed: E x¹⁰… = E(χ²₁)¹⁰ = 1·3·5···19 = 654729075", CheckKind.Identity);
        Rejects(() => GaussianQuadraticForms.Moment([i2, Mat<Rational>.Identity(3)]), "forms[1]", "must be 2×2");
        Rejects(() => GaussianQuadraticForms.CentredMoment<Rational>(null!, 1, []), "m", "");
        Rejects(() => GaussianQuadraticForms.CentredMoment(i2, 1, null!), "others", "");
        Rejects(() => GaussianQuadraticForms.CentredMoment(i2, -1, []), "p", "≥ 0");

        var moments = WishartMoments.WhitenedMoments(4, 5, 2);
        Rejects(() => KernelPolynomial.Solve(moments, 0), "layers", "≥ 1");
        Rejects(() => KernelPolynomial.Solve(moments[..4], 2), "moments", "moments must hold m_0..m_4 (got 4)");
        Rejects(() => KernelPolynomial.Rounded(moments[..4], 2), "moments", "m_0..m_4");
        Rejects(() => KernelPolynomial.Rounded(null!, 2), "moments", "");
        Checks.True(KernelPolynomial.Rounded(moments, 2).Length == 5, "m_0..m_4 is enough for two layers");
        Rejects(() => KernelPolynomial.Loss([1.0, 1, 1], [0.5, 0.5]), "moments", "m_0..m_4");
        Checks.True(KernelPolynomial.Loss([1.0, 2, 3], [0.5]) == 1 - 2 * 0.5 * 2 + 0.25 * 3, "one step: m₀ − 2a·m₁ + a²m₂ with three moments", CheckKind.Identity);

        Rejects(() => RealWishartMoments.TraceMoments(0, 2, 3), "n", "≥ 1");
        Rejects(() => RealWishartMoments.TraceMoments(2, 0, 3), "d", "≥ 1");
        Rejects(() => RealWishartMoments.TraceMoments(2, 2, -1), "maxOrder", "[0, 100]");
        Rejects(() => RealWishartMoments.TraceMoments(2, 2, RealWishartMoments.MaxOrder + 1), "maxOrder", "[0, 100]");
        Rejects(() => RealWishartMoments.Stein(0, 2, 3), "n", "≥ 1");
        Rejects(() => RealWishartMoments.Stein(2, 2, -1), "maxOrder", "[0, 100]");
        var chi = RealWishartMoments.Stein(3, 1, RealWishartMoments.MaxOrder);
        BigInteger expected = 1;
        for (int k = 1; k <= 100; k++) expected *= 2 * k + 1;
        Checks.True(chi.Length == 101 && chi[100] == expected && chi[0] == 1, "maxOrder = 100 is allowed: E(χ²₃)¹⁰⁰ = 3·5···201", CheckKind.Identity);
        Rejects(() => RealWishartMoments.MixedMoment(0, 2, 1), "n", "≥ 1");
        Rejects(() => RealWishartMoments.MixedMoment(2, 2, 1, 0), "powers", "powers must be ≥ 1");
        Rejects(() => WishartMoments.TracePolynomial(-1), "k", "[0, 8]");
        Rejects(() => WishartMoments.TracePolynomial(9), "k", "[0, 8]");
        Rejects(() => WishartMoments.ExpectedTraceOfWishartPower(2, 0, 2), "n", "≥ 1");
        Rejects(() => WishartMoments.ExpectedTraceOfWishartPower(2, 2, 0), "d", "≥ 1");
        var sigma = Matrix<double>.Build.DenseIdentity(2);
        Rejects(() => WishartMoments.ExpectedSBS(sigma, sigma, 0), "n", "≥ 1");
        Rejects(() => WishartMoments.ExpectedSBS(sigma, Matrix<double>.Build.DenseIdentity(3), 5), "b", "b must be 2×2 (got 3×3)");

        // Past order 30 the moments come from the per-(n, d) cache of the values to order 100.
        var cached = RealWishartMoments.TraceMoments(3, 1, 40);
        Checks.True(cached.Length == 41 && cached.SequenceEqual(chi[..41]), "E tr W^k to k = 40 from the cache: the first 41 of the 101", CheckKind.Identity);
        // E Σ_j p(λ_j(Ŵ)) for p(μ) = 1 + 2μ − μ² (and 1 + μ², a zero coefficient) at n = 5, d = 2: m₀ = m₁ = 2, m₂ = d(n + d + 1)/n = 16/5.
        Checks.True(RealWishartMoments.ExpectedTraceOfPolynomial([Rational.One, Rational.FromInt(2), Rational.FromInt(-1)], 5, 2) == Rational.Of(14, 5)
                    && RealWishartMoments.ExpectedTraceOfPolynomial([Rational.One, Rational.Zero, Rational.One], 5, 2) == Rational.Of(26, 5),
            "E tr p(Ŵ) = 2 + 4 − 16/5 = 14/5 and 2 + 16/5 = 26/5", CheckKind.Identity);
        Rejects(() => RealWishartMoments.ExpectedTraceOfPolynomial(null!, 5, 2), "coefficients", "");

        var i2d = Matrix<double>.Build.DenseIdentity(2);
        Rejects(() => WishartWordMoments.WhitenedTrace(null!, 5), "between", "");
        Rejects(() => WishartWordMoments.WhitenedTrace([i2d], 0), "n", "≥ 1");
        Rejects(() => WishartWordMoments.WhitenedTrace([], 5), "between", "between must hold 1 … 8 matrices, one before each Ŵ (got 0)");
        Rejects(() => WishartWordMoments.WhitenedTrace([Matrix<double>.Build.Dense(2, 3)], 5), "between", "every matrix in between must be 2×2 (got 2×3)");
        Rejects(() => WishartWordMoments.WhitenedTrace([i2d, Matrix<double>.Build.Dense(2, 2, double.NaN)], 5), "between", "finite");
        Rejects(() => WishartWordMoments.WhitenedWord(null!, 5, 2), "word", "");
        Rejects(() => WishartWordMoments.WhitenedWord([i2d, null], 5, 0), "d", "≥ 1");
        Rejects(() => WishartWordMoments.WhitenedWord([i2d, null], 5, 2, -1), "tokenRoundings", "tokenRoundings must be ≥ 0 (got -1)");
    }
}
