// TEMPORARY stand-in for the readers branch's API (byom-readers); deleted when that branch is merged.
namespace LoopedIcl.Numerics.Checkpoints;

public sealed record NamedTensor(string Name, int[] Shape, double[] Values, string DType);
