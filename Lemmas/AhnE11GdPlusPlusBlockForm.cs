namespace LoopedIcl.Lemmas;

/// <summary>
/// AHN-E11 (family (11), GD++): P_l = [[B_l,0],[0,1]], Q_l = [[A_l,0],[0,0]] gives X_{k+1} = X_k + (1/n)B_kX_kMX_kᵀA_kX_k and
/// Y_{k+1} = Y_k + (1/n)Y_kMX_kᵀA_kX_k (query column included); the output never depends on B_{L−1}.
/// </summary>
[TestFixture, Category(ClaimIds.AhnE11)]
public sealed class AhnE11GdPlusPlusBlockForm
{
    internal static IEnumerable<Pair<T>> BlockFormPairs<T>(Prompt<T> p, IReadOnlyList<Mat<T>> a, IReadOnlyList<Mat<T>> b) where T : struct, IScalar<T>
    {
        int d = p.D, n = p.N;
        var layers = a.Zip(b, Families.GdPlusPlus).ToArray();
        var z0 = Embedding.ColumnTokens(p);
        var traj = new LinearTransformer<T>(layers).Trajectory(z0);
        var states = GdPlusPlus.Run(z0.Block(0, 0, d, n + 1), z0.Block(d, 0, 1, n + 1), a, b);
        for (int k = 0; k < traj.Count; k++)
        {
            foreach (var e in Agreement.Entries($"X_{k}", traj[k].Block(0, 0, d, n + 1), states[k].Covariates)) yield return e;
            foreach (var e in Agreement.Entries($"Y_{k}", traj[k].Block(d, 0, 1, n + 1), states[k].Labels)) yield return e;
        }
    }

    private static (Mat<Real>[] A, Mat<Real>[] B) RandomBlocks(Instance inst) =>
        (Enumerable.Range(0, inst.Shape.L).Select(_ => inst.RandomMatrix(0.4)).ToArray(),
         Enumerable.Range(0, inst.Shape.L).Select(_ => inst.RandomMatrix(0.4)).ToArray());

    private static double Budget(Instance inst, Mat<Real>[] a, Mat<Real>[] b)
    {
        var layers = a.Zip(b, Families.GdPlusPlus).ToArray();
        var traj = new LinearTransformer<Real>(layers).Trajectory(Embedding.ColumnTokens(inst.Prompt));
        double z = Agreement.Magnitude(traj), am = Agreement.Magnitude(a), bm = Agreement.Magnitude(b);
        int d = inst.Shape.D;
        return Tolerance.Accumulated(inst.Shape.N * (d + 1), inst.Shape.L, z * (1 + d * d * d * z * z * am * (1 + bm)));
    }

    /// <summary>AHN-E11: the literal layer equals the block recursion, for every column (query included) and every layer.</summary>
    [Test]
    public void AHN_E11_Literal_family_11_equals_the_block_recursion() =>
        Properties.ForAll(Cases.UpToFourLayers, s =>
        {
            var inst = Instance.Draw(s);
            var (a, b) = RandomBlocks(inst);
            Agreement.Within(BlockFormPairs(inst.Prompt, a, b), Budget(inst, a, b), $"GD++ block form, {s}");
        });

    /// <summary>AHN-E11: the prediction does not depend on B_{L−1} (bit for bit, since the last row of P never reads it).</summary>
    [Test]
    public void AHN_E11_Output_does_not_depend_on_the_last_B() =>
        Properties.ForAll(Cases.UpToFourLayers, s =>
        {
            var inst = Instance.Draw(s);
            var (a, b) = RandomBlocks(inst);
            var b2 = b.ToArray();
            b2[^1] = inst.RandomMatrix(3.0);
            var y1 = new LinearTransformer<Real>(a.Zip(b, Families.GdPlusPlus).ToArray()).Predict(inst.Prompt);
            var y2 = new LinearTransformer<Real>(a.Zip(b2, Families.GdPlusPlus).ToArray()).Predict(inst.Prompt);
            Checks.True(double.IsFinite(y1.Value) && y1 == y2, $"ŷ changed with B_(L−1): {y1} vs {y2}, {s}");
            // The control: B_{L−2} does move the output (for L ≥ 2), so the test can see a dependence when one exists.
            if (s.L >= 2)
            {
                var b3 = b.ToArray();
                b3[^2] = inst.RandomMatrix(3.0);
                var y3 = new LinearTransformer<Real>(a.Zip(b3, Families.GdPlusPlus).ToArray()).Predict(inst.Prompt);
                Checks.Exceeds(Math.Abs(y3.Value - y1.Value), 0, $"ŷ must depend on B_(L−2), {s}");
            }
        });

    /// <summary>AHN-E11: with A_k = a_kΣ⁻¹ and B_k = b_kI the covariates evolve as X_{k+1} = (I + a_kb_kS_kΣ⁻¹)X_k.</summary>
    [Test]
    public void AHN_E11_Scalar_family_moves_covariates_by_I_plus_ab_S_Sigma_inverse() =>
        Properties.ForAll(Cases.UpToFourLayers, s =>
        {
            var inst = Instance.Draw(s, TaskLaw.InverseCovariance);
            var sigmaInv = RealMat.From(inst.Sigma.Inverse());
            var sc = Numerics.Prompts.Rng.Gaussians(inst.Rng, 2 * s.L).Select(v => 0.3 * v).ToArray();
            var a = Enumerable.Range(0, s.L).Select(k => (Real)sc[k] * sigmaInv).ToArray();
            var b = Enumerable.Range(0, s.L).Select(k => (Real)sc[s.L + k] * Mat<Real>.Identity(s.D)).ToArray();
            var traj = new LinearTransformer<Real>(a.Zip(b, Families.GdPlusPlus).ToArray()).Trajectory(Embedding.ColumnTokens(inst.Prompt));
            var pairs = new List<Pair<Real>>();
            for (int k = 0; k < s.L; k++)
            {
                var xk = traj[k].Block(0, 0, s.D, s.N + 1);
                var context = xk.Block(0, 0, s.D, s.N);
                var sk = (Real)(1.0 / s.N) * (context * context.Transpose());
                var predicted = (Mat<Real>.Identity(s.D) + (Real)(sc[k] * sc[s.L + k]) * (sk * sigmaInv)) * xk;
                pairs.AddRange(Agreement.Entries($"X_{k + 1}", traj[k + 1].Block(0, 0, s.D, s.N + 1), predicted));
            }
            var mag = Agreement.Magnitude(traj) * Math.Max(1, Agreement.Magnitude([sigmaInv]));
            Agreement.Within(pairs, Tolerance.Accumulated(s.N * (s.D + 1), s.L, mag * mag * mag * s.D * s.D, growth: s.Kappa), $"scalar GD++ covariates, {s}");
        });

    /// <summary>AHN-E11 negative control: dropping the B-update of the covariates (plain PGD algebra) breaks the block form.</summary>
    [Test]
    public void AHN_E11_Negative_control_covariates_held_fixed() =>
        Properties.ExpectFailureOnEveryCase(Cases.TwoToFourLayers, s =>
        {
            var inst = Instance.Draw(s);
            var (a, b) = RandomBlocks(inst);
            var zeroB = b.Select(m => Mat<Real>.Zeros(s.D, s.D)).ToArray();
            var traj = new LinearTransformer<Real>(a.Zip(b, Families.GdPlusPlus).ToArray()).Trajectory(Embedding.ColumnTokens(inst.Prompt));
            var z0 = traj[0];
            var wrong = GdPlusPlus.Run(z0.Block(0, 0, s.D, s.N + 1), z0.Block(s.D, 0, 1, s.N + 1), a, zeroB);
            Agreement.Within(Agreement.Entries("Y_L", traj[^1].Block(s.D, 0, 1, s.N + 1), wrong[^1].Labels), Budget(inst, a, b), $"GD++ without B, {s}");
        }, "GD++ with the covariate update dropped (B = 0)");

    /// <summary>AHN-E11 proved exactly: entries of layer L have total degree ≤ 2·3^L − 1 in (X, x_q, w*, A, B).</summary>
    [TestCase(1, 2, 1)]
    [TestCase(2, 3, 2)]
    [TestCase(2, 2, 3)]
    public void AHN_E11_Exact_rational_proof(int d, int n, int layers) =>
        ExactProof.Run($"GD++ block form, d={d} n={n} L={layers}", degree: 2 * (int)Math.Pow(3, layers) - 1, pts =>
        {
            var p = pts.Prompt(n, d);
            var a = Enumerable.Range(0, layers).Select(_ => pts.Matrix(d, d)).ToArray();
            var b = Enumerable.Range(0, layers).Select(_ => pts.Matrix(d, d)).ToArray();
            return Agreement.Exact(BlockFormPairs(p, a, b));
        }, range: 1000);
}
