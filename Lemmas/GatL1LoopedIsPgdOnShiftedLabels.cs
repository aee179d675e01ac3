namespace LoopedIcl.Lemmas;

/// <summary>
/// GAT-L1: the looped model with Q = [[A,0],[0,0]], P = [[0,0],[uᵀ,1]] and Z ← Z − (1/n)Attn reads out L steps of PGD from 0 with
/// preconditioner Aᵀ on the shifted labels y + Xu; its label row holds the residuals y − Xw_t.
/// </summary>
[TestFixture, Category(ClaimIds.GatL1)]
public sealed class GatL1LoopedIsPgdOnShiftedLabels
{
    internal static IEnumerable<Pair<T>> LoopPairs<T>(Prompt<T> p, Mat<T> a, Mat<T> u, int loops,
        ResidualSign sign = ResidualSign.Minus, bool shiftLabels = true) where T : struct, IScalar<T>
    {
        int n = p.N, d = p.D;
        var traj = new LoopedTransformer<T>(Families.Gatmiry(a, u), loops, sign).Trajectory(Embedding.ColumnTokens(p));
        var labels = shiftLabels ? p.Y + p.X * u : p.Y;
        var w = PreconditionedGradientDescent.Iterates(p.X, labels, a.Transpose(), loops);
        var xAll = traj[0].Block(0, 0, d, n + 1);
        for (int t = 0; t <= loops; t++)
        {
            var z = traj[t];
            foreach (var e in Agreement.Entries($"Z_{t} rows 1..d", z.Block(0, 0, d, n + 1), xAll)) yield return e;
            var fitted = p.X * w[t];
            for (int i = 0; i < n; i++) yield return new Pair<T>($"Z_{t}[d+1,{i}] = y_i − ⟨x_i,w_{t}⟩", z[d, i], p.Y[i, 0] - fitted[i, 0]);
            yield return new Pair<T>($"ŷ_{t} = ⟨x_q,w_{t}⟩", LinearTransformer<T>.Readout(z), Mat<T>.Dot(p.Query, w[t]));
        }
    }

    private static double Budget(Instance inst, Mat<Real> a, Mat<Real> u)
    {
        var traj = new LoopedTransformer<Real>(Families.Gatmiry(a, u), inst.Shape.L).Trajectory(Embedding.ColumnTokens(inst.Prompt));
        double z = Agreement.Magnitude(traj), x = RealMat.MaxAbs(inst.Prompt.X);
        int d = inst.Shape.D;
        return Tolerance.Accumulated(inst.Shape.N * (d + 1), inst.Shape.L, z * (1 + d * d * x * x * (RealMat.MaxAbs(a) + RealMat.MaxAbs(u))));
    }

    /// <summary>GAT-L1: with u ≠ 0 and non-symmetric A, every loop's state is PGD (preconditioner Aᵀ) on y + Xu.</summary>
    [Test]
    public void GAT_L1_Looped_model_is_PGD_on_shifted_labels_at_every_loop() =>
        Properties.ForAll(Cases.UpToEightLoops, s =>
        {
            var inst = Instance.Draw(s, TaskLaw.InverseCovariance);
            var a = inst.RandomMatrix();
            var u = inst.RandomVector(s.D, 0.5);
            Agreement.Within(LoopPairs(inst.Prompt, a, u, s.L), Budget(inst, a, u), $"looped PGD, {s}");
        });

    /// <summary>GAT-L1: u = 0 and realizable labels give ŷ = ⟨x_q, (I − (I − AᵀS)^L) w*⟩.</summary>
    [Test]
    public void GAT_L1_Closed_form_readout_for_u_zero() =>
        Properties.ForAll(Cases.UpToEightLoops, s =>
        {
            var inst = Instance.Draw(s, TaskLaw.InverseCovariance);
            var a = inst.RandomMatrix();
            var p = inst.Prompt;
            var yhat = new LoopedTransformer<Real>(Families.Gatmiry(a), s.L).Predict(p);
            var sMat = (Real)(1.0 / s.N) * (p.X.Transpose() * p.X);
            var step = Mat<Real>.Identity(s.D) - a.Transpose() * sMat;
            var power = Mat<Real>.Identity(s.D);
            for (int t = 0; t < s.L; t++) power = step * power;
            var expected = Mat<Real>.Dot(p.Query, (Mat<Real>.Identity(s.D) - power) * p.Task);
            Checks.Close(yhat.Value, expected.Value, Budget(inst, a, Mat<Real>.Zeros(s.D, 1)) * Math.Max(1, Agreement.Magnitude([power])), $"closed-form readout, {s}");
        });

    /// <summary>GAT-L1 negative controls: Ahn's + residual with Gatmiry's Q, and PGD on the unshifted labels when u ≠ 0, both fail.</summary>
    [TestCase(ResidualSign.Plus, true, TestName = "GAT_L1_Negative_control_wrong_residual_sign")]
    [TestCase(ResidualSign.Minus, false, TestName = "GAT_L1_Negative_control_labels_not_shifted_by_Xu")]
    public void Negative_controls(ResidualSign sign, bool shiftLabels) =>
        Properties.ExpectFailureOnEveryCase(Cases.TwoOrMoreExamples(), s =>
        {
            var inst = Instance.Draw(s, TaskLaw.InverseCovariance);
            var a = inst.RandomMatrix();
            var u = inst.RandomVector(s.D, 0.5);
            Agreement.Within(LoopPairs(inst.Prompt, a, u, s.L, sign, shiftLabels), Budget(inst, a, u), $"broken looped PGD, {s}");
        }, $"residual={sign}, shifted labels={shiftLabels}");

    /// <summary>GAT-L1 proved exactly: both sides are polynomials of total degree ≤ 3L + 2 in (X, x_q, w*, A, u).</summary>
    [TestCase(1, 2, 1)]
    [TestCase(2, 3, 3)]
    [TestCase(3, 4, 4)]
    public void GAT_L1_Exact_rational_proof(int d, int n, int loops) =>
        ExactProof.Run($"looped PGD on shifted labels, d={d} n={n} L={loops}", degree: 3 * loops + 2, pts =>
        {
            var p = pts.Prompt(n, d);
            return Agreement.Exact(LoopPairs(p, pts.Matrix(d, d), pts.Matrix(d, 1), loops));
        });
}
