using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.TestSupport;

/// <summary>The tests' rounding budgets: <see cref="RoundingBudget"/> (one implementation, shared with the model checker's read check).</summary>
public static class Tolerance
{
    public const double UnitRoundoff = RoundingBudget.UnitRoundoff;
    public const double Safety = RoundingBudget.Safety;

    /// <inheritdoc cref="RoundingBudget.GeneralLayers"/>
    public static double GeneralLayers(int n, int d, int layers, double trajectoryMagnitude) => RoundingBudget.GeneralLayers(n, d, layers, trajectoryMagnitude);

    /// <inheritdoc cref="RoundingBudget.Accumulated"/>
    public static double Accumulated(int termsPerSum, int layers, double magnitude, double growth = 1.0) => RoundingBudget.Accumulated(termsPerSum, layers, magnitude, growth);
}
