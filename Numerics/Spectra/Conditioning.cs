using LoopedIcl.Numerics.Algebra;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Spectra;

/// <summary>Extreme eigenvalues and condition numbers of Gram matrices.</summary>
public static class Conditioning
{
    /// <summary>(λ_min, λ_max) of the symmetric matrix XᵀX.</summary>
    public static (double Min, double Max) GramExtremes(Mat<Real> x)
    {
        var m = x.ToMathNet();
        return Extremes(m.TransposeThisAndMultiply(m));
    }

    /// <summary>(λ_min, λ_max) of a symmetric matrix.</summary>
    public static (double Min, double Max) Extremes(Matrix<double> symmetric)
    {
        var ev = symmetric.Evd(Symmetricity.Symmetric).EigenValues;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var c in ev) { min = Math.Min(min, c.Real); max = Math.Max(max, c.Real); }
        return (min, max);
    }

    /// <summary>κ(XᵀX) = λ_max/λ_min (∞ when XᵀX is singular, e.g. n &lt; d).</summary>
    public static double GramConditionNumber(Mat<Real> x)
    {
        var (min, max) = GramExtremes(x);
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
