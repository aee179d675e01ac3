using FsCheck;
using FsCheck.Fluent;

namespace LoopedIcl.TestSupport;

/// <summary>A generated instance shape: dimension d, context size n, depth/loops L, and the seed of its Gaussians.</summary>
public sealed record Shape(int D, int N, int L, double Kappa, int Seed)
{
    /// <summary>The seed as the engine's stream (PromptLaw.Draw).</summary>
    public ulong Stream => Experiments.SeedPlan.EngineSeed(Seed);

    public override string ToString() => $"d={D} n={N} L={L} kappa={Kappa} seed={Seed}";
}

/// <summary>
/// Generators of small shapes, with shrinking towards smaller d, n, L (the seed is kept so the case replays). Tests use the
/// named generators below, each declared once; <see cref="Shape.L"/> is layers, loops or GD steps T as each one's doc says.
/// Bounds are inclusive; unstated bounds are the defaults d ∈ [1, 6], n ∈ [1, 24], L ∈ [1, 5].
/// </summary>
public static partial class Cases
{
    /// <summary>The one constructor of shape generators: declare a named generator here (or beside it) rather than calling this from a test.</summary>
    public static Arbitrary<Shape> Shapes(int dMin = 1, int dMax = 6, int nMin = 1, int nMax = 24, int lMin = 1, int lMax = 5,
        Func<Shape, bool>? where = null)
    {
        var gen =
            from d in Gen.Choose(dMin, dMax)
            from n in Gen.Choose(nMin, nMax)
            from l in Gen.Choose(lMin, lMax)
            from kappa in Gen.Elements(1.0, 3.0, 10.0, 100.0)
            from seed in Gen.Choose(0, int.MaxValue)
            select new Shape(d, n, l, d == 1 ? 1.0 : kappa, seed);
        if (where is not null) gen = gen.Where(where);
        IEnumerable<Shape> Shrink(Shape s)
        {
            var smaller = new List<Shape>();
            if (s.D > dMin) smaller.Add(s with { D = s.D - 1, Kappa = s.D - 1 == 1 ? 1.0 : s.Kappa }); // d = 1 admits only κ = 1
            if (s.N > nMin) smaller.Add(s with { N = Math.Max(nMin, s.N / 2) });
            if (s.N > nMin) smaller.Add(s with { N = s.N - 1 });
            if (s.L > lMin) smaller.Add(s with { L = s.L - 1 });
            if (s.Kappa > 1) smaller.Add(s with { Kappa = 1.0 });
            return where is null ? smaller : smaller.Where(where);
        }
        return Arb.From(gen, Shrink);
    }
}
