using LoopedIcl.Numerics.Spectra;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// STATISTICS (library level): the eigenvalue solver behind every κ(XᵀX) of the suite (Chen's bound, the conditioning sweeps), checked
/// against MathNet's dense EVD (an independent implementation) and exact small cases. Part of the mutation shards' fast set.
/// </summary>
[TestFixture, Category(ClaimIds.Statistics), Category(CategoryLabels.Library)]
public sealed class LibrarySpectra
{
    private static Mat<Real> M(double[,] a) => Mat<Real>.Build(a.GetLength(0), a.GetLength(1), (i, j) => new Real(a[i, j]));

    /// <summary>STATISTICS: all eigenvalues of random symmetric d×d matrices (d = 1…7) equal MathNet's EVD to 1e-12 relative.</summary>
    [Test]
    public void STATISTICS_Eigenvalues_equal_an_independent_evd()
    {
        var rng = new Random(TestSettings.SeedFor("STATISTICS.library-eigen"));
        for (int d = 1; d <= 7; d++)
            for (int rep = 0; rep < 4; rep++)
            {
                var m = Matrix<double>.Build.Dense(d, d);
                for (int i = 0; i < d; i++)
                    for (int j = 0; j <= i; j++) { var v = rep == 3 && i != j ? 0 : 2 * rng.NextDouble() - 1; m[i, j] = v; m[j, i] = v; }
                var a = new double[d * d];
                for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) a[i * d + j] = m[i, j];
                var diag = new double[d];
                SymmetricEigen.EigenvaluesInPlace(a, d, diag, new double[d]);
                var mine = diag.Order().ToArray();
                var theirs = m.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).Order().ToArray();
                double scale = Math.Max(1, theirs.Max(Math.Abs));
                for (int k = 0; k < d; k++) Checks.Close(mine[k], theirs[k], 1e-12 * scale, $"d={d} rep={rep}: eigenvalue {k}");
                var (min, max) = Conditioning.Extremes(m);
                Checks.Close(min, theirs[0], 1e-12 * scale, $"d={d} rep={rep}: λ_min");
                Checks.Close(max, theirs[^1], 1e-12 * scale, $"d={d} rep={rep}: λ_max");
            }
    }

    /// <summary>
    /// STATISTICS: exact cases: [[2, 1], [1, 2]] has eigenvalues 1 and 3; the 3×3 all-ones matrix 0, 0, 3; X = [[1, 0], [0, 2], [0, 0]] has
    /// XᵀX = diag(1, 4), κ = 4, cond(X) = 2; a rank-deficient X (n &lt; d or repeated columns) has κ = ∞.
    /// </summary>
    [Test]
    public void STATISTICS_Exact_spectra_and_condition_numbers()
    {
        var (min2, max2) = Conditioning.Extremes(Matrix<double>.Build.DenseOfArray(new double[,] { { 2, 1 }, { 1, 2 } }));
        Checks.Close(min2, 1, 1e-15, "λ_min [[2,1],[1,2]]");
        Checks.Close(max2, 3, 1e-15, "λ_max [[2,1],[1,2]]");
        var (min3, max3) = Conditioning.Extremes(Matrix<double>.Build.Dense(3, 3, 1.0));
        Checks.Close(min3, 0, 1e-15, "λ_min of the all-ones 3×3");
        Checks.Close(max3, 3, 1e-15, "λ_max of the all-ones 3×3");
        var x = M(new double[,] { { 1, 0 }, { 0, 2 }, { 0, 0 } });
        var (gmin, gmax) = Conditioning.GramExtremes(x);
        Checks.Close(gmin, 1, 1e-15, "λ_min XᵀX");
        Checks.Close(gmax, 4, 1e-15, "λ_max XᵀX");
        Checks.Close(Conditioning.GramConditionNumber(x), 4, 1e-15, "κ(XᵀX)");
        Checks.Close(Conditioning.MatrixConditionNumber(x), 2, 1e-15, "cond(X) = √κ");
        // Rows (1, 1), (1, −1), (2, 0): XᵀX = [[6, 0], [0, 2]], κ = 3 (an off-diagonal Gram built from both triangles).
        var y = M(new double[,] { { 1, 1 }, { 1, -1 }, { 2, 0 } });
        Checks.Close(Conditioning.GramConditionNumber(y), 3, 1e-14, "κ of a non-diagonal X");
        // Rows (1, 2), (3, 4): XᵀX = [[10, 14], [14, 20]], eigenvalues 15 ± √221.
        var z = M(new double[,] { { 1, 2 }, { 3, 4 } });
        var (zmin, zmax) = Conditioning.GramExtremes(z);
        Checks.Close(zmin, 15 - Math.Sqrt(221), 1e-13, "λ_min of [[10,14],[14,20]]");
        Checks.Close(zmax, 15 + Math.Sqrt(221), 1e-13, "λ_max of [[10,14],[14,20]]");
        Checks.True(double.IsPositiveInfinity(Conditioning.GramConditionNumber(M(new double[,] { { 1, 2, 3 } }))), "n < d: κ = ∞");
        Checks.True(double.IsPositiveInfinity(Conditioning.GramConditionNumber(M(new double[,] { { 1, 0 }, { 0, 0 } }))), "zero column: κ = ∞");
        var flat = new double[] { 1, 0, 0, 0 };
        Checks.True(double.IsPositiveInfinity(SymmetricEigen.GramConditionNumber(flat, 2, 2, new double[8])), "span path: zero column κ = ∞");
        Checks.Close(SymmetricEigen.GramConditionNumber(new double[] { 2, 0, 0, 4, 0, 0 }, 3, 2, new double[8]), 4, 1e-15, "span path κ of diag(4, 16)");
        // The zero matrix: λ_min = λ_max = 0, κ = ∞ (not 0/0).
        Checks.True(double.IsPositiveInfinity(Conditioning.GramConditionNumber(M(new double[,] { { 0, 0 }, { 0, 0 } }))), "zero X: κ = ∞");
        Checks.True(double.IsPositiveInfinity(SymmetricEigen.GramConditionNumber(new double[4], 2, 2, new double[8])), "span path: zero X κ = ∞");
        // A block-diagonal matrix whose last row is already reduced: eigenvalues −1, 3 (the 2×2 block) and 5.
        var block = new double[] { 1, 2, 0, 2, 1, 0, 0, 0, 5 };
        var blockDiag = new double[3];
        SymmetricEigen.EigenvaluesInPlace(block, 3, blockDiag, new double[3]);
        var sorted = blockDiag.Order().ToArray();
        for (int k = 0; k < 3; k++) Checks.Close(sorted[k], new[] { -1.0, 3, 5 }[k], 1e-14, $"block [[1,2,0],[2,1,0],[0,0,5]]: eigenvalue {k}");
        // Null arguments name themselves.
        Checks.True(Assert.Throws<ArgumentNullException>(() => Conditioning.GramExtremes(null!))!.ParamName == "x", "GramExtremes(null) names x");
        Checks.True(Assert.Throws<ArgumentNullException>(() => Conditioning.Extremes(null!))!.ParamName == "symmetric", "Extremes(null) names symmetric");
        Checks.True(Assert.Throws<ArgumentNullException>(() => Conditioning.GramConditionNumbers(null!, 3, 1, 1))!.ParamName == "law", "GramConditionNumbers(null) names law");
    }

    /// <summary>STATISTICS: Marchenko–Pastur ((1 + √γ)/(1 − √γ))²: 9 at γ = 1/4, 4 at γ = 1/9; γ outside (0, 1) is rejected.</summary>
    [Test]
    public void STATISTICS_Marchenko_pastur_known_values()
    {
        Checks.Close(Conditioning.MarchenkoPasturConditionNumber(0.25), 9, 1e-13, "γ = 1/4");
        Checks.Close(Conditioning.MarchenkoPasturConditionNumber(1.0 / 9), 4, 1e-13, "γ = 1/9");
        foreach (var bad in new[] { 0.0, 1.0, -0.5, double.NaN })
        {
            var ex = Assert.Throws<ArgumentException>(() => Conditioning.MarchenkoPasturConditionNumber(bad));
            Checks.True(ex!.ParamName == "aspectRatio" && ex.Message.Contains("(0, 1)", StringComparison.Ordinal), ex.Message);
        }
    }

    /// <summary>STATISTICS: buffer and shape checks of the allocation-free solver name the buffer and the size it needs.</summary>
    [Test]
    public void STATISTICS_Solver_buffers_are_checked()
    {
        void Rejects(Action call, string parameter, string rule)
        {
            var ex = Assert.Throws<ArgumentException>(() => call());
            Checks.True(ex!.ParamName == parameter && ex.Message.Contains(rule, StringComparison.Ordinal), $"{parameter}/{rule}: {ex.ParamName} {ex.Message}");
        }
        Rejects(() => SymmetricEigen.EigenvaluesInPlace(new double[3], 2, new double[2], new double[2]), "a", "d = 2");
        Rejects(() => SymmetricEigen.EigenvaluesInPlace(new double[4], 2, new double[1], new double[2]), "a", "d = 2");
        Rejects(() => SymmetricEigen.EigenvaluesInPlace(new double[4], 2, new double[2], new double[1]), "a", "d = 2");
        Rejects(() => SymmetricEigen.GramExtremes(new double[4], 2, 2, new double[7]), "scratch", "= 8");
        Rejects(() => SymmetricEigen.GramExtremes(new double[3], 2, 2, new double[8]), "x", "= 4");
        Rejects(() => Conditioning.Extremes(Matrix<double>.Build.Dense(2, 3)), "symmetric", "square");
        var law = PromptLaw.Isotropic(2, TaskLaw.Isotropic);
        Rejects(() => Conditioning.GramConditionNumbers(law, 0, 1, 1), "n", "≥ 1");
        Rejects(() => Conditioning.GramConditionNumbers(law, 3, 0, 1), "count", "≥ 1");
    }

    /// <summary>STATISTICS: the batched κ of prompt p is κ of that prompt's own X read from the batch (lane p mod 8 of group p / 8), for p across two lane groups.</summary>
    [Test]
    public void STATISTICS_Batched_condition_numbers_read_each_prompt()
    {
        var law = PromptLaw.Isotropic(3, TaskLaw.Isotropic);
        const int n = 5, count = 10;
        var kappas = Conditioning.GramConditionNumbers(law, n, count, 7);
        Checks.True(kappas.Length == count, "one κ per prompt");
        var batch = law.Draw(n, count, 7);
        int lanes = PromptBatch.Lanes;
        for (int p = 0; p < count; p++)
        {
            var x = Mat<Real>.Build(n, 3, (i, a) => new Real(batch.X[(((p / lanes) * n + i) * 3 + a) * lanes + p % lanes]));
            var xm = Matrix<double>.Build.Dense(n, 3, (i, a) => x[i, a].Value);
            var ev = (xm.TransposeThisAndMultiply(xm)).Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).ToArray();
            Checks.RelativeClose(kappas[p], ev.Max() / ev.Min(), 1e-10, $"prompt {p}: κ vs MathNet");
        }
    }
}
