using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LoopedIcl.Numerics.Checkpoints;

/// <summary>
/// safetensors: a u64 little-endian header length, a UTF-8 JSON header {name: {dtype, shape, data_offsets}} with an
/// optional "__metadata__", then the data buffer; offsets are relative to the buffer and may not overlap.
/// </summary>
internal static class SafetensorsFormat
{
    private static readonly Dictionary<string, ElementKind> DTypes = new(StringComparer.Ordinal)
    {
        ["F64"] = ElementKind.Float64, ["F32"] = ElementKind.Float32, ["F16"] = ElementKind.Float16,
        ["BF16"] = ElementKind.BFloat16, ["I64"] = ElementKind.Int64, ["I32"] = ElementKind.Int32,
        ["I16"] = ElementKind.Int16, ["I8"] = ElementKind.Int8, ["U8"] = ElementKind.UInt8, ["BOOL"] = ElementKind.Bool,
    };

    /// <summary>A plausible header: its length fits a u64 and the JSON starts with '{'.</summary>
    public static bool LooksLike(ReadOnlySpan<byte> head) => head.Length >= 9 && head[8] == (byte)'{';

    public static IReadOnlyList<NamedTensor> Read(byte[] bytes, CheckpointSource file)
    {
        file.CurrentEntry = "header";
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.LongLength - 8))
            throw file.Fail("header", $"header length {headerLength} runs past the end of the file ({bytes.LongLength} bytes)");
        var buffer = bytes.AsMemory(8 + (int)headerLength);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength)); }
        catch (JsonException e) { throw file.Fail("header", $"is not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw file.Fail("header", "must be a JSON object");
            var entries = new List<(string Name, ElementKind Kind, long[] Shape, long Begin, long End)>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__") continue;
                if (entries.Any(e => e.Name == p.Name)) throw file.Fail(p.Name, "appears twice in the header");
                entries.Add(Entry(p, buffer.Length, file));
            }
            var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
            for (int i = 1; i < sorted.Count; i++)
                if (sorted[i].Begin < sorted[i - 1].End)
                    throw file.Fail(sorted[i].Name, $"data_offsets [{sorted[i].Begin}, {sorted[i].End}] overlap those of '{sorted[i - 1].Name}' [{sorted[i - 1].Begin}, {sorted[i - 1].End}]");
            return entries.Select(e => StridedData.Gather(file, e.Name,
                buffer.Span.Slice((int)e.Begin, (int)(e.End - e.Begin)), e.Kind, e.Shape, StridedData.DenseStrides(e.Shape), 0)).ToList();
        }
    }

    private static (string, ElementKind, long[], long, long) Entry(JsonProperty p, long bufferLength, CheckpointSource file)
    {
        string name = p.Name;
        var v = p.Value;
        if (v.ValueKind != JsonValueKind.Object) throw file.Fail(name, "header entry must be an object with dtype, shape and data_offsets");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw file.Fail(name, "header entry has no dtype string");
        string dtype = dt.GetString()!;
        if (!DTypes.TryGetValue(dtype, out var kind))
            throw file.Fail(name, $"unknown dtype '{dtype}' (supported: {string.Join(", ", DTypes.Keys)})");
        var shape = Integers(v, "shape", name, file);
        var offsets = Integers(v, "data_offsets", name, file);
        if (offsets.Length != 2) throw file.Fail(name, "data_offsets must be [begin, end]");
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < begin) throw file.Fail(name, $"data_offsets [{begin}, {end}] are not 0 ≤ begin ≤ end");
        if (end > bufferLength) throw file.Fail(name, $"data_offsets [{begin}, {end}] run past the end of the data ({bufferLength} bytes)");
        long count = StridedData.Count(file, name, shape);
        if (count > (end - begin) / ElementType.Size(kind) || count * ElementType.Size(kind) != end - begin)
            throw file.Fail(name, $"shape [{string.Join(", ", shape)}] of {dtype} needs {(count > long.MaxValue / ElementType.Size(kind) ? "more than 2^63" : (count * ElementType.Size(kind)).ToString(CultureInfo.InvariantCulture))} bytes but data_offsets span {end - begin}");
        return (name, kind, shape, begin, end);
    }

    private static long[] Integers(JsonElement v, string field, string name, CheckpointSource file)
    {
        if (!v.TryGetProperty(field, out var a) || a.ValueKind != JsonValueKind.Array) throw file.Fail(name, $"header entry has no {field} array");
        var result = new long[a.GetArrayLength()];
        int i = 0;
        foreach (var x in a.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out result[i]))
                throw file.Fail(name, $"{field} must hold integers (got {x.GetRawText()})");
            i++;
        }
        return result;
    }

    /// <summary>Writes F64 tensors: header padded with spaces to a multiple of 8 bytes, then the data in order.</summary>
    public static void Write(Stream output, IReadOnlyList<NamedTensor> tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            long bytes = 8L * t.Values.Length;
            header.Append(i == 0 ? "" : ",").Append(JsonSerializer.Serialize(t.Name))
                .Append(":{\"dtype\":\"F64\",\"shape\":[").Append(string.Join(",", t.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))))
                .Append("],\"data_offsets\":[").Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append((offset + bytes).ToString(CultureInfo.InvariantCulture)).Append("]}");
            offset += bytes;
        }
        header.Append('}');
        var json = Encoding.UTF8.GetBytes(header.ToString());
        int padded = (json.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        output.Write(length);
        output.Write(json);
        for (int i = json.Length; i < padded; i++) output.WriteByte((byte)' ');
        Span<byte> value = stackalloc byte[8];
        foreach (var t in tensors)
            foreach (var x in t.Values)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(value, x);
                output.Write(value);
            }
    }
}
