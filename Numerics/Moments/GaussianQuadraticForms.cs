using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Moments;

/// <summary>
/// Exact joint moments of Gaussian quadratic forms Q_A = xᵀAx, x ~ N(0, I_d), A symmetric (Wick's theorem):
/// E[∏_{k≤m} Q_{A_k}] = Σ_{σ ∈ S_m} ∏_{cycles (k₁ … k_r) of σ} 2^{r−1} tr(A_{k₁}⋯A_{k_r}).
/// (The joint cumulant of r forms is 2^{r−1} times the sum of the traces over the (r−1)! cyclic orders; a moment is the sum over set
/// partitions of products of cumulants, i.e. over permutations by their cycles.) E.g. E[Q_A Q_B] = trA·trB + 2tr(AB).
/// Generic over the scalar, so rational M gives exact rational moments. m ≤ 10 forms.
/// </summary>
public static class GaussianQuadraticForms
{
    public const int MaxForms = 10;

    /// <summary>E[∏_k xᵀA_k x] for x ~ N(0, I).</summary>
    public static T Moment<T>(IReadOnlyList<Mat<T>> forms) where T : struct, IScalar<T>
    {
        ArgumentNullException.ThrowIfNull(forms);
        int m = forms.Count;
        if (m > MaxForms) throw new ArgumentException($"at most {MaxForms} forms (got {m}).", nameof(forms));
        if (m == 0) return T.One;
        int d = forms[0].Rows;
        for (int k = 0; k < m; k++) Guard.Shape(forms[k].Rows, forms[k].Cols, d, d, $"{nameof(forms)}[{k}]");
        var memo = new Dictionary<int, T>();
        return Rest(0);

        // Σ over permutations of the forms not in `used`, by the cycle through the lowest unused index.
        T Rest(int used)
        {
            if (used == (1 << m) - 1) return T.One;
            if (memo.TryGetValue(used, out var cached)) return cached;
            int first = 0;
            while ((used >> first & 1) == 1) first++;
            var total = T.Zero;
            Extend(used | 1 << first, forms[first], 1);
            memo[used] = total;
            return total;

            void Extend(int inCycle, Mat<T> product, int length)
            {
                // Close the cycle here: 2^{r−1} tr(product) times the rest.
                total += T.FromInt(1L << (length - 1)) * product.Trace() * Rest(inCycle);
                for (int k = first + 1; k < m; k++)
                    if ((inCycle >> k & 1) == 0) Extend(inCycle | 1 << k, product * forms[k], length + 1);
            }
        }
    }

    /// <summary>E[(Q_M − tr M)^p ∏_j Q_{B_j}] by the binomial expansion of the centred form.</summary>
    public static T CentredMoment<T>(Mat<T> m, int p, IReadOnlyList<Mat<T>> others) where T : struct, IScalar<T>
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(others);
        Guard.NonNegative(p, nameof(p));
        var tr = m.Trace();
        var total = T.Zero;
        long binomial = 1;
        for (int j = 0; j <= p; j++)
        {
            // C(p, j) Q_M^j (−tr M)^{p−j}
            var power = T.One;
            for (int k = 0; k < p - j; k++) power = power * -tr;
            var forms = Enumerable.Repeat(m, j).Concat(others).ToArray();
            total += T.FromInt(binomial) * power * Moment(forms);
            binomial = binomial * (p - j) / (j + 1);
        }
        return total;
    }

    /// <summary>
    /// E[q(x)^{2} ‖x‖^{2k}] for q(x) = (xᵀMx − tr M)/√(2 tr M²), x ~ N(0, I): rational for rational M (the square root squares away).
    /// k = 0 gives 1, k = 1 gives d + 4 for every M.
    /// </summary>
    public static T QuadraticLabelSquareTimesNormPower<T>(Mat<T> m, int k) where T : struct, IScalar<T>
    {
        Guard.NonNegative(k, nameof(k));
        var identity = Mat<T>.Identity(m.Rows);
        return CentredMoment(m, 2, Enumerable.Repeat(identity, k).ToArray()) / (T.FromInt(2) * (m * m).Trace());
    }
}
