using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace LoopedIcl.Numerics.Checkpoints;

/// <summary>
/// NumPy .npy (magic "\x93NUMPY", version, header length, a Python dict literal with descr, fortran_order and shape,
/// then the raw data) and .npz (a zip of .npy entries).
/// </summary>
internal static class NumpyFormat
{
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private static readonly Dictionary<string, ElementKind> Descrs = new(StringComparer.Ordinal)
    {
        ["<f8"] = ElementKind.Float64, ["<f4"] = ElementKind.Float32, ["<f2"] = ElementKind.Float16,
        ["<i8"] = ElementKind.Int64, ["<i4"] = ElementKind.Int32, ["<i2"] = ElementKind.Int16,
        ["|i1"] = ElementKind.Int8, ["|u1"] = ElementKind.UInt8, ["|b1"] = ElementKind.Bool,
    };

    /// <summary>The header's dict literal as key → value text (quoted strings keep their quotes); null if malformed. Linear time.</summary>
    private static Dictionary<string, string>? ParseHeader(string h)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        void Skip() { while (i < h.Length && char.IsWhiteSpace(h[i])) i++; }
        string? Quoted()
        {
            if (i >= h.Length || h[i] is not ('\'' or '"')) return null;
            int end = h.IndexOf(h[i], i + 1);
            if (end < 0) return null;
            var q = h[i..(end + 1)];
            i = end + 1;
            return q;
        }
        Skip();
        if (i >= h.Length || h[i++] != '{') return null;
        while (true)
        {
            Skip();
            if (i < h.Length && h[i] == '}') { i++; Skip(); return i == h.Length ? fields : null; }
            var key = Quoted();
            Skip();
            if (key is null || i >= h.Length || h[i++] != ':') return null;
            Skip();
            string? value;
            if (i < h.Length && h[i] == '(')
            {
                int end = h.IndexOf(')', i);
                if (end < 0) return null;
                value = h[i..(end + 1)];
                i = end + 1;
            }
            else if (i < h.Length && char.IsLetter(h[i]))
            {
                int start = i;
                while (i < h.Length && char.IsLetter(h[i])) i++;
                value = h[start..i];
            }
            else value = Quoted();
            if (value is null) return null;
            fields[key[1..^1]] = value;
            Skip();
            if (i < h.Length && h[i] == ',') i++;
        }
    }

    public static IReadOnlyList<NamedTensor> ReadNpz(IReadOnlyList<ZipArchiveEntry> entries, CheckpointSource file)
    {
        var result = new List<NamedTensor>(entries.Count);
        foreach (var e in entries)
        {
            string name = e.FullName[..^4];
            if (result.Any(t => t.Name == name)) throw file.Fail(e.FullName, "appears twice in the archive");
            result.Add(ReadNpy(file.ReadEntry(e), name, file, e.FullName));
        }
        return result;
    }

    public static NamedTensor ReadNpy(byte[] bytes, string name, CheckpointSource file, string? entry = null)
    {
        entry ??= name;
        file.CurrentEntry = entry;
        if (bytes.Length < 10 || !bytes.AsSpan().StartsWith(Magic)) throw file.Fail(entry, "not an .npy array (no \\x93NUMPY magic)");
        int major = bytes[6];
        long headerLength, start;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); start = 10; }
        else if (major is 2 or 3 && bytes.Length >= 12) { headerLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); start = 12; }
        else throw file.Fail(entry, $"unsupported .npy version {major}.{bytes[7]}");
        if (start + headerLength > bytes.Length) throw file.Fail(entry, $"header length {headerLength} runs past the end ({bytes.Length} bytes)");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes, (int)start, (int)headerLength);
        var fields = ParseHeader(header)
            ?? throw file.Fail(entry, $"header is not a dict literal of descr, fortran_order and shape: {Quote(header)}");
        if (!fields.TryGetValue("descr", out var descr) || descr[0] is not ('\'' or '"'))
            throw file.Fail(entry, $"header has no simple descr string (structured arrays are not supported): {Quote(header)}");
        descr = descr[1..^1];
        if (!Descrs.TryGetValue(descr, out var kind))
            throw file.Fail(entry, descr.StartsWith('>') && descr.Length > 1
                ? $"big-endian data (descr '{descr}') is not supported; save it little-endian (numpy: a.astype(a.dtype.newbyteorder('<')))"
                : $"unknown descr '{descr}' (supported: {string.Join(", ", Descrs.Keys)})");
        if (!fields.TryGetValue("fortran_order", out var fortran) || fortran is not ("True" or "False"))
            throw file.Fail(entry, $"header has no fortran_order True/False: {Quote(header)}");
        if (!fields.TryGetValue("shape", out var shapeText) || !shapeText.StartsWith('('))
            throw file.Fail(entry, $"header has no shape tuple: {Quote(header)}");
        var shape = ParseShape(shapeText, entry, file);
        long count = StridedData.Count(file, entry, shape);
        long dataLength = bytes.Length - start - headerLength;
        int size = ElementType.Size(kind);
        if (count > dataLength / size || count * size != dataLength)
            throw file.Fail(entry, $"shape ({string.Join(", ", shape)}) of '{descr}' needs {(count > long.MaxValue / size ? "more than 2^63" : (count * size).ToString(CultureInfo.InvariantCulture))} bytes of data but {dataLength} follow the header");
        var data = bytes.AsSpan((int)(start + headerLength));
        return StridedData.Gather(file, name, data, kind, shape, StridedData.DenseStrides(shape, fortran == "True"), 0);
    }

    private static long[] ParseShape(string tuple, string entry, CheckpointSource file)
    {
        var parts = tuple.Trim('(', ')').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var shape = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i].TrimEnd('L'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out shape[i]))
                throw file.Fail(entry, $"shape {tuple} must hold integers");
        return shape;
    }

    private static string Quote(string header) => CheckpointSource.OneLine(header);

    /// <summary>An .npy v1.0 array of float64 ('&lt;f8', C order), header padded so the data starts at a multiple of 64.</summary>
    public static void WriteNpy(Stream output, NamedTensor t)
    {
        string shape = t.Shape.Length == 1 ? $"({t.Shape[0].ToString(CultureInfo.InvariantCulture)},)"
            : "(" + string.Join(", ", t.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        string dict = $"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}";
        int total = (10 + dict.Length + 1 + 63) / 64 * 64;
        string header = dict + new string(' ', total - 10 - dict.Length - 1) + "\n";
        output.Write(Magic);
        output.WriteByte(1);
        output.WriteByte(0);
        Span<byte> u16 = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(u16, (ushort)header.Length);
        output.Write(u16);
        output.Write(Encoding.ASCII.GetBytes(header));
        Span<byte> value = stackalloc byte[8];
        foreach (var x in t.Values)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(value, x);
            output.Write(value);
        }
    }
}
