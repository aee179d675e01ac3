namespace LoopedIcl.Experiments;

/// <summary>
/// The one seed derivation of the suite: a base seed (tests.runsettings' Seed, or the report's run) and a stream per name, so a test,
/// the report section and the snapshot that draw "LEARN-GAT-F1.n5" draw the same numbers. The int form feeds APIs that take an int seed
/// (Σ rotations, <c>Rng.Create</c>); the ulong form the engine's and the trainer's streams. No call site casts seeds.
/// </summary>
public readonly record struct SeedPlan(int Base)
{
    /// <summary>The default base seed: tests.runsettings' Seed, docs/ and every snapshot are made with it.</summary>
    public const int DefaultBase = 20261122;

    public static SeedPlan Default => new(DefaultBase);

    /// <summary>The named stream's seed as an int: the base mixed with a stable hash of the name.</summary>
    public int Int(string name) => Base ^ StableHash(name);

    /// <summary>The named stream's seed for the engine and the trainer (the same 32 bits, zero-extended).</summary>
    public ulong Stream(string name) => unchecked((uint)Int(name));

    /// <summary>
    /// An int seed (a shape's, <see cref="Int"/>'s, a recipe's) as the engine's and the trainer's 64-bit seed: sign-extended, as the suite's
    /// int seeds always were (a shape's prompt is prompt 0 of the engine's sequence at this seed). <see cref="Stream"/> zero-extends
    /// instead; the two agree for seeds ≥ 0, and each stays where it was used, so no stream drawn so far changes.
    /// </summary>
    public static ulong EngineSeed(int seed) => Numerics.Engine.EngineSeed.FromInt(seed);

    /// <summary>A hash that is the same in every process (string.GetHashCode is randomised per process): FNV-1a, 32 bits.</summary>
    public static int StableHash(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        unchecked
        {
            uint h = 2166136261;
            foreach (var ch in text) { h ^= ch; h *= 16777619; }
            return (int)h;
        }
    }

    public override string ToString() => $"base seed {Base}";
}
