using static LoopedIcl.TestSupport.RationalPolynomials;
using static LoopedIcl.TestSupport.Refusals;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Moments;
using LoopedIcl.Numerics.Models;
using LoopedIcl.Numerics.Prompts;
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

    private static Matrix<double> D(double[,] a) => Matrix<double>.Build.DenseOfArray(a);

    /// <summary>tr(ΠᵀΣΠC), Π = ∏_l (I − A_lᵀS) (layer 0 rightmost), in exact rationals: the definition, independent of the double code.</summary>
    private static Rational ConditionalLoss(Matrix<double> s, IReadOnlyList<Matrix<double>> a, Matrix<double> sigma, Matrix<double> c)
    {
        static Mat<Rational> R(Matrix<double> m) => Mat<Rational>.Build(m.RowCount, m.ColumnCount, (i, j) => Rational.Of((long)(m[i, j] * 64), 64));
        int d = s.RowCount;
        var pi = Mat<Rational>.Identity(d);
        foreach (var al in a) pi = (Mat<Rational>.Identity(d) - R(al).Transpose() * R(s)) * pi;
        return (pi.Transpose() * R(sigma) * pi * R(c)).Trace();
    }

    // Multiples of 1/64 throughout, so the rational values are the double inputs exactly.
    private static readonly Matrix<double>[] Samples = [D(new[,] { { 1.5, 0.25 }, { 0.25, 0.5 } }), D(new[,] { { 0.75, -0.5 }, { -0.5, 2 } })];
    private static readonly Matrix<double> SigmaA = D(new[,] { { 2, 0.5 }, { 0.5, 1 } });
    private static readonly Matrix<double> TaskA = D(new[,] { { 1, -0.25 }, { -0.25, 0.75 } });

    /// <summary>
    /// The sparse family's sample loss f̂ = mean tr(ΠᵀΣΠC) against its definition in rationals, and its gradient against exact
    /// differences: f̂ is quadratic in each entry of each A_l (Π is linear in A_l), so (f̂(A + E) − f̂(A − E))/2 is the derivative
    /// along a unit entry E exactly, up to the rounding of the values.
    /// </summary>
    [Test]
    public void WISHART_Sparse_family_sample_loss_and_gradient_by_definition()
    {
        var loss = new SparseFamilyLoss(Samples, SigmaA, TaskA);
        Matrix<double>[] a = [D(new[,] { { 0.5, 0.25 }, { -0.125, 0.75 } }), D(new[,] { { 0.25, 0 }, { 0.5, -0.5 } })];
        var per = loss.PerSample(a);
        for (int k = 0; k < Samples.Length; k++)
            Checks.Close(per[k], ConditionalLoss(Samples[k], a, SigmaA, TaskA).ToDouble(), 1e-14, $"sample {k}: tr(ΠᵀΣΠC) as defined");
        var (value, grads) = loss.ValueAndGradient(a);
        Checks.Close(value, per.Average(), 1e-15, "ValueAndGradient's value is the mean of the per-sample losses");
        Checks.Close(loss.Value(a), per.Average(), 1e-15, "Value is the mean of the per-sample losses");
        for (int l = 0; l < a.Length; l++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                {
                    Matrix<double>[] plus = [.. a.Select(m => m.Clone())], minus = [.. a.Select(m => m.Clone())];
                    plus[l][i, j] += 1;
                    minus[l][i, j] -= 1;
                    double exact = (loss.Value(plus) - loss.Value(minus)) / 2;
                    Checks.Close(grads[l][i, j], exact, 1e-13 * Math.Max(1, Math.Abs(exact)), $"∂f̂/∂A_{l}[{i},{j}] = {exact}");
                }

        // The allocation-free objective: untied blocks in layer order, tied = one block with the layers' gradients summed, symmetric =
        // A = (V + Vᵀ)/2 with the gradient symmetrised; the same values and gradients as above.
        var untied = new SparseFamilyObjective(loss, 2, tied: false, symmetric: false);
        double[] x = [.. a[0].ToRowMajorArray(), .. a[1].ToRowMajorArray()];
        var g = new double[8];
        Checks.Close(untied.Evaluate(x, g), value, 1e-14, "objective value (untied)");
        Checks.Close(untied.Evaluate(x, []), value, 1e-14, "objective value without a gradient");
        for (int k = 0; k < 8; k++) Checks.Close(g[k], grads[k / 4][k % 4 / 2, k % 2], 1e-13, $"objective gradient entry {k} (untied, row-major per layer)");
        var shown = untied.Matrices(x);
        Checks.True(shown.Length == 2 && shown[0].Equals(a[0]) && shown[1].Equals(a[1]), "Matrices gives the layers in order");

        var tiedLoss = new SparseFamilyLoss(Samples, SigmaA, TaskA);
        var tied = new SparseFamilyObjective(tiedLoss, 3, tied: true, symmetric: false);
        var (tv, tg) = tiedLoss.ValueAndGradient([a[0], a[0], a[0]]);
        var gt = new double[4];
        Checks.Close(tied.Evaluate(a[0].ToRowMajorArray(), gt), tv, 1e-14, "tied objective = three equal layers");
        var sum = tg[0] + tg[1] + tg[2];
        for (int k = 0; k < 4; k++) Checks.Close(gt[k], sum[k / 2, k % 2], 1e-13, $"tied gradient entry {k} = the sum over layers");
        Checks.True(tied.Layers == 3 && tied.Dimension == 4 && untied.Dimension == 8, "dimensions: one block tied, one per layer untied");

        var symmetric = new SparseFamilyObjective(loss, 1, tied: false, symmetric: true);
        var v = D(new[,] { { 0.5, 1 }, { 0, 0.75 } });
        var av = (v + v.Transpose()) / 2;
        var (sv, sg) = loss.ValueAndGradient([av]);
        var gs = new double[4];
        Checks.Close(symmetric.Evaluate(v.ToRowMajorArray(), gs), sv, 1e-14, "symmetric objective at V = f̂((V + Vᵀ)/2)");
        var sym = (sg[0] + sg[0].Transpose()) / 2;
        for (int k = 0; k < 4; k++) Checks.Close(gs[k], sym[k / 2, k % 2], 1e-13, $"symmetric gradient entry {k} = (G + Gᵀ)/2");
        Checks.True(symmetric.Matrices(v.ToRowMajorArray())[0].Equals(av), "symmetric Matrices gives (V + Vᵀ)/2");
        Rejects(() => symmetric.Evaluate(new double[3], gs), "x");
        Rejects(() => symmetric.Evaluate(new double[4], new double[5]), "gradient");
        Rejects(() => _ = new SparseFamilyObjective(loss, 0, false, false), "layers");
    }

    /// <summary>
    /// Gatmiry's looped loss: the A-part is the sparse family with L equal layers, the shift term uᵀ(I − C)ᵀΣ(I − C)u with C = (I − AᵀŜ)^L
    /// (by hand at L = 1: (I − C)u = AᵀŜu), its gradient the tied layers' sum; the test-time-looping evaluator (one eigendecomposition
    /// per draw) equals it at A = bΣ₀⁻¹ on the same draws for every L.
    /// </summary>
    [Test]
    public void WISHART_Looped_loss_and_test_time_looping_by_definition()
    {
        var a = D(new[,] { { 0.5, 0.25 }, { -0.125, 0.75 } });
        var u = Vector<double>.Build.Dense([1.0, -2.0]);
        var one = new LoopedLoss(Samples, SigmaA, 1, TaskA);
        var three = new LoopedLoss(Samples, SigmaA, 3, TaskA);
        var direct = new SparseFamilyLoss(Samples, SigmaA, TaskA);
        Checks.Close(three.Value(a), direct.Value([a, a, a]), 1e-15, "L = 3 without u: three equal sparse layers");
        var shift = one.ShiftTerm(a, u);
        for (int k = 0; k < Samples.Length; k++)
        {
            var v = a.TransposeThisAndMultiply(Samples[k]) * u;
            Checks.Close(shift[k], v * (SigmaA * v), 1e-14, $"sample {k}, L = 1: (AᵀŜu)ᵀΣ(AᵀŜu)");
            var c = Matrix<double>.Build.DenseIdentity(2) - a.TransposeThisAndMultiply(Samples[k]);
            var w = (Matrix<double>.Build.DenseIdentity(2) - c * c * c) * u;
            Checks.Close(three.ShiftTerm(a, u)[k], w * (SigmaA * w), 1e-13, $"sample {k}, L = 3: (I − C³)u");
        }
        var perU = three.PerSample(a, u);
        var perA = three.PerSample(a);
        var shift3 = three.ShiftTerm(a, u);
        for (int k = 0; k < Samples.Length; k++) Checks.Close(perU[k], perA[k] + shift3[k], 1e-14, $"sample {k}: loss with u = A-part + shift");
        Checks.Close(three.Value(a, u), perU.Average(), 1e-14, "Value(A, u) = the mean of the per-sample losses");
        var (gv, gg) = three.ValueAndGradient(a);
        var (_, layers) = direct.ValueAndGradient([a, a, a]);
        Checks.Close(gv, three.Value(a), 1e-15, "ValueAndGradient's value");
        Checks.Close((gg - (layers[0] + layers[1] + layers[2])).FrobeniusNorm(), 0, 1e-13, "the looped gradient is the tied layers' sum");
        var objective = three.Objective();
        Checks.Close(objective.Evaluate(a.ToRowMajorArray(), []), three.Value(a), 1e-14, "Objective() is L(A, 0), tied");
        Checks.True(three.Loops == 3 && three.Sigma.Equals(SigmaA) && three.Samples.Count == 2, "the loss keeps its loops, Σ and samples");
        Checks.Close(new LoopedLoss(Samples, SigmaA, 1).Value(a), new SparseFamilyLoss(Samples, SigmaA, SigmaA.Inverse()).Value([a]), 1e-14, "the task covariance defaults to Σ⁻¹");
        Rejects(() => _ = new LoopedLoss(Samples, SigmaA, 0), "loops");

        // Test-time looping at A = bΣ₀⁻¹ against the looped loss on the same draws (Σ_te prompts; w* ~ N(0, Σ_te⁻¹)).
        var train = D(new[,] { { 2, 0.5 }, { 0.5, 1 } });
        var test = D(new[,] { { 1, 0.3 }, { 0.3, 2 } });
        const double b = 0.4;
        var evaluator = new TestTimeLooping(train, test, n: 5, stepSize: b, draws: 6, seed: 9);
        var draws = SparseFamilyLoss.DrawSamples(test, 5, 6, 9);
        var aTrain = train.Inverse() * b;
        Checks.True(evaluator.Count == 6 && evaluator.StepSize == b, "six draws at step b");
        foreach (int loops in new[] { 0, 1, 3, 7 })
        {
            var expected = loops == 0 ? Enumerable.Repeat(2.0, 6).ToArray() : new LoopedLoss(draws, test, loops).PerSample(aTrain);
            var actual = evaluator.PerSample(loops);
            for (int k = 0; k < 6; k++) Checks.Close(actual[k], expected[k], 1e-12 * Math.Max(1, expected[k]), $"L = {loops}, draw {k}: tr(CᵀΣ_teCΣ_te⁻¹)");
            Checks.Close(evaluator.Loss(loops).Mean, expected.Average(), 1e-12 * Math.Max(1, expected.Average()), $"L = {loops}: the mean over draws");
        }
        var radius = evaluator.SpectralRadius();
        for (int k = 0; k < 6; k++)
        {
            // The eigenvalues of Σ₀⁻¹Ŝ (similar to Σ₀^{-1/2}ŜΣ₀^{-1/2}) from the 2×2 characteristic polynomial.
            var m = train.Inverse() * draws[k];
            double tr = m.Trace(), det = m.Determinant(), root = Math.Sqrt(tr * tr / 4 - det);
            double expected = Math.Max(Math.Abs(1 - b * (tr / 2 + root)), Math.Abs(1 - b * (tr / 2 - root)));
            Checks.Close(radius[k], expected, 1e-12, $"draw {k}: max_j |1 − bλ_j(Σ₀⁻¹Ŝ)|");
        }
        Rejects(() => evaluator.PerSample(-1), "loops");
    }

    /// <summary>
    /// X-QUAD-GD's exact loss: L = 0 costs d + γ²; one step costs E tr(I − ηS)² + γ²η²m₁/n with m₁ = E[q²‖x‖²] = d + 4 for every M; two steps
    /// at M = I from m_k = E[(r − d)²r^k]/(2d), r ~ χ²_d (E r^j = d(d + 2)···(d + 2j − 2)), put into the documented formula; without the
    /// quadratic part (γ = 0) the literature's ℓ₂.
    /// </summary>
    [Test]
    public void WISHART_Quadratic_label_loss_by_hand()
    {
        Rational Chi(int d, int j)
        {
            var r = Q(1);
            for (int i = 0; i < j; i++) r *= Q(d + 2 * i);
            return r;
        }
        Rational M(int d, int k) => (Chi(d, k + 2) - Q(2 * d) * Chi(d, k + 1) + Q((long)d * d) * Chi(d, k)) / Q(2 * d);
        foreach (var (n, d) in new[] { (4, 2), (7, 3), (2, 1) })
        {
            var eta = Q(2, 5);
            var g2 = Q(9, 4);
            var identity = Mat<Rational>.Identity(d);
            var diagonal = Mat<Rational>.Build(d, d, (i, j) => i == j ? Q(i + 1) * (i % 2 == 0 ? Q(1) : Q(-1)) : Q(0));
            var zero = QuadraticLabelLoss.GradientDescent(n, d, 0, eta, g2, identity);
            Checks.True(zero.Excess == Q(d) && zero.Loss == Q(d) + g2, $"n={n} d={d}: L = 0 costs d + γ² (got {zero.Loss})", CheckKind.Identity);
            var l1 = Q(d) - Q(2) * eta * Q(d) + eta * eta * Q((long)d * (n + d + 1), n);
            foreach (var m in new[] { identity, diagonal })
            {
                var one = QuadraticLabelLoss.GradientDescent(n, d, 1, eta, g2, m);
                var expected = l1 + g2 * eta * eta * Q(d + 4) / Q(n);
                Checks.True(one.Excess == expected && one.Loss == g2 + expected, $"n={n} d={d}: one step = ℓ₁(η) + γ²η²(d + 4)/n = {expected} (got {one.Excess})", CheckKind.Identity);
            }
            Checks.True(M(d, 1) == Q(d + 4), $"d={d}: m₁ = d + 4 from χ² moments", CheckKind.Identity);
            var two = QuadraticLabelLoss.GradientDescent(n, d, 2, eta, g2, identity);
            var signal = Q(d) - Q(4) * eta * WhitenedMoment(1, n, d) + Q(6) * eta * eta * WhitenedMoment(2, n, d)
                         - Q(4) * eta * eta * eta * WhitenedMoment(3, n, d) + eta * eta * eta * eta * WhitenedMoment(4, n, d);
            Rational N = Q(n);
            var e0 = M(d, 1);
            var e1 = (M(d, 2) + (N - Q(1)) * M(d, 1)) / N;
            var e2 = (M(d, 3) + Q(2) * (N - Q(1)) * M(d, 2) + (N - Q(1)) * Q(d + 2) * M(d, 1) + (N - Q(1)) * (N - Q(2)) * M(d, 1)) / (N * N);
            var noise = g2 * eta * eta * (Q(4) * e0 - Q(4) * eta * e1 + eta * eta * e2) / N;
            Checks.True(two.Excess == signal + noise, $"n={n} d={d}: two steps at M = I = {signal + noise} (got {two.Excess})", CheckKind.Identity);
            Checks.True(QuadraticLabelLoss.GradientDescent(n, d, 2, eta, Q(0), identity).Excess == signal, $"n={n} d={d}: γ = 0 gives ℓ₂(η)", CheckKind.Identity);
        }
        var i2 = Mat<Rational>.Identity(2);
        Rejects(() => QuadraticLabelLoss.GradientDescent(4, 2, 3, Q(1, 2), Q(1), i2), "steps");
        Rejects(() => QuadraticLabelLoss.GradientDescent(4, 2, -1, Q(1, 2), Q(1), i2), "steps");
        Rejects(() => QuadraticLabelLoss.GradientDescent(4, 2, 1, Q(1, 2), Q(-1), i2), "gammaSquared");
        Rejects(() => QuadraticLabelLoss.GradientDescent(0, 2, 1, Q(1, 2), Q(1), i2), "n", "≥ 1");
        Rejects(() => QuadraticLabelLoss.GradientDescent(4, 3, 1, Q(1, 2), Q(1), i2), "m");
        Rejects(() => QuadraticLabelLoss.GradientDescent(4, 0, 1, Q(1, 2), Q(1), i2), "d");
        Rejects(() => QuadraticLabelLoss.GradientDescent(4, 2, 1, Q(1, 2), Q(1), null!), "m");
    }

    /// <summary>
    /// GD++ (family (11)): the prediction matrix M(S) against the literal transformer (ŷ = x_qᵀMw* on a realizable prompt with S = XᵀX/n),
    /// the sample loss tr((M − I)ᵀΣ(M − I)C) by definition, its reverse-mode gradients against central differences (h = 1e-4: the
    /// loss is a polynomial, the difference's error h²·f⁽³⁾/6 is about 1e-9 relative here), and the scalar reduction at Σ = I, A = aI, B = bI.
    /// </summary>
    [Test]
    public void WISHART_Gd_plus_plus_loss_by_definition()
    {
        // Three layers: with two, the covariance s after the last update reaches nothing, so the backward pass's s̄ terms go untested.
        Matrix<double>[] a = [D(new[,] { { -0.5, 0.25 }, { 0.125, -0.75 } }), D(new[,] { { -0.25, 0 }, { 0.5, -0.5 } }), D(new[,] { { -0.375, 0.125 }, { 0, -0.25 } })];
        Matrix<double>[] b = [D(new[,] { { 0.5, -0.25 }, { 0, 0.25 } }), D(new[,] { { -0.125, 0.25 }, { 0.5, 0 } }), D(new[,] { { 0.25, 0 }, { -0.25, 0.5 } })];
        var x = Mat<Real>.Build(3, 2, (i, j) => (Real)(new[,] { { 1.0, -0.5 }, { 0.25, 2 }, { -1, 0.75 } })[i, j]);
        var task = Mat<Real>.Build(2, 1, (i, _) => (Real)(i == 0 ? 1.5 : -0.5));
        var query = Mat<Real>.Build(2, 1, (i, _) => (Real)(i == 0 ? 0.5 : 1.25));
        var prompt = Prompt<Real>.Realizable(x, query, task);
        var literal = new LinearTransformer<Real>(a.Select((al, l) => Families.GdPlusPlus(RealMat.From(al), RealMat.From(b[l]))).ToArray());
        var xm = Matrix<double>.Build.Dense(3, 2, (i, j) => x[i, j].Value);
        var s0 = xm.TransposeThisAndMultiply(xm) / 3;
        var m = GdPlusPlusLoss.PredictionMatrix(s0, a, b);
        double viaM = Vector<double>.Build.Dense([0.5, 1.25]) * (m * Vector<double>.Build.Dense([1.5, -0.5]));
        double viaModel = literal.Predict(prompt).Value;
        Checks.Close(viaM, viaModel, 1e-13 * Math.Max(1, Math.Abs(viaModel)), $"ŷ = x_qᵀM(S)w* = the literal three-layer GD++ prediction {viaModel}");

        var loss = new GdPlusPlusLoss(Samples, SigmaA, TaskA);
        double expected = Samples.Select(s => { var e = GdPlusPlusLoss.PredictionMatrix(s, a, b) - Matrix<double>.Build.DenseIdentity(2); return (e.TransposeThisAndMultiply(SigmaA) * e * TaskA).Trace(); }).Average();
        Checks.Close(loss.Value(a, b), expected, 1e-15 * Math.Max(1, expected), "f̂ = mean tr((M − I)ᵀΣ(M − I)C)");
        var (value, gradA, gradB) = loss.ValueAndGradient(a, b);
        Checks.Close(value, expected, 1e-14 * Math.Max(1, expected), "ValueAndGradient's value");
        const double h = 1e-4;
        for (int l = 0; l < 3; l++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    foreach (bool onA in new[] { true, false })
                    {
                        Matrix<double>[] Shift(double by)
                        {
                            var copy = (onA ? a : b).Select(q => q.Clone()).ToArray();
                            copy[l][i, j] += by;
                            return copy;
                        }
                        double plus = onA ? loss.Value(Shift(h), b) : loss.Value(a, Shift(h));
                        double minus = onA ? loss.Value(Shift(-h), b) : loss.Value(a, Shift(-h));
                        double numeric = (plus - minus) / (2 * h), exact = (onA ? gradA : gradB)[l][i, j];
                        Checks.Close(exact, numeric, 1e-7 * Math.Max(1, Math.Abs(numeric)), $"∂f̂/∂{(onA ? "A" : "B")}_{l}[{i},{j}] = {numeric}");
                    }

        // Σ = I, C = I, A_l = a_lI, B_l = b_lI: every matrix is a polynomial in S, so the loss is the scalar reduction over S's eigenvalues.
        var identity = Matrix<double>.Build.DenseIdentity(2);
        var whiteLoss = new GdPlusPlusLoss(Samples, identity, identity);
        double[] sa = [-0.5, -0.25, 0.375], sb = [0.25, -0.5, 0.125]; // three layers: the second layer's s and r reach the third's output
        var scalar = new ScalarGdPlusPlusLoss(Samples);
        Checks.Close(scalar.Value(sa, sb), whiteLoss.Value(sa.Select(v => identity * v).ToArray(), sb.Select(v => identity * v).ToArray()), 1e-13, "the scalar reduction equals the matrix loss on 𝒮 at Σ = I");
        Checks.Close(scalar.Value(sa[..2], sb[..2]), whiteLoss.Value(sa[..2].Select(v => identity * v).ToArray(), sb[..2].Select(v => identity * v).ToArray()), 1e-13, "and with two layers");
        Rejects(() => GdPlusPlusLoss.PredictionMatrix(s0, a, b[..1]), "b", "a and b must have one matrix per layer (got 3 and 1)");
        Rejects(() => loss.ValueAndGradient(a, b[..1]), "b", "a and b must have one matrix per layer (got 3 and 1)");
        Rejects(() => scalar.Value(sa, [1.0]), "b", "a and b must have one value per layer (got 3 and 1)");
        Rejects(() => _ = new GdPlusPlusLoss([], SigmaA, TaskA), "samples", "samples must not be empty");
        Rejects(() => _ = new GdPlusPlusLoss(null!, SigmaA, TaskA), "samples");
        Rejects(() => _ = new GdPlusPlusLoss([Matrix<double>.Build.DenseIdentity(3)], SigmaA, TaskA), "samples", "samples must be 2×2");
        Rejects(() => _ = new GdPlusPlusLoss(Samples, D(new[,] { { 1.0, 2 }, { 2, 1 } }), TaskA), "sigma", "positive definite");
        Rejects(() => _ = new GdPlusPlusLoss(Samples, SigmaA, Matrix<double>.Build.DenseIdentity(3)), "taskCovariance", "taskCovariance must be 2×2");
        Rejects(() => _ = new GdPlusPlusLoss(Samples, SigmaA, null!), "taskCovariance");
        Rejects(() => _ = new GdPlusPlusLoss(Samples, SigmaA, D(new[,] { { 1.0, double.NaN }, { 0, 1 } })), "taskCovariance", "finite");
        Rejects(() => _ = new ScalarGdPlusPlusLoss([]), "whitenedSamples", "whitenedSamples must not be empty");
        Rejects(() => _ = new ScalarGdPlusPlusLoss(null!), "whitenedSamples");
    }

    /// <summary>
    /// Gatmiry's exact population loss at one loop, Σ = I, by hand: with E Ŵ² = ((n + d + 1)/n)I and E[ŴBŴ] = B + (Bᵀ + tr B·I)/n,
    /// E tr((I − ŴA)(I − ŴA)ᵀ) = d − 2 tr A + tr(AAᵀ)(n + d + 1)/n and E‖uᵀŴA‖² = uᵀ(AAᵀ(n + 1)/n + tr(AAᵀ)/n·I)u; at two loops A = aI,
    /// u = 0 it is the literature's ℓ₂(a); the looped form equals the untied form with equal (but distinct) matrices.
    /// </summary>
    [Test]
    public void WISHART_Gatmiry_population_loss_by_hand()
    {
        const int n = 5, d = 2;
        var a = D(new[,] { { 0.5, 0.25 }, { -0.125, 0.75 } });
        var u = Vector<double>.Build.Dense([1.0, -2.0]);
        var aat = a.TransposeAndMultiply(a);
        double signal = d - 2 * a.Trace() + aat.Trace() * (n + d + 1.0) / n;
        double shift = u * ((aat * ((n + 1.0) / n) + Matrix<double>.Build.DenseIdentity(d) * (aat.Trace() / n)) * u);
        var one = GatmiryPopulationLoss.Looped(a, null, n, 1);
        Checks.Close(one.Value, signal, 1e-14 + one.RoundingBound, $"L = 1, u = 0: d − 2 tr A + tr(AAᵀ)(n + d + 1)/n = {signal}");
        var withU = GatmiryPopulationLoss.Looped(a, u, n, 1);
        Checks.Close(withU.Value, signal + shift, 1e-14 + withU.RoundingBound, $"L = 1: + uᵀ(AAᵀ(n + 1)/n + tr(AAᵀ)/n·I)u = {signal + shift}");
        Checks.True(withU.RoundingBound > 0 && withU.RoundingBound < 1e-12, $"the rounding bound is positive and small ({withU.RoundingBound})");
        var zeroU = GatmiryPopulationLoss.Looped(a, Vector<double>.Build.Dense(d), n, 1);
        Checks.Close(zeroU.Value, signal, 1e-14 + zeroU.RoundingBound, "u = 0 as a vector costs nothing");

        var two = GatmiryPopulationLoss.Looped(Matrix<double>.Build.DenseIdentity(d) * 0.375, null, n, 2);
        var rb = Q(3, 8);
        var l2 = (WhitenedMoment(0, n, d) - Q(4) * rb * WhitenedMoment(1, n, d) + Q(6) * rb * rb * WhitenedMoment(2, n, d)
                  - Q(4) * rb * rb * rb * WhitenedMoment(3, n, d) + rb * rb * rb * rb * WhitenedMoment(4, n, d)).ToDouble();
        Checks.Close(two.Value, l2, 1e-14 + two.RoundingBound, $"L = 2 at A = bI, u = 0: ℓ₂(b) = {l2}");
        var tied = GatmiryPopulationLoss.Looped(a, u, n, 2);
        var untied = GatmiryPopulationLoss.Whitened([a, a.Clone()], [u, u.Clone()], n);
        Checks.Close(tied.Value, untied.Value, tied.RoundingBound + untied.RoundingBound, "looped = untied with equal layers (the cache keys differ)");
        var other = GatmiryPopulationLoss.Whitened([a, a * 0.5], [u, null], n);
        Checks.True(Math.Abs(other.Value - tied.Value) > 1e-3, "a different second layer gives a different loss");

        Rejects(() => GatmiryPopulationLoss.Looped(a, u, n, 0), "loops", "loops must be in 1 … 4");
        Rejects(() => GatmiryPopulationLoss.Looped(a, u, n, GatmiryPopulationLoss.MaxLayers + 1), "loops", "loops must be in 1 … 4");
        Rejects(() => GatmiryPopulationLoss.Looped(null!, u, n, 1), "a");
        Rejects(() => GatmiryPopulationLoss.Whitened([], [], n), "d", "d must hold 1 … 4 layers");
        Rejects(() => GatmiryPopulationLoss.Whitened(Enumerable.Repeat(a, 5).ToArray(), new Vector<double>?[5], n), "d", "d must hold 1 … 4 layers");
        Rejects(() => GatmiryPopulationLoss.Whitened([a], [u, u], n), "s", "s must have one entry per layer (1; got 2)");
        Rejects(() => GatmiryPopulationLoss.Whitened([a], [u], 0), "n");
        Rejects(() => GatmiryPopulationLoss.Whitened([a, Matrix<double>.Build.DenseIdentity(3)], [null, null], n), "d", "every D_l must be 2×2 (got 3×3)");
        Rejects(() => GatmiryPopulationLoss.Whitened([Matrix<double>.Build.Dense(2, 3)], [null], n), "d", "every D_l must be 2×2 (got 2×3)");
        Rejects(() => GatmiryPopulationLoss.Whitened([D(new[,] { { double.NaN, 0 }, { 0, 1 } })], [null], n), "d");
        Rejects(() => GatmiryPopulationLoss.Whitened([a], [Vector<double>.Build.Dense(3)], n), "s");
        Rejects(() => GatmiryPopulationLoss.Whitened([a], [Vector<double>.Build.Dense([double.PositiveInfinity, 0])], n), "s");
        Rejects(() => GatmiryPopulationLoss.Whitened(null!, [u], n), "d");
        Rejects(() => GatmiryPopulationLoss.Whitened([a], null!, n), "s");
    }

    /// <summary>
    /// Gatmiry's exact loss for d = 1, where Ŵ = ŵ ~ χ²_n/n and E ŵ^k = n(n + 2)⋯(n + 2k − 2)/n^k: the loss is the polynomial
    /// E(∏_l (1 − ŵa_l))² + E(Σ_l s_l ŵ a_l ∏_{k>l} (1 − ŵa_k))², expanded here in exact rationals (an independent computation of the
    /// subset expansion: untied layers, shifts on some layers, L = 1, 2, 3, and L = 4 = MaxLayers tied without shift). At L = 1 with a &lt; 0 and s &lt; 0 every
    /// weighted word is positive (1, −2·a, a²Eŵ², s²a²Eŵ²), so the running error of their sum is known: the bound must be
    /// 1.01·[Σ_k |weight_k|·bound_k + u·Σ_k (|partial sum_k| + |term_k|)] with each word's bound from <see cref="WishartWordMoments"/>.
    /// </summary>
    [Test]
    public void WISHART_Gatmiry_population_loss_for_one_dimension_against_chi_square_moments()
    {
        const int n = 5;
        static Matrix<double> S(double x) => Matrix<double>.Build.Dense(1, 1, x);
        static Rational R(double x) { var (p, q) = LoopedScalar.Dyadic(x); return Rational.Of(p, q); } // the double's exact value
        static double Exact(double[] a, double?[] s)
        {
            Rational[] signal = [Rational.One], shift = [Rational.Zero];
            for (int l = 0; l < a.Length; l++)
            {
                Rational[] step = [Rational.One, Rational.Zero - R(a[l])]; // 1 − ŵa_l
                signal = Times(signal, step);
                shift = Times(shift, step);
                if (s[l] is double sl) shift = Plus(shift, [Rational.Zero, R(sl) * R(a[l])]); // + s_l ŵ a_l, then the later layers multiply it
            }
            return RealWishartMoments.ExpectedTraceOfPolynomial(Plus(Times(signal, signal), Times(shift, shift)), n, 1).ToDouble(); // d = 1: E p(ŵ)
        }
        void Agrees(WishartWordMoments.Moment w, double exact, string what) =>
            Checks.AtMost(Math.Abs(w.Value - exact), w.RoundingBound + 1.2e-16 * Math.Abs(exact), $"{what}: |{w.Value:R} − {exact:R}| within the rounding bound");

        foreach (var (a, s) in new (double[], double?[])[]
                 {
                     ([-0.5], [-1.0]), ([0.75], [0.5]), ([-0.5, 0.75], [1.0, -0.25]), ([0.5, -0.25], [null, 1.5]),
                     ([-0.5, 0.75, 1.25], [1.0, null, -0.5]), ([0.25, 0.5, -0.75], [-1.5, 0.75, 0.25]),
                 })
        {
            var loss = GatmiryPopulationLoss.Whitened(a.Select(S).ToArray(), s.Select(x => x is double v ? Vector<double>.Build.Dense([v]) : null).ToArray(), n);
            Agrees(loss, Exact(a, s), $"L = {a.Length}, a = [{string.Join(", ", a)}], s = [{string.Join(", ", s)}]");
        }
        var shared = Vector<double>.Build.Dense([0.75]); // one s for both layers, two different D's
        Agrees(GatmiryPopulationLoss.Whitened([S(-0.5), S(1.25)], [shared, shared], n), Exact([-0.5, 1.25], [0.75, 0.75]), "L = 2, one shared s, two D's");
        var b = S(-0.375);
        var four = GatmiryPopulationLoss.Looped(b, null, n, GatmiryPopulationLoss.MaxLayers);
        Agrees(four, Exact([-0.375, -0.375, -0.375, -0.375], [null, null, null, null]), "L = 4 = MaxLayers, tied");
        var fourUntied = GatmiryPopulationLoss.Whitened([b, b, b, b], [null, null, null, null], n);
        Checks.True(fourUntied == four, "four layers given as a list (the same matrix) are the looped model");

        // L = 1, a = −1/2, s = −1: the four weighted words and the running error of their (positive) sum.
        var (d1, s1) = (S(-0.5), Vector<double>.Build.Dense([-1.0]));
        var one = GatmiryPopulationLoss.Whitened([d1], [s1], n);
        var words = new (double Weight, WishartWordMoments.Moment Word)[]
        {
            (1, WishartWordMoments.WhitenedWord([], n, 1)),                                               // tr I
            (-2, WishartWordMoments.WhitenedWord([d1, null], n, 1)),                                      // E tr(DᵀŴ), twice
            (1, WishartWordMoments.WhitenedWord([null, d1, d1, null], n, 1)),                             // E tr(ŴDDᵀŴ)
            (1, WishartWordMoments.WhitenedWord([s1.OuterProduct(s1), null, d1, d1, null], n, 1, 1)),     // E tr(ssᵀŴDDᵀŴ), ssᵀ rounded once
        };
        double partial = 0, running = 0, wordBounds = 0;
        foreach (var (weight, word) in words)
        {
            Checks.True(weight * word.Value > 0, $"every weighted word is positive here ({weight}·{word.Value})");
            partial += weight * word.Value;
            running += partial + weight * word.Value;
            wordBounds += Math.Abs(weight) * word.RoundingBound;
        }
        Agrees(one, 1 + 1 + 0.35 + 0.35, "L = 1: 1 − 2a + a²(n + 2)/n + s²a²(n + 2)/n");
        double expected = 1.01 * (wordBounds + WishartWordMoments.Gamma(1) * running);
        Checks.Close(one.RoundingBound, expected, 1e-12 * expected, $"L = 1: the bound {one.RoundingBound:G6} = 1.01·(Σ|weight|·bound + u·running error) = {expected:G6}");
    }

    /// <summary>
    /// AHN-T1's single layer with all of (P, Q): the packed layout and the (P, Q) it stands for; the full loss at a sparse layer equals the
    /// sparse loss with C = I (K = −Aᵀ: tr 𝓔[AΣAᵀ] = tr(Aᵀ𝓔[I]AΣ)); the allocation-free objective equals the closed form, and its gradient
    /// equals exact differences (the loss is quadratic in each single coordinate, so the h = 1 central difference is exact up to rounding);
    /// the control without 𝓔's trace term differs; Γ and Theorem 5's ReLU loss by hand.
    /// </summary>
    [Test]
    public void WISHART_Single_layer_loss_and_objective_by_definition()
    {
        var sigma = D(new[,] { { 2, 0.5 }, { 0.5, 1 } });
        const int n = 4;
        var p = new SingleLayerParameters(Vector<double>.Build.Dense([0.5, -1.5]), 0.75,   // uᵀΣu = 2, not 1 (a factor uᵀΣu must show)
            D(new[,] { { -0.5, 0.25 }, { 0.125, -0.25 } }), Vector<double>.Build.Dense([0.25, 0.5]));
        var packed = p.Pack();
        Checks.True(packed.SequenceEqual([0.5, -1.5, 0.75, -0.5, 0.25, 0.125, -0.25, 0.25, 0.5]) && SingleLayerParameters.Count(2) == 9, "packed (u, β, A row-major, a): 2d + 1 + d² entries", CheckKind.Identity);
        var back = SingleLayerParameters.Unpack(packed, 2);
        Checks.True(back.U.Equals(p.U) && back.Beta == p.Beta && back.A.Equals(p.A) && back.LastRowOfQ.Equals(p.LastRowOfQ), "Unpack(Pack(p)) = p", CheckKind.Identity);
        var pq = p.ToPQ((i, j) => 100 + 10 * i + j);
        var (pm, qm) = (pq[0], pq[1]);
        Checks.True(pm[2, 0].Value == 0.5 && pm[2, 1].Value == -1.5 && pm[2, 2].Value == 0.75 && pm[0, 1].Value == 101 && pm[1, 2].Value == 112
                    && qm[0, 0].Value == -0.5 && qm[1, 0].Value == 0.125 && qm[2, 0].Value == 0.25 && qm[2, 1].Value == 0.5 && qm[0, 2].Value == 102 && qm[2, 2].Value == 122,
            "P's last row = (uᵀ, β), Q's first d columns = [A; aᵀ], the other entries from the given function", CheckKind.Identity);

        var pre = D(new[,] { { 0.5, 0.25 }, { -0.125, 0.75 } });
        var identity = Matrix<double>.Build.DenseIdentity(2);
        Checks.Close(AhnLosses.SingleLayer(sigma, n, SingleLayerParameters.Sparse(pre)), AhnLosses.SparseSingleLayer(sigma, n, pre, identity), 1e-13,
            "a sparse layer's full loss = the sparse loss with C = I");
        Checks.True(Math.Abs(AhnLosses.SingleLayer(sigma, n, p, dropTraceTerm: true) - AhnLosses.SingleLayer(sigma, n, p)) > 1e-3, "the control without 𝓔's trace term differs");

        var objective = new SingleLayerObjective(sigma, n);
        var x = packed.ToArray();
        var g = new double[9];
        double f = AhnLosses.SingleLayer(sigma, n, p);
        Checks.Close(objective.Evaluate(x, g), f, 1e-13 * Math.Max(1, f), "objective = closed form");
        Checks.Close(objective.Evaluate(x, []), f, 1e-13 * Math.Max(1, f), "objective without a gradient");
        for (int k = 0; k < 9; k++)
        {
            var plus = (double[])x.Clone();
            var minus = (double[])x.Clone();
            plus[k] += 1;
            minus[k] -= 1;
            double exact = (AhnLosses.SingleLayer(sigma, n, SingleLayerParameters.Unpack(Vector<double>.Build.Dense(plus), 2))
                            - AhnLosses.SingleLayer(sigma, n, SingleLayerParameters.Unpack(Vector<double>.Build.Dense(minus), 2))) / 2;
            Checks.Close(g[k], exact, 1e-12 * Math.Max(1, Math.Abs(exact)), $"∂f/∂x[{k}] = {exact} (exact difference)");
        }
        Checks.True(objective.Dimension == 9, "the objective's dimension is 2d + 1 + d²");
        Rejects(() => objective.Evaluate(new double[8], g), "x");
        Rejects(() => _ = new SingleLayerObjective(sigma, 0), "n");
        Rejects(() => _ = new SingleLayerObjective(D(new[,] { { 1.0, 2 }, { 2, 1 } }), n), "sigma", "positive definite");
        Rejects(() => objective.Evaluate(x, new double[8]), "gradient", "gradient must have length 9 (got 8)");
        Rejects(() => AhnLosses.SingleLayer(sigma, 0, p), "n", "≥ 1");

        var gamma = AhnLosses.Gamma(D(new[,] { { 1.0, 0 }, { 0, 2 } }), 3);
        Checks.Close((gamma - D(new[,] { { 7.0 / 3, 0 }, { 0, 11.0 / 3 } })).FrobeniusNorm(), 0, 1e-15, "Γ = (4/3)diag(1, 2) + (3/3)I");
        Rejects(() => AhnLosses.Gamma(sigma, 0), "n");
        Rejects(() => AhnLosses.SingleLayer(sigma, 0, p), "n");
        Checks.True(AhnLosses.ReluScalar(2, 4, 0.5) == 2 + 1 + 0.25 * 2 * 11 / 16.0, "ReLU: d + αd + α²d(n + 2d + 3)/(4n) at d = 2, n = 4, α = ½", CheckKind.Identity);
    }

    /// <summary>
    /// The scalar line's helpers: a double as the dyadic rational it stores (normal, negative, integer, subnormal, zero), the sample losses
    /// and the delta-method error of the sample minimiser on eigenvalues worked by hand (λ = 1, 2, 3 at b = ¼, L = 1: SE = (1/6)/(28/3)
    /// = 1/56), the sample minimiser Σλ/Σλ² = 3/7 at L = 1, drawn eigenvalues whose sums are the drawn traces, the exact optimum a minimum.
    /// </summary>
    [Test]
    public void WISHART_Scalar_line_helpers_by_hand()
    {
        static Rational Of((System.Numerics.BigInteger P, System.Numerics.BigInteger Q) f) => Rational.Of(f.P, f.Q);
        var one = System.Numerics.BigInteger.One;
        Checks.True(Of(LoopedScalar.Dyadic(0.375)) == Q(3, 8) && Of(LoopedScalar.Dyadic(-6)) == Q(-6) && LoopedScalar.Dyadic(0) == (0, 1)
                    && Of(LoopedScalar.Dyadic(double.Epsilon)) == Rational.Of(one, one << 1074)
                    && Of(LoopedScalar.Dyadic(1.5 * Math.Pow(2, 60))) == Rational.Of(3 * (one << 59), one) && LoopedScalar.Dyadic(-6).Q > 0,
            "doubles as p/q (q > 0): 3/8, −6, 0, 2⁻¹⁰⁷⁴, 3·2⁵⁹", CheckKind.Identity);
        Rejects(() => LoopedScalar.ExactLoss(5, 2, 1, double.NaN), "b");
        Rejects(() => LoopedScalar.ExactLoss(5, 2, 0, 0.5), "loops");
        Rejects(() => LoopedScalar.ExactLoss(5, 2, LoopedScalar.MaxLoops + 1, 0.5), "loops", $"loops must be ≤ {LoopedScalar.MaxLoops}");
        // L = MaxLoops is admitted: for n = d = 1, ℓ_L(1/2) = E(1 − w/2)^{2L}, w ~ χ²₁, lies between (1 − E w/2)^{2L} = 2^{−2L} (Jensen) and E(w/2)^{2L} + 1.
        double top = LoopedScalar.ExactLoss(1, 1, LoopedScalar.MaxLoops, 0.5);
        Checks.True(top >= Math.Pow(2, -2 * LoopedScalar.MaxLoops) && double.IsFinite(top), $"L = {LoopedScalar.MaxLoops} = MaxLoops is computed ({top:G6})");

        double[][] eig = [[1], [2], [3]];
        Checks.True(LoopedScalar.PerSample([[1, 2]], 0.25, 1).SequenceEqual([0.5625 + 0.25]) && LoopedScalar.PerSample([[1, 2]], 0.25, 2).SequenceEqual([0.31640625 + 0.0625]),
            "Σ_j (1 − bλ_j)^{2L} at λ = (1, 2), b = ¼: 9/16 + 1/4 at L = 1, 81/256 + 1/16 at L = 2", CheckKind.Identity);
        var loss = LoopedScalar.Loss(eig, 0.25, 1);
        Checks.Close(loss.Mean, (0.5625 + 0.25 + 0.0625) / 3, 1e-15, "the sample loss at b = ¼");
        Checks.Close(LoopedScalar.MinimizerStandardError(eig, 0.25, 1), 1.0 / 56, 1e-15, "sd(ℓ')/(√m·mean ℓ'') = (1/6)/(28/3)");
        Checks.Close(LoopedScalar.Minimize(eig, 1), 3.0 / 7, 1e-8, "the sample minimiser at L = 1 is Σλ/Σλ² = 6/14");
        // L = 2 with two eigenvalues per draw, b = ¼: ℓ'_i = Σ_j −4λ(1 − λ/4)³ and ℓ''_i = Σ_j 12λ²(1 − λ/4)², dyadic, by hand.
        double[] first = [-1.6875 - 1, -1.33984375 - 0.1875, -1.46484375 - 0.823974609375], second = [6.75 + 12, 2.296875 + 6.75, 10.546875 + 0.6591796875];
        double firstMean = first.Average(), sd = Math.Sqrt(first.Sum(x => (x - firstMean) * (x - firstMean)) / 2);
        Checks.Close(LoopedScalar.MinimizerStandardError([[1, 2], [0.5, 3], [1.5, 0.25]], 0.25, 2), sd / Math.Sqrt(3) / second.Average(), 1e-15,
            "L = 2, two eigenvalues per draw: sd(ℓ')/(√m·mean ℓ'')");

        var drawn = LoopedScalar.EigenvalueSample(6, 3, 4, 17);
        var traces = SparseFamilyLoss.DrawSamples(Matrix<double>.Build.DenseIdentity(3), 6, 4, 17).Select(s => s.Trace()).ToArray();
        Checks.True(drawn.Length == 4 && drawn.All(e => e.Length == 3), "4 draws of 3 eigenvalues");
        for (int k = 0; k < 4; k++) Checks.Close(drawn[k].Sum(), traces[k], 1e-13 * traces[k], $"draw {k}: Σλ = tr Ŵ of the same draw");

        var (bStar, best) = LoopedScalar.ExactOptimum(7, 3, 2);
        Checks.True(LoopedScalar.ExactLoss(7, 3, 2, bStar * (1 + 1e-6)) > best && LoopedScalar.ExactLoss(7, 3, 2, bStar * (1 - 1e-6)) > best,
            $"L = 2: ℓ₂ is larger on both sides of b* = {bStar}");
        var (rb, rl) = LoopedScalar.ExactOptimumRational(7, 3, 2);
        Checks.True(rb.ToDouble() == bStar && rl.ToDouble() == best && LoopedScalar.ExactLoss(7, 3, 2, rb) == rl, "the rational optimum is the double one, exactly evaluated");
        // At L = 1, b* = m₁/m₂ = n/(n + d + 1) = 7/11 (not dyadic): 48 halvings of [0, 1] end in a bracket of width 2⁻⁴⁸ whose midpoint, a
        // multiple of 2⁻⁴⁹, is within 2⁻⁴⁹ of it.
        var (b1, _) = LoopedScalar.ExactOptimumRational(7, 3, 1);
        Checks.True(b1.Denominator <= System.Numerics.BigInteger.Pow(2, 49) && (b1.Denominator & (b1.Denominator - 1)).IsZero, $"b* at L = 1 is a multiple of 2⁻⁴⁹ (denominator {b1.Denominator})");
        Checks.True(Math.Abs(((b1 - Q(7, 11)) * Rational.Of(System.Numerics.BigInteger.Pow(2, 49), 1)).ToDouble()) <= 1, "b* at L = 1 is within 2⁻⁴⁹ of 7/11");
    }

    /// <summary>
    /// The sample losses' inputs and edges: the drawn sample covariances are XᵀX/n of the law's own prompts; every constructor and
    /// argument check names its argument; the objective re-reads its parameters on every call (Matrices after another Evaluate), clears its
    /// gradient between calls, and symmetrises each block of an untied symmetric objective in its own place; test-time looping checks its Σs
    /// and step.
    /// </summary>
    [Test]
    public void WISHART_Sample_losses_inputs_and_edges()
    {
        var law = new Numerics.Engine.PromptLaw(SigmaA, TaskLaw.Isotropic);
        var batch = law.Draw(4, 3, Numerics.Engine.EngineSeed.FromInt(-5));
        var drawn = SparseFamilyLoss.DrawSamples(SigmaA, 4, 3, -5);
        for (int k = 0; k < 3; k++)
        {
            var x = batch.ToPrompt(k).X;   // n×d, rows x_i
            var xm = Matrix<double>.Build.Dense(4, 2, (i, j) => x[i, j].Value);
            Checks.Close((drawn[k] - xm.TransposeThisAndMultiply(xm) / 4).FrobeniusNorm(), 0, 1e-14, $"sample {k}: S = XᵀX/n of the law's prompt {k} at the sign-extended seed");
        }
        Rejects(() => SparseFamilyLoss.DrawSamples(SigmaA, 4, 0, 1), "count", "≥ 1");
        Rejects(() => _ = new SparseFamilyLoss(null!, SigmaA, TaskA), "samples");
        Rejects(() => _ = new SparseFamilyLoss([], SigmaA, TaskA), "samples", "samples must not be empty");
        Rejects(() => _ = new SparseFamilyLoss(Samples, D(new[,] { { 1.0, 2 }, { 2, 1 } }), TaskA), "sigma");
        Rejects(() => _ = new SparseFamilyLoss(Samples, SigmaA, Matrix<double>.Build.DenseIdentity(3)), "taskCovariance");
        var loss = new SparseFamilyLoss(Samples, SigmaA, TaskA);
        Rejects(() => loss.ValueAndGradient(null!), "a");
        Rejects(() => _ = new SparseFamilyObjective(null!, 1, false, false), "loss");

        // Matrices(y) after Evaluate(x) shows y; two gradient evaluations give the same gradient (the accumulators are cleared).
        var objective = new SparseFamilyObjective(loss, 2, tied: false, symmetric: true);
        double[] x0 = [0.5, 1, 0, 0.75, 0.25, -0.5, 0.5, 0], x1 = [1.0, 0, 0, 1, 0.5, 0.25, 0.25, 0.5];
        var g0 = new double[8];
        var g1 = new double[8];
        objective.Evaluate(x0, g0);
        objective.Evaluate(x0, g1);
        Checks.True(g0.SequenceEqual(g1), "the same gradient twice (cleared between calls)", CheckKind.Identity);
        var shown = objective.Matrices(x1);
        var v1 = D(new[,] { { 0.25, -0.5 }, { 0.5, 0 } });   // x0's second block
        Checks.True(shown[1].Equals(D(new[,] { { 0.5, 0.25 }, { 0.25, 0.5 } })) && shown[0].Equals(Matrix<double>.Build.DenseIdentity(2)), "Matrices shows its own argument's blocks, each symmetrised in place");
        var (value, grads) = loss.ValueAndGradient([D(new[,] { { 0.5, 0.5 }, { 0.5, 0.75 } }), (v1 + v1.Transpose()) / 2]);
        var g = new double[8];
        Checks.Close(objective.Evaluate(x0, g), value, 1e-14, "untied symmetric objective: f̂((V₀ + V₀ᵀ)/2, (V₁ + V₁ᵀ)/2)");
        for (int k = 0; k < 8; k++)
        {
            var gl = grads[k / 4];
            double expected = (gl[k % 4 / 2, k % 2] + gl[k % 2, k % 4 / 2]) / 2;
            Checks.Close(g[k], expected, 1e-13, $"untied symmetric gradient entry {k}: block {k / 4}'s (G + Gᵀ)/2");
        }

        var sigmaBad = D(new[,] { { 1.0, 2 }, { 2, 1 } });
        Rejects(() => _ = new TestTimeLooping(sigmaBad, SigmaA, 4, 0.5, 2, 1), "trainSigma");
        Rejects(() => _ = new TestTimeLooping(SigmaA, sigmaBad, 4, 0.5, 2, 1), "testSigma");
        Rejects(() => _ = new TestTimeLooping(SigmaA, SigmaA, 4, double.NaN, 2, 1), "stepSize");
        var ex = Assert.Catch<ArgumentException>(() => QuadraticLabelLoss.GradientDescent(4, 2, 3, Q(1, 2), Q(1), Mat<Rational>.Identity(2)));
        Checks.True(ex!.Message.Contains("[0, 2]", StringComparison.Ordinal) && ex.Message.Contains("L ≤ 2", StringComparison.Ordinal), $"the steps rule and its reason are stated ({ex.Message})");
        ex = Assert.Catch<ArgumentException>(() => QuadraticLabelLoss.GradientDescent(4, 2, 1, Q(1, 2), Q(-1), Mat<Rational>.Identity(2)));
        Checks.True(ex!.Message.Contains("≥ 0", StringComparison.Ordinal), $"γ² ≥ 0 is stated ({ex.Message})");
    }
}
