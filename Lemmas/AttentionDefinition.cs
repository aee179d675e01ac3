namespace LoopedIcl.Lemmas;

/// <summary>
/// ATTN: the literal attention is the paper's definition: PZM(ZᵀQZ) equals the column-sum form Σ_{i≤n} P z_i (z_iᵀ Q z_j),
/// and with M = diag(I_n, 0) no context column can see the query column.
/// </summary>
[TestFixture, Category(ClaimIds.Attn), Category(CategoryLabels.Library)]
public sealed class AttentionDefinition
{
    /// <summary>A random token matrix Z ((d+1)×(n+1)) and random P, Q for the shape's seed.</summary>
    private static (Mat<Real> Z, Mat<Real> P, Mat<Real> Q, Random Rng) RandomInputs(Shape s)
    {
        var rng = Numerics.Prompts.Rng.Create(s.Seed);
        return (Numerics.Prompts.Rng.GaussianMatrix(rng, s.D + 1, s.N + 1), Numerics.Prompts.Rng.GaussianMatrix(rng, s.D + 1, s.D + 1),
            Numerics.Prompts.Rng.GaussianMatrix(rng, s.D + 1, s.D + 1), rng);
    }

    /// <summary>ATTN: the matrix form equals the column-sum form (Ahn et al. §1.3), entry for entry.</summary>
    [Test]
    public void ATTN_Matrix_form_equals_column_sum_form() =>
        Properties.ForAll(Cases.Small, s =>
        {
            var (z, p, q, _) = RandomInputs(s);
            var attn = ColumnAttention.Apply(p, q, z);
            var sum = new Mat<Real>(s.D + 1, s.N + 1);
            for (int j = 0; j <= s.N; j++)
                for (int i = 0; i < s.N; i++)
                {
                    var zi = z.Block(0, i, s.D + 1, 1);
                    var weight = (zi.Transpose() * q * z.Block(0, j, s.D + 1, 1))[0, 0];
                    sum.SetBlock(0, j, sum.Block(0, j, s.D + 1, 1) + weight * (p * zi));
                }
            double m = RealMat.MaxAbs(z), pm = RealMat.MaxAbs(p), qm = RealMat.MaxAbs(q);
            Agreement.Within(Agreement.Entries("Attn", attn, sum), Tolerance.Accumulated(s.N * (s.D + 1) * (s.D + 1), 1, m * m * m * pm * qm * (s.D + 1)), $"column-sum form, {s}");
        });

    /// <summary>ATTN: with the query-excluded mask, changing the query column leaves every context column of Attn unchanged (exactly).</summary>
    [Test]
    public void ATTN_Context_columns_never_see_the_query() =>
        Properties.ForAll(Cases.Small, s =>
        {
            var (z, p, q, rng) = RandomInputs(s);
            var z2 = z.Clone();
            z2.SetBlock(0, s.N, Numerics.Prompts.Rng.GaussianMatrix(rng, s.D + 1, 1, 5.0));
            var a1 = ColumnAttention.Apply(p, q, z).Block(0, 0, s.D + 1, s.N);
            var a2 = ColumnAttention.Apply(p, q, z2).Block(0, 0, s.D + 1, s.N);
            Checks.True(a1.ExactlyEquals(a2), $"a context column changed with the query, {s}");
            // The control: with no mask the query is a key, and the context columns do change.
            var b1 = ColumnAttention.Apply(p, q, z, AttentionMask.None).Block(0, 0, s.D + 1, s.N);
            var b2 = ColumnAttention.Apply(p, q, z2, AttentionMask.None).Block(0, 0, s.D + 1, s.N);
            Checks.Exceeds(RealMat.MaxAbsDiff(b1, b2), 0, $"without a mask the context columns must see the query, {s}");
        });
}
