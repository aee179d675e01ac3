using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Losses;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// WISHART (library level): the closed-form losses of Numerics/Losses at Σ = I against the classic one-step result — with S = XᵀX/n,
/// E S² = ((n + d + 1)/n)·I, so one step of size b costs ℓ₁(b) = d − 2bd + b²·d(n + d + 1)/n, minimised at b* = n/(n + d + 1) with
/// ℓ₁(b*) = d(d + 1)/(n + d + 1) (Ahn et al. Theorem 1 at Σ = I) — and ℓ₂ from the literature's E tr W^k, k ≤ 4 (Letac–Massam), not
/// from the suite's moment code. The sparse single-layer loss, its gradient, Γ and the looped scalar loss are four implementations
/// that must meet there.
/// </summary>
[TestFixture, Category(ClaimIds.Wishart), Category(CategoryLabels.Library)]
public sealed class LibraryLosses
{
    private static Rational Q(long p, long q = 1) => Rational.Of(p, q);

    /// <summary>E tr(W^k)/n^k for W ~ Wishart_d(n, I), k ≤ 4, from the literature's polynomials.</summary>
    private static Rational WhitenedMoment(int k, int n, int d)
    {
        long nd = (long)n * d;
        long t = k switch
        {
            0 => d,
            1 => nd,
            2 => nd * (n + d + 1),
            3 => nd * ((long)n * n + (long)d * d + 3L * n * d + 3L * n + 3L * d + 4),
            4 => nd * ((long)n * n * n + (long)d * d * d + 6L * n * n * d + 6L * n * d * d + 6L * n * n + 6L * d * d + 17L * n * d + 21L * n + 21L * d + 20),
            _ => throw new ArgumentOutOfRangeException(nameof(k)),
        };
        long pow = 1;
        for (int j = 0; j < k; j++) pow *= n;
        return Q(t, pow);
    }

    [Test]
    public void WISHART_Looped_scalar_loss_equals_the_literature_at_one_and_two_loops()
    {
        foreach (var (n, d) in new[] { (4, 2), (7, 3), (2, 5), (10, 1) })
            foreach (var b in new[] { Q(1, 2), Q(3, 7), Q(-1, 3), Q(5, 4) })
            {
                // ℓ_L(b) = E tr(I − bS)^{2L} = Σ_k C(2L, k)(−b)^k m_k.
                var one = WhitenedMoment(0, n, d) - Q(2) * b * WhitenedMoment(1, n, d) + b * b * WhitenedMoment(2, n, d);
                var two = WhitenedMoment(0, n, d) - Q(4) * b * WhitenedMoment(1, n, d) + Q(6) * b * b * WhitenedMoment(2, n, d)
                          - Q(4) * b * b * b * WhitenedMoment(3, n, d) + b * b * b * b * WhitenedMoment(4, n, d);
                Checks.True(LoopedScalar.ExactLoss(n, d, 1, b) == one, $"n={n} d={d} b={b}: ℓ₁ = d − 2bd + b²d(n+d+1)/n = {one}", CheckKind.Identity);
                Checks.True(LoopedScalar.ExactLoss(n, d, 2, b) == two, $"n={n} d={d} b={b}: ℓ₂ from E tr W^k, k ≤ 4 = {two}", CheckKind.Identity);
                Checks.Close(LoopedScalar.ExactLoss(n, d, 2, b.ToDouble()), two.ToDouble(), 4e-16 * Math.Abs(two.ToDouble()), $"n={n} d={d} b={b}: the double overload rounds the exact value once");
            }
    }

    [Test]
    public void WISHART_One_step_optimum_is_n_over_n_plus_d_plus_1()
    {
        foreach (var (n, d) in new[] { (4, 2), (7, 3), (20, 5) })
        {
            double bStar = (double)n / (n + d + 1), fStar = (double)d * (d + 1) / (n + d + 1);
            var (b, loss) = LoopedScalar.ExactOptimum(n, d, 1);
            // b* is bisected to a dyadic point within 2^-48 of the root; ℓ₁ is quadratic, so its loss excess is ~(Δb)²·d(n+d+1)/n.
            Checks.Close(b, bStar, 1e-13, $"n={n} d={d}: b* = n/(n+d+1)");
            Checks.Close(loss, fStar, 1e-13, $"n={n} d={d}: ℓ₁(b*) = d(d+1)/(n+d+1)");
            var identity = Matrix<double>.Build.DenseIdentity(d);
            Checks.Close(AhnLosses.OptimalSingleLayerLoss(identity, n), fStar, 1e-13, $"n={n} d={d}: Theorem 1's optimum at Σ = I");
            var gamma = AhnLosses.Gamma(identity, n);
            Checks.Close((gamma - identity * ((n + d + 1.0) / n)).FrobeniusNorm(), 0, 1e-14, $"n={n} d={d}: Γ = ((n+d+1)/n)·I at Σ = I");
            // The sparse single layer at A = aI is ℓ₁(a), and its gradient 2(((n+d+1)/n)a − 1)·I vanishes at a = b*.
            foreach (double a in new[] { 0.0, 0.5, bStar, 1.25 })
            {
                double expected = d - 2 * a * d + a * a * d * (n + d + 1.0) / n;
                Checks.Close(AhnLosses.SparseSingleLayer(identity, n, identity * a, identity), expected, 1e-13 * Math.Max(1, expected), $"n={n} d={d} a={a}: f(aI) = ℓ₁(a)");
                var grad = AhnLosses.SparseSingleLayerGradient(identity, n, identity * a, identity);
                Checks.Close((grad - identity * (2 * ((n + d + 1.0) / n * a - 1))).FrobeniusNorm(), 0, 1e-13, $"n={n} d={d} a={a}: ∇f = 2(((n+d+1)/n)a − 1)·I");
            }
        }
        // Σ = diag(1, 2), n = 3: Σ_i λ_i(λ_i + 3)/(4λ_i + 3) = 4/7 + 10/11.
        var sigma = Matrix<double>.Build.DenseOfDiagonalArray([1.0, 2.0]);
        Checks.Close(AhnLosses.OptimalSingleLayerLoss(sigma, 3), 4.0 / 7 + 10.0 / 11, 1e-14, "Theorem 1 at Σ = diag(1, 2), n = 3");
    }
}
