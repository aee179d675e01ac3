using static LoopedIcl.TestSupport.Refusals;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// STATISTICS (library level, exact small cases): the samplers every Monte Carlo draw starts from (Numerics/Prompts: the seeded
/// streams, Gaussian matrices, Haar bases, covariances with a given spectrum, the integer points of the exact proofs, the prompt
/// itself), each against its definition: shapes, the label y = Xw* for the drawn w*, replay per seed, the covariance
/// transform as defined, the Schwartz–Zippel bound. Part of the mutation shards' fast set (Category Library: milliseconds).
/// </summary>
[TestFixture, Category(ClaimIds.Statistics), Category(CategoryLabels.Library)]
public sealed class LibraryPrompts
{

    private static Mat<Rational> Q(long[,] a) => Mat<Rational>.Build(a.GetLength(0), a.GetLength(1), (i, j) => Rational.FromInt(a[i, j]));

    /// <summary>STATISTICS: a prompt keeps X, y, x_q, y_q, w*; N = rows of X, D = its columns; every other shape is rejected by name.</summary>
    [Test]
    public void STATISTICS_Prompt_shapes_and_realizable_labels()
    {
        // X = [[1, 2], [3, 4], [5, 6]], w* = (2, −1): y = Xw* = (0, 2, 4); x_q = (1, 3): y_q = 2 − 3 = −1.
        var x = Q(new long[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        var w = Q(new long[,] { { 2 }, { -1 } });
        var q = Q(new long[,] { { 1 }, { 3 } });
        var p = Prompt<Rational>.Realizable(x, q, w);
        Checks.True(p.N == 3 && p.D == 2, $"N = 3, D = 2 (got {p.N}, {p.D})");
        Checks.True(ReferenceEquals(p.X, x) && ReferenceEquals(p.Query, q) && ReferenceEquals(p.Task, w), "X, x_q and w* are kept");
        Checks.True(p.Y.ExactlyEquals(Q(new long[,] { { 0 }, { 2 }, { 4 } })), $"y = Xw* = (0, 2, 4) (got {p.Y})");
        Checks.True(p.QueryTarget == Rational.FromInt(-1), $"y_q = ⟨x_q, w*⟩ = −1 (got {p.QueryTarget})");

        var y = Q(new long[,] { { 7 }, { 8 }, { 9 } });
        var direct = new Prompt<Rational>(x, y, q, Rational.FromInt(5), w);
        Checks.True(ReferenceEquals(direct.Y, y) && direct.QueryTarget == Rational.FromInt(5), "the constructor keeps y and y_q as given");

        Rejects(() => new Prompt<Rational>(x, Q(new long[,] { { 1 }, { 2 } }), q, Rational.Zero, w), "y", "must be 3×1");
        Rejects(() => new Prompt<Rational>(x, Q(new long[,] { { 1, 2, 3 } }), q, Rational.Zero, w), "y", "must be 3×1");
        Rejects(() => new Prompt<Rational>(x, y, Q(new long[,] { { 1 }, { 2 }, { 3 } }), Rational.Zero, w), "query", "must be 2×1");
        Rejects(() => new Prompt<Rational>(x, y, Q(new long[,] { { 1, 2 } }), Rational.Zero, w), "query", "must be 2×1");
        Rejects(() => new Prompt<Rational>(x, y, q, Rational.Zero, Q(new long[,] { { 1 } })), "task", "must be 2×1");
        Rejects(() => new Prompt<Rational>(x, y, q, Rational.Zero, Q(new long[,] { { 1, 2 } })), "task", "must be 2×1");
    }

    /// <summary>
    /// STATISTICS: integer points are uniform on {−K, …, K}: integers in range, every value of K = 1 hit in 300 draws, |S| = 2K + 1;
    /// a seed replays the stream and another seed gives another; Matrix fills row by row from the stream; Prompt draws X, x_q, w*
    /// in that order and labels y = Xw*, y_q = ⟨x_q, w*⟩.
    /// </summary>
    [Test]
    public void STATISTICS_Integer_points_are_uniform_integers_and_replay()
    {
        Rejects(() => _ = new IntegerPoints(1, 0), "range", "≥ 1");
        Rejects(() => _ = new IntegerPoints(1, -3), "range", "≥ 1");
        var one = new IntegerPoints(TestSettings.SeedFor("STATISTICS.library-points"), 1);
        Checks.True(one.Range == 1 && one.SetSize == 3, $"K = 1: |S| = 3 (got {one.SetSize})");
        Checks.True(new IntegerPoints(1).Range == 1_000_000 && new IntegerPoints(1).SetSize == 2_000_001, "the default K = 10⁶, |S| = 2·10⁶ + 1");
        var seen = new HashSet<long>();
        for (int k = 0; k < 300; k++)
        {
            var r = one.Next();
            Checks.True(r.Denominator.IsOne, $"an integer point (got {r})");
            seen.Add((long)r.Numerator);
        }
        Checks.True(seen.SetEquals(new long[] { -1, 0, 1 }), $"300 draws on K = 1 hit exactly −1, 0, 1 (got {string.Join(", ", seen.Order())})");

        var five = new IntegerPoints(11, 5);
        var values = Enumerable.Range(0, 400).Select(_ => (long)five.Next().Numerator).ToArray();
        Checks.True(values.Min() == -5 && values.Max() == 5, $"K = 5: draws span −5 … 5 (got {values.Min()} … {values.Max()})");

        var a = new IntegerPoints(42, 100);
        var b = new IntegerPoints(42, 100);
        var c = new IntegerPoints(43, 100);
        var sa = Enumerable.Range(0, 8).Select(_ => a.Next()).ToArray();
        var sb = Enumerable.Range(0, 8).Select(_ => b.Next()).ToArray();
        var sc = Enumerable.Range(0, 8).Select(_ => c.Next()).ToArray();
        Checks.True(sa.SequenceEqual(sb), "the same seed replays the stream");
        Checks.True(!sa.SequenceEqual(sc), "another seed gives another stream");

        var m = new IntegerPoints(7, 100).Matrix(2, 3);
        var stream = new IntegerPoints(7, 100);
        Checks.True(m.Rows == 2 && m.Cols == 3, "Matrix(2, 3) is 2×3");
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                Checks.True(m[i, j] == stream.Next(), $"entry ({i}, {j}) is draw {3 * i + j} of the stream");

        var p = new IntegerPoints(9, 50).Prompt(4, 3);
        var replay = new IntegerPoints(9, 50);
        var x = replay.Matrix(4, 3);
        var query = replay.Matrix(3, 1);
        var task = replay.Matrix(3, 1);
        Checks.True(p.N == 4 && p.D == 3 && p.X.ExactlyEquals(x) && p.Query.ExactlyEquals(query) && p.Task.ExactlyEquals(task), "Prompt draws X, x_q, w* in order");
        for (int i = 0; i < 4; i++)
        {
            var yi = Rational.Zero;
            for (int j = 0; j < 3; j++) yi += x[i, j] * task[j, 0];
            Checks.True(p.Y[i, 0] == yi, $"y_{i} = ⟨x_{i}, w*⟩");
        }
        Checks.True(p.QueryTarget == query[0, 0] * task[0, 0] + query[1, 0] * task[1, 0] + query[2, 0] * task[2, 0], "y_q = ⟨x_q, w*⟩");
    }

    /// <summary>STATISTICS: the Schwartz–Zippel bound (D/|S|)^trials: K = 3, |S| = 7, degree 2, three trials: 8/343; degree 7 gives 1.</summary>
    [Test]
    public void STATISTICS_False_proof_probability_is_the_schwartz_zippel_bound()
    {
        var points = new IntegerPoints(1, 3);
        Checks.Close(points.FalseProofProbability(2, 3), 8.0 / 343, 1e-17, "(2/7)³");
        Checks.Close(points.FalseProofProbability(2, 1), 2.0 / 7, 1e-16, "(2/7)¹");
        Checks.Close(points.FalseProofProbability(7, 5), 1, 1e-15, "(7/7)⁵");
        Checks.Close(points.FalseProofProbability(3, 0), 1, 0.5e-16, "no trial: probability 1");
    }

    /// <summary>
    /// STATISTICS: Rng.Create(seed) replays per seed and differs across seeds; Gaussians has the requested length and standard normal
    /// moments (4000 draws: mean within 5/√4000 of 0, variance within 0.15 of 1); GaussianMatrix(rows, cols, s) is s times the same
    /// stream laid out row by row.
    /// </summary>
    [Test]
    public void STATISTICS_Seeded_streams_and_gaussian_matrices()
    {
        int seed = TestSettings.SeedFor("STATISTICS.library-rng");
        var a = Rng.Gaussians(Rng.Create(seed), 16);
        var b = Rng.Gaussians(Rng.Create(seed), 16);
        var c = Rng.Gaussians(Rng.Create(seed + 1), 16);
        Checks.True(a.Length == 16 && a.SequenceEqual(b), "a seed replays its Gaussians");
        Checks.True(!a.SequenceEqual(c), "another seed gives other Gaussians");
        Checks.True(Rng.Create(5).NextDouble() == Rng.Create(5).NextDouble() && Rng.Create(5).NextDouble() != Rng.Create(6).NextDouble(), "Create replays per seed");
        Checks.True(Rng.Gaussians(Rng.Create(seed), 0).Length == 0, "zero draws: an empty array");

        var g = Rng.Gaussians(Rng.Create(seed), 4000);
        double mean = g.Average(), variance = g.Sum(v => (v - mean) * (v - mean)) / (g.Length - 1);
        Checks.AtMost(Math.Abs(mean), 5 / Math.Sqrt(4000), "mean of 4000 standard normals", CheckKind.Sanity);
        Checks.AtMost(Math.Abs(variance - 1), 0.15, "variance of 4000 standard normals", CheckKind.Sanity);

        var m = Rng.GaussianMatrix(Rng.Create(seed), 2, 3, 2.5);
        var flat = Rng.Gaussians(Rng.Create(seed), 6);
        Checks.True(m.Rows == 2 && m.Cols == 3, "GaussianMatrix(2, 3) is 2×3");
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                Checks.True(m[i, j].Value == 2.5 * flat[i * 3 + j], $"entry ({i}, {j}) = 2.5·g[{i * 3 + j}]");
        var unit = Rng.GaussianMatrix(Rng.Create(seed), 3, 2);
        var flat6 = Rng.Gaussians(Rng.Create(seed), 6);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
                Checks.True(unit[i, j].Value == flat6[i * 2 + j], $"default scale 1: entry ({i}, {j}) = g[{i * 2 + j}]");
    }

    /// <summary>
    /// STATISTICS: HaarOrthogonal(d) is the Q of G = QR for the seeded Gaussian G (column-major fill) with diag R &gt; 0: QᵀQ = I and
    /// QᵀG upper triangular with a positive diagonal; d &lt; 1 is rejected.
    /// </summary>
    [Test]
    public void STATISTICS_Haar_orthogonal_is_the_sign_fixed_qr_factor()
    {
        Rejects(() => Covariance.HaarOrthogonal(0, Rng.Create(1)), "d", "≥ 1");
        int negativeBefore = 0;
        for (int seed = 1; seed <= 6; seed++)
            foreach (int d in new[] { 1, 2, 4 })
            {
                var q = Covariance.HaarOrthogonal(d, Rng.Create(seed));
                var g = Matrix<double>.Build.Dense(d, d, Rng.Gaussians(Rng.Create(seed), d * d));
                Checks.True(q.RowCount == d && q.ColumnCount == d, $"seed {seed}, d = {d}: Q is d×d");
                var qtq = q.TransposeThisAndMultiply(q);
                var r = q.TransposeThisAndMultiply(g);
                var rawR = g.QR().R;
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++)
                    {
                        Checks.Close(qtq[i, j], i == j ? 1 : 0, 1e-14, $"seed {seed}, d = {d}: (QᵀQ)[{i},{j}]");
                        if (i > j) Checks.Close(r[i, j], 0, 1e-13, $"seed {seed}, d = {d}: QᵀG lower entry [{i},{j}]");
                    }
                for (int j = 0; j < d; j++)
                {
                    Checks.AtLeast(r[j, j], 1e-8, $"seed {seed}, d = {d}: R[{j},{j}] > 0", CheckKind.Sanity);
                    Checks.Close(r[j, j], Math.Abs(rawR[j, j]), 1e-13, $"seed {seed}, d = {d}: R[{j},{j}] = |R_QR[{j},{j}]|");
                    if (rawR[j, j] < 0) negativeBefore++;
                }
            }
        Checks.True(negativeBefore > 0, "the cases include a QR with a negative diagonal entry (so the sign fix is exercised)");
    }

    /// <summary>
    /// STATISTICS: FromSpectrum(λ) = O diag(λ) Oᵀ with O the Haar basis of the same stream, exactly symmetric, with eigenvalues λ;
    /// a null, empty or non-positive spectrum is rejected by name. WithConditionNumber(d, κ) is FromSpectrum of the geometric spectrum.
    /// </summary>
    [Test]
    public void STATISTICS_Covariance_from_spectrum_is_the_rotated_diagonal()
    {
        Checks.True(Assert.Throws<ArgumentNullException>(() => Covariance.FromSpectrum(null!, Rng.Create(1)))!.ParamName == "eigenvalues", "null spectrum names eigenvalues");
        Rejects(() => Covariance.FromSpectrum([], Rng.Create(1)), "eigenvalues.Count (d)", "≥ 1");
        Rejects(() => Covariance.FromSpectrum([1.0, 0.0], Rng.Create(1)), "eigenvalues[1]", "> 0");
        Rejects(() => Covariance.FromSpectrum([-2.0, 1.0], Rng.Create(1)), "eigenvalues[0]", "> 0");
        Rejects(() => Covariance.FromSpectrum([1.0, 2.0, double.NaN], Rng.Create(1)), "eigenvalues[2]", "> 0");

        double[] spectrum = [5, 1, 0.25];
        var sigma = Covariance.FromSpectrum(spectrum, Rng.Create(3));
        var o = Covariance.HaarOrthogonal(3, Rng.Create(3));
        var expected = o * Matrix<double>.Build.DiagonalOfDiagonalArray(spectrum) * o.Transpose();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                Checks.True(sigma[i, j] == sigma[j, i], $"Σ is exactly symmetric at [{i},{j}]");
                Checks.Close(sigma[i, j], expected[i, j], 1e-14, $"Σ[{i},{j}] = (O diag(λ) Oᵀ)[{i},{j}]");
            }
        var eig = sigma.Evd(Symmetricity.Symmetric).EigenValues.Select(z => z.Real).Order().ToArray();
        var want = spectrum.Order().ToArray();
        for (int k = 0; k < 3; k++) Checks.Close(eig[k], want[k], 1e-13, $"eigenvalue {k} of Σ");

        var kappa = Covariance.WithConditionNumber(3, 4, Rng.Create(8));
        var same = Covariance.FromSpectrum([1, 0.5, 0.25], Rng.Create(8));
        Checks.True(kappa.Equals(same), "WithConditionNumber(3, 4) = FromSpectrum((1, 1/2, 1/4)) on the same stream");
    }

    /// <summary>STATISTICS: the geometric spectrum runs from 1 down to 1/κ by a constant ratio: (1, 1/2, 1/4) at d = 3, κ = 4; d = 1 needs κ = 1.</summary>
    [Test]
    public void STATISTICS_Geometric_spectrum_exact_values()
    {
        Checks.True(Covariance.GeometricSpectrum(3, 4).SequenceEqual([1.0, 0.5, 0.25]), "d = 3, κ = 4: 1, 1/2, 1/4");
        Checks.True(Covariance.GeometricSpectrum(5, 16).SequenceEqual([1.0, 0.5, 0.25, 0.125, 0.0625]), "d = 5, κ = 16: 1 … 1/16");
        Checks.True(Covariance.GeometricSpectrum(2, 10).SequenceEqual([1.0, 0.1]), "d = 2, κ = 10: 1, 1/10");
        Checks.True(Covariance.GeometricSpectrum(4, 1).All(v => v == 1) && Covariance.GeometricSpectrum(4, 1).Length == 4, "κ = 1: all ones");
        Checks.True(Covariance.GeometricSpectrum(1, 1).SequenceEqual([1.0]), "d = 1, κ = 1: (1)");
        Rejects(() => Covariance.GeometricSpectrum(0, 2), "d", "≥ 1");
        Rejects(() => Covariance.GeometricSpectrum(3, 0.5), "kappa", "≥ 1");
        Rejects(() => Covariance.GeometricSpectrum(3, double.PositiveInfinity), "kappa", "≥ 1");
        Rejects(() => Covariance.GeometricSpectrum(1, 2), "kappa", "must be 1 when d = 1");
    }

    /// <summary>STATISTICS: Σ^p by eigendecomposition: diag(4, 9)^½ = diag(2, 3); for [[2, 1], [1, 2]] the root squares back to Σ, p = 1 is Σ, p = −1 its inverse.</summary>
    [Test]
    public void STATISTICS_Matrix_power_exact_cases()
    {
        var diag = Matrix<double>.Build.DenseOfArray(new double[,] { { 4, 0 }, { 0, 9 } });
        var root = Covariance.Power(diag, 0.5);
        var white = Covariance.Power(diag, -0.5);
        foreach (var (m, want, name) in new[] { (root, new[] { 2.0, 3 }, "Σ^½"), (white, new[] { 0.5, 1.0 / 3 }, "Σ^−½") })
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) Checks.Close(m[i, j], i == j ? want[i] : 0, 1e-15, $"{name}[{i},{j}] of diag(4, 9)");

        var s = Matrix<double>.Build.DenseOfArray(new double[,] { { 2, 1 }, { 1, 2 } });
        var r = Covariance.Power(s, 0.5);
        var rr = r * r;
        var one = Covariance.Power(s, 1);
        var inv = Covariance.Power(s, -1);
        // Σ⁻¹ = [[2, −1], [−1, 2]]/3; Σ^½ = (√3 + 1)/2 on the diagonal and (√3 − 1)/2 off it.
        double[,] invWant = { { 2.0 / 3, -1.0 / 3 }, { -1.0 / 3, 2.0 / 3 } };
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
            {
                Checks.Close(rr[i, j], s[i, j], 1e-14, $"(Σ^½)²[{i},{j}] = Σ[{i},{j}]");
                Checks.Close(r[i, j], i == j ? (Math.Sqrt(3) + 1) / 2 : (Math.Sqrt(3) - 1) / 2, 1e-14, $"Σ^½[{i},{j}]");
                Checks.Close(one[i, j], s[i, j], 1e-14, $"Σ¹[{i},{j}]");
                Checks.Close(inv[i, j], invWant[i, j], 1e-14, $"Σ⁻¹[{i},{j}]");
            }
    }
}
