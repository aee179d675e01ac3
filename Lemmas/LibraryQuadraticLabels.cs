using MathNet.Numerics.LinearAlgebra;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Optimization;

namespace LoopedIcl.Lemmas;

/// <summary>
/// X-QUAD (library level): the quadratic-label transform against its definition, prompt by prompt and exactly up to rounding — every
/// context label and query target of a batch gains γ(xᵀMx − tr(MΣ))/√(2 tr((MΣ)²)) over the same batch drawn without it, at a Σ ≠ I
/// (so the centring and scale must use Σ), for a fixed M and for M = (G + Gᵀ)/2 drawn per prompt from the batch seed's matrix streams;
/// a partial last group; q(x) of one x; the objective wrapper; and every refusal. (The law's moments under sampling: <see cref="QuadraticLabelLaw"/>.)
/// </summary>
[TestFixture, Category(ClaimIds.XQuadFloor), Category(CategoryLabels.Library)]
public sealed class LibraryQuadraticLabels
{
    private const int D = 3, N = 4, Count = 13;   // two lane groups, the second with 5 valid prompts
    private const double Gamma = 1.5;
    private const ulong Seed = 0xC0FFEE;

    private static Matrix<double> Sigma() => Matrix<double>.Build.DenseOfArray(new[,] { { 2.0, 0.5, 0.0 }, { 0.5, 1.0, -0.25 }, { 0.0, -0.25, 0.5 } });

    private static Matrix<double> FixedM() => Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, -0.5, 0.25 }, { -0.5, -2.0, 0.0 }, { 0.25, 0.0, 0.75 } });

    /// <summary>γ·q(x) from the definition, with MathNet products: (xᵀMx − tr(MΣ))/√(2 tr((MΣ)²)).</summary>
    private static double Term(Matrix<double> m, Matrix<double> sigma, Vector<double> x)
    {
        var ms = m * sigma;
        return Gamma * (x * (m * x) - ms.Trace()) / Math.Sqrt(2 * (ms * ms).Trace());
    }

    /// <summary>Every label of <paramref name="quadratic"/> is the linear batch's plus γq(x) with prompt p's M, within a budget of d² products.</summary>
    private static int CheckLabels(PromptBatch linear, PromptBatch quadratic, Func<int, Matrix<double>> mOf, string what)
    {
        var sigma = linear.Law.Sigma;
        int checkedLabels = 0;
        for (int p = 0; p < linear.Count; p++)
        {
            var (lin, quad) = (linear.ToPrompt(p), quadratic.ToPrompt(p));
            var m = mOf(p);
            Checks.True(RealMat.MaxAbsDiff(lin.X, quad.X) == 0 && RealMat.MaxAbsDiff(lin.Query, quad.Query) == 0 && RealMat.MaxAbsDiff(lin.Task, quad.Task) == 0,
                $"{what}, prompt {p}: x, x_q and w* untouched");
            var ms = m * sigma;
            double scale = Gamma / Math.Sqrt(2 * (ms * ms).Trace());
            for (int i = 0; i <= N; i++)
            {
                var x = Vector<double>.Build.Dense(D, a => (i < N ? lin.X[i, a] : lin.Query[a, 0]).Value);
                double linearLabel = i < N ? lin.Y[i, 0].Value : lin.QueryTarget.Value;
                // Budget: sums of d² products |M_ab x_a x_b| and tr(MΣ), scaled, then added to the linear label (two rounding layers).
                double terms = m.Enumerate().Select((v, k) => Math.Abs(v * x[k / D] * x[k % D])).Sum() + Math.Abs(ms.Trace());
                double tolerance = RoundingBudget.Accumulated(D * D, 2, scale * terms + Math.Abs(linearLabel));
                double expected = linearLabel + Term(m, sigma, x);
                double actual = i < N ? quad.Y[i, 0].Value : quad.QueryTarget.Value;
                Checks.Close(actual, expected, tolerance, $"{what}, prompt {p} {(i < N ? $"label {i}" : "query target")}");
                checkedLabels++;
            }
        }
        return checkedLabels;
    }

    /// <summary>X-QUAD: a fixed M adds γq(x) to every label and target, centred and scaled with Σ; the lanes past Count stay untouched.</summary>
    [Test]
    public void X_QUAD_Fixed_M_labels_follow_the_definition_prompt_by_prompt()
    {
        var law = new PromptLaw(Sigma(), TaskLaw.Isotropic);
        var labels = QuadraticLabels.Fixed(Gamma, FixedM(), Sigma());
        var linear = law.Draw(N, Count, Seed);
        var quadratic = labels.Draw(law, N, Count, Seed);
        int n = CheckLabels(linear, quadratic, _ => FixedM(), "fixed M");
        Checks.Sanity(n == Count * (N + 1), $"{n} labels checked");
        // Lanes past Count (the padding of the last group) are not labels: they stay as drawn.
        for (int lane = Count % PromptBatch.Lanes; lane < PromptBatch.Lanes; lane++)
            Checks.True(quadratic.Target[(Count / PromptBatch.Lanes) * PromptBatch.Lanes + lane] == linear.Target[(Count / PromptBatch.Lanes) * PromptBatch.Lanes + lane], $"padding lane {lane} untouched");
        // q(x) of one x is the same definition; Σ-centring matters: at Σ ≠ I the identity's centring tr M differs.
        var x = new[] { 0.5, -1.25, 2.0 };
        double q = labels.Q(x);
        Checks.Close(q * Gamma, Term(FixedM(), Sigma(), Vector<double>.Build.DenseOfArray(x)), RoundingBudget.Accumulated(D * D, 2, 10 * Gamma), "Q(x) vs the definition");
        var identityLabels = QuadraticLabels.Fixed(Gamma, FixedM());
        Checks.True(Math.Abs(identityLabels.Q(x) - q) > 1e-3, $"Σ enters q: {identityLabels.Q(x)} at Σ = I vs {q}");
        Checks.True(labels.Gamma == Gamma && labels.D == D && labels.FormLaw == QuadraticFormLaw.Fixed && labels.M!.Equals(FixedM()) && labels.Sigma.Equals(Sigma()), "properties");
    }

    /// <summary>
    /// X-QUAD: with M drawn per prompt, prompt k of group g uses M = (G + Gᵀ)/2, G's entry (a, b) the (a·d + b)-th lane vector of
    /// LaneNormals(seed, 2⁴⁰ + g) in lane k, each M centred and scaled with its own tr(MΣ) and tr((MΣ)²).
    /// </summary>
    [Test]
    public void X_QUAD_Per_prompt_M_labels_follow_the_definition_prompt_by_prompt()
    {
        var law = new PromptLaw(Sigma(), TaskLaw.Isotropic);
        var labels = QuadraticLabels.PerPrompt(Gamma, D, Sigma());
        Checks.True(labels.M is null && labels.FormLaw == QuadraticFormLaw.PerPrompt, "no fixed M");
        var linear = law.Draw(N, Count, Seed);
        var quadratic = labels.Draw(law, N, Count, Seed);
        var g = Enumerable.Range(0, linear.Groups).Select(grp =>
        {
            var draws = new double[D * D * PromptBatch.Lanes];
            new LaneNormals(Seed, (1UL << 40) + (ulong)grp).Fill(draws);
            return draws;
        }).ToArray();
        Matrix<double> MOf(int p)
        {
            var (grp, k) = (p / PromptBatch.Lanes, p % PromptBatch.Lanes);
            var gm = Matrix<double>.Build.Dense(D, D, (a, b) => g[grp][(a * D + b) * PromptBatch.Lanes + k]);
            return (gm + gm.Transpose()) * 0.5;
        }
        int n = CheckLabels(linear, quadratic, MOf, "per-prompt M");
        Checks.Sanity(n == Count * (N + 1) && !MOf(0).Equals(MOf(1)) && !MOf(0).Equals(MOf(8)), "every label checked; prompts have their own M");
        Assert.Throws<InvalidOperationException>(() => labels.Q(new double[D]));
    }

    /// <summary>X-QUAD: γ = 0 is the linear task (the same batch object, unchanged); the objective wrapper applies the labels to what its inner objective draws.</summary>
    [Test]
    public void X_QUAD_Zero_gamma_and_the_objective_wrapper()
    {
        var law = new PromptLaw(Sigma(), TaskLaw.Isotropic);
        var linear = law.Draw(N, Count, Seed);
        var batch = law.Draw(N, Count, Seed);
        Checks.True(ReferenceEquals(QuadraticLabels.Fixed(0, FixedM(), Sigma()).Apply(batch), batch) && batch.Y.SequenceEqual(linear.Y) && batch.Target.SequenceEqual(linear.Target), "γ = 0 leaves the batch as drawn");

        var labels = QuadraticLabels.Fixed(Gamma, FixedM(), Sigma());
        var inner = new DrawOnly(law, N);
        var objective = new QuadraticLabelObjective(inner, labels);
        Checks.True(objective.Dimension == inner.Dimension && objective.Inner == inner && objective.Labels == labels, "the wrapper's properties");
        var drawn = objective.Draw(Count, Seed);
        Checks.True(drawn.Target.SequenceEqual(labels.Draw(law, N, Count, Seed).Target) && !drawn.Target.SequenceEqual(linear.Target), "Draw = the inner draw with the labels applied");
        Checks.True(objective.Evaluate([1.0, 2.0], drawn, new double[2]) == 3.0, "Evaluate is the inner objective's");
    }

    /// <summary>An inner objective that draws from a law and evaluates to the sum of its point (the wrapper must not change either).</summary>
    private sealed class DrawOnly(PromptLaw law, int n) : IBatchObjective<PromptBatch>
    {
        public int Dimension => 2;
        public PromptBatch Draw(int prompts, ulong seed) => law.Draw(n, prompts, seed);
        public double Evaluate(ReadOnlySpan<double> x, PromptBatch batch, Span<double> gradient) => x[0] + x[1];
    }

    /// <summary>INPUT: every refusal names its parameter and rule.</summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Quadratic_labels_refuse_bad_input_by_name()
    {
        var m = FixedM();
        Refusals.Rejects(() => QuadraticLabels.Fixed(double.NaN, m), "gamma");
        Refusals.Rejects(() => QuadraticLabels.Fixed(1, Matrix<double>.Build.Dense(D, D, (a, b) => a == 0 && b == 1 ? 1 : 0)), "m", "symmetric");
        Refusals.Rejects(() => QuadraticLabels.Fixed(1, Matrix<double>.Build.Dense(D, D)), "m", "non-zero");
        Refusals.Rejects(() => QuadraticLabels.Fixed(1, m, Matrix<double>.Build.DenseIdentity(2)), "m", "m must be 2×2 (got 3×3)");
        Refusals.Rejects(() => QuadraticLabels.Fixed(1, Matrix<double>.Build.Dense(D, D, (a, b) => a == b && a == 2 ? double.NaN : 0)), "m", "finite entries (found NaN)");
        Refusals.Rejects(() => QuadraticLabels.Fixed(1, m, -Matrix<double>.Build.DenseIdentity(D)), "sigma");
        Refusals.Rejects(() => QuadraticLabels.Fixed(1, null!), "m");
        Refusals.Rejects(() => QuadraticLabels.PerPrompt(1, 0), "d");
        var labels = QuadraticLabels.Fixed(1, m);
        Refusals.Rejects(() => labels.Q(new double[2]), "x");
        Checks.True(Assert.Throws<InvalidOperationException>(() => QuadraticLabels.PerPrompt(1, D).Q(new double[D]))!.Message.Contains("needs a fixed M"),
            "q(x) of a single x is refused under a per-prompt M, saying why");
        Refusals.Rejects(() => labels.Apply(PromptLaw.Isotropic(2, TaskLaw.Isotropic).Draw(N, 8, Seed)), "batch", "d = 2");
        Refusals.Rejects(() => labels.Apply(new PromptLaw(Sigma(), TaskLaw.Isotropic).Draw(N, 8, Seed)), "batch", "Σ");
        Refusals.Rejects(() => labels.Apply(null!), "batch");
        Refusals.Rejects(() => labels.Draw(new PromptLaw(Sigma(), TaskLaw.Isotropic), N, 8, Seed), "law", "Σ");
        Refusals.Rejects(() => labels.Draw(null!, N, 8, Seed), "law");
        Refusals.Rejects(() => new QuadraticLabelObjective(null!, labels), "inner");
        Refusals.Rejects(() => new QuadraticLabelObjective(new DrawOnly(PromptLaw.Isotropic(D, TaskLaw.Isotropic), N), null!), "labels");
    }
}
