using System.IO.Compression;
using System.Text;

namespace LoopedIcl.Numerics.Checkpoints;

/// <summary>
/// Reads the tensors of a checkpoint file: a PyTorch zip checkpoint (torch.save since 1.6), safetensors, NumPy .npy or
/// .npz. The format is detected from the content, not the extension. Every problem with the content is an
/// <see cref="InvalidDataException"/> naming the file, the entry and the rule; no partial result is returned.
/// </summary>
public static class CheckpointReader
{
    /// <summary>
    /// Every tensor of the file at <paramref name="path"/>, with dotted names (see <see cref="NamedTensor"/>): PyTorch
    /// names are paths from the pickle root ("allparam", "hist_list.0", "model_state_dict.allparam"; a bare tensor is
    /// "tensor"; keys of plain dicts in ordinal order, OrderedDict keys in file order); npz names are the entry names
    /// without ".npy"; a .npy file is "tensor"; safetensors names are its keys in header order. Non-tensor values are
    /// skipped. Values must be finite.
    /// </summary>
    /// <exception cref="ArgumentException">The path is empty, missing or a directory.</exception>
    /// <exception cref="InvalidDataException">The content is not a supported checkpoint, is corrupt or is unsafe.</exception>
    public static IReadOnlyList<NamedTensor> Read(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("path must name a checkpoint file (got an empty string).", nameof(path));
        if (Directory.Exists(path)) throw new ArgumentException($"path must name a checkpoint file, not a directory (got '{path}').", nameof(path));
        if (!File.Exists(path)) throw new ArgumentException($"path must name an existing checkpoint file (no file '{path}').", nameof(path));
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"path: cannot read '{path}': {e.Message}", nameof(path), e);
        }
        return Read(bytes, path);
    }

    /// <summary>The same over a file's bytes already in memory; <paramref name="source"/> names them in messages.</summary>
    public static IReadOnlyList<NamedTensor> Read(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var file = new CheckpointSource(source, bytes.LongLength);
        try
        {
            return Dispatch(bytes, file);
        }
        catch (InvalidDataException e) when (e.Data.Contains(CheckpointSource.Marker)) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Library code below (zip, JSON, the pickle machine) reports corrupt input in its own exception types.
            throw file.Fail(file.CurrentEntry, $"corrupt or truncated content ({e.GetType().Name}: {CheckpointSource.OneLine(e.Message)})");
        }
    }

    private static IReadOnlyList<NamedTensor> Dispatch(byte[] bytes, CheckpointSource file)
    {
        var head = bytes.AsSpan();
        if (head.StartsWith("PK"u8)) return ReadZip(bytes, file);
        if (head.StartsWith(NumpyFormat.Magic)) return [NumpyFormat.ReadNpy(bytes, "tensor", file)];
        if (SafetensorsFormat.LooksLike(head)) return SafetensorsFormat.Read(bytes, file);
        if (head.Length >= 2 && head[0] == 0x80 && head[1] <= 5)
            throw file.Fail("", "legacy torch.save format (a raw pickle, not a zip archive), re-save with torch >= 1.6");
        if (head.Length >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8))
            throw file.Fail("", "legacy torch.save format (a tar archive), re-save with torch >= 1.6");
        throw file.Fail("", "not a checkpoint: expected a PyTorch zip (torch >= 1.6), safetensors, .npy or .npz file");
    }

    private static IReadOnlyList<NamedTensor> ReadZip(byte[] bytes, CheckpointSource file)
    {
        file.CurrentEntry = "zip directory";
        using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
        var entries = zip.Entries.ToList();
        if (entries.Any(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)))
            return TorchZipFormat.Read(entries, file);
        if (entries.Count > 0 && entries.All(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal)))
            return NumpyFormat.ReadNpz(entries, file);
        throw file.Fail("", "a zip archive that is neither a PyTorch checkpoint (no <prefix>/data.pkl) nor an .npz (entries not all .npy)");
    }
}

/// <summary>One file being read: its name for messages, the entry being read, and the element budget.</summary>
internal sealed class CheckpointSource(string path, long length)
{
    /// <summary>
    /// Most elements all tensors of one file may expand to: 8 per byte of the file (1 Mi at least). A tensor stores at
    /// least one byte per element, so only views sharing storage come near it; crafted shapes and strides that would
    /// expand a small file into gigabytes are refused before anything is allocated.
    /// </summary>
    private long _budget = Math.Max(8 * length, 1L << 20);

    public string Path { get; } = path;
    public long Length { get; } = length;
    public string CurrentEntry { get; set; } = "";

    /// <summary>Marks the exceptions that already name the file and the entry (others get wrapped).</summary>
    public const string Marker = "LoopedIcl.Checkpoint";

    /// <summary>The error for <paramref name="entry"/> (an archive entry or tensor name; "" for the whole file), one line.</summary>
    public InvalidDataException Fail(string entry, string rule) =>
        new($"{Path}: " + NoControl(entry.Length == 0 ? rule : $"{entry}: {rule}")) { Data = { [Marker] = true } };

    // Names come from the file and may hold any character; a message stays one line.
    private static string NoControl(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    public void Spend(string entry, long elements)
    {
        if (elements > _budget)
            throw Fail(entry, $"the tensors would expand to more than {Math.Max(8 * Length, 1L << 20)} elements, 8 per byte of the file (crafted shape or shared storage)");
        _budget -= elements;
    }

    /// <summary>Bytes of a zip entry, refusing entries that inflate beyond 64 bytes per byte of the file (zip bombs).</summary>
    public byte[] ReadEntry(ZipArchiveEntry entry)
    {
        CurrentEntry = entry.FullName;
        long limit = 64 * Length + (1 << 20);
        if (entry.Length > limit) throw Fail(entry.FullName, $"declares {entry.Length} bytes, more than 64 per byte of the file");
        using var s = entry.Open();
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = s.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > limit) throw Fail(entry.FullName, "inflates to more than 64 bytes per byte of the file");
        }
        if (buffer.Length != entry.Length) throw Fail(entry.FullName, $"holds {buffer.Length} bytes but its directory entry says {entry.Length} (truncated or corrupt archive)");
        var bytes = buffer.ToArray();
        // ZipArchive does not check stored entries against their CRC-32; a flipped weight byte must not read silently.
        uint crc = Crc32(bytes);
        if (crc != entry.Crc32) throw Fail(entry.FullName, $"CRC-32 {crc:x8} does not match the archive's {entry.Crc32:x8} (corrupt archive)");
        return bytes;
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>The zip CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    public static string Latin1(ReadOnlySpan<byte> b) => Encoding.Latin1.GetString(b);

    /// <summary>Text quoted from the input or a library message as one short line (control characters as '?').</summary>
    public static string OneLine(string text)
    {
        var clean = NoControl(text.TrimEnd());
        return clean.Length > 160 ? clean[..160] + "…" : clean;
    }
}
