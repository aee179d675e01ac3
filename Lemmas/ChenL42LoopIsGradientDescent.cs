using LoopedIcl.Numerics.Spectra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// CHEN-L4.2: Z(t) = Z(t−1) − η·Attn(Z(t−1)) leaves rows 1..n unchanged and runs q(t) = q(t−1) − ηXᵀX(q(t−1) + αθ*)
/// when y = Xθ*: gradient descent on ½‖X(q + αθ*)‖², read out as TF = −q(T).
/// </summary>
[TestFixture, Category(ClaimIds.ChenL42), Category(CategoryLabels.Library)]
public sealed class ChenL42LoopIsGradientDescent
{
    internal static IEnumerable<Pair<T>> LoopPairs<T>(Prompt<T> p, Mat<T> q0, T alpha, T eta, int loops,
        AttentionMask mask = AttentionMask.QueryOnly, bool ascend = false) where T : struct, IScalar<T>
    {
        int n = p.N, d = p.D;
        var model = new ChenLoopedTransformer<T>(Families.ChenIdentity<T>(d), eta, mask, ascend ? ResidualSign.Plus : ResidualSign.Minus);
        var traj = model.Trajectory(Embedding.RowTokens(p.X, p.Y, q0, alpha), loops);
        var q = ChenGradientDescent.Iterates(p.X, p.Y, alpha, eta, loops, q0);
        var context = traj[0].Block(0, 0, n, d + 1);
        var xt = p.X.Transpose();
        for (int t = 0; t <= loops; t++)
        {
            foreach (var e in Agreement.Entries($"Z({t}) rows 1..n", traj[t].Block(0, 0, n, d + 1), context)) yield return e;
            yield return new Pair<T>($"Z({t}) α slot", traj[t][n, d], alpha);
            foreach (var e in Agreement.Entries($"TF({t}) = −q({t})", ChenLoopedTransformer<T>.Readout(traj[t]), -q[t])) yield return e;
            if (t > 0) // the realizable form of the step: q(t) = q(t−1) − ηXᵀX(q(t−1) + αθ*)
                foreach (var e in Agreement.Entries($"q({t}) realizable form", q[t], q[t - 1] - eta * (xt * p.X * (q[t - 1] + alpha * p.Task)))) yield return e;
        }
    }

    internal static Real StepSize(Prompt<Real> p) => (Real)(1.0 / Conditioning.GramExtremes(p.X).Max);

    private static double Budget(Instance inst, int loops, Real alpha)
    {
        // Each loop is a contraction (η = 1/λ_max), so rounding adds up linearly in T; terms are of size λ_max·‖q + αθ*‖.
        var p = inst.Prompt;
        double scale = RealMat.MaxAbs(p.X) * RealMat.MaxAbs(p.X) * p.N * (1 + Math.Abs(alpha.Value)) * (1 + RealMat.MaxAbs(p.Task));
        return Tolerance.Accumulated(p.N * (p.D + 1), loops, scale * StepSize(p).Value * (p.D + 1));
    }

    /// <summary>CHEN-L4.2: at every loop the context rows and α are untouched and −TF follows the GD iterate (η = 1/λ_max(XᵀX)).</summary>
    [Test]
    public void CHEN_L4_2_Loop_equals_gradient_descent_at_every_step() =>
        Properties.ForAll(Cases.ChenSteps, s =>
        {
            var inst = Instance.Draw(s, TaskLaw.UnitSphere);
            var alpha = (Real)Numerics.Prompts.Rng.Gaussians(inst.Rng, 1)[0];
            var q0 = inst.RandomVector(s.D);
            Agreement.Within(LoopPairs(inst.Prompt, q0, alpha, StepSize(inst.Prompt), s.L), Budget(inst, s.L, alpha), $"Chen loop, T={s.L}, {s}");
        });

    /// <summary>CHEN-L4.2 negative controls: the + update (gradient ascent) and an unmasked attention both break the identity.</summary>
    [TestCase(AttentionMask.QueryOnly, true, TestName = "CHEN_L4_2_Negative_control_wrong_sign_of_the_update")]
    [TestCase(AttentionMask.None, false, TestName = "CHEN_L4_2_Negative_control_no_mask")]
    public void Negative_controls(AttentionMask mask, bool ascend) =>
        Properties.ExpectFailureOnEveryCase(Cases.UpToThreeLayers, s =>
        {
            var inst = Instance.Draw(s, TaskLaw.UnitSphere);
            var alpha = (Real)(1 + Math.Abs(Numerics.Prompts.Rng.Gaussians(inst.Rng, 1)[0]));
            Agreement.Within(LoopPairs(inst.Prompt, Mat<Real>.Zeros(s.D, 1), alpha, StepSize(inst.Prompt), s.L, mask, ascend),
                Budget(inst, s.L, alpha), $"broken Chen loop, {s}");
        }, $"mask={mask}, ascent={ascend}");

    /// <summary>CHEN-L4.2 proved exactly: after T loops both sides have total degree ≤ 3T + 2 in (X, θ*, q(0), α, η).</summary>
    [TestCase(1, 2, 1)]
    [TestCase(2, 3, 3)]
    [TestCase(3, 4, 4)]
    public void CHEN_L4_2_Exact_rational_proof(int d, int n, int loops) =>
        ExactProof.Run($"Chen loop, d={d} n={n} T={loops}", degree: 3 * loops + 2, pts =>
        {
            var p = pts.Prompt(n, d);
            var eta = pts.Next();
            if (!(eta > Rational.Zero)) eta = Rational.One - eta; // the model requires η > 0; the identity holds for every η
            return Agreement.Exact(LoopPairs(p, pts.Matrix(d, 1), pts.Next(), eta, loops));
        }, range: 1000);
}
