using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.TestSupport;

/// <summary>Polynomials with exact rational coefficients (index k holds the coefficient of x^k), for tests that expand a loss by hand.</summary>
public static class RationalPolynomials
{
    public static Rational[] Times(Rational[] p, Rational[] q)
    {
        var r = Enumerable.Repeat(Rational.Zero, p.Length + q.Length - 1).ToArray();
        for (int i = 0; i < p.Length; i++) for (int j = 0; j < q.Length; j++) r[i + j] += p[i] * q[j];
        return r;
    }

    public static Rational[] Plus(Rational[] p, Rational[] q) =>
        Enumerable.Range(0, Math.Max(p.Length, q.Length)).Select(i => (i < p.Length ? p[i] : Rational.Zero) + (i < q.Length ? q[i] : Rational.Zero)).ToArray();

    public static Rational[] Scale(Rational[] p, Rational c) => p.Select(v => v * c).ToArray();
}
