using LoopedIcl.Numerics.Prompts;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Training;

/// <summary>
/// Measures of learned matrices up to the model's symmetries (CLAIMS.md, Learnability): the basis (compare Σ^{1/2}AΣ^{1/2}),
/// the scale (Dist is scale-free), and the alignment metrics of von Oswald et al. between two predictors.
/// </summary>
public static class LearnedMetrics
{
    /// <summary>Dist(M) = ‖M − (tr M/d) I‖_F / ‖M‖_F = min_α ‖M − αI‖_F/‖M‖_F (1 for a traceless M, 0 for a multiple of I).</summary>
    public static double DistToIdentity(Matrix<double> m)
    {
        Guard.Square(m.RowCount, m.ColumnCount, nameof(m));
        double norm = m.FrobeniusNorm();
        if (!(norm > 0)) throw new ArgumentException("m must be non-zero (Dist is a ratio to ‖m‖).", nameof(m));
        var centred = m - Matrix<double>.Build.DenseIdentity(m.RowCount) * (m.Trace() / m.RowCount);
        return centred.FrobeniusNorm() / norm;
    }

    /// <summary>Σ^{1/2} M Σ^{1/2}: the basis in which the theory's Σ⁻¹-preconditioners become multiples of I (the authors rotate by UD, a rotation of this).</summary>
    public static Matrix<double> Whitened(Matrix<double> m, Matrix<double> sigma)
    {
        var root = Covariance.Power(sigma, 0.5);
        return root * m * root;
    }

    /// <summary>The scalar α minimising ‖M − αI‖_F: tr M / d.</summary>
    public static double Scalar(Matrix<double> m) => m.Trace() / m.RowCount;

    /// <summary>‖(A − Aᵀ)/2‖_F / ‖A‖_F: the skew part's share (0 for symmetric A).</summary>
    public static double SkewFraction(Matrix<double> a)
    {
        double norm = a.FrobeniusNorm();
        if (!(norm > 0)) throw new ArgumentException("a must be non-zero.", nameof(a));
        return ((a - a.Transpose()) / 2).FrobeniusNorm() / norm;
    }

    /// <summary>⟨u, v⟩/(‖u‖‖v‖) over all entries.</summary>
    public static double Cosine(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        Guard.Length(v.Length, u.Length, nameof(v));
        double uv = 0, uu = 0, vv = 0;
        for (int i = 0; i < u.Length; i++) { uv += u[i] * v[i]; uu += u[i] * u[i]; vv += v[i] * v[i]; }
        if (!(uu > 0 && vv > 0)) throw new ArgumentException("u and v must be non-zero for a cosine.", nameof(u));
        return uv / Math.Sqrt(uu * vv);
    }

    /// <summary>‖u − v‖ / ‖v‖ (v the reference).</summary>
    public static double RelativeDistance(ReadOnlySpan<double> u, ReadOnlySpan<double> reference)
    {
        Guard.Length(u.Length, reference.Length, nameof(u));
        double d2 = 0, r2 = 0;
        for (int i = 0; i < u.Length; i++) { d2 += (u[i] - reference[i]) * (u[i] - reference[i]); r2 += reference[i] * reference[i]; }
        if (!(r2 > 0)) throw new ArgumentException("reference must be non-zero.", nameof(reference));
        return Math.Sqrt(d2 / r2);
    }

    /// <summary>A d×d block of θ stored row-major from <paramref name="offset"/>.</summary>
    public static Matrix<double> Block(ReadOnlySpan<double> theta, int offset, int d)
    {
        if (offset < 0 || offset + d * d > theta.Length) throw new ArgumentException($"offset {offset} + d² = {d * d} exceeds θ's length {theta.Length}.", nameof(offset));
        var m = Matrix<double>.Build.Dense(d, d);
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) m[i, j] = theta[offset + i * d + j];
        return m;
    }
}
