using LoopedIcl.Numerics.Algebra;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Spectra;

/// <summary>Extreme eigenvalues and condition numbers of Gram matrices: views over the one eigenvalue solver, <see cref="SymmetricEigen"/>.</summary>
public static class Conditioning
{
    /// <summary>(λ_min, λ_max) of the symmetric matrix XᵀX.</summary>
    public static (double Min, double Max) GramExtremes(Mat<Real> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.Rows, d = x.Cols;
        var flat = new double[n * d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) flat[i * d + j] = x[i, j].Value;
        return SymmetricEigen.GramExtremes(flat, n, d, new double[d * d + 2 * d]);
    }

    /// <summary>(λ_min, λ_max) of a symmetric matrix.</summary>
    public static (double Min, double Max) Extremes(Matrix<double> symmetric)
    {
        ArgumentNullException.ThrowIfNull(symmetric);
        Guard.Square(symmetric.RowCount, symmetric.ColumnCount, nameof(symmetric));
        int d = symmetric.RowCount;
        var a = new double[d * d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) a[i * d + j] = symmetric[i, j];
        return SymmetricEigen.Extremes(a, d, new double[2 * d]);
    }

    /// <summary>
    /// κ(XᵀX) of each of <paramref name="count"/> prompts of the engine batch <c>law.Draw(n, count, seed)</c> (one stream per seed, read from the
    /// batch's lanes without building per-prompt matrices: the per-prompt view costs ~20× more at d = 20, n = 320).
    /// </summary>
    public static double[] GramConditionNumbers(Engine.PromptLaw law, int n, int count, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(law);
        var batch = law.Draw(n, count, seed); // checks n and count under the same names
        int d = law.D, lanes = Engine.PromptBatch.Lanes;
        var flat = new double[n * d];
        var scratch = new double[d * d + 2 * d];
        var kappas = new double[count];
        for (int p = 0; p < count; p++)
        {
            int g = p / lanes, k = p % lanes;
            for (int i = 0; i < n; i++) for (int a = 0; a < d; a++) flat[i * d + a] = batch.X[((g * n + i) * d + a) * lanes + k];
            var (min, max) = SymmetricEigen.GramExtremes(flat, n, d, scratch);
            kappas[p] = min > 0 ? max / min : double.PositiveInfinity;
        }
        return kappas;
    }

    /// <summary>κ(XᵀX) = λ_max/λ_min (∞ when XᵀX is singular, e.g. n &lt; d).</summary>
    public static double GramConditionNumber(Mat<Real> x)
    {
        var (min, max) = GramExtremes(x); // one κ: the tridiagonal-QL solver
        return min > 0 ? max / min : double.PositiveInfinity;
    }

    /// <summary>cond(X) = σ_max/σ_min = √κ(XᵀX): the wrong κ for Chen's bound (a negative control).</summary>
    public static double MatrixConditionNumber(Mat<Real> x) => Math.Sqrt(GramConditionNumber(x));

    /// <summary>The Marchenko–Pastur limit of κ(XᵀX) for N(0, I) rows with d/n → γ &lt; 1: ((1+√γ)/(1−√γ))².</summary>
    public static double MarchenkoPasturConditionNumber(double aspectRatio)
    {
        if (!(aspectRatio > 0 && aspectRatio < 1)) throw new ArgumentException($"{nameof(aspectRatio)} (d/n) must be in (0, 1) (got {aspectRatio}).", nameof(aspectRatio));
        var s = Math.Sqrt(aspectRatio);
        return Math.Pow((1 + s) / (1 - s), 2);
    }
}
