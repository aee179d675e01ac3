namespace LoopedIcl.Lemmas;

/// <summary>
/// AHN-L1 (Ahn et al. Lemma 1): L layers of the sparse family (8) with Z ← Z + (1/n)Attn output ŷ = ⟨x_q, w_L⟩,
/// w_L the L-step preconditioned GD iterate from 0 with preconditioner A_lᵀ (the paper prints A_l).
/// </summary>
[TestFixture, Category(ClaimIds.AhnL1)]
public sealed class AhnL1SparseLayersArePreconditionedGd
{
    /// <summary>Every invariant of Lemma 1 as (lhs, rhs) pairs, generic so the same code runs in double and exactly.</summary>
    internal static IEnumerable<Pair<T>> Lemma1Pairs<T>(Prompt<T> p, IReadOnlyList<Mat<T>> a, bool transposePreconditioner = true,
        AttentionMask mask = AttentionMask.QueryExcluded, ResidualSign sign = ResidualSign.Plus, bool negateQ = false)
        where T : struct, IScalar<T>
    {
        var layers = a.Select(m => Families.SparsePreconditioner(negateQ ? -m : m)).ToArray();
        var traj = new LinearTransformer<T>(layers, sign, mask).Trajectory(Embedding.ColumnTokens(p));
        var gammas = a.Select(m => transposePreconditioner ? m.Transpose() : m).ToArray();
        var w = PreconditionedGradientDescent.Iterates(p.X, p.Y, gammas);
        int n = p.N, d = p.D;
        var z0 = traj[0];
        var xAll = z0.Block(0, 0, d, n + 1);
        for (int l = 0; l < traj.Count; l++)
        {
            var z = traj[l];
            foreach (var e in Agreement.Entries($"Z_{l} rows 1..d", z.Block(0, 0, d, n + 1), xAll)) yield return e;
            var fitted = p.X * w[l];
            for (int i = 0; i < n; i++) yield return new Pair<T>($"Z_{l}[d+1,{i}] = y_i − ⟨x_i,w_{l}⟩", z[d, i], p.Y[i, 0] - fitted[i, 0]);
            yield return new Pair<T>($"Z_{l}[d+1,n+1] = −⟨x_q,w_{l}⟩", z[d, n], -Mat<T>.Dot(p.Query, w[l]));
        }
        // w* − w_L = (I − Γ_{L−1}S)···(I − Γ_0 S) w*.
        var s = (T.One / T.FromInt(n)) * (p.X.Transpose() * p.X);
        var product = Mat<T>.Identity(d);
        foreach (var g in gammas) product = (Mat<T>.Identity(d) - g * s) * product;
        foreach (var e in Agreement.Entries("w* − w_L vs Πw*", p.Task - w[^1], product * p.Task)) yield return e;
    }

    /// <summary>A rounding budget for one Lemma-1 comparison: n(d+1)-term sums, L layers, the size of what entered them.</summary>
    internal static double Budget(Instance inst, IReadOnlyList<Mat<Real>> a)
    {
        var (d, n, l) = (inst.Shape.D, inst.Shape.N, inst.Shape.L);
        var traj = new LinearTransformer<Real>(a.Select(Families.SparsePreconditioner).ToArray()).Trajectory(Embedding.ColumnTokens(inst.Prompt));
        double z = Agreement.Magnitude(traj), x = RealMat.MaxAbs(inst.Prompt.X), am = Agreement.Magnitude(a);
        return Tolerance.Accumulated(n * (d + 1), l, z * (1 + d * d * x * x * am));
    }

    private static Mat<Real>[] RandomPreconditioners(Instance inst) => Enumerable.Range(0, inst.Shape.L).Select(_ => inst.RandomMatrix()).ToArray();

    /// <summary>AHN-L1: with non-symmetric A_l, every layer's state matches PGD with preconditioner A_lᵀ (all invariants).</summary>
    [Test]
    public void AHN_L1_Literal_transformer_equals_PGD_with_transposed_preconditioners_at_every_layer() =>
        Properties.ForAll(Cases.Small, s =>
        {
            var inst = Instance.Draw(s);
            var a = RandomPreconditioners(inst);
            Agreement.Within(Lemma1Pairs(inst.Prompt, a), Budget(inst, a), $"Lemma 1 invariants, {s}");
        });

    /// <summary>AHN-L1 finding: the printed preconditioner A_l (no transpose) is wrong for every non-symmetric A_l.</summary>
    [Test]
    public void AHN_L1_Printed_untransposed_preconditioner_fails_for_non_symmetric_A() =>
        Properties.ExpectFailureOnEveryCase(Cases.NonScalar, s =>
        {
            var inst = Instance.Draw(s);
            var a = RandomPreconditioners(inst);
            Agreement.Within(Lemma1Pairs(inst.Prompt, a, transposePreconditioner: false), Budget(inst, a), $"printed Lemma 1, {s}");
        }, "preconditioner A_l as printed, non-symmetric A_l");

    /// <summary>AHN-L1: for symmetric A_l the printed form and the transposed form coincide.</summary>
    [Test]
    public void AHN_L1_Printed_preconditioner_is_exact_for_symmetric_A() =>
        Properties.ForAll(Cases.Small, s =>
        {
            var inst = Instance.Draw(s);
            var a = Enumerable.Range(0, s.L).Select(_ => inst.RandomSymmetricMatrix()).ToArray();
            Agreement.Within(Lemma1Pairs(inst.Prompt, a, transposePreconditioner: false), Budget(inst, a), $"printed Lemma 1 with symmetric A, {s}");
        });

    /// <summary>AHN-L1 negative controls: the query used as a key, the wrong sign of Q, the wrong residual sign all break the identity.</summary>
    /// <remarks>The query as a key is harmless in layer 1 (its label slot is still 0, so P z_q = 0): that control needs L ≥ 2,
    /// which <see cref="AHN_L1_Query_as_key_is_harmless_in_the_first_layer"/> pins down.</remarks>
    [TestCase(AttentionMask.None, ResidualSign.Plus, false, 2, TestName = "AHN_L1_Negative_control_query_used_as_a_key")]
    [TestCase(AttentionMask.QueryExcluded, ResidualSign.Plus, true, 1, TestName = "AHN_L1_Negative_control_wrong_sign_of_Q")]
    [TestCase(AttentionMask.QueryExcluded, ResidualSign.Minus, false, 1, TestName = "AHN_L1_Negative_control_wrong_sign_of_the_update")]
    public void Negative_controls(AttentionMask mask, ResidualSign sign, bool negateQ, int minLayers) =>
        Properties.ExpectFailureOnEveryCase(Cases.TwoOrMoreExamples(minLayers), s =>
        {
            var inst = Instance.Draw(s);
            var a = RandomPreconditioners(inst);
            Agreement.Within(Lemma1Pairs(inst.Prompt, a, mask: mask, sign: sign, negateQ: negateQ), Budget(inst, a), $"broken Lemma 1, {s}");
        }, $"mask={mask}, residual={sign}, Q negated={negateQ}");

    /// <summary>AHN-L1: with one layer the query-as-key variant still satisfies Lemma 1 (the query's label slot is 0 then).</summary>
    [Test]
    public void AHN_L1_Query_as_key_is_harmless_in_the_first_layer() =>
        Properties.ForAll(Cases.OneLayer, s =>
        {
            var inst = Instance.Draw(s);
            var a = RandomPreconditioners(inst);
            Agreement.Within(Lemma1Pairs(inst.Prompt, a, mask: AttentionMask.None), Budget(inst, a), $"Lemma 1 with the query as key, L = 1, {s}");
        });

    /// <summary>AHN-L1 proved exactly: the invariants are polynomial identities of total degree ≤ 3L + 2 in (X, x_q, w*, A).</summary>
    [TestCase(1, 1, 1)]
    [TestCase(2, 3, 2)]
    [TestCase(3, 4, 3)]
    public void AHN_L1_Exact_rational_proof(int d, int n, int layers)
    {
        ExactProof.Run($"Lemma 1, d={d} n={n} L={layers}", degree: 3 * layers + 2, pts =>
        {
            var p = pts.Prompt(n, d);
            var a = Enumerable.Range(0, layers).Select(_ => pts.Matrix(d, d)).ToArray();
            return Agreement.Exact(Lemma1Pairs(p, a));
        });
        if (d >= 2)
            ExactProof.Refutes($"printed A_l, d={d} n={n} L={layers}", pts =>
            {
                var p = pts.Prompt(n, d);
                var a = Enumerable.Range(0, layers).Select(_ => pts.Matrix(d, d)).ToArray();
                return Agreement.Exact(Lemma1Pairs(p, a, transposePreconditioner: false));
            });
    }
}
