using static LoopedIcl.TestSupport.Refusals;
using System.Numerics;

namespace LoopedIcl.Lemmas;

/// <summary>
/// STATISTICS (library level, exact small cases): the arithmetic under every model and proof (Numerics/Algebra): dual numbers
/// against derivatives worked by hand, rationals (normalised, exact, their nearest double), the small matrix type against products,
/// blocks and traces written out, the rounding budgets' formula, and the vectorised row-major products bit for bit against the
/// plain dot-product loop they replace. Part of the mutation shards' fast set (Category Library: milliseconds).
/// </summary>
[TestFixture, Category(ClaimIds.Statistics), Category(CategoryLabels.Library)]
public sealed class LibraryAlgebra
{

    private static Rational R(long p, long q = 1) => Rational.Of(p, q);

    private static Mat<Rational> Q(long[,] a) => Mat<Rational>.Build(a.GetLength(0), a.GetLength(1), (i, j) => R(a[i, j]));

    private static void Same(Mat<Rational> actual, long[,] want, string what) =>
        Checks.True(actual.ExactlyEquals(Q(want)), $"{what}: expected {Q(want)}, got {actual}");

    /// <summary>STATISTICS: dual numbers carry exact derivatives: (3 + 2ε)(5 + 7ε) = 15 + 31ε, (3 + 2ε)/(5 + 7ε) = 3/5 − (11/25)ε; d/dx (x + 2)/(x − 1) = −3/4 at 3; comparisons look at the value only.</summary>
    [Test]
    public void STATISTICS_Dual_numbers_differentiate_exactly()
    {
        var a = new Dual<Rational>(R(3), R(2));
        var b = new Dual<Rational>(R(5), R(7));
        void Is(Dual<Rational> d, Rational v, Rational dv, string what) =>
            Checks.True(d.Value == v && d.Derivative == dv, $"{what}: expected {v} + {dv}ε, got {d.Value} + {d.Derivative}ε");
        Is(a + b, R(8), R(9), "a + b");
        Is(a - b, R(-2), R(-5), "a − b");
        Is(a * b, R(15), R(31), "a·b = 15 + (3·7 + 2·5)ε");
        Is(a / b, R(3, 5), R(-11, 25), "a/b = 3/5 + ((2·5 − 3·7)/25)ε");
        Is(-a, R(-3), R(-2), "−a");
        Is(Dual<Rational>.Zero, R(0), R(0), "zero");
        Is(Dual<Rational>.One, R(1), R(0), "one");
        Is(Dual<Rational>.FromInt(-4), R(-4), R(0), "FromInt(−4)");
        Is(Dual<Rational>.Constant(R(7, 3)), R(7, 3), R(0), "a constant");
        var x = Dual<Rational>.Variable(R(3));
        Is(x, R(3), R(1), "the variable");
        Is(x * x, R(9), R(6), "d/dx x² = 2x at 3");
        Is((x + Dual<Rational>.FromInt(2)) / (x - Dual<Rational>.One), R(5, 2), R(-3, 4), "d/dx (x + 2)/(x − 1) = −3/(x − 1)² at 3");
        Checks.True(a.ToDouble() == 3 && new Dual<Real>(2.5, 1).ToDouble() == 2.5, "ToDouble is the value's");

        var low = new Dual<Rational>(R(3), R(100));
        var high = new Dual<Rational>(R(4), R(-100));
        var tie = new Dual<Rational>(R(3), R(-5));
        Checks.True(low < high && !(high < low) && !(low < tie), "< compares values only");
        Checks.True(high > low && !(low > high) && !(low > tie), "> compares values only");
        Checks.True(low <= tie && tie <= low && low <= high && !(high <= low), "≤ compares values only");
        Checks.True(low >= tie && tie >= low && high >= low && !(low >= high), "≥ compares values only");
    }

    /// <summary>STATISTICS: Real is plain double arithmetic behind the scalar interface: 7 ∘ 2 for every operator, value comparisons, round-trip text.</summary>
    [Test]
    public void STATISTICS_Real_is_double_arithmetic()
    {
        Real s = 7, t = 2;
        Checks.True((s + t).Value == 9 && (s - t).Value == 5 && (s * t).Value == 14 && (s / t).Value == 3.5 && (-s).Value == -7, "+ − × ÷ and negation on 7, 2");
        Checks.True(Real.Zero.Value == 0 && Real.One.Value == 1 && Real.FromInt(-3).Value == -3 && new Real(0.25).ToDouble() == 0.25, "constants and conversions");
        Real same = 7;
        Checks.True(t < s && !(s < t) && !(s < same), "<");
        Checks.True(s > t && !(t > s) && !(s > same), ">");
        Checks.True(t <= s && s <= same && !(s <= t), "≤");
        Checks.True(s >= t && s >= same && !(t >= s), "≥");
        Checks.True(new Real(0.1).ToString() == "0.1" && new Real(-2.5e-300).ToString() == "-2.5E-300", $"round-trip text (got {new Real(0.1)})");
    }

    /// <summary>
    /// STATISTICS: rationals are exact and normalised (2/4 = 1/2, 1/−2 = −1/2 with a positive denominator), compare and hash by value,
    /// reject division by zero, and convert to the nearest double (within 2 ulp), also beyond the double range of numerator and denominator.
    /// </summary>
    [Test]
    public void STATISTICS_Rationals_are_exact()
    {
        Checks.True(R(2, 4) == R(1, 2) && R(2, 4).Numerator == 1 && R(2, 4).Denominator == 2, "2/4 normalises to 1/2");
        Checks.True(R(1, -2).Numerator == -1 && R(1, -2).Denominator == 2, "1/−2 = −1/2, positive denominator");
        Checks.True(R(1, 2) + R(1, 3) == R(5, 6) && R(1, 2) - R(1, 3) == R(1, 6) && R(2, 3) * R(3, 4) == R(1, 2) && R(2, 3) / R(4, 9) == R(3, 2) && -R(2, 3) == R(-2, 3), "+ − × ÷ and negation");
        Checks.True(Rational.Zero.IsZero && !Rational.One.IsZero && Rational.One == R(1) && Rational.FromInt(-9) == R(-18, 2), "constants");
        Checks.True(R(1, 3) < R(1, 2) && !(R(1, 2) < R(1, 3)) && !(R(1, 2) < R(2, 4)), "<");
        Checks.True(R(1, 2) > R(1, 3) && !(R(1, 3) > R(1, 2)) && !(R(1, 2) > R(2, 4)), ">");
        Checks.True(R(1, 3) <= R(1, 2) && R(1, 2) <= R(2, 4) && !(R(1, 2) <= R(1, 3)), "≤");
        Checks.True(R(1, 2) >= R(1, 3) && R(1, 2) >= R(2, 4) && !(R(1, 3) >= R(1, 2)), "≥");
        Checks.True(R(1, 2) != R(1, 3) && !(R(1, 2) != R(2, 4)), "!=");
        Checks.True(R(1, 2).Equals(R(2, 4)) && R(1, 2).Equals((object)R(2, 4)) && !R(1, 2).Equals((object)0.5) && !R(1, 2).Equals(R(1, 3)), "Equals by value, not across types");
        Checks.True(R(1, 2).GetHashCode() == R(3, 6).GetHashCode(), "equal rationals hash alike");
        Checks.True(R(-7, 2).ToString() == "-7/2" && R(4).ToString() == "4", $"text (got {R(-7, 2)}, {R(4)})");
        Checks.True(Assert.Throws<DivideByZeroException>(() => _ = R(1) / Rational.Zero)!.Message.Contains("division by zero", StringComparison.Ordinal), "x/0 says division by zero");
        Checks.True(Assert.Throws<DivideByZeroException>(() => Rational.Of(BigInteger.One, BigInteger.Zero))!.Message.Contains("division by zero", StringComparison.Ordinal), "Of(1, 0) says division by zero");
        Checks.True(Rational.Of(new BigInteger(6), new BigInteger(-4)) == R(-3, 2), "Of(BigInteger) normalises");

        Checks.True(Rational.Zero.ToDouble() == 0 && R(-7, 2).ToDouble() == -3.5 && R(3).ToDouble() == 3 && R(1, 1024).ToDouble() == 1.0 / 1024, "exact values convert exactly");
        foreach (var (p, q) in new[] { (1L, 3L), (2L, 3L), (-22L, 7L), (1L << 52, 3L), (5L, 1L << 60), (9_007_199_254_740_991L, 10L) })
        {
            double want = (double)p / q; // p, q exact doubles: the correctly rounded quotient
            double got = R(p, q).ToDouble();
            Checks.True(Math.Abs(got - want) <= 2 * (Math.BitIncrement(Math.Abs(want)) - Math.Abs(want)), $"{p}/{q}: {got} within 2 ulp of {want}");
        }
        var big = BigInteger.Pow(10, 400);
        Checks.True(Math.Abs(Rational.Of(10 * big, 3 * big).ToDouble() - 10.0 / 3) <= 1e-15, "10·10⁴⁰⁰/(3·10⁴⁰⁰) = 10/3 (beyond the double range)");
        Checks.True(Math.Abs(Rational.Of(-(big + 1), big).ToDouble() + 1) <= 1e-15, "−(10⁴⁰⁰ + 1)/10⁴⁰⁰ ≈ −1");
        Checks.True(Math.Abs(Rational.Of((BigInteger.One << 100) + 1, 3).ToDouble() - Math.Pow(2, 100) / 3) <= 1e-15 * Math.Pow(2, 100), "(2¹⁰⁰ + 1)/3: a numerator longer than the quotient");
        Checks.True(Rational.Of(big, 1).ToDouble() == double.PositiveInfinity && Rational.Of(-big, 1).ToDouble() == double.NegativeInfinity, "10⁴⁰⁰ overflows to ±∞");
        Checks.True(Rational.Of(1, big).ToDouble() == 0, "10⁻⁴⁰⁰ underflows to 0");
        Checks.True(Rational.Of(BigInteger.One, BigInteger.One << 1074).ToDouble() == double.Epsilon, "2⁻¹⁰⁷⁴ is the least subnormal");
    }

    /// <summary>STATISTICS: Mat's construction, indexing (row-major), identity, column, clone (a copy), transpose, and the rejected shapes.</summary>
    [Test]
    public void STATISTICS_Matrix_construction_and_shape()
    {
        Rejects(() => _ = new Mat<Real>(0, 2), "rows", "≥ 1");
        Rejects(() => _ = new Mat<Real>(2, 0), "cols", "≥ 1");
        var z = Mat<Rational>.Zeros(2, 3);
        Checks.True(z.Rows == 2 && z.Cols == 3, "Zeros(2, 3) is 2×3");
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                Checks.True(z[i, j] == Rational.Zero && (z[i, j] + R(1, 2)) == R(1, 2) && z[i, j].Denominator == 1, $"a rational zero at ({i}, {j}) is a valid 0 (0/1, positive denominator)");
        Checks.True(default(Rational) == Rational.Zero && default(Rational).Denominator == 1 && (default(Rational) + R(1, 2)) == R(1, 2) && default(Rational).ToDouble() == 0,
            "default(Rational) is a valid 0/1 (so a new rational array needs no fill)");
        var m = Mat<Rational>.Build(2, 3, (i, j) => R(10 * i + j));
        Checks.True(m[0, 2] == R(2) && m[1, 0] == R(10) && m[1, 2] == R(12), "Build(i, j) ↦ 10i + j");
        Checks.True(m.ToDoubleArray() is { } d && d[1, 2] == 12 && d[0, 1] == 1 && d.GetLength(0) == 2 && d.GetLength(1) == 3, "ToDoubleArray");
        Checks.True(m.ToString() == "[[0, 1, 2], [10, 11, 12]]", $"text (got {m})");
        Same(Mat<Rational>.Identity(3), new long[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, "I₃");
        Same(Mat<Rational>.Column([R(4), R(-1)]), new long[,] { { 4 }, { -1 } }, "Column(4, −1)");
        Same(m.Transpose(), new long[,] { { 0, 10 }, { 1, 11 }, { 2, 12 } }, "transpose of a 2×3");
        var c = m.Clone();
        c[0, 0] = R(99);
        Checks.True(m[0, 0] == R(0) && c[0, 0] == R(99) && c[1, 2] == R(12), "a clone is a copy");
        Checks.True(!m.ExactlyEquals(m.Transpose()) && !m.ExactlyEquals(c) && m.ExactlyEquals(m.Clone()), "ExactlyEquals: shape and every entry");
        var row = Mat<Rational>.Build(1, 6, (_, j) => R(j));
        var tall = Mat<Rational>.Build(6, 1, (i, _) => R(i));
        var square = Mat<Rational>.Build(2, 2, (i, j) => R(2 * i + j));
        var wide = Mat<Rational>.Build(2, 3, (i, j) => R(3 * i + j)); // row-major 0 … 5: its first four entries are the square's 0 … 3
        Checks.True(!square.ExactlyEquals(wide) && !wide.ExactlyEquals(square), "one dimension differs (the first entries agree): not equal");
        Checks.True(!row.ExactlyEquals(tall) && !Mat<Rational>.Build(2, 3, (i, j) => R(3 * i + j)).ExactlyEquals(Mat<Rational>.Build(3, 2, (i, j) => R(2 * i + j))), "same entries, another shape: not equal");
    }

    /// <summary>
    /// STATISTICS: products and elementwise operations worked by hand: [[1, 0, 2], [−1, 3, 1]]·[[3, 1], [2, 1], [1, 0]] = [[5, 1], [4, 2]]
    /// (a zero entry skipped exactly), sums, differences, scaling, Hadamard, trace, dot; mismatched shapes are rejected naming b.
    /// </summary>
    [Test]
    public void STATISTICS_Matrix_arithmetic_worked_by_hand()
    {
        var a = Q(new long[,] { { 1, 0, 2 }, { -1, 3, 1 } });
        var b = Q(new long[,] { { 3, 1 }, { 2, 1 }, { 1, 0 } });
        Same(a * b, new long[,] { { 5, 1 }, { 4, 2 } }, "A·B");
        Same(b * a, new long[,] { { 2, 3, 7 }, { 1, 3, 5 }, { 1, 0, 2 } }, "B·A");
        var c = Q(new long[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Same(a + c, new long[,] { { 2, 2, 5 }, { 3, 8, 7 } }, "A + C");
        Same(a - c, new long[,] { { 0, -2, -1 }, { -5, -2, -5 } }, "A − C");
        Same(-a, new long[,] { { -1, 0, -2 }, { 1, -3, -1 } }, "−A");
        Same(R(3) * a, new long[,] { { 3, 0, 6 }, { -3, 9, 3 } }, "3A");
        Same(a.Hadamard(c), new long[,] { { 1, 0, 6 }, { -4, 15, 6 } }, "A ∘ C");
        Same(a.Map(v => v * v), new long[,] { { 1, 0, 4 }, { 1, 9, 1 } }, "A mapped to squares");
        Checks.True((a * b).Trace() == R(7), "tr(A·B) = 5 + 2");
        Checks.True((b * a).Trace() == R(7), "tr(B·A) = tr(A·B)");
        Checks.True(Mat<Rational>.Dot(Q(new long[,] { { 1 }, { -2 }, { 3 } }), Q(new long[,] { { 4 }, { 5 }, { 6 } })) == R(12), "⟨(1, −2, 3), (4, 5, 6)⟩ = 12");

        Rejects(() => _ = a * a, "b", "Shapes do not match for a product");
        Rejects(() => _ = a + b, "b", "Shapes do not match");
        Rejects(() => _ = a - Q(new long[,] { { 1, 2 }, { 3, 4 } }), "b", "Shapes do not match");
        Rejects(() => _ = a - Q(new long[,] { { 1, 2, 3 } }), "b", "Shapes do not match");
        Rejects(() => a.Hadamard(b), "b", "Shapes do not match");
        Rejects(() => a.Trace(), "matrix", "must be square");
        var col = Q(new long[,] { { 1 }, { 2 } });
        Rejects(() => Mat<Rational>.Dot(a, col), "b", "two column vectors");
        Rejects(() => Mat<Rational>.Dot(col, a), "b", "two column vectors");
        Rejects(() => Mat<Rational>.Dot(col, Q(new long[,] { { 1 }, { 2 }, { 3 } })), "b", "two column vectors");
    }

    /// <summary>STATISTICS: blocks read and write the stated rectangle, up to the edges; one entry past any edge is rejected.</summary>
    [Test]
    public void STATISTICS_Matrix_blocks()
    {
        var m = Mat<Rational>.Build(3, 4, (i, j) => R(10 * i + j));
        Same(m.Block(1, 2, 2, 2), new long[,] { { 12, 13 }, { 22, 23 } }, "the bottom-right 2×2 block");
        Same(m.Block(0, 0, 3, 4), new long[,] { { 0, 1, 2, 3 }, { 10, 11, 12, 13 }, { 20, 21, 22, 23 } }, "the whole matrix");
        Same(m.Block(2, 1, 1, 2), new long[,] { { 21, 22 } }, "a row piece");
        foreach (var (r0, c0, rows, cols) in new[] { (-1, 0, 1, 1), (0, -1, 1, 1), (2, 0, 2, 1), (0, 3, 1, 2), (0, 0, 4, 1), (0, 0, 1, 5) })
            Rejects(() => m.Block(r0, c0, rows, cols), "rows", "is outside a 3×4 matrix");

        var target = Mat<Rational>.Zeros(3, 4);
        target.SetBlock(1, 2, Q(new long[,] { { 7, 8 }, { 9, 6 } }));
        Same(target, new long[,] { { 0, 0, 0, 0 }, { 0, 0, 7, 8 }, { 0, 0, 9, 6 } }, "SetBlock at (1, 2)");
        target.SetBlock(0, 0, Q(new long[,] { { 1, 2, 3, 4 } }));
        Same(target, new long[,] { { 1, 2, 3, 4 }, { 0, 0, 7, 8 }, { 0, 0, 9, 6 } }, "SetBlock of a full row");
        var piece = Q(new long[,] { { 1, 1 }, { 1, 1 } });
        foreach (var (r0, c0) in new[] { (-1, 0), (0, -1), (2, 0), (0, 3) })
            Rejects(() => target.SetBlock(r0, c0, piece), "b", "does not fit a 3×4 matrix");
    }

    /// <summary>STATISTICS: the Real conversions: From (array, MathNet), Column, ToMathNet, ColumnToArray, and the max-norms, which give NaN for a non-finite entry.</summary>
    [Test]
    public void STATISTICS_Real_matrix_conversions_and_norms()
    {
        var a = RealMat.From(new double[,] { { 1, -5 }, { 3, 2 }, { 0.5, 4 } });
        Checks.True(a.Rows == 3 && a.Cols == 2 && a[0, 1].Value == -5 && a[2, 0].Value == 0.5, "From(double[,])");
        var mn = a.ToMathNet();
        Checks.True(mn.RowCount == 3 && mn.ColumnCount == 2 && mn[0, 1] == -5 && mn[2, 0] == 0.5 && mn[1, 1] == 2, "ToMathNet");
        Checks.True(RealMat.From(mn).ExactlyEquals(a), "From(MathNet) round-trips");
        var v = RealMat.Column([1.5, -2, 7]);
        Checks.True(v.Rows == 3 && v.Cols == 1 && v.ColumnToArray().SequenceEqual([1.5, -2.0, 7]), "Column and ColumnToArray");
        Rejects(() => a.ColumnToArray(), "v", "Expected a column vector");
        Checks.True(RealMat.MaxAbs(a) == 5, "max |entry| = 5 (a negative entry in the middle)");
        var b = RealMat.From(new double[,] { { 1, -5 }, { 0, 2 }, { 0.5, 3.5 } });
        Checks.True(RealMat.MaxAbsDiff(a, b) == 3, "max |a − b| = 3 (row 1), not the last entry's 0.5");
        Checks.True(RealMat.MaxAbsDiff(b, a) == 3, "symmetric");
        Checks.True(RealMat.MaxAbsDiff(a, a) == 0, "max |a − a| = 0");
        var bad = RealMat.From(new double[,] { { 1, double.NaN }, { 0, 2 }, { 0.5, 3.5 } });
        var inf = RealMat.From(new double[,] { { 1, 2 }, { double.PositiveInfinity, 2 }, { 0.5, 3.5 } });
        Checks.True(double.IsNaN(RealMat.MaxAbsDiff(a, bad)) && double.IsNaN(RealMat.MaxAbsDiff(inf, a)), "a non-finite entry gives NaN, never a small difference");
        Checks.True(double.IsNaN(RealMat.MaxAbs(bad)) && double.IsNaN(RealMat.MaxAbs(inf)), "MaxAbs of a non-finite entry is NaN");
        Rejects(() => RealMat.MaxAbsDiff(a, v), "b", "Shapes do not match");
        Rejects(() => RealMat.MaxAbsDiff(a, RealMat.From(new double[,] { { 1, 2, 3 }, { 1, 2, 3 }, { 1, 2, 3 } })), "b", "Shapes do not match");
    }

    /// <summary>STATISTICS: the budget is 64·u·k·(L + 1)·max(1, G)·max(1, magnitude); GeneralLayers uses k = n(d + 1) and magnitude z(1 + (d + 1)²z²).</summary>
    [Test]
    public void STATISTICS_Rounding_budget_formula()
    {
        const double u = 1.0 / (1L << 53);
        Checks.True(RoundingBudget.UnitRoundoff == u && RoundingBudget.Safety == 64, "u = 2⁻⁵³, safety 64");
        Checks.Close(RoundingBudget.Accumulated(3, 2, 5, 2), 64 * u * 3 * 3 * 2 * 5, 1e-28, "k = 3, L = 2, magnitude 5, growth 2");
        Checks.Close(RoundingBudget.Accumulated(3, 2, 5), 64 * u * 3 * 3 * 5, 1e-28, "default growth 1");
        Checks.Close(RoundingBudget.Accumulated(1, 0, 0.1, 0.5), 64 * u, 1e-30, "magnitude and growth below 1 count as 1");
        Checks.Close(RoundingBudget.GeneralLayers(2, 1, 3, 2), 64 * u * 4 * 4 * 34, 1e-27, "n = 2, d = 1, L = 3, z = 2: k = 4, magnitude 2(1 + 4·4) = 34");
        Checks.Close(RoundingBudget.GeneralLayers(1, 2, 0, 0.25), 64 * u * 3, 1e-28, "z = 1/4: magnitude (1 + 9/16)/4 < 1 counts as 1");
        Checks.Close(RoundingBudget.GeneralLayers(1, 2, 0, 0.5), 64 * u * 3 * 1.625, 1e-28, "z = 1/2: magnitude (1 + 9/4)/2 = 1.625");
        Checks.True(Assert.Throws<ArgumentException>(() => RoundingBudget.Accumulated(0, 1, 1))!.Message.Contains("termsPerSum must be ≥ 1", StringComparison.Ordinal), "k = 0 is rejected with its rule");
        Checks.True(Assert.Throws<ArgumentException>(() => RoundingBudget.Accumulated(1, -1, 1))!.Message.Contains("layers ≥ 0", StringComparison.Ordinal), "L = −1 is rejected with its rule");
    }

    /// <summary>The plain dot-product loop the row-major kernels must equal bit for bit: c_ij = 0 + Σ_k a_ik b_kj, k increasing.</summary>
    private static double[] Plain(double[] a, double[] b, int d, bool transposeA)
    {
        var c = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int k = 0; k < d; k++) s += (transposeA ? a[k * d + i] : a[i * d + k]) * b[k * d + j];
                c[i * d + j] = s;
            }
        return c;
    }

    private static bool Bitwise(double[] x, double[] y, int count) => Checks.SameBits(x.AsSpan(0, count), y.AsSpan(0, count));

    /// <summary>STATISTICS: the vectorised a·b, aᵀb and I − aᵀb equal the plain dot-product loop bit for bit for d = 1 … 9 (every vector width and remainder).</summary>
    [Test]
    public void STATISTICS_Row_major_products_equal_the_plain_loop()
    {
        var rng = new Random(TestSettings.SeedFor("STATISTICS.library-rowmajor"));
        for (int d = 1; d <= 9; d++)
        {
            var a = Enumerable.Range(0, d * d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var b = Enumerable.Range(0, d * d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var c = new double[d * d];
            RowMajor.Multiply(a, b, c, d);
            Checks.True(Bitwise(c, Plain(a, b, d, false), d * d), $"d = {d}: a·b");
            RowMajor.TransposeTimes(a, b, c, d, false);
            var atb = Plain(a, b, d, true);
            Checks.True(Bitwise(c, atb, d * d), $"d = {d}: aᵀb");
            RowMajor.TransposeTimes(a, b, c, d, true);
            var imatb = Enumerable.Range(0, d * d).Select(k => (k / d == k % d ? 1 : 0) - atb[k]).ToArray();
            Checks.True(Bitwise(c, imatb, d * d), $"d = {d}: I − aᵀb");
        }
        // By hand: [[1, 2], [3, 4]]·[[5, 6], [7, 8]] = [[19, 22], [43, 50]]; [[1, 2], [3, 4]]ᵀ[[5, 6], [7, 8]] = [[26, 30], [38, 44]].
        var c2 = new double[4];
        RowMajor.Multiply([1, 2, 3, 4], [5, 6, 7, 8], c2, 2);
        Checks.True(c2.SequenceEqual([19.0, 22, 43, 50]), "2×2 product by hand");
        RowMajor.TransposeTimes([1, 2, 3, 4], [5, 6, 7, 8], c2, 2, true);
        Checks.True(c2.SequenceEqual([-25.0, -30, -38, -43]), "I − aᵀb by hand");
        // Longer buffers are fine (only the first d² entries are read and written); short ones and d < 0 are rejected.
        var longC = Enumerable.Repeat(9.0, 6).ToArray();
        RowMajor.Multiply([1, 2, 3, 4, 100], [5, 6, 7, 8], longC, 2);
        Checks.True(longC.SequenceEqual([19.0, 22, 43, 50, 9, 9]), "a longer c keeps its tail");
        foreach (var subtract in new[] { false, true })
        {
            var tail = Enumerable.Repeat(9.0, 7).ToArray();
            RowMajor.TransposeTimes([1, 2, 3, 4, 100, 100, 100], [5, 6, 7, 8, 100, 100, 100], tail, 2, subtract);
            double[] head = subtract ? [-25.0, -30, -38, -43] : [26.0, 30, 38, 44];
            Checks.True(tail.SequenceEqual(head.Concat([9.0, 9, 9])), $"aᵀb (I − aᵀb: {subtract}) writes only its d² entries (got {string.Join(", ", tail)})");
        }
        Rejects(() => RowMajor.Multiply(new double[3], new double[4], new double[4], 2), "d", "d×d");
        Rejects(() => RowMajor.Multiply(new double[4], new double[3], new double[4], 2), "d", "d×d");
        Rejects(() => RowMajor.Multiply(new double[4], new double[4], new double[3], 2), "d", "d×d");
        Rejects(() => RowMajor.TransposeTimes(new double[4], new double[4], new double[3], 2, false), "d", "d×d");
        Rejects(() => RowMajor.Multiply(new double[4], new double[4], new double[4], -1), "d", "d×d");
        RowMajor.Multiply([], [], [], 0);
    }

    /// <summary>
    /// STATISTICS: x·I and I·x as Multiply forms them: for finite x each entry 0 + x_ij (−0 becomes +0); with ∞ in x, the products ∞·0 = NaN
    /// spread along its row (x·I) or its column (I·x).
    /// </summary>
    [Test]
    public void STATISTICS_Times_identity_is_the_product_with_identity()
    {
        var c = new double[4];
        double[] x = [-0.0, 2, 3, -4];
        foreach (var left in new[] { false, true })
        {
            RowMajor.TimesIdentity(x, c, 2, left);
            Checks.True(BitConverter.DoubleToInt64Bits(c[0]) == 0 && c[1] == 2 && c[2] == 3 && c[3] == -4, $"finite x (identity on the {(left ? "left" : "right")}): 0 + x, −0 → +0");
        }
        var rng = new Random(5);
        for (int d = 1; d <= 5; d++)
        {
            var y = Enumerable.Range(0, d * d).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var id = new double[d * d];
            for (int k = 0; k < d; k++) id[k * d + k] = 1;
            var cd = new double[d * d];
            RowMajor.TimesIdentity(y, cd, d, false);
            Checks.True(Bitwise(cd, Plain(y, id, d, false), d * d), $"d = {d}: x·I");
            RowMajor.TimesIdentity(y, cd, d, true);
            Checks.True(Bitwise(cd, Plain(id, y, d, false), d * d), $"d = {d}: I·x");
        }
        // x = [[∞, 1], [2, 3]]: x·I = [[∞, NaN], [2, 3]], I·x = [[∞, 1], [NaN, 3]].
        double[] inf = [double.PositiveInfinity, 1, 2, 3];
        RowMajor.TimesIdentity(inf, c, 2, false);
        Checks.True(double.IsPositiveInfinity(c[0]) && double.IsNaN(c[1]) && c[2] == 2 && c[3] == 3, $"x·I spreads NaN along the row (got {string.Join(", ", c)})");
        RowMajor.TimesIdentity(inf, c, 2, true);
        Checks.True(double.IsPositiveInfinity(c[0]) && c[1] == 1 && double.IsNaN(c[2]) && c[3] == 3, $"I·x spreads NaN along the column (got {string.Join(", ", c)})");
        // Every entry infinite: x·I = I·x = NaN everywhere (∞·1 + ∞·0), never x itself.
        RowMajor.TimesIdentity([double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity], c, 2, false);
        Checks.True(c.All(double.IsNaN), $"all-∞ x·I is NaN everywhere (got {string.Join(", ", c)})");
        // A NaN in the last entry is found too: x = [[1, 2], [3, NaN]] → x·I = [[1, 2], [NaN, NaN]].
        RowMajor.TimesIdentity([1, 2, 3, double.NaN], c, 2, false);
        Checks.True(c[0] == 1 && c[1] == 2 && double.IsNaN(c[2]) && double.IsNaN(c[3]), $"a NaN in the last entry (got {string.Join(", ", c)})");
    }
}
