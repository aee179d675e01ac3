using LoopedIcl.Numerics.Convergence;

namespace LoopedIcl.Theorems;

/// <summary>X-SCALE: at fixed n/d the median κ approaches its Marchenko–Pastur limit and the rate per loop depends on n/d, not on d.</summary>
[TestFixture, Category(ClaimIds.XScale)]
public sealed class XScaleDimension
{
    private static readonly int[] Ratios = [2, 4, 8];

    private static Dictionary<(int D, int Ratio), ChenConvergence.Curve> Sweep(int[] dims, int loops, int prompts) =>
        (from r in Ratios from d in dims select (d, r))
        .ToDictionary(k => k, k => ChenConvergence.Experiment(k.d, k.r * k.d, loops, prompts, TestSettings.Seed + 97 * k.d + k.r));

    private static void AssertScaling(Dictionary<(int D, int Ratio), ChenConvergence.Curve> curves, int dSmall, int dLarge, double relative)
    {
        foreach (var r in Ratios)
        {
            var small = curves[(dSmall, r)].FittedSlope;
            var large = curves[(dLarge, r)].FittedSlope;
            ClaimLedger.Note($"X-SCALE n/d={r}: slope {small:F4} at d={dSmall}, {large:F4} at d={dLarge}; median κ {curves[(dLarge, r)].MedianKappa:F2} vs MP {Conditioning.MarchenkoPasturConditionNumber(1.0 / r):F2}");
            Checks.AtMost(Math.Abs(large - small) / Math.Abs(large), relative, $"slope change from d={dSmall} to d={dLarge} at n/d={r}");
            Checks.AtMost(curves[(dLarge, r)].MedianKappa, Conditioning.MarchenkoPasturConditionNumber(1.0 / r), $"median κ below the MP limit, d={dLarge}, n/d={r}");
        }
        for (int i = 1; i < Ratios.Length; i++)
            Checks.AtLeast(curves[(dLarge, Ratios[i])].FittedSlope / curves[(dLarge, Ratios[i - 1])].FittedSlope, 1.5, $"slope ratio n/d={Ratios[i]} vs {Ratios[i - 1]} at d={dLarge}");
    }

    /// <summary>X-SCALE: from d = 16 to d = 32 the median slope changes by ≤ 15% at each n/d, while each doubling of n/d steepens it ≥ 1.5×.</summary>
    [Test]
    public void X_SCALE_Rate_depends_on_n_over_d_not_on_d() => AssertScaling(Sweep([16, 32], 100, 300), 16, 32, 0.15);

    /// <summary>X-SCALE (slow, paper size): d ∈ {4..64}, T = 400, 400 prompts: the d = 32 → 64 change is ≤ 10%.</summary>
    [Test, Category(CategoryLabels.Slow)]
    public void X_SCALE_Rate_depends_on_n_over_d_not_on_d_up_to_d_64() => AssertScaling(Sweep([4, 8, 16, 32, 64], 400, 400), 32, 64, 0.10);
}
