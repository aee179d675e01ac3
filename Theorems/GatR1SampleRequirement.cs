namespace LoopedIcl.Theorems;

/// <summary>
/// GAT-R1: with a prompt-independent A = b*Σ⁻¹ (trained at L_train) and finite n, E[(1 − bλ_max(Ŵ))^{2L}] grows without bound in L, so the
/// population loss eventually rises with more test-time loops; n must grow with L to keep it small.
/// </summary>
[TestFixture, Category(ClaimIds.GatR1)]
public sealed class GatR1SampleRequirement
{
    private const int D = 10, Draws = 3000;
    internal static readonly int[] TestLoops = [1, 2, 5, 10, 15, 20, 30, 50];

    internal static TestTimeLooping InDistribution(int n, int seed, int draws = Draws) =>
        new(Sigmas.Identity(D), Sigmas.Identity(D), n, LoopedScalar.ExactOptimum(n, D, 2).B, draws, seed);

    /// <summary>GAT-R1 support: the spectral evaluation equals the matrix conditional loss tr(CᵀΣCΣ⁻¹) draw by draw (also out of distribution).</summary>
    [Test]
    public void GAT_R1_Spectral_evaluation_equals_the_matrix_loss() =>
        Properties.ForAll(Cases.LoopedSpectral, s => // a test Σ with κ = 3 needs d ≥ 2
        {
            var train = Sigmas.Random(s.D, s.Kappa, s.Seed);
            var test = Sigmas.Random(s.D, 3, s.Seed + 1);
            var looping = new TestTimeLooping(train, test, s.N, 0.7, 4, s.Seed + 2);
            var matrix = new LoopedLoss(SparseFamilyLoss.DrawSamples(test, s.N, 4, s.Seed + 2), test, s.L).PerSample(train.Inverse() * 0.7);
            var spectral = looping.PerSample(s.L);
            for (int i = 0; i < 4; i++) Checks.RelativeClose(spectral[i], matrix[i], 1e-8 * s.Kappa * s.Kappa * (1 + matrix[i]), $"draw {i}, {s}");
        });

    /// <summary>The exact ℓ_L(b*) (b* of L_train = 2) for L = 1 … 50 at d = 10 (rational moments, rounded once).</summary>
    internal static double[] ExactCurve(int n) => (double[])ExactCurves.GetOrAdd(n, key => new Lazy<double[]>(() =>
    {
        var b = LoopedScalar.ExactOptimum(key, D, 2).B;
        return Enumerable.Range(1, 50).Select(l => LoopedScalar.ExactLoss(key, D, l, b)).ToArray();
    })).Value.Clone();

    /// <summary>Each n's exact curve is formed once per run (three tests read it; 150 exact evaluations of up to 6000-bit fractions each).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Lazy<double[]>> ExactCurves = new();

    /// <summary>
    /// GAT-R1: with A = b*Σ⁻¹ fixed (b* of L_train = 2, d = 10) the exact population loss ℓ_L(b*) = E tr(I − b*Ŵ)^{2L} first falls and then rises
    /// with the test-time loops L at every n ∈ {20, 40, 100}: its minimum over L ≤ 50 is at some L* &lt; 50 and ℓ_50 &gt; ℓ_{L*}. Exact values, no sampling.
    /// Negative control: over L ≤ 10 at n = 100 the loss keeps falling, so the same inequality fails there.
    /// </summary>
    [Test]
    public void GAT_R1_Test_time_looping_eventually_hurts_at_fixed_n()
    {
        foreach (var n in new[] { 20, 40, 100 })
        {
            var curve = ExactCurve(n);
            int best = Array.IndexOf(curve, curve.Min()) + 1;
            int turn = Enumerable.Range(1, 49).First(l => curve[l] > curve[l - 1]); // first L with ℓ_{L+1} > ℓ_L
            ClaimLedger.Note($"GAT-R1 n={n} (exact, b*={LoopedScalar.ExactOptimum(n, D, 2).B:F6}): " + string.Join(", ", TestLoops.Select(l => $"L={l}: {curve[l - 1]:G4}"))
                + $"; minimum at L={best} ({curve[best - 1]:G4}), first rise at L={turn}→{turn + 1}");
            Checks.True(best < 50, $"n = {n}: the exact loss has its minimum at L* = {best} < 50");
            Checks.Exceeds(curve[49] / curve[best - 1], 1, $"n = {n}: ℓ_50 / ℓ_L* (exact)", CheckKind.Bound);
        }
        var early = ExactCurve(100)[..10];
        var earlyBest = Array.IndexOf(early, early.Min()) + 1;
        Checks.True(earlyBest == 10 && early[9] < early[8], $"control: at n = 100 the loss still falls at L = 10 (minimum over L ≤ 10 at L = {earlyBest})");
        ClaimLedger.RecordNegativeControl($"n = 100, L ≤ 10: ℓ_10 / ℓ_L* = {early[9] / early.Min():G3} — the rise inequality fails on this range");
    }

    /// <summary>GAT-R1 support: the Monte Carlo mean of the per-draw loss agrees with the exact ℓ_L(b*) where the tail is light (L ≤ 3, 3000 draws, z(1e-6/9)·SE).</summary>
    [Test]
    public void GAT_R1_Monte_Carlo_agrees_with_the_exact_loss_where_the_tail_is_light()
    {
        foreach (var n in new[] { 20, 40, 100 })
        {
            var looping = InDistribution(n, TestSettings.SeedFor($"GAT-R1 MC vs exact n={n}"));
            for (int l = 1; l <= 3; l++)
            {
                var est = looping.Loss(l);
                var exact = LoopedScalar.ExactLoss(n, D, l, looping.StepSize);
                Checks.Close(est.Mean, exact, SampleStatistics.TwoSidedZ(CheckPolicy.FalseAlarm / 9) * est.StandardError, $"n={n} L={l}: MC {est} vs exact {exact:G6}");
            }
        }
    }

    /// <summary>
    /// GAT-R1: the smallest n ∈ {20, 40, 100} whose exact loss ℓ_L(b*) (b* of L_train = 2) is ≤ 0.25 never decreases as L grows (L ≥ 5): it is 40 at L = 5,
    /// 100 at L = 10, and no n of the grid suffices at L = 50 — n must grow with L. Exact values.
    /// </summary>
    [Test]
    public void GAT_R1_Context_size_must_grow_with_the_number_of_loops()
    {
        const double target = 0.25;
        int[] ns = [20, 40, 100];
        var curves = ns.Select(ExactCurve).ToArray();
        int previous = 0;
        var needed = new Dictionary<int, int>();
        foreach (var l in TestLoops.Where(l => l >= 5))
        {
            var i = Array.FindIndex(curves, c => c[l - 1] <= target);
            needed[l] = i < 0 ? int.MaxValue : ns[i];
            ClaimLedger.Note($"GAT-R1 exact: smallest n ∈ {{20, 40, 100}} with ℓ_{l}(b*) ≤ {target}: {(i < 0 ? "none" : ns[i])}");
            Checks.AtLeast(needed[l], previous, $"required n does not shrink as L grows (L={l})", CheckKind.Threshold); // a grid step: equal values are a margin of 1 by nature
            previous = needed[l];
        }
        Checks.True(needed[5] == 40 && needed[10] == 100 && needed[50] == int.MaxValue, $"required n: 40 at L = 5, 100 at L = 10, none of the grid at L = 50 (got {needed[5]}, {needed[10]}, {needed[50]})");
        Checks.Exceeds(curves[2][49], target, "n = 100 does not suffice at L = 50 (exact)", CheckKind.Bound);
    }
}
