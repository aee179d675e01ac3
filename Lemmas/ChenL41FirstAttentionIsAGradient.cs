namespace LoopedIcl.Lemmas;

/// <summary>
/// CHEN-L4.1: in Chen et al.'s row layout with Q = I, P = diag(I_d, 0) and the query-only mask,
/// Attn(Z(0)) = [[0_{n×d}, 0_{n×1}], [q(0)ᵀXᵀX + α yᵀX, 0]].
/// </summary>
[TestFixture, Category(ClaimIds.ChenL41), Category(CategoryLabels.Library)]
public sealed class ChenL41FirstAttentionIsAGradient
{
    internal static IEnumerable<Pair<T>> AttentionPairs<T>(Mat<T> x, Mat<T> y, Mat<T> q0, T alpha, AttentionMask mask) where T : struct, IScalar<T>
    {
        int n = x.Rows, d = x.Cols;
        var layer = Families.ChenIdentity<T>(d);
        var attn = RowAttention.Apply(layer.Q, layer.P, Embedding.RowTokens(x, y, q0, alpha), mask);
        var expected = new Mat<T>(n + 1, d + 1);
        var xt = x.Transpose();
        expected.SetBlock(n, 0, (xt * x * q0 + alpha * (xt * y)).Transpose());
        return Agreement.Entries("Attn(Z(0))", attn, expected);
    }

    private static (Mat<Real> Y, Mat<Real> Q0, Real Alpha) Extras(Instance inst) =>
        (inst.RandomVector(inst.Shape.N), inst.RandomVector(inst.Shape.D), (Real)Numerics.Prompts.Rng.Gaussians(inst.Rng, 1)[0]);

    private static double Budget(Instance inst, Mat<Real> y, Mat<Real> q0, Real alpha)
    {
        var z = Embedding.RowTokens(inst.Prompt.X, y, q0, alpha);
        double m = RealMat.MaxAbs(z);
        return Tolerance.Accumulated(inst.Shape.N * (inst.Shape.D + 1), 1, m * m * m * (inst.Shape.D + 1));
    }

    /// <summary>CHEN-L4.1: the first attention output is the gradient-like row q(0)ᵀXᵀX + αyᵀX, zero elsewhere (any labels y).</summary>
    [Test]
    public void CHEN_L4_1_Attention_of_the_first_state_is_the_gradient_row() =>
        Properties.ForAll(Cases.Small, s =>
        {
            var inst = Instance.Draw(s);
            var (y, q0, alpha) = Extras(inst);
            Agreement.Within(AttentionPairs(inst.Prompt.X, y, q0, alpha, AttentionMask.QueryOnly), Budget(inst, y, q0, alpha), $"Lemma 4.1, {s}");
        });

    /// <summary>CHEN-L4.1 negative controls: a full causal mask and no mask both break the identity on every instance.</summary>
    [TestCase(AttentionMask.Causal, TestName = "CHEN_L4_1_Negative_control_causal_mask")]
    [TestCase(AttentionMask.None, TestName = "CHEN_L4_1_Negative_control_no_mask")]
    [TestCase(AttentionMask.QueryExcluded, TestName = "CHEN_L4_1_Negative_control_every_row_attends_to_the_context")]
    public void Negative_controls(AttentionMask mask) =>
        Properties.ExpectFailureOnEveryCase(Cases.Small, s =>
        {
            var inst = Instance.Draw(s);
            var (y, q0, alpha) = Extras(inst);
            Agreement.Within(AttentionPairs(inst.Prompt.X, y, q0, alpha, mask), Budget(inst, y, q0, alpha), $"Lemma 4.1 with mask {mask}, {s}");
        }, $"mask {mask}");

    /// <summary>CHEN-L4.1 proved exactly: both sides have total degree ≤ 3 in (X, y, q(0), α).</summary>
    [TestCase(1, 1)]
    [TestCase(3, 5)]
    [TestCase(4, 2)]
    public void CHEN_L4_1_Exact_rational_proof(int d, int n) =>
        ExactProof.Run($"Lemma 4.1, d={d} n={n}", degree: 3, pts =>
            Agreement.Exact(AttentionPairs(pts.Matrix(n, d), pts.Matrix(n, 1), pts.Matrix(d, 1), pts.Next(), AttentionMask.QueryOnly)));
}
