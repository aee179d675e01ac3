using System.IO.Compression;

namespace LoopedIcl.Numerics.Checkpoints;

internal static class TorchZipFormat
{
    public static IReadOnlyList<NamedTensor> Read(IReadOnlyList<ZipArchiveEntry> entries, CheckpointSource file) =>
        throw file.Fail("data.pkl", "not yet");
}
