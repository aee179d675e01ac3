using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Moments;
using LoopedIcl.Numerics.Statistics;
using LoopedIcl.Numerics.Training;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// The law of the quadratic labels behind X-QUAD-FLOOR: q(x) = (xᵀMx − tr M)/√(2 tr M²) has E q = 0, E q² = 1 and E[q(x)x] = 0 under
/// x ~ N(0, I) (the convention of <see cref="QuadraticLabels"/>: centring and scale use the law's Σ, here I), and the labels have
/// E y² = E‖w*‖² + γ² = d + γ². Every sample comes from the engine's batched sampler with the label transform (q = Δy/γ).
/// Intervals, false alarm 1e-6 each: E q = 0 by the Laurent–Massart chi-square tail (the sample mean of q is a Gaussian chaos
/// Σλ_j(g_j² − 1), exact and exponential); E q² and E[q x_a] by Markov on the sample mean's fourth central moment
/// (μ₄ + 3(N−1)σ⁴)/N³ with σ², μ₄ exact from <see cref="GaussianQuadraticForms"/> (valid for any finite-moment law; q has all moments);
/// E y² (one label per prompt) from 100 group means with Student's t (a degree-4 polynomial of Gaussians, group means of 2000 are near normal).
/// </summary>
[TestFixture, Category(ClaimIds.XQuadFloor)]
public sealed class QuadraticLabelLaw
{
    private const int D = 3, N = 63, Prompts = 2000; // (N + 1)·Prompts = 128 000 covariate draws

    /// <summary>A fixed symmetric M with distinct eigenvalues of both signs.</summary>
    internal static Matrix<double> FixedM(int d)
    {
        var m = Matrix<double>.Build.Dense(d, d, (i, j) => i == j ? (i % 2 == 0 ? 2.0 + i : -1.0 - i) : 0.5 / (1 + i + j));
        return m;
    }

    private static (double[] Q, double[] X) Sample(QuadraticLabels labels, ulong seed)
    {
        var law = PromptLaw.Isotropic(D, TaskLaw.Isotropic);
        var batch = law.Draw(N, Prompts, seed);
        var y = (double[])batch.Y.Clone();
        var t = (double[])batch.Target.Clone();
        labels.Apply(batch);
        var q = new List<double>();
        var x = new List<double>();
        int lanes = PromptBatch.Lanes; // not const: the lane count may become a runtime width
        for (int p = 0; p < Prompts; p++)
        {
            int g = p / lanes, k = p % lanes;
            for (int i = 0; i < N; i++)
            {
                q.Add((batch.Y[(g * N + i) * lanes + k] - y[(g * N + i) * lanes + k]) / labels.Gamma);
                for (int a = 0; a < D; a++) x.Add(batch.X[((g * N + i) * D + a) * lanes + k]);
            }
            q.Add((batch.Target[g * lanes + k] - t[g * lanes + k]) / labels.Gamma);
            for (int a = 0; a < D; a++) x.Add(batch.Query[(g * D + a) * lanes + k]);
        }
        return (q.ToArray(), x.ToArray());
    }

    /// <summary>Laurent–Massart: the mean of m copies of q is Σλ_j(g_j² − 1) with λ = μ_j/(m√(2trM²)); |it| ≤ 2√(Σλ₊²τ) + 2√(Σλ₋²τ) + 2τ max|λ| w.p. ≥ 1 − 4e^{−τ}.</summary>
    internal static double MeanQBound(Matrix<double> m, int count, double falseAlarm)
    {
        var mu = m.Evd().EigenValues.Select(z => z.Real).ToArray();
        double c = Math.Sqrt(2 * mu.Sum(v => v * v)), tau = Math.Log(4 / falseAlarm);
        double plus = mu.Where(v => v > 0).Sum(v => v * v) / (count * c * c), minus = mu.Where(v => v < 0).Sum(v => v * v) / (count * c * c);
        return 2 * Math.Sqrt(plus * tau) + 2 * Math.Sqrt(minus * tau) + 2 * tau * mu.Max(Math.Abs) / (count * c);
    }

    /// <summary>Markov on the fourth central moment of a mean of m i.i.d. values with variance σ² and fourth central moment μ₄.</summary>
    internal static double FourthMomentBound(double variance, double mu4, int m, double falseAlarm) =>
        Math.Pow((mu4 + 3.0 * (m - 1) * variance * variance) / ((double)m * m * m) / falseAlarm, 0.25);

    private static Mat<Real> AsMat(Matrix<double> m) => RealMat.From(m);

    /// <summary>E[q^p] exactly (p ≤ 8).</summary>
    private static double QMoment(Matrix<double> m, int p) =>
        GaussianQuadraticForms.CentredMoment(AsMat(m), p, []).Value / Math.Pow(2 * (m * m).Trace(), p / 2.0);

    private static (double Mean, double Bound) MeanOfQ(double[] q, Matrix<double> m) => (q.Average(), MeanQBound(m, q.Length, CheckPolicy.FalseAlarm));

    private static (double Mean, double Bound) MeanOfQSquared(double[] q, Matrix<double> m)
    {
        double e4 = QMoment(m, 4), e6 = QMoment(m, 6), e8 = QMoment(m, 8);
        double variance = e4 - 1, mu4 = e8 - 4 * e6 + 6 * e4 - 4 + 1;
        return (q.Average(v => v * v), FourthMomentBound(variance, mu4, q.Length, CheckPolicy.FalseAlarm));
    }

    [Test]
    public void X_QUAD_Law_of_q_under_the_batched_sampler()
    {
        var m = FixedM(D);
        var labels = QuadraticLabels.Fixed(1.5, m);
        var (q, x) = Sample(labels, TestSettings.Plan.Stream("X-QUAD law"));
        var (mean, meanBound) = MeanOfQ(q, m);
        Checks.AtMost(Math.Abs(mean), meanBound, $"|mean q| over {q.Length} draws (Laurent–Massart, δ = 1e-6)", CheckKind.Bound);
        var (sq, sqBound) = MeanOfQSquared(q, m);
        Checks.AtMost(Math.Abs(sq - 1), sqBound, $"|mean q² − 1| over {q.Length} draws (4th-moment Markov, δ = 1e-6)", CheckKind.Bound);
        var mm = AsMat(m);
        double c2 = 2 * (m * m).Trace();
        for (int a = 0; a < D; a++)
        {
            var ea = Mat<Real>.Build(D, D, (i, j) => i == a && j == a ? 1.0 : 0.0);
            double variance = GaussianQuadraticForms.CentredMoment(mm, 2, [ea]).Value / c2;
            double mu4 = GaussianQuadraticForms.CentredMoment(mm, 4, [ea, ea]).Value / (c2 * c2);
            double cross = Enumerable.Range(0, q.Length).Average(i => q[i] * x[i * D + a]);
            Checks.AtMost(Math.Abs(cross), FourthMomentBound(variance, mu4, q.Length, CheckPolicy.FalseAlarm), $"|mean q·x_{a}| (4th-moment Markov, δ = 1e-6; exact Var = {variance:G4})", CheckKind.Bound);
        }
        ClaimLedger.Note($"X-QUAD law (d = {D}, fixed M, {q.Length} draws): mean q = {mean:G3} (bound {meanBound:G3}), mean q² = {sq:G5} (bound ±{sqBound:G3})");

        // Controls: the scale without the √2 (E q² = 2) and q without its centring (E q = tr M/√(2trM²)) fail the same checks.
        var unscaled = q.Select(v => v * Math.Sqrt(2)).ToArray();
        Properties.ExpectViolation("q scaled by 1/√(tr M²) (no √2)", () =>
        {
            var (s2, b2) = MeanOfQSquared(q, m);
            s2 = unscaled.Average(v => v * v);
            Checks.AtMost(Math.Abs(s2 - 1), b2, "|mean q² − 1| of the mis-scaled q", CheckKind.Bound);
        });
        double shift = m.Trace() / Math.Sqrt(2 * (m * m).Trace());
        Properties.ExpectViolation("q without its centring tr M", () =>
            Checks.AtMost(Math.Abs(q.Average() + shift), meanBound, "|mean q| of the uncentred q", CheckKind.Bound));
    }

    [Test]
    public void X_QUAD_Label_variance_is_the_signal_plus_gamma_squared()
    {
        const double gamma = 1.5;
        var m = FixedM(D);
        var law = PromptLaw.Isotropic(D, TaskLaw.Isotropic);
        var batch = QuadraticLabels.Fixed(gamma, m).Draw(law, 2, 50_000, TestSettings.Plan.Stream("X-QUAD label variance"));
        var y2 = Enumerable.Range(0, batch.Count).Select(p => { double y = batch.Y[(p / PromptBatch.Lanes * 2) * PromptBatch.Lanes + p % PromptBatch.Lanes]; return y * y; }).ToArray();
        var est = LossEstimates.GroupMeans(y2, 100);
        double expected = D + gamma * gamma, hw = LossEstimates.HalfWidth(est, CheckPolicy.FalseAlarm);
        Checks.Close(est.Mean, expected, hw, $"E y² = E‖w*‖² + γ² = {expected} (t on 100 group means, δ = 1e-6)", CheckKind.Bound);
        Properties.ExpectViolation("E y² without the γ² of the quadratic part", () => Checks.Close(est.Mean, D, hw, "E y² = E‖w*‖²", CheckKind.Bound));
    }

    [Test]
    public void X_QUAD_Per_prompt_M_is_deterministic_per_seed_and_normalised()
    {
        var law = PromptLaw.Isotropic(D, TaskLaw.Isotropic);
        var labels = QuadraticLabels.PerPrompt(1.0, D);
        var a = labels.Draw(law, 8, 2000, 11);
        var b = labels.Draw(law, 8, 2000, 11);
        var c = labels.Draw(law, 8, 2000, 12);
        Checks.Sanity(a.Y.SequenceEqual(b.Y) && a.Target.SequenceEqual(b.Target), "same seed, same quadratic labels");
        Checks.Sanity(!a.Y.SequenceEqual(c.Y), "another seed, other labels");
        // E q² = 1 given each M, so E y_q² = d + 1 (t on group means).
        var big = labels.Draw(law, 1, 20_000, 13);
        var t2 = Enumerable.Range(0, big.Count).Select(p => big.Target[p] * big.Target[p]).ToArray();
        var est = LossEstimates.GroupMeans(t2, 100);
        Checks.Close(est.Mean, D + 1, LossEstimates.HalfWidth(est, CheckPolicy.FalseAlarm), "per-prompt M: E y_q² = d + γ² (t on 100 group means, δ = 1e-6)", CheckKind.Bound);
    }

    [Test]
    public void X_QUAD_Gaussian_quadratic_form_moments_match_closed_forms()
    {
        var m = AsMat(FixedM(3));
        var i3 = Mat<Real>.Identity(3);
        double tr = m.Trace().Value, tr2 = (m * m).Trace().Value, tr3 = (m * m * m).Trace().Value;
        Checks.Close(GaussianQuadraticForms.Moment([m, m]).Value, tr * tr + 2 * tr2, 1e-12 * (1 + tr * tr + tr2), "E Q_M² = (tr M)² + 2tr M²");
        Checks.RelativeClose(GaussianQuadraticForms.Moment([m, m, m]).Value, tr * tr * tr + 6 * tr * tr2 + 8 * tr3, 1e-12, "E Q_M³");
        Checks.Close(GaussianQuadraticForms.QuadraticLabelSquareTimesNormPower(m, 1).Value, 3 + 4, 1e-12, "E[q²‖x‖²] = d + 4");
        Checks.Close(GaussianQuadraticForms.Moment([i3, i3]).Value, 15, 1e-12, "E‖x‖⁴ = d(d+2)");
        Properties.ExpectViolation("E[q²‖x‖²] = d (q independent of ‖x‖)", () =>
            Checks.Close(GaussianQuadraticForms.QuadraticLabelSquareTimesNormPower(m, 1).Value, 3, 1e-12, "E[q²‖x‖²]"));
    }

    /// <summary>Bad input is refused with an ArgumentException naming the parameter and the rule.</summary>
    [Test]
    public void X_QUAD_Bad_input_is_refused_by_name()
    {
        void Refused(string param, Action call)
        {
            ArgumentException? e = null;
            try { call(); }
            catch (ArgumentException caught) { e = caught; }
            Checks.Sanity(e is not null && e.ParamName == param && e.Message.Length > 20, $"ArgumentException names '{param}' (got '{e?.ParamName}': {e?.Message})");
        }
        var m = FixedM(3);
        Refused("gamma", () => _ = QuadraticLabels.Fixed(double.NaN, m));
        Refused("m", () => _ = QuadraticLabels.Fixed(1, Matrix<double>.Build.Dense(3, 3, (i, j) => i + 2.0 * j)));
        Refused("m", () => _ = QuadraticLabels.Fixed(1, Matrix<double>.Build.Dense(3, 3)));
        Refused("batch", () => _ = QuadraticLabels.Fixed(1, m).Apply(PromptLaw.Isotropic(2, TaskLaw.Isotropic).Draw(4, 8, 1)));
        Refused("steps", () => _ = QuadraticLabelLoss.GradientDescent(10, 3, 3, Rational.One, Rational.One, Mat<Rational>.Identity(3)));
        Refused("activation", () => _ = new NonLinearAttentionEngine(Parameterisation.Full(2, 1), (ScoreActivation)7));
        Refused("batch", () => _ = new NonLinearAttentionEngine(Parameterisation.Full(2, 1), ScoreActivation.Softmax)
            .Loss(new double[Parameterisation.Full(2, 1).Dimension], PromptLaw.Isotropic(3, TaskLaw.Isotropic).Draw(4, 8, 1), default));
    }
}
