namespace LoopedIcl.Numerics.Spectra;

/// <summary>
/// Eigenvalues of a small symmetric matrix without allocation, for hot loops such as κ(XᵀX) over 10⁵ draws: Householder reduction
/// to tridiagonal form, then the implicit QL method with Wilkinson-type shifts (eigenvalues only; the classic tred2/tqli pair).
/// About (4/3)d³ + O(d²) flops. Tested against MathNet's dense EVD.
/// </summary>
public static class SymmetricEigen
{
    /// <summary>Reads only the lower triangle of the d×d row-major symmetric <paramref name="a"/> and destroys it; writes the eigenvalues to <paramref name="diag"/>; uses <paramref name="off"/> (≥ d) as scratch.</summary>
    public static void EigenvaluesInPlace(Span<double> a, int d, Span<double> diag, Span<double> off)
    {
        if (a.Length < d * d || diag.Length < d || off.Length < d) throw new ArgumentException($"buffers too small for d = {d}.", nameof(a));
        // Householder tridiagonalisation (eigenvalues only).
        for (int i = d - 1; i > 0; i--)
        {
            int l = i - 1;
            double h = 0, scale = 0;
            if (l > 0)
            {
                for (int k = 0; k <= l; k++) scale += Math.Abs(a[i * d + k]);
                if (scale == 0) off[i] = a[i * d + l];
                else
                {
                    for (int k = 0; k <= l; k++) { a[i * d + k] /= scale; h += a[i * d + k] * a[i * d + k]; }
                    double f = a[i * d + l];
                    double g = f >= 0 ? -Math.Sqrt(h) : Math.Sqrt(h);
                    off[i] = scale * g;
                    h -= f * g;
                    a[i * d + l] = f - g;
                    f = 0;
                    for (int j = 0; j <= l; j++)
                    {
                        g = 0;
                        for (int k = 0; k <= j; k++) g += a[j * d + k] * a[i * d + k];
                        for (int k = j + 1; k <= l; k++) g += a[k * d + j] * a[i * d + k];
                        off[j] = g / h;
                        f += off[j] * a[i * d + j];
                    }
                    double hh = f / (h + h);
                    for (int j = 0; j <= l; j++)
                    {
                        f = a[i * d + j];
                        off[j] = g = off[j] - hh * f;
                        for (int k = 0; k <= j; k++) a[j * d + k] -= f * off[k] + g * a[i * d + k];
                    }
                }
            }
            else off[i] = a[i * d + l];
        }
        off[0] = 0;
        for (int i = 0; i < d; i++) diag[i] = a[i * d + i];
        // Implicit QL on the tridiagonal (diag, off).
        for (int i = 1; i < d; i++) off[i - 1] = off[i];
        off[d - 1] = 0;
        for (int l = 0; l < d; l++)
        {
            int iter = 0, m;
            do
            {
                for (m = l; m < d - 1; m++)
                {
                    double dd = Math.Abs(diag[m]) + Math.Abs(diag[m + 1]);
                    if (Math.Abs(off[m]) <= 1e-16 * dd) break;
                }
                if (m == l) break;
                if (iter++ == 60) throw new InvalidOperationException("QL iteration did not converge.");
                double g = (diag[l + 1] - diag[l]) / (2 * off[l]);
                double r = Hypot(g, 1);
                g = diag[m] - diag[l] + off[l] / (g + (g >= 0 ? Math.Abs(r) : -Math.Abs(r)));
                double s = 1, c = 1, p = 0;
                int i;
                bool deflated = false;
                for (i = m - 1; i >= l; i--)
                {
                    double f = s * off[i], b = c * off[i];
                    off[i + 1] = r = Hypot(f, g);
                    if (r == 0)
                    {
                        diag[i + 1] -= p;
                        off[m] = 0;
                        deflated = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = diag[i + 1] - p;
                    r = (diag[i] - g) * s + 2 * c * b;
                    diag[i + 1] = g + (p = s * r);
                    g = c * r - b;
                }
                if (deflated) continue;
                diag[l] -= p;
                off[l] = g;
                off[m] = 0;
            } while (m != l);
        }
    }

    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a), y = Math.Abs(b);
        if (x < y) (x, y) = (y, x);
        if (x == 0) return 0;
        var t = y / x;
        return x * Math.Sqrt(1 + t * t);
    }

    /// <summary>κ(XᵀX) for X (n×d, row-major), using <paramref name="scratch"/> (≥ d² + 2d values); ∞ when XᵀX is singular.</summary>
    public static double GramConditionNumber(ReadOnlySpan<double> x, int n, int d, Span<double> scratch)
    {
        var (min, max) = GramExtremes(x, n, d, scratch);
        return min > 0 ? max / min : double.PositiveInfinity;
    }

    /// <summary>(λ_min, λ_max) of XᵀX for X (n×d, row-major), using <paramref name="scratch"/> (≥ d² + 2d values).</summary>
    public static (double Min, double Max) GramExtremes(ReadOnlySpan<double> x, int n, int d, Span<double> scratch)
    {
        if (scratch.Length < d * d + 2 * d) throw new ArgumentException($"scratch must hold d² + 2d = {d * d + 2 * d} values.", nameof(scratch));
        if (x.Length < n * d) throw new ArgumentException($"x must hold n·d = {n * d} values.", nameof(x));
        var g = scratch[..(d * d)];
        g.Clear();
        for (int i = 0; i < n; i++)
        {
            var row = x.Slice(i * d, d);
            for (int a = 0; a < d; a++)
            {
                double xa = row[a];
                for (int b = 0; b <= a; b++) g[a * d + b] += xa * row[b];
            }
        }
        return Extremes(g, d, scratch.Slice(d * d, 2 * d)); // the solver reads only the lower triangle
    }

    /// <summary>(λ_min, λ_max) of the d×d row-major symmetric <paramref name="a"/> (destroyed), using <paramref name="scratch"/> (≥ 2d values).</summary>
    public static (double Min, double Max) Extremes(Span<double> a, int d, Span<double> scratch)
    {
        var diag = scratch[..d];
        EigenvaluesInPlace(a, d, diag, scratch.Slice(d, d));
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in diag) { min = Math.Min(min, v); max = Math.Max(max, v); }
        return (min, max);
    }
}
