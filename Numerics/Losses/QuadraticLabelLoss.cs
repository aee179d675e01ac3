using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Moments;

namespace LoopedIcl.Numerics.Losses;

/// <summary>
/// Exact population loss of L-step gradient descent on quadratic labels (X-QUAD-GD), x ~ N(0, I_d), w* ~ N(0, I_d), fixed M,
/// y_i = ⟨w*, x_i⟩ + γq(x_i), y_q = ⟨w*, x_q⟩ + γq(x_q), w_0 = 0, w_{l+1} = w_l − η(Sw_l − Xᵀy/n), S = XᵀX/n, ŷ = ⟨w_L, x_q⟩.
/// <para>Derivation. w_L = p(S)Xᵀy/n with p(S) = ηΣ_{k&lt;L}(I − ηS)^k, so w_L − w* = −(I − ηS)^L w* + γ p(S)Xᵀq/n, q = (q(x_i))_i.
/// Given the context, x_q is independent with E q(x_q)² = 1 and E[q(x_q)x_q] = 0, so the loss given the context is
/// γ² + ‖w_L − w*‖² (the floor γ² of X-QUAD-FLOOR plus the excess). Averaging over w* kills the cross term:
/// E‖w_L − w*‖² = E tr(I − ηS)^{2L} + (γ²/n²) E[qᵀX p(S)² Xᵀq]. The context noise γq(x_i) is structured (it depends on x_i), so the last
/// term is not σ²E tr(p(S)²S)/n: but every i ≠ j term of Σ_{ij} q_i q_j x_iᵀp(S)²x_j vanishes — q_i is even in x_i, and x_i appears once
/// in x_iᵀ(…)x_j plus an even number of times through S — so it is (γ²/n) E[q_1² x_1ᵀp(S)²x_1]. With m_k = E[q²‖x‖^{2k}]
/// (<see cref="GaussianQuadraticForms.QuadraticLabelSquareTimesNormPower{T}"/>; m_1 = d + 4 for every M) and the other columns
/// integrated out one at a time:
/// E[q_1² x_1ᵀx_1] = m_1; E[q_1² x_1ᵀSx_1] = (m_2 + (n−1)m_1)/n;
/// E[q_1² x_1ᵀS²x_1] = (m_3 + 2(n−1)m_2 + (n−1)(d+2)m_1 + (n−1)(n−2)m_1)/n²  (index cases k = l = 1; one of k, l = 1; k = l ≠ 1; k ≠ l).
/// Hence L ≤ 2 here (p(S)² has degree 2L − 2 ≤ 2 in S); E tr(I − ηS)^{2L} from the exact Wishart moments.</para>
/// </summary>
public static class QuadraticLabelLoss
{
    public const int MaxSteps = 2;

    /// <summary>The excess E‖w_L − w*‖² and the loss γ² + excess, exactly (rational inputs give rational outputs).</summary>
    public static (Rational Excess, Rational Loss) GradientDescent(int n, int d, int steps, Rational eta, Rational gammaSquared, Mat<Rational> m)
    {
        Guard.Positive(d, nameof(d)); // n: WishartMoments checks it under the same name
        if (steps < 0 || steps > MaxSteps) throw new ArgumentException($"steps must be in [0, {MaxSteps}] (the exact formula is derived for L ≤ 2; got {steps}).", nameof(steps));
        if (gammaSquared < Rational.Zero) throw new ArgumentException("gammaSquared must be ≥ 0.", nameof(gammaSquared));
        ArgumentNullException.ThrowIfNull(m);
        Guard.Shape(m.Rows, m.Cols, d, d, nameof(m));
        // E tr (I − ηS)^{2L} = Σ_k C(2L, k)(−η)^k E tr S^k.
        var wishart = WishartMoments.WhitenedMoments(2 * steps, n, d);
        var signal = Rational.Zero;
        long c = 1;
        var power = Rational.One;
        for (int k = 0; k <= 2 * steps; k++)
        {
            signal += Rational.FromInt(c) * power * wishart[k];
            c = c * (2 * steps - k) / (k + 1);
            power = power * -eta;
        }
        Rational noise = Rational.Zero;
        if (steps > 0 && gammaSquared != Rational.Zero)
        {
            var mk = Enumerable.Range(0, 4).Select(k => k <= 2 * steps - 1 ? GaussianQuadraticForms.QuadraticLabelSquareTimesNormPower(m, k) : Rational.Zero).ToArray();
            Rational N = Rational.FromInt(n), D = Rational.FromInt(d), one = Rational.One;
            var e0 = mk[1];                                   // E[q² x_1ᵀx_1]
            if (steps == 1) noise = eta * eta * e0;
            else
            {
                var e1 = (mk[2] + (N - one) * mk[1]) / N;     // E[q² x_1ᵀSx_1]
                var e2 = (mk[3] + Rational.FromInt(2) * (N - one) * mk[2] + (N - one) * (D + Rational.FromInt(2)) * mk[1]
                          + (N - one) * (N - Rational.FromInt(2)) * mk[1]) / (N * N);
                // p(S)² = η²(2I − ηS)² = η²(4I − 4ηS + η²S²).
                noise = eta * eta * (Rational.FromInt(4) * e0 - Rational.FromInt(4) * eta * e1 + eta * eta * e2);
            }
            noise = gammaSquared * noise / N;
        }
        var excess = signal + noise;
        return (excess, gammaSquared + excess);
    }
}
