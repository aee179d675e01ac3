namespace LoopedIcl.Numerics.Algebra;

/// <summary>
/// Rounding budgets for comparing two double computations of the same exact quantity. A sum of k products
/// has absolute error ≤ γ_k·Σ|terms| with γ_k ≈ k·u (u = 2^-53); a chain of L such layers adds these errors
/// (and propagates them through factors of norm ≲ the growth G). So the budget is
/// safety · u · k · (L + 1) · G · magnitude, with magnitude the size of the largest term that entered.
/// The safety factor 64 covers the unspecified constants (two paths, each with several products per layer).
/// The tests' tolerances (TestSupport's Tolerance) and the model checker's read check use these same budgets.
/// </summary>
public static class RoundingBudget
{
    public const double UnitRoundoff = 1.1102230246251565e-16;
    public const double Safety = 64;

    /// <summary>
    /// The budget for L layers of general (P, Q) attention on n tokens of width d+1: every score z_iᵀQz_j times a value P z_i is a
    /// product of three trajectory entries (magnitude z), so the terms entering each layer are of size (d+1)²z³.
    /// </summary>
    public static double GeneralLayers(int n, int d, int layers, double trajectoryMagnitude) =>
        Accumulated(n * (d + 1), layers, trajectoryMagnitude * (1 + (d + 1) * (d + 1) * trajectoryMagnitude * trajectoryMagnitude));

    public static double Accumulated(int termsPerSum, int layers, double magnitude, double growth = 1.0)
    {
        if (termsPerSum < 1 || layers < 0) throw new ArgumentException("termsPerSum must be ≥ 1 and layers ≥ 0.");
        return Safety * UnitRoundoff * termsPerSum * (layers + 1) * Math.Max(1.0, growth) * Math.Max(1.0, magnitude);
    }
}
