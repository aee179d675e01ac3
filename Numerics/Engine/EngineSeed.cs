namespace LoopedIcl.Numerics.Engine;

/// <summary>The engine's 64-bit seeds from int seeds, in one place (the library's int-seeded APIs and the suite's seed plan use it).</summary>
public static class EngineSeed
{
    /// <summary>An int seed as the engine's seed: sign-extended, as every int seed so far was (so no stream drawn so far changes).</summary>
    public static ulong FromInt(int seed) => unchecked((ulong)(long)seed);
}
