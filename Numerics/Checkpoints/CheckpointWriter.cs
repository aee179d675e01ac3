using System.IO.Compression;

namespace LoopedIcl.Numerics.Checkpoints;

/// <summary>
/// Writes tensors as float64 files that PyTorch (safetensors) and NumPy (.npz) load without this suite; reading them
/// back with <see cref="CheckpointReader"/> gives the same names, shapes and bit-identical values.
/// </summary>
public static class CheckpointWriter
{
    /// <summary>safetensors with dtype F64 for every tensor, in the given order.</summary>
    public static void WriteSafetensors(string path, IReadOnlyList<NamedTensor> tensors)
    {
        Validate(path, tensors);
        using var output = File.Create(path);
        SafetensorsFormat.Write(output, tensors);
    }

    /// <summary>The zip entries' time stamp: the DOS epoch, so a file depends on its tensors only.</summary>
    private static readonly DateTimeOffset FixedTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>.npz (an uncompressed zip) with one .npy v1.0 '&lt;f8' C-order array per tensor, named "NAME.npy".</summary>
    public static void WriteNpz(string path, IReadOnlyList<NamedTensor> tensors)
    {
        Validate(path, tensors);
        using var output = File.Create(path);
        using var zip = new ZipArchive(output, ZipArchiveMode.Create);
        foreach (var t in tensors)
        {
            var entry = zip.CreateEntry(t.Name + ".npy", CompressionLevel.NoCompression);
            entry.LastWriteTime = FixedTime; // the same weights give the same bytes (the report's committed models do not churn)
            using var stream = entry.Open();
            NumpyFormat.WriteNpy(stream, t);
        }
    }

    private static void Validate(string path, IReadOnlyList<NamedTensor> tensors)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("path must name the file to write (got an empty string).", nameof(path));
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            string p = $"tensors[{i}]";
            if (string.IsNullOrEmpty(t.Name)) throw new ArgumentException($"{p}.Name must be non-empty.", nameof(tensors));
            if (!names.Add(t.Name)) throw new ArgumentException($"{p}.Name '{t.Name}' appears twice; names must be unique.", nameof(tensors));
            if (t.Shape.Any(d => d < 0)) throw new ArgumentException($"{p} ('{t.Name}') has a negative dimension in shape [{string.Join(", ", t.Shape)}].", nameof(tensors));
            if (t.Count != t.Values.Length)
                throw new ArgumentException($"{p} ('{t.Name}') has {t.Values.Length} values but shape [{string.Join(", ", t.Shape)}] needs {t.Count}.", nameof(tensors));
            int bad = Array.FindIndex(t.Values, v => !double.IsFinite(v));
            if (bad >= 0) throw new ArgumentException($"{p} ('{t.Name}') value {t.Values[bad]} at index {bad} must be finite.", nameof(tensors));
        }
    }
}
