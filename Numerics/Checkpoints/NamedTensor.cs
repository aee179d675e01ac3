namespace LoopedIcl.Numerics.Checkpoints;

/// <summary>
/// A tensor read from a file: its dotted name, its shape (row-major, C order), its values converted exactly to double in
/// row-major order, and the element type it was stored as (normalised: float64, float32, float16, bfloat16, int64, int32,
/// int16, int8, uint8, bool).
/// </summary>
public sealed record NamedTensor(string Name, int[] Shape, double[] Values, string DType)
{
    /// <summary>Number of elements (the product of the shape; 1 for a scalar).</summary>
    public long Count => Shape.Aggregate(1L, (p, n) => p * n);
}
