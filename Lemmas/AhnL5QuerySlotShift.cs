namespace LoopedIcl.Lemmas;

/// <summary>
/// AHN-L5 (Lemmas 5–6): when every Q_l has a zero last column, putting c in the query's label slot adds exactly c to the
/// output entry and changes nothing else; so (TF − y_q)² = [Z̄_L]²_{d+1,n+1} for the run started with y_q in the slot.
/// </summary>
[TestFixture, Category(ClaimIds.AhnL5), Category(CategoryLabels.Library)]
public sealed class AhnL5QuerySlotShift
{
    internal static AttentionLayer<T>[] Layers<T>(Func<int, int, Mat<T>> random, int d, int layers, bool zeroLastColumn) where T : struct, IScalar<T> =>
        Enumerable.Range(0, layers).Select(_ =>
        {
            var p = random(d + 1, d + 1);
            var q = random(d + 1, d + 1);
            if (zeroLastColumn)
                for (int i = 0; i <= d; i++) q[i, d] = T.Zero;
            return new AttentionLayer<T>(p, q);
        }).ToArray();

    internal static IEnumerable<Pair<T>> ShiftPairs<T>(Prompt<T> p, AttentionLayer<T>[] layers, T c) where T : struct, IScalar<T>
    {
        var model = new LinearTransformer<T>(layers);
        var plain = model.Forward(Embedding.ColumnTokens(p));
        var shifted = model.Forward(Embedding.ColumnTokens(p, c));
        int d = p.D, n = p.N;
        var expected = plain.Clone();
        expected[d, n] += c;
        foreach (var e in Agreement.Entries("Z̄_L vs Z_L + c·e_(d+1,n+1)", shifted, expected)) yield return e;
    }

    private static AttentionLayer<Real>[] RandomLayers(Instance inst, bool zeroLastColumn) =>
        Layers((r, c) => Numerics.Prompts.Rng.GaussianMatrix(inst.Rng, r, c, 0.3 / Math.Sqrt(r)), inst.Shape.D, inst.Shape.L, zeroLastColumn);

    private static double Budget(Instance inst, AttentionLayer<Real>[] layers, Real c)
    {
        var traj = new LinearTransformer<Real>(layers).Trajectory(Embedding.ColumnTokens(inst.Prompt, c));
        double z = Agreement.Magnitude(traj);
        int d = inst.Shape.D;
        return Tolerance.GeneralLayers(inst.Shape.N, d, inst.Shape.L, z);
    }

    /// <summary>AHN-L5: with random full P_l and zero-last-column Q_l, the slot value c shifts only the output entry, by exactly c.</summary>
    [Test]
    public void AHN_L5_Query_slot_adds_exactly_c_to_the_output() =>
        Properties.ForAll(Cases.UpToThreeLayers, s =>
        {
            var inst = Instance.Draw(s);
            var layers = RandomLayers(inst, zeroLastColumn: true);
            var c = (Real)Numerics.Prompts.Rng.Gaussians(inst.Rng, 1)[0];
            Agreement.Within(ShiftPairs(inst.Prompt, layers, c), Budget(inst, layers, c), $"slot shift, {s}");
        });

    /// <summary>AHN-L5: with c = y_q, the squared output entry of the barred run is the squared prediction error.</summary>
    [Test]
    public void AHN_L5_Barred_run_output_is_the_prediction_residual() =>
        Properties.ForAll(Cases.UpToThreeLayers, s =>
        {
            var inst = Instance.Draw(s);
            var layers = RandomLayers(inst, zeroLastColumn: true);
            var model = new LinearTransformer<Real>(layers);
            var tf = model.Predict(inst.Prompt).Value;
            var barred = model.Forward(Embedding.ColumnTokens(inst.Prompt, inst.Prompt.QueryTarget));
            var residual = barred[s.D, s.N].Value;
            var budget = Budget(inst, layers, inst.Prompt.QueryTarget);
            Checks.Close(residual * residual, (tf - inst.Prompt.QueryTarget.Value) * (tf - inst.Prompt.QueryTarget.Value),
                budget * 2 * Math.Max(1, Math.Abs(residual)), $"[Z̄_L]² = (TF − y_q)², {s}");
        });

    /// <summary>
    /// AHN-L5 negative control: a non-zero last column in the Q_l lets the slot value leak into the scores. In double the rounding budget of
    /// deep random full (P, Q) grows like (magnitude)³, so the control runs at L ≤ 2 (n ≥ 2); the exact test refutes it at any depth.
    /// </summary>
    [Test]
    public void AHN_L5_Negative_control_non_zero_last_column_of_Q() =>
        Properties.ExpectFailureOnEveryCase(Cases.UpToTwoLayersTwoExamples, s =>
        {
            var inst = Instance.Draw(s);
            var layers = RandomLayers(inst, zeroLastColumn: false);
            var c = (Real)(1 + Math.Abs(Numerics.Prompts.Rng.Gaussians(inst.Rng, 1)[0]));
            Agreement.Within(ShiftPairs(inst.Prompt, layers, c), Budget(inst, layers, c), $"slot shift with full Q, {s}");
        }, "Q_l with a non-zero last column");

    /// <summary>AHN-L5 proved exactly: entries after L general layers have total degree ≤ 3^(L+1) − 1.</summary>
    [TestCase(1, 2, 1)]
    [TestCase(2, 3, 2)]
    [TestCase(2, 2, 3)]
    public void AHN_L5_Exact_rational_proof(int d, int n, int layers)
    {
        ExactProof.Run($"slot shift, d={d} n={n} L={layers}", degree: (int)Math.Pow(3, layers + 1) - 1, pts =>
        {
            var p = pts.Prompt(n, d);
            var ls = Layers(pts.Matrix, d, layers, zeroLastColumn: true);
            return Agreement.Exact(ShiftPairs(p, ls, pts.Next()));
        }, range: 1000);
        ExactProof.Refutes($"slot shift with a non-zero last column of Q, d={d} n={n} L={layers}", pts =>
        {
            var p = pts.Prompt(n, d);
            var ls = Layers(pts.Matrix, d, layers, zeroLastColumn: false);
            return Agreement.Exact(ShiftPairs(p, ls, pts.Next()));
        }, range: 1000);
    }
}
