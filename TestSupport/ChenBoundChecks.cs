using LoopedIcl.Numerics.Convergence;
using FsCheck;

namespace LoopedIcl.TestSupport;

/// <summary>
/// The bound checks of Chen's loop shared by CHEN-T4.5, CHEN-C1, CHEN-E1, X-NOISE and X-KAPPA: the run's rounding floor per T, and the
/// worst error/(bound + floor) over the T where the bound is informative (≥ 10× the floor).
/// </summary>
public static class ChenBoundChecks
{
    /// <summary>
    /// Calibrated constant of the loop's rounding floor C·d·u·|α|(1 + ‖θ‖²)(T + 1): against double-double runs of the same loop (300 instances of
    /// <see cref="Instances"/> at each of base seeds 1–3) the largest |e_double − e_dd| / (u·|α|(1 + ‖θ‖²)(T + 1)) was 0.56 (at d = 5–7, i.e.
    /// ≤ 0.11 per unit of d there); C = 4 is ≥ 7× the worst case even at d = 1, and
    /// CHEN-T4.5's double-double test re-asserts it on every run's instances (held for base seeds 1–20).
    /// </summary>
    public const double FloorConstant = 4.0;

    /// <summary>A bound is informative at T when it is at least this many times the floor there.</summary>
    public const double InformativeFactor = 10.0;

    public static Arbitrary<Shape> Instances(int dMax = 8, int tMax = 300, double nOverDMax = 8) =>
        Cases.Shapes(dMax: dMax, nMax: (int)(dMax * nOverDMax), lMin: 0, lMax: tMax, where: s => s.N >= s.D && s.N <= nOverDMax * s.D);

    /// <summary>The loop's own rounding floor at T (calibrated, see <see cref="FloorConstant"/>).</summary>
    public static double LoopFloor(int d, double alpha, double referenceNormSquared, int t) =>
        FloorConstant * d * Tolerance.UnitRoundoff * Math.Abs(alpha) * (1 + referenceNormSquared) * (t + 1);

    /// <summary>
    /// The floor of one run per T: the loop's rounding plus the label rounding y = fl(Xθ*), which moves the loop's limit by at most
    /// |α|‖X⁺δy‖ ≤ |α|‖δy‖/σ_min(X), with |δy_i| ≤ γ_d Σ_j|x_ij θ_j| (a rigorous a-posteriori bound).
    /// </summary>
    public static double[] Floors(ChenRun run, Prompt<Real> prompt)
    {
        int d = prompt.X.Cols, n = prompt.X.Rows;
        double dy2 = 0, gammaD = d * Tolerance.UnitRoundoff / (1 - d * Tolerance.UnitRoundoff);
        for (int i = 0; i < n; i++)
        {
            double row = 0;
            for (int j = 0; j < d; j++) row += Math.Abs(prompt.X[i, j].Value * prompt.Task[j, 0].Value);
            dy2 += gammaD * gammaD * row * row;
        }
        double lambdaMin = 1 / (run.StepSize * run.Kappa); // η = 1/λ_max
        double data = Math.Abs(run.Alpha) * Math.Sqrt(run.TaskNormSquared) * Math.Sqrt(dy2 / lambdaMin);
        return Enumerable.Range(0, run.Loops + 1).Select(t => LoopFloor(d, run.Alpha, run.TaskNormSquared, t) + data).ToArray();
    }

    public static (ChenRun Run, double[] Floor, Prompt<Real> Prompt) Draw(Shape s, TaskLaw law = TaskLaw.UnitSphere, double stepFactor = 1.0)
    {
        var inst = Instance.Draw(s, law);
        var alpha = 3 * (Numerics.Prompts.Rng.Gaussians(inst.Rng, 1)[0] is var g && Math.Abs(g) > 0.05 ? g : 1.0);
        var run = ChenConvergence.Run(inst.Prompt, alpha, s.L, stepFactor);
        return (run, Floors(run, inst.Prompt), inst.Prompt);
    }

    /// <summary>
    /// The worst error/(bound + floor) over the informative T ≥ 1 (bound ≥ 10·floor; T = 0 is an equality), and how many T were informative.
    /// On an informative pair the computed error is within the floor of the exact one, so error ≤ bound + floor tests the bound to 10%.
    /// </summary>
    public static (double Ratio, int At, int Informative) WorstRatio(ChenRun run, double[] floor, Func<int, double> bound)
    {
        double worst = 0;
        int at = 0, informative = 0;
        for (int t = 1; t <= run.Loops; t++)
        {
            var b = bound(t);
            if (!double.IsFinite(run.Error[t])) return (double.NaN, t, informative + 1);
            if (!(b >= InformativeFactor * floor[t])) continue;
            informative++;
            var r = run.Error[t] / (b + floor[t]);
            if (r > worst) { worst = r; at = t; }
        }
        return (worst, at, informative);
    }

    /// <summary>Runs a bound check over the instances, counting informative pairs; records the count and asserts it is positive.</summary>
    public static void ForAllInformative(Arbitrary<Shape> cases, Func<Shape, (double Ratio, int At, int Informative, string What)> check, string claim)
    {
        long informative = 0, pairs = 0;
        Properties.ForAll(cases, s =>
        {
            var (ratio, at, count, what) = check(s);
            Interlocked.Add(ref informative, count);
            Interlocked.Add(ref pairs, s.L);
            if (count > 0) Checks.AtMost(ratio, 1.0, $"worst error/(bound + floor) over informative T (here T={at}), {what}, {s}");
        });
        ClaimLedger.Count("informative pairs", informative);
        ClaimLedger.Count("pairs drawn", pairs);
        ClaimLedger.Note($"{claim}: {informative} of {pairs} (instance, T ≥ 1) pairs informative (bound ≥ {InformativeFactor}× floor) and asserted; the rest test nothing and are not counted");
        Checks.AtLeast(informative, 1, $"{claim}: some informative pair was checked", CheckKind.Sanity);
    }

}
