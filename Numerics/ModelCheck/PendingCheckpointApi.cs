// TEMPORARY stand-in for the readers branch's API (byom-readers); deleted when that branch is merged.
namespace LoopedIcl.Numerics.Checkpoints;

public sealed record NamedTensor(string Name, int[] Shape, double[] Values, string DType);

public static class CheckpointReader { public static IReadOnlyList<NamedTensor> Read(string path) => throw new NotImplementedException("byom-readers not merged yet"); }

public static class CheckpointWriter
{
    public static void WriteSafetensors(string path, IReadOnlyList<NamedTensor> t) => throw new NotImplementedException("byom-readers not merged yet");
    public static void WriteNpz(string path, IReadOnlyList<NamedTensor> t) => throw new NotImplementedException("byom-readers not merged yet");
}
