namespace LoopedIcl.Lemmas;

/// <summary>AHN-L4 (Lemma 4): if every A_l = a_l·C for one fixed C, the output is the same, per prompt, for all L! orderings of the a_l.</summary>
[TestFixture, Category(ClaimIds.AhnL4), Category(CategoryLabels.Library)]
public sealed class AhnL4LayerOrderInvariance
{
    internal static IEnumerable<int[]> Permutations(int count)
    {
        if (count == 0) { yield return []; yield break; }
        foreach (var rest in Permutations(count - 1))
            for (int pos = 0; pos <= rest.Length; pos++)
            {
                var p = rest.ToList();
                p.Insert(pos, count - 1);
                yield return p.ToArray();
            }
    }

    internal static T Output<T>(Prompt<T> p, IReadOnlyList<Mat<T>> a, int[] order) where T : struct, IScalar<T> =>
        new LinearTransformer<T>(order.Select(i => Families.SparsePreconditioner(a[i])).ToArray()).Predict(p);

    private static IEnumerable<Pair<T>> PermutationPairs<T>(Prompt<T> p, IReadOnlyList<Mat<T>> a) where T : struct, IScalar<T>
    {
        var reference = Output(p, a, Enumerable.Range(0, a.Count).ToArray());
        foreach (var order in Permutations(a.Count)) // all L! orders (the identity order compares with itself, harmlessly)
            yield return new Pair<T>($"order [{string.Join(",", order)}]", Output(p, a, order), reference);
    }

    private static double Budget(Instance inst, IReadOnlyList<Mat<Real>> a) => AhnL1SparseLayersArePreconditionedGd.Budget(inst, a);

    /// <summary>AHN-L4: A_l = a_l C with a random (non-symmetric) C: every ordering gives the same ŷ.</summary>
    [Test]
    public void AHN_L4_Scalar_multiples_of_one_matrix_commute_per_prompt() =>
        Properties.ForAll(Cases.UpToFourLayers, s =>
        {
            var inst = Instance.Draw(s);
            var c = inst.RandomMatrix();
            var scalars = Numerics.Prompts.Rng.Gaussians(inst.Rng, s.L);
            var a = scalars.Select(v => (Real)v * c).ToArray();
            Agreement.Within(PermutationPairs(inst.Prompt, a), Budget(inst, a), $"layer orderings, {s}");
        });

    /// <summary>AHN-L4 support: the ordering enumerator yields all L! distinct orders (else the invariance test would be vacuous).</summary>
    [TestCase(1, 1)]
    [TestCase(3, 6)]
    [TestCase(4, 24)]
    public void AHN_L4_Enumerates_every_ordering(int layers, int factorial)
    {
        var orders = Permutations(layers).Select(o => string.Join(",", o)).ToList();
        Checks.True(orders.Count == factorial && orders.Distinct().Count() == factorial, $"expected {factorial} distinct orders, got {orders.Count}: {string.Join(" ", orders)}");
    }

    /// <summary>AHN-L4 negative control: independent random A_l do not commute, so some ordering changes ŷ.</summary>
    [Test]
    public void AHN_L4_Negative_control_independent_matrices_depend_on_order() =>
        Properties.ExpectFailureOnEveryCase(Cases.TwoToFourLayersNonScalar, s =>
        {
            var inst = Instance.Draw(s);
            var a = Enumerable.Range(0, s.L).Select(_ => inst.RandomMatrix()).ToArray();
            Agreement.Within(PermutationPairs(inst.Prompt, a), Budget(inst, a), $"independent A_l, {s}");
        }, "independent random A_l");

    /// <summary>AHN-L4 proved exactly: all orderings agree as polynomials of degree ≤ 3L + 2 in (X, x_q, w*, C, a).</summary>
    [TestCase(2, 3, 2)]
    [TestCase(3, 4, 3)]
    public void AHN_L4_Exact_rational_proof(int d, int n, int layers) =>
        ExactProof.Run($"layer order, d={d} n={n} L={layers}", degree: 3 * layers + 2, pts =>
        {
            var p = pts.Prompt(n, d);
            var c = pts.Matrix(d, d);
            var a = Enumerable.Range(0, layers).Select(_ => pts.Next() * c).ToArray();
            return Agreement.Exact(PermutationPairs(p, a));
        });
}
