using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using LoopedIcl.Numerics.Checkpoints;

namespace LoopedIcl.Lemmas;

/// <summary>
/// BYOM and INPUT (library level; each test in its one claim): the checkpoint readers on files built here byte by byte, in memory. Every refusal is
/// compared with its whole message ("f: entry: rule", the counts in it derived from the file the test built), and every
/// limit is met from both sides: one byte (element, level) past it is refused, exactly at it reads with exact values.
/// (Committed fixtures and fuzzing: <see cref="CheckpointFormats"/>, <see cref="CheckpointReaders"/>.)
/// </summary>
[TestFixture, Category(CategoryLabels.Library)]
public sealed class LibraryCheckpoints
{
    private const string Zip = "a zip archive that is neither a PyTorch checkpoint (no <prefix>/data.pkl) nor an .npz (entries not all .npy)";
    private const string NotACheckpoint = "not a checkpoint: expected a PyTorch zip (torch >= 1.6), safetensors, .npy or .npz file";
    private const string Pkl = "archive/data.pkl: ";
    private const string AllowList = "a checkpoint may only name torch tensor rebuilds, torch storage types and collections.OrderedDict; nothing was unpickled";
    private const string NotADict = "tensor: header is not a dict literal of descr, fortran_order and shape: ";

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
    private static byte[] F64(params double[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();
    private static double[] Iota(int n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray();

    /// <summary>Reading <paramref name="bytes"/> as "f" must throw exactly "f: <paramref name="message"/>".</summary>
    private static void Fails(byte[] bytes, string message, string what = "")
    {
        var ex = Assert.Throws<InvalidDataException>(() => CheckpointReader.Read(bytes, "f"), what);
        Checks.True(ex!.Message == "f: " + message, $"{what}: expected «f: {message}», got «{ex.Message}»");
    }

    private static IReadOnlyList<NamedTensor> Reads(byte[] bytes) => CheckpointReader.Read(bytes, "f");

    /// <summary>The tensor has exactly this name, shape, dtype and values (bit for bit).</summary>
    private static void Is(NamedTensor t, string name, int[] shape, double[] values, string dtype = "float64")
    {
        Checks.True(t.Name == name && t.DType == dtype, $"'{t.Name}' {t.DType}, expected '{name}' {dtype}");
        CheckpointFormats.SameTensor(t, shape, values, name);
    }

    private static byte[] ZipOf(CompressionLevel level, params (string Name, byte[] Data)[] entries)
    {
        using var m = new MemoryStream();
        using (var zip = new ZipArchive(m, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, data) in entries)
                using (var s = zip.CreateEntry(name, level).Open()) s.Write(data);
        return m.ToArray();
    }

    private static byte[] ZipOf(params (string Name, byte[] Data)[] entries) => ZipOf(CompressionLevel.NoCompression, entries);

    // ---------------------------------------------------------------- dispatch

    /// <summary>INPUT: the format is told from the first bytes; legacy pickles (protocol ≤ 5) and tar files get their own message.</summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Dispatch_tells_legacy_files_and_non_checkpoints_apart()
    {
        const string rawPickle = "legacy torch.save format (a raw pickle, not a zip archive), re-save with torch >= 1.6";
        Fails([0x80, 5, 0x2e], rawPickle, "protocol 5");
        Fails([0x80, 2], rawPickle, "two bytes");
        Fails([0x80, 6, 0x2e], NotACheckpoint, "protocol 6");
        Fails([0x80], NotACheckpoint, "one byte");
        Fails([0x81, 2, 0x2e], NotACheckpoint, "not PROTO");
        Fails([], NotACheckpoint, "empty");
        var tar = new byte[262];
        Utf8("ustar").CopyTo(tar, 257);
        Fails(tar, "legacy torch.save format (a tar archive), re-save with torch >= 1.6", "tar of 262 bytes");
        Fails(tar[..261], NotACheckpoint, "261 bytes");
        Fails(ZipOf(), Zip, "empty zip");
        Fails(ZipOf(("a.txt", [1])), Zip, "a.txt");
        Fails(ZipOf(("a.npy", Npy("{}", [])), ("b.txt", [1])), Zip, "not all .npy");
        Fails(Utf8("{\"a\": 1}"), NotACheckpoint, "JSON without a length");
    }

    // ---------------------------------------------------------------- safetensors

    private static byte[] St(string json, byte[] data, long? declared = null)
    {
        var j = Utf8(json);
        var b = new byte[8 + j.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)(declared ?? j.Length));
        j.CopyTo(b, 8);
        data.CopyTo(b, 8 + j.Length);
        return b;
    }

    private static string E(string name, string dtype, string shape, string offsets) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";

    /// <summary>INPUT: every header rule of safetensors, each with its exact message; its limits read when met exactly.</summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Safetensors_headers_are_checked_rule_by_rule()
    {
        // The header length may reach the end of the file exactly, not one byte further.
        Checks.True(Reads(St("{}", [], 2)).Count == 0, "an empty header of length len − 8 reads");
        Fails(St("{}", [], 3), "header: header length 3 runs past the end of the file (10 bytes)");
        string bad = "{\"a\":}";
        string jsonError = "";
        try { JsonDocument.Parse(bad); } catch (JsonException e) { jsonError = e.Message; }
        Fails(St(bad, []), $"header: is not valid JSON ({jsonError})");
        // Nine bytes with '{' at byte 8 are safetensors (a header of length 0 here, which is no JSON).
        try { JsonDocument.Parse(""); } catch (JsonException e) { jsonError = e.Message; }
        Fails([0, 0, 0, 0, 0, 0, 0, 0, (byte)'{'], $"header: is not valid JSON ({jsonError})");

        var one = F64(1.5);
        var cases = new (string Json, byte[] Data, string Message)[]
        {
            ("{" + E("a", "F64", "[1]", "[0,8]") + "," + E("a", "F64", "[1]", "[0,8]") + "}", one, "a: appears twice in the header"),
            ("{\"a\":1}", one, "a: header entry must be an object with dtype, shape and data_offsets"),
            ("{\"a\":{\"shape\":[1],\"data_offsets\":[0,8]}}", one, "a: header entry has no dtype string"),
            ("{\"a\":{\"dtype\":8,\"shape\":[1],\"data_offsets\":[0,8]}}", one, "a: header entry has no dtype string"),
            ("{" + E("a", "F8", "[1]", "[0,8]") + "}", one, "a: unknown dtype 'F8' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)"),
            ("{\"a\":{\"dtype\":\"F64\",\"data_offsets\":[0,8]}}", one, "a: header entry has no shape array"),
            ("{" + E("a", "F64", "1", "[0,8]") + "}", one, "a: header entry has no shape array"),
            ("{\"a\":{\"dtype\":\"F64\",\"shape\":[1]}}", one, "a: header entry has no data_offsets array"),
            ("{" + E("a", "F64", "[1.5]", "[0,8]") + "}", one, "a: shape must hold integers (got 1.5)"),
            ("{" + E("a", "F64", "[\"x\"]", "[0,8]") + "}", one, "a: shape must hold integers (got \"x\")"),
            ("{" + E("a", "F64", "[1]", "[0,8,8]") + "}", one, "a: data_offsets must be [begin, end]"),
            ("{" + E("a", "F64", "[1]", "[8]") + "}", one, "a: data_offsets must be [begin, end]"),
            ("{" + E("a", "F64", "[1]", "[-1,8]") + "}", one, "a: data_offsets [-1, 8] are not 0 ≤ begin ≤ end"),
            ("{" + E("a", "F64", "[0]", "[8,7]") + "}", one, "a: data_offsets [8, 7] are not 0 ≤ begin ≤ end"),
            ("{" + E("a", "F64", "[1]", "[1,9]") + "}", one, "a: data_offsets [1, 9] run past the end of the data (8 bytes)"),
            ("{" + E("a", "F64", "[2]", "[0,8]") + "}", one, "a: shape [2] of F64 needs 16 bytes but data_offsets span 8"),
            ("{" + E("a", "F64", "[1]", "[0,16]") + "}", F64(1, 2), "a: shape [1] of F64 needs 8 bytes but data_offsets span 16"),
            ("{" + E("a", "F32", "[3]", "[0,8]") + "}", one, "a: shape [3] of F32 needs 12 bytes but data_offsets span 8"),
            ("{" + E("a", "F64", "[2147483647,2147483647,2147483647]", "[0,8]") + "}", one,
                "a: shape [2147483647, 2147483647, 2147483647] of F64 needs more than 2^63 bytes but data_offsets span 8"),
            // 2^61 elements of 8 bytes wrap to 0 bytes in 64 bits: the count is compared with span / size first.
            ("{" + E("a", "F64", "[1073741824,1073741824,2]", "[0,0]") + "}", one,
                "a: shape [1073741824, 1073741824, 2] of F64 needs more than 2^63 bytes but data_offsets span 0"),
            // 2^60 − 1 = 6981975 · 125002481 · 1321 elements need 2^63 − 8 bytes, still a long; 2^60 do not fit.
            ("{" + E("a", "F64", "[6981975,125002481,1321]", "[0,8]") + "}", one, "a: shape [6981975, 125002481, 1321] of F64 needs 9223372036854775800 bytes but data_offsets span 8"),
            ("{" + E("a", "F64", "[1073741824,1073741824]", "[0,8]") + "}", one, "a: shape [1073741824, 1073741824] of F64 needs more than 2^63 bytes but data_offsets span 8"),
            ("{" + E("a\\nb", "F8", "[1]", "[0,8]") + "}", one, "a?b: unknown dtype 'F8' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)"),
            ("{" + E("a", "F64", "[-1]", "[0,0]") + "}", one, "a: shape [-1] has a negative dimension"),
            ("{" + E("a", "F64", "[2,-1]", "[0,0]") + "}", one, "a: shape [2, -1] has a negative dimension"),
            ("{" + E("a", "F64", "[2147483648]", "[0,8]") + "}", one, "a: shape [2147483648] has a dimension ≥ 2^31"),
            ("{" + E("a", "U8", "[2147483647]", "[0,8]") + "}", one, "a: shape [2147483647] of U8 needs 2147483647 bytes but data_offsets span 8"),
            ("{" + E("a", "F64", "[1]", "[0,8]") + "," + E("b", "F64", "[1]", "[4,12]") + "}", F64(1, 2),
                "b: data_offsets [4, 12] overlap those of 'a' [0, 8]"),
            ("{" + E("b", "F64", "[1]", "[8,16]") + "," + E("a", "F64", "[2]", "[0,16]") + "}", F64(1, 2),
                "b: data_offsets [8, 16] overlap those of 'a' [0, 16]"),
            ("{" + E("a", "I64", "[2]", "[0,16]") + "}", BitConverter.GetBytes(0L).Concat(BitConverter.GetBytes((1L << 53) + 1)).ToArray(),
                "a: int64 value 9007199254740993 is not exactly a double (at flat index 1)"),
            ("{" + E("a", "I64", "[1]", "[0,8]") + "}", BitConverter.GetBytes(-(1L << 53) - 1), "a: int64 value -9007199254740993 is not exactly a double (at flat index 0)"),
            ("{" + E("a", "I64", "[1]", "[0,8]") + "}", BitConverter.GetBytes(long.MinValue), "a: int64 value -9223372036854775808 is not exactly a double (at flat index 0)"),
            ("{" + E("a", "F64", "[2]", "[0,16]") + "}", F64(1, double.NaN), "a: value NaN at flat index 1 is not finite (weights must be finite)"),
            ("{" + E("a", "F32", "[1]", "[0,4]") + "}", BitConverter.GetBytes(float.NegativeInfinity), "a: value -Infinity at flat index 0 is not finite (weights must be finite)"),
        };
        foreach (var (json, data, message) in cases) Fails(St(json, data), message, json);
    }

    /// <summary>
    /// BYOM: safetensors limits met exactly read: data reaching the end of the buffer, adjacent and empty ranges (an empty
    /// range listed after the one it touches), zero dimensions, __metadata__ skipped, names in header order.
    /// </summary>
    [Test, Category(ClaimIds.Byom)]
    public void BYOM_Safetensors_boundaries_read_exactly()
    {
        var r = Reads(St("{\"__metadata__\":{\"format\":\"pt\"}," + E("z", "F64", "[1]", "[8,16]") + "," + E("a", "F64", "[1]", "[0,8]") + "}", F64(1.5, -2.25)));
        Checks.True(r.Count == 2, $"{r.Count} tensors (the metadata is skipped)");
        Is(r[0], "z", [1], [-2.25]);
        Is(r[1], "a", [1], [1.5]);
        r = Reads(St("{" + E("b", "F64", "[1]", "[0,8]") + "," + E("a", "F64", "[0]", "[0,0]") + "," + E("c", "F64", "[2,0]", "[8,8]") + "}", F64(7)));
        Is(r[0], "b", [1], [7]);
        Is(r[1], "a", [0], []);
        Is(r[2], "c", [2, 0], []);
    }

    /// <summary>BYOM: every safetensors dtype converts exactly (sign extension, bool as 0/1, int64 up to ±2^53), each tensor at its own offset.</summary>
    [Test, Category(ClaimIds.Byom)]
    public void BYOM_Every_safetensors_dtype_reads_exactly()
    {
        var data = new List<byte>();
        var header = new List<string>();
        void Add(string name, string dtype, int count, byte[] bytes)
        {
            header.Add(E(name, dtype, $"[{count}]", $"[{data.Count},{data.Count + bytes.Length}]"));
            data.AddRange(bytes);
        }
        Add("f64", "F64", 2, F64(0.1, -3e300));
        Add("f32", "F32", 2, [.. BitConverter.GetBytes(0.1f), .. BitConverter.GetBytes(-3.5f)]);
        Add("f16", "F16", 3, [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00]); // 1, −2, 2^−24
        Add("bf16", "BF16", 3, [0x80, 0x3F, 0x40, 0xC0, 0x49, 0x40]); // 1, −3, 3.140625
        Add("i64", "I64", 3, [.. BitConverter.GetBytes(1L << 53), .. BitConverter.GetBytes(-(1L << 53)), .. BitConverter.GetBytes(-5L)]);
        Add("i32", "I32", 2, [.. BitConverter.GetBytes(int.MinValue), .. BitConverter.GetBytes(7)]);
        Add("i16", "I16", 2, [.. BitConverter.GetBytes(short.MinValue), .. BitConverter.GetBytes((short)5)]);
        Add("i8", "I8", 3, [0xFF, 0x7F, 0x80]);
        Add("u8", "U8", 2, [0xFF, 0x7F]);
        Add("bool", "BOOL", 3, [0, 1, 2]);
        var r = Reads(St("{" + string.Join(",", header) + "}", [.. data]));
        Is(r[0], "f64", [2], [0.1, -3e300]);
        Is(r[1], "f32", [2], [(double)0.1f, -3.5], "float32");
        Is(r[2], "f16", [3], [1, -2, Math.Pow(2, -24)], "float16");
        Is(r[3], "bf16", [3], [1, -3, 3.140625], "bfloat16");
        Is(r[4], "i64", [3], [9007199254740992, -9007199254740992, -5], "int64");
        Is(r[5], "i32", [2], [int.MinValue, 7], "int32");
        Is(r[6], "i16", [2], [-32768, 5], "int16");
        Is(r[7], "i8", [3], [-1, 127, -128], "int8");
        Is(r[8], "u8", [2], [255, 127], "uint8");
        Is(r[9], "bool", [3], [0, 1, 1], "bool");
    }

    // ---------------------------------------------------------------- .npy and .npz

    /// <summary>An .npy file: magic, version, header length (u16 for 1.x, u32 otherwise), the header bytes, the data.</summary>
    private static byte[] Npy(string header, byte[] data, byte major = 1, byte minor = 0, long? declared = null)
    {
        var h = major == 3 ? Utf8(header) : Encoding.Latin1.GetBytes(header);
        var b = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, minor };
        if (major == 1) b.AddRange(BitConverter.GetBytes((ushort)(declared ?? h.Length)));
        else b.AddRange(BitConverter.GetBytes((uint)(declared ?? h.Length)));
        return [.. b, .. h, .. data];
    }

    private static string H(string descr = "'<f8'", string fortran = "False", string shape = "(1,)") =>
        $"{{'descr': {descr}, 'fortran_order': {fortran}, 'shape': {shape}, }}";

    /// <summary>INPUT: every .npy rule (magic, version, header length, the dict literal, descr, order, shape, data length) with its exact message.</summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Npy_headers_are_checked_rule_by_rule()
    {
        byte[] magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
        Fails([.. magic, 1, 0, 0], "tensor: not an .npy array (no \\x93NUMPY magic)", "9 bytes");
        Fails([.. magic, 1, 0, 0, 0], NotADict, "10 bytes, an empty header");
        Fails([.. magic, 2, 0, 0, 0, 0], "tensor: unsupported .npy version 2.0", "version 2 in 11 bytes");
        Fails([.. magic, 3, 0, 0, 0, 0], "tensor: unsupported .npy version 3.0", "version 3 in 11 bytes");
        Fails([.. magic, 2, 0, 0, 0, 0, 0], NotADict, "version 2 in 12 bytes");
        Fails([.. magic, 4, 0, 0, 0, 0, 0], "tensor: unsupported .npy version 4.0");
        Fails([.. magic, 4, 1, 0, 0, 0, 0], "tensor: unsupported .npy version 4.1");
        Fails([.. magic, 0, 0, 0, 0, 0, 0], "tensor: unsupported .npy version 0.0");
        string empty = H(shape: "(0,)");
        Fails(Npy(empty, [], declared: empty.Length + 1), $"tensor: header length {empty.Length + 1} runs past the end ({10 + empty.Length} bytes)");
        Fails(Npy(empty, [], 2, declared: empty.Length + 1), $"tensor: header length {empty.Length + 1} runs past the end ({12 + empty.Length} bytes)");
        Is(Reads(Npy(empty, [])).Single(), "tensor", [0], []);

        foreach (var header in new[]
                 {
                     "'descr': '<f8'}", "{'descr': '<f8'} x", "{descr: '<f8'}", "{'descr' '<f8'}", "{'descr': '<f8}", "{'shape': (1,}",
                     "{'shape': 3}", "{'descr': '<f8'", "{'descr': '<f8',", "{'descr':", "{'descr", "{", " ", "{'a': 'b'}}",
                 })
            Fails(Npy(header, F64(1)), NotADict + header.TrimEnd(), header);
        Fails(Npy("{'descr'\t'<f8'}\n", F64(1)), NotADict + "{'descr'?'<f8'}", "control characters shown as '?', the end trimmed");
        Fails(Npy("{'é'", [], 3), NotADict + "{'é'", "a version 3 header is UTF-8");
        // A quoted header is cut after 160 characters.
        string long160 = "{" + new string('x', 159), long161 = long160 + "y";
        Fails(Npy(long160, []), NotADict + long160, "160 characters");
        Fails(Npy(long161, []), NotADict + long160 + "…", "161 characters");
        Fails(Npy("{'é'", [], 2), NotADict + "{'é'", "a version 2 header is Latin-1");

        var cases = new (string Header, byte[] Data, string Message)[]
        {
            ("{'fortran_order': False, 'shape': (1,)}", F64(1), "header has no simple descr string (structured arrays are not supported): {'fortran_order': False, 'shape': (1,)}"),
            (H("None"), F64(1), $"header has no simple descr string (structured arrays are not supported): {H("None")}"),
            (H("'>f8'"), F64(1), "big-endian data (descr '>f8') is not supported; save it little-endian (numpy: a.astype(a.dtype.newbyteorder('<')))"),
            (H("'>'"), F64(1), "unknown descr '>' (supported: <f8, <f4, <f2, <i8, <i4, <i2, |i1, |u1, |b1)"),
            (H("'<c16'"), F64(1), "unknown descr '<c16' (supported: <f8, <f4, <f2, <i8, <i4, <i2, |i1, |u1, |b1)"),
            ("{'descr': '<f8', 'shape': (1,)}", F64(1), "header has no fortran_order True/False: {'descr': '<f8', 'shape': (1,)}"),
            (H(fortran: "'False'"), F64(1), $"header has no fortran_order True/False: {H(fortran: "'False'")}"),
            (H(fortran: "false"), F64(1), $"header has no fortran_order True/False: {H(fortran: "false")}"),
            ("{'descr': '<f8', 'fortran_order': False}", F64(1), "header has no shape tuple: {'descr': '<f8', 'fortran_order': False}"),
            (H(shape: "'(1,)'"), F64(1), $"header has no shape tuple: {H(shape: "'(1,)'")}"),
            (H(shape: "(1.5,)"), F64(1), "shape (1.5,) must hold integers"),
            (H(shape: "(-1,)"), F64(1), "shape [-1] has a negative dimension"),
            (H(shape: "(2,)"), F64(1), "shape (2) of '<f8' needs 16 bytes of data but 8 follow the header"),
            (H(shape: "(2,)"), F64(1, 2, 3), "shape (2) of '<f8' needs 16 bytes of data but 24 follow the header"),
            (H("'<i2'", shape: "(2, 3)"), new byte[10], "shape (2, 3) of '<i2' needs 12 bytes of data but 10 follow the header"),
            (H(shape: "(2147483647, 2147483647, 2147483647)"), F64(1), "shape (2147483647, 2147483647, 2147483647) of '<f8' needs more than 2^63 bytes of data but 8 follow the header"),
            (H(), F64(double.PositiveInfinity), "value Infinity at flat index 0 is not finite (weights must be finite)"),
            (H(shape: "(1073741824, 1073741824, 2)"), [], "shape (1073741824, 1073741824, 2) of '<f8' needs more than 2^63 bytes of data but 0 follow the header"),
            (H(shape: "(6981975, 125002481, 1321)"), F64(1), "shape (6981975, 125002481, 1321) of '<f8' needs 9223372036854775800 bytes of data but 8 follow the header"),
        };
        foreach (var (header, data, message) in cases) Fails(Npy(header, data), "tensor: " + message, header);
    }

    /// <summary>BYOM: .npy arrays read exactly: Fortran order transposed into row-major, 0-d and 1-d shapes, "3L", spacing and quotes, versions 2 and 3, every descr.</summary>
    [Test, Category(ClaimIds.Byom)]
    public void BYOM_Npy_arrays_read_exactly()
    {
        Is(Reads(Npy(H(fortran: "True", shape: "(2, 3)"), F64(Iota(6)))).Single(), "tensor", [2, 3], [0, 2, 4, 1, 3, 5]);
        Is(Reads(Npy(H(shape: "(2, 3)"), F64(Iota(6)))).Single(), "tensor", [2, 3], Iota(6));
        Is(Reads(Npy(H(fortran: "True", shape: "(2, 0)"), [])).Single(), "tensor", [2, 0], []);
        Is(Reads(Npy(H(shape: "()"), F64(4.5))).Single(), "tensor", [], [4.5]);
        Is(Reads(Npy(H(shape: "(3L,)"), F64(1, 2, 3))).Single(), "tensor", [3], [1, 2, 3]);
        Is(Reads(Npy("  {\"descr\" : \"<f8\" ,'fortran_order':False,  'shape' : ( 2 , ) }  \n", F64(1, 2))).Single(), "tensor", [2], [1, 2]);
        Is(Reads(Npy(H(shape: "(2,)") + "\n", F64(1, 2), 2)).Single(), "tensor", [2], [1, 2]);
        Is(Reads(Npy(H(shape: "(2,)"), F64(1, 2), 3)).Single(), "tensor", [2], [1, 2]);
        Is(Reads(Npy(H(shape: "(2,)"), F64(1, 2), 1, 9)).Single(), "tensor", [2], [1, 2]);
        foreach (var (descr, bytes, values, dtype) in new (string, byte[], double[], string)[]
                 {
                     ("<f4", BitConverter.GetBytes(-0.1f), [(double)-0.1f], "float32"),
                     ("<f2", [0x00, 0x3E], [1.5], "float16"),
                     ("<i8", BitConverter.GetBytes(-(1L << 53)), [-9007199254740992], "int64"),
                     ("<i4", BitConverter.GetBytes(-7), [-7], "int32"),
                     ("<i2", BitConverter.GetBytes((short)-300), [-300], "int16"),
                     ("|i1", [0xFF], [-1], "int8"),
                     ("|u1", [0xFF], [255], "uint8"),
                     ("|b1", [2], [1], "bool"),
                 })
            Is(Reads(Npy(H($"'{descr}'"), bytes)).Single(), "tensor", [1], values, dtype);
    }

    /// <summary>INPUT: .npz entries: duplicates, non-.npy data, zip bombs (declared size) and a flipped byte (CRC-32), each by its exact message.</summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Npz_entries_are_checked()
    {
        var a = Npy(H(), F64(1));
        Fails(ZipOf(("a.npy", a), ("a.npy", a)), "a.npy: appears twice in the archive");
        Fails(ZipOf(("a.npy", a), ("b.npy", Utf8("hello"))), "b.npy: not an .npy array (no \\x93NUMPY magic)");

        var big = Npy(H("'|u1'", shape: "(2097152,)"), new byte[2097152]);
        var bomb = ZipOf(CompressionLevel.Optimal, ("a.npy", big));
        Checks.Sanity(big.Length > 64L * bomb.Length + (1 << 20), $"{big.Length} bytes deflate into a file of {bomb.Length}");
        Fails(bomb, $"a.npy: declares {big.Length} bytes, more than 64 per byte of the file");
        // The limit is 64 bytes per byte of the file plus 1 MiB, each term tested from the side that must read: an entry past 64× a
        // small file but under 1 MiB, and an entry past 1 MiB beside an incompressible one that makes the file large enough.
        var zeros = Npy(H("'|u1'", shape: "(100000,)"), new byte[100000]);
        var small = ZipOf(CompressionLevel.Optimal, ("a.npy", zeros));
        Checks.Sanity(zeros.Length > 64L * small.Length && zeros.Length < (1 << 20), $"{zeros.Length} bytes in a file of {small.Length}");
        Checks.True(Reads(small).Single().Values.Length == 100000, "past 64 bytes per byte but within the MiB of slack: read");
        var noise = new byte[20000];
        new Random(20).NextBytes(noise);
        var wide = Npy(H(shape: "(140000,)"), new byte[8 * 140000]);   // float64: past 1 MiB of bytes, within the 2²⁰-element budget
        var large = ZipOf(CompressionLevel.Optimal, ("a.npy", wide), ("n.npy", Npy(H("'|u1'", shape: "(20000,)"), noise)));
        Checks.Sanity(wide.Length > (1 << 20) && wide.Length < 64L * large.Length + (1 << 20), $"{wide.Length} bytes in a file of {large.Length}");
        Checks.True(Reads(large).Select(t => t.Values.Length).SequenceEqual([140000, 20000]), "past the MiB but within 64 bytes per byte of the file: read");
        // The same bomb declaring 1000 bytes: ZipArchive inflates only the declared size, so the CRC-32 check refuses it.
        var inflated = (byte[])big.Clone();
        Array.Resize(ref inflated, 1000);
        uint declaredCrc = BinaryPrimitives.ReadUInt32LittleEndian(bomb.AsSpan(14));
        Checks.Sanity(declaredCrc == Crc32(big), "the local header holds the CRC-32 of the whole entry");
        Fails(Sized(bomb, 1000), $"a.npy: CRC-32 {Crc32(inflated):x8} does not match the archive's {declaredCrc:x8} (corrupt archive)");
        // A stored entry whose directory says one byte less or more than its data.
        Fails(Sized(ZipOf(("a.npy", a)), a.Length - 1), $"a.npy: holds {a.Length} bytes but its directory entry says {a.Length - 1} (truncated or corrupt archive)");
        Fails(Sized(ZipOf(("a.npy", a)), a.Length + 1), $"a.npy: holds {a.Length} bytes but its directory entry says {a.Length + 1} (truncated or corrupt archive)");

        // A stored entry with one data byte flipped after zipping: the local data changes, the recorded CRC-32 does not.
        var zip = ZipOf(("a.npy", a));
        int data = 30 + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(28));
        Checks.Sanity(zip.AsSpan(data, a.Length).SequenceEqual(a), "the stored entry's data follow its local header");
        zip[data + a.Length - 1] ^= 0x40; // the sign byte of the value 1.0
        var flipped = (byte[])a.Clone();
        flipped[^1] ^= 0x40;
        Fails(zip, $"a.npy: CRC-32 {Crc32(flipped):x8} does not match the archive's {Crc32(a):x8} (corrupt archive)");

        // A file that starts like a zip but has no readable directory: the zip library's refusal, named as the zip directory's.
        var broken = Assert.Throws<InvalidDataException>(() => CheckpointReader.Read([(byte)'P', (byte)'K', 3, 4, 0, 0, 0, 0], "f"))!;
        Checks.True(broken.Message.StartsWith("f: zip directory: corrupt or truncated content (InvalidDataException: ", StringComparison.Ordinal), broken.Message);
        var r = Reads(ZipOf(("x.npy", a), ("dir/y.npy", Npy(H(shape: "(2,)"), F64(3, 4)))));
        Is(r[0], "x", [1], [1]);
        Is(r[1], "dir/y", [2], [3, 4]);
    }

    /// <summary>A one-entry zip with the entry's uncompressed size patched in its local header and its directory entry.</summary>
    private static byte[] Sized(byte[] zip, int size)
    {
        var z = (byte[])zip.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(z.AsSpan(22), size);
        int cd = z.AsSpan().IndexOf("PK\u0001\u0002"u8);
        BinaryPrimitives.WriteInt32LittleEndian(z.AsSpan(cd + 24), size);
        return z;
    }

    /// <summary>The zip CRC-32 (reflected polynomial 0xEDB88320), bit by bit.</summary>
    private static uint Crc32(byte[] data)
    {
        uint c = 0xFFFFFFFF;
        foreach (var b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB88320 : c >> 1;
        }
        return ~c;
    }

    // ---------------------------------------------------------------- torch zip

    /// <summary>A protocol-2 pickle written opcode by opcode.</summary>
    private sealed class P
    {
        private readonly List<byte> _b = [0x80, 2];
        public P Op(params byte[] x) { _b.AddRange(x); return this; }
        public P Op(char c) => Op((byte)c);
        public P Global(string module, string name) => Op('c').Op(Utf8($"{module}\n{name}\n"));
        public P Int(int v) => v is >= 0 and < 256 ? Op('K', (byte)v) : Op((byte)'J').Op(BitConverter.GetBytes(v));
        public P Op(char c, byte b) => Op((byte)c, b);
        public P Str(string s) { var u = Utf8(s); return Op((byte)'X').Op(BitConverter.GetBytes(u.Length)).Op(u); }
        public P Tuple(params Action<P>[] items) { Op('('); foreach (var i in items) i(this); return Op('t'); }
        public P Ints(params int[] v) => Tuple(v.Select(x => (Action<P>)(p => p.Int(x))).ToArray());

        /// <summary>A persistent id ('storage', torch.TYPE, key, location, numel).</summary>
        public P Storage(string type = "DoubleStorage", string key = "0", int numel = 8) =>
            Tuple(p => p.Str("storage"), p => p.Global("torch", type), p => p.Str(key), p => p.Str("cpu"), p => p.Int(numel)).Op('Q');

        /// <summary>_rebuild_tensor_v2(storage, offset, size, stride).</summary>
        public P Tensor(int offset, int[] size, int[] stride, int numel = 8, string type = "DoubleStorage") =>
            Global("torch._utils", "_rebuild_tensor_v2").Tuple(p => p.Storage(type, numel: numel), p => p.Int(offset), p => p.Ints(size), p => p.Ints(stride)).Op('R');

        public P Scalar(int offset) => Tensor(offset, [], []);

        /// <summary>A dict: EMPTY_DICT, then SETITEM per item.</summary>
        public P Dict(params (Action<P> Key, Action<P> Value)[] items)
        {
            Op('}');
            foreach (var (k, v) in items) { k(this); v(this); Op('s'); }
            return this;
        }
        public byte[] Stop() => [.. _b, (byte)'.'];
    }

    private static byte[] Torch(P pickle, byte[]? storage) => CheckpointFormats.TorchArchive(pickle.Stop(), storage);

    /// <summary>INPUT: the archive's layout: one PREFIX/data.pkl, unique entries, a little-endian byteorder.</summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Torch_archives_need_one_prefix_and_little_endian_storages()
    {
        var pkl = new P().Op('N').Stop();
        const string none = "data.pkl: a PyTorch archive needs exactly one PREFIX/data.pkl (found data.pkl at the top level or nested deeper)";
        Fails(ZipOf(("data.pkl", pkl)), none, "top level");
        Fails(ZipOf(("a/b/data.pkl", pkl)), none, "two deep");
        Fails(ZipOf(("a/data.pkl", pkl), ("b/data.pkl", pkl)), "data.pkl: the archive has 2 data.pkl files (a/data.pkl, b/data.pkl); expected one");
        Fails(ZipOf(("archive/data.pkl", pkl), ("archive/version", [51]), ("archive/version", [51])), "archive/version: appears twice in the archive");
        Fails(ZipOf(("archive/data.pkl", pkl), ("archive/byteorder", Utf8("big\n"))),
            "archive/byteorder: big-endian storages (byteorder 'big') are not supported; re-save the checkpoint on a little-endian machine");
        Fails(ZipOf(("archive/data.pkl", pkl), ("archive/byteorder", Utf8("middle"))), "archive/byteorder: byteorder must be 'little' or 'big' (got 'middle')");
        var scalar = new P().Scalar(1).Stop();
        foreach (var order in new[] { "little", " little\n" })
            Is(Reads(ZipOf(("archive/data.pkl", scalar), ("archive/byteorder", Utf8(order)), ("archive/data/0", F64(Iota(8))))).Single(), "tensor", [], [1]);
        // Another prefix's byteorder is not this archive's.
        Is(Reads(ZipOf(("archive/data.pkl", scalar), ("other/byteorder", Utf8("big")), ("archive/data/0", F64(Iota(8))))).Single(), "tensor", [], [1]);
    }

    /// <summary>INPUT: a global outside the allow-list is refused by its full name; model-like globals get the state_dict hint.</summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Torch_globals_outside_the_allow_list_are_refused_by_name()
    {
        const string model = " (this looks like a fully pickled model or a TorchScript archive: save model.state_dict() instead)";
        foreach (var (module, name, why) in new[]
                 {
                     ("torch.nn", "Linear", model), ("__main__", "X", model), ("__torch__", "X", model),
                     ("os", "system", ""), ("torch", "load", ""), ("torch.nnx", "Y", ""), ("torch._utils", "_rebuild_tensor_v3", ""),
                 })
            Fails(Torch(new P().Global(module, name).Op(')').Op('R'), null), $"{Pkl}refused global '{module}.{name}': {AllowList}{why}", name);
    }

    /// <summary>
    /// INPUT: what the pickle machine may build — a storage persistent id ('storage', torch.XStorage, plain key, location,
    /// numel ≥ 0), _rebuild_tensor_v2 with (storage, int offset, int tuple size, int tuple stride), _rebuild_parameter on a
    /// tensor, OrderedDict of pairs — each departure refused with its exact message; storages must exist and hold numel elements.
    /// </summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Torch_pickles_may_only_describe_tensors_in_storages()
    {
        const string pidRule = "persistent id must be ('storage', type, key, location, numel)";
        const string rebuildRule = "_rebuild_tensor needs (storage, offset, size, stride, ...)";
        var storage = F64(Iota(8));
        P Rebuild(params Action<P>[] args) => new P().Global("torch._utils", "_rebuild_tensor_v2").Tuple(args).Op('R');
        P Pid(params Action<P>[] items) => Rebuild(p => p.Tuple(items).Op('Q'), I(0), p => p.Ints(1), p => p.Ints(1));
        static Action<P> S(string s) => p => p.Str(s);
        static Action<P> I(int v) => p => p.Int(v);
        Action<P> none = p => p.Op('N'), type = p => p.Global("torch", "DoubleStorage"), good = p => p.Storage();
        P Call(string module, string name, params Action<P>[] args) => new P().Global(module, name).Tuple(args).Op('R');
        var cases = new (P Pickle, string Rule)[]
        {
            (Pid(S("storage"), type, S("0"), S("cpu")), pidRule + " (got (storage, torch.DoubleStorage, 0, cpu))"),
            (Pid(S("blob"), type, S("0"), S("cpu"), I(1)), pidRule + " (got (blob, torch.DoubleStorage, 0, cpu, 1))"),
            (Pid(S("storage"), p => p.Ints(1), none), pidRule + " (got (storage, (…), None))"),
            (Rebuild(p => p.Str("storage").Op('Q'), I(0), p => p.Ints(1), p => p.Ints(1)), pidRule + " (got storage)"),
            (Rebuild(p => p.Op('N').Op('Q'), I(0), p => p.Ints(1), p => p.Ints(1)), pidRule + " (got None)"),
            (Pid(S("storage"), S("x"), S("0"), S("cpu"), I(1)), "persistent id names no torch storage type (got x)"),
            (Pid(S("storage"), type, S(""), S("cpu"), I(1)), "storage key must be a plain name (got )"),
            (Pid(S("storage"), type, S("a/b"), S("cpu"), I(1)), "storage key must be a plain name (got a/b)"),
            (Pid(S("storage"), type, S("a\\b"), S("cpu"), I(1)), "storage key must be a plain name (got a\\b)"),
            (Pid(S("storage"), type, S("x..y"), S("cpu"), I(1)), "storage key must be a plain name (got x..y)"),
            (Pid(S("storage"), type, I(0), S("cpu"), I(1)), "storage key must be a plain name (got 0)"),
            (Pid(S("storage"), type, S("0"), none, I(1)), "storage location must be a string such as 'cpu' or 'cuda:0' (got None)"),
            (Pid(S("storage"), type, S("0"), S("cpu"), I(-1)), "storage numel -1 is negative"),
            (Pid(S("storage"), type, S("0"), S("cpu"), S("8")), "storage numel must be an integer (got 8)"),
            (Pid(S("storage"), type, S("0"), S("cpu"), none), "storage numel must be an integer (got None)"),
            (Rebuild(good, I(0), p => p.Ints(1)), rebuildRule),
            (Rebuild(none, I(0), p => p.Ints(1), p => p.Ints(1)), rebuildRule),
            (Rebuild(good, none, p => p.Ints(1), p => p.Ints(1)), "storage offset must be an integer (got None)"),
            (Rebuild(good, I(0), I(1), p => p.Ints(1)), "size must be a tuple of integers (got 1)"),
            (Rebuild(good, I(0), p => p.Ints(1), p => p.Tuple(S("a"))), "stride must be an integer (got a)"),
            (Call("torch._utils", "_rebuild_parameter", none), "_rebuild_parameter needs a tensor as its first argument"),
            (Call("torch._utils", "_rebuild_parameter"), "_rebuild_parameter needs a tensor as its first argument"),
            (Call("collections", "OrderedDict", I(1)), "OrderedDict takes no arguments or a list of pairs"),
            (Call("collections", "OrderedDict", p => p.Op(']'), I(1)), "OrderedDict takes no arguments or a list of pairs"),
            (Call("collections", "OrderedDict", p => p.Op(']').Int(1).Op('a')), "OrderedDict items must be (key, value) pairs"),
            (Call("collections", "OrderedDict", p => p.Op(']').Ints(1, 2, 3).Op('a')), "OrderedDict items must be (key, value) pairs"),
            (Call("torch", "DoubleStorage"), "torch.DoubleStorage may only appear in a storage persistent id"),
        };
        foreach (var (pickle, rule) in cases) Fails(Torch(pickle, storage), Pkl + rule, rule);

        Fails(Torch(new P().Scalar(0), null), "tensor: its storage 'archive/data/0' is missing from the archive");
        Fails(Torch(new P().Tensor(0, [3], [1], 3), F64(1, 2, 3)[..23]),
            "archive/data/0: storage shorter than declared: 23 bytes hold fewer than the 3 float64 elements the pickle declares");
        Fails(Torch(new P().Tensor(0, [3], [1], 3, "FloatStorage"), new byte[11]),
            "archive/data/0: storage shorter than declared: 11 bytes hold fewer than the 3 float32 elements the pickle declares");
        Is(Reads(Torch(new P().Tensor(0, [3], [1], 3), F64(1, 2, 3))).Single(), "tensor", [3], [1, 2, 3]);
        // A longer storage is cut at numel: a view may not reach past it.
        Fails(Torch(new P().Tensor(1, [3], [1], 3), F64(1, 2, 3, 4)),
            "tensor: storage shorter than the tensor: it holds 3 elements but offset 1, shape [3] and strides [1] reach element 3");
    }

    /// <summary>INPUT: a view must lie inside its storage (offset, strides, last element), and its values must be finite and exact.</summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Torch_views_must_lie_inside_their_storage()
    {
        var s = F64(Iota(4));
        const string shorter = "tensor: storage shorter than the tensor: it holds 4 elements but ";
        Fails(Torch(new P().Tensor(0, [2], [1, 1], 4), s), "tensor: has 1 dimensions but 2 strides");
        Fails(Torch(new P().Tensor(0, [2, 2], [1], 4), s), "tensor: has 2 dimensions but 1 strides");
        Fails(Torch(new P().Tensor(-1, [1], [1], 4), s), "tensor: storage offset -1 is negative");
        Fails(Torch(new P().Tensor(0, [2, 2], [2, -1], 4), s), "tensor: strides [2, -1] include a negative stride");
        Fails(Torch(new P().Tensor(0, [2, -1], [1, 1], 4), s), "tensor: shape [2, -1] has a negative dimension");
        Fails(Torch(new P().Tensor(1, [2, 2], [2, 1], 4), s), shorter + "offset 1, shape [2, 2] and strides [2, 1] reach element 4");
        Fails(Torch(new P().Tensor(0, [2, 3], [2, 1], 4), s), shorter + "offset 0, shape [2, 3] and strides [2, 1] reach element 4");
        Fails(Torch(new P().Tensor(4, [], [], 4), s), shorter + "offset 4, shape [] and strides [] reach element 4");
        Is(Reads(Torch(new P().Tensor(0, [2, 2], [2, 1], 4), s)).Single(), "tensor", [2, 2], [0, 1, 2, 3]);
        Is(Reads(Torch(new P().Tensor(3, [], [], 4), s)).Single(), "tensor", [], [3]);
        Is(Reads(Torch(new P().Tensor(10, [0], [1], 4), s)).Single(), "tensor", [0], []);
        Fails(Torch(new P().Tensor(0, [2], [1], 4), F64(0, double.NaN, 0, 0)), "tensor: value NaN at flat index 1 is not finite (weights must be finite)");
        // Every torch storage type reads as its element type (one element each).
        foreach (var (type, bytes, value, dtype) in new (string, byte[], double, string)[]
                 {
                     ("DoubleStorage", F64(-2.5), -2.5, "float64"),
                     ("FloatStorage", BitConverter.GetBytes(-0.1f), -0.1f, "float32"),
                     ("HalfStorage", [0x00, 0x3E], 1.5, "float16"),
                     ("BFloat16Storage", [0xC0, 0x3F], 1.5, "bfloat16"),
                     ("LongStorage", BitConverter.GetBytes(-(1L << 40)), -(1L << 40), "int64"),
                     ("IntStorage", BitConverter.GetBytes(-7), -7, "int32"),
                     ("ShortStorage", BitConverter.GetBytes((short)-300), -300, "int16"),
                     ("CharStorage", [0xFF], -1, "int8"),
                     ("ByteStorage", [0xFF], 255, "uint8"),
                     ("BoolStorage", [1], 1, "bool"),
                 })
            Is(Reads(Torch(new P().Tensor(0, [1], [1], 1, type), bytes)).Single(), "tensor", [1], [value], dtype);
        Is(Reads(Torch(new P().Tensor(0, [0], [1], 0), [])).Single(), "tensor", [0], []);   // an empty storage (torch writes them)
        // The flat index of the view, not the storage index (stride 2: storage element 4 is flat index 2).
        var longs = new long[] { 0, 0, 0, 0, (1L << 53) + 1 }.SelectMany(BitConverter.GetBytes).ToArray();
        Fails(Torch(new P().Tensor(0, [3], [2], 5, "LongStorage"), longs), "tensor: int64 value 9007199254740993 is not exactly a double (at flat index 2)");
    }

    /// <summary>
    /// INPUT: all views of one file expand to at most max(8 · file length, 2^20) elements together: a stride-0 view of 2^20
    /// elements reads; two views of 2^19 and 2^19 + 1 are refused at the second; a file over 2^17 bytes gets 8 per byte.
    /// </summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Views_may_not_expand_beyond_the_element_budget()
    {
        const string rule = "the tensors would expand to more than {0} elements, 8 per byte of the file (crafted shape or shared storage)";
        var one = F64(2.5);
        var read = Reads(Torch(new P().Tensor(0, [1 << 20], [0], 1), one)).Single();
        Checks.True(read.Shape.SequenceEqual([1 << 20]) && read.Values.Length == 1 << 20 && read.Values.All(v => v == 2.5), "2^20 copies of 2.5");
        P Two(int second) => new P().Dict((p => p.Str("a"), p => p.Tensor(0, [1 << 19], [0], 1)), (p => p.Str("b"), p => p.Tensor(0, [second], [0], 1)));
        Checks.True(Reads(Torch(Two(1 << 19), one)).Sum(t => t.Values.Length) == 1 << 20, "two halves read");
        Fails(Torch(Two((1 << 19) + 1), one), "b: " + string.Format(rule, 1 << 20));

        var zeros = new byte[8 * 20000];
        int length = Torch(new P().Tensor(0, [1 << 21], [0], 20000), zeros).Length;
        var large = Torch(new P().Tensor(0, [8 * length + 1], [0], 20000), zeros);
        Checks.Sanity(large.Length == length && 8L * length > 1 << 20, $"the file has {large.Length} bytes either way");
        Fails(large, "tensor: " + string.Format(rule, 8L * length));
    }

    /// <summary>BYOM: strided views (transposed, offset, stride 2, stride 0, both strides with an offset) read row-major.</summary>
    [Test, Category(ClaimIds.Byom)]
    public void BYOM_Torch_strided_views_read_row_major()
    {
        var r = Reads(Torch(new P().Dict(
            (p => p.Str("t"), p => p.Tensor(0, [3, 2], [1, 3])),
            (p => p.Str("o"), p => p.Tensor(2, [2], [1])),
            (p => p.Str("e"), p => p.Tensor(0, [3], [2])),
            (p => p.Str("m"), p => p.Tensor(1, [2, 2], [3, 2])),
            (p => p.Str("z"), p => p.Tensor(5, [2, 3], [0, 1])),
            (p => p.Str("a"), p => p.Tensor(0, [8], [1]))), F64(Iota(8))));
        Checks.True(r.Select(t => t.Name).SequenceEqual(["a", "e", "m", "o", "t", "z"]), $"names {string.Join(", ", r.Select(t => t.Name))}");
        Is(r[0], "a", [8], Iota(8));
        Is(r[1], "e", [3], [0, 2, 4]);
        Is(r[2], "m", [2, 2], [1, 3, 4, 6]);
        Is(r[3], "o", [2], [2, 3]);
        Is(r[4], "t", [3, 2], [0, 3, 1, 4, 2, 5]);
        Is(r[5], "z", [2, 3], [5, 6, 7, 5, 6, 7]);
    }

    /// <summary>
    /// BYOM: tensor names are paths: a bare tensor is "tensor"; dict keys (strings, None, ints) in ordinal order; list and
    /// tuple indices; OrderedDict keys in file order; parameters are their tensor; other leaves are skipped. Nesting 64
    /// levels deep reads, 65 is refused naming the path.
    /// </summary>
    [Test, Category(ClaimIds.Byom)]
    public void BYOM_Torch_tensors_are_named_by_their_path()
    {
        var s = F64(Iota(8));
        Is(Reads(Torch(new P().Scalar(2), s)).Single(), "tensor", [], [2]);
        Action<P> leaves = p => p.Op(']')
            .Int(1).Op('a').Op('G').Op(BitConverter.GetBytes(1.5).Reverse().ToArray()).Op('a').Str("x").Op('a').Op(0x88).Op('a')
            .Op((byte)'C', 2, 1, 2).Op('a').Op('N').Op('a').Storage().Op('a').Global("torch", "FloatStorage").Op('a')
            .Op(0x8f).Op('a').Op(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1).Op('a').Op(0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 1).Op('a')
            .Op('V').Op((byte)'\n').Op('a');   // an empty line operand (u'')
        var r = Reads(Torch(new P().Dict(
            (p => p.Str("b"), p => p.Scalar(1)),
            (p => p.Str("B"), p => p.Scalar(2)),
            (p => p.Str("a"), p => p.Op(']').Scalar(3).Op('a').Op('N').Op('a').Tuple(q => q.Scalar(4), q => q.Str("x")).Op('a')),
            (p => p.Str("op"), p => p.Global("collections", "OrderedDict").Tuple(q => q.Op(']').Tuple(u => u.Str("y"), u => u.Scalar(1)).Op('a').Tuple(u => u.Str("x"), u => u.Scalar(2)).Op('a')).Op('R')
                .Op('(').Str("w").Scalar(3).Str("v").Scalar(4).Op('u')),
            (p => p.Int(10), p => p.Scalar(6)),
            (p => p.Int(9), p => p.Scalar(7)),
            (p => p.Str("skip"), leaves),
            (p => p.Str("p"), p => p.Global("torch._utils", "_rebuild_parameter").Tuple(q => q.Scalar(0), q => q.Op(0x89), q => q.Global("collections", "OrderedDict").Op(')').Op('R')).Op('R')),
            (p => p.Str("p1"), p => p.Global("torch._utils", "_rebuild_parameter").Tuple(q => q.Scalar(5)).Op('R')),   // the tensor alone is enough
            (p => p.Str("od"), p => p.Global("collections", "OrderedDict").Op(')').Op('R').Op('(').Str("y").Scalar(1).Str("x").Scalar(2).Op('u'))), s));
        var names = r.Select(t => $"{t.Name}={t.Values.Single()}");
        Checks.True(names.SequenceEqual(["10=6", "9=7", "B=2", "a.0=3", "a.2.0=4", "b=1", "od.y=1", "od.x=2", "op.y=1", "op.x=2", "op.w=3", "op.v=4", "p=0", "p1=5"]), $"names {string.Join(", ", names)}");

        // A None key: Python allows it, but the pickle machine's Hashtable refuses null keys, so the file is refused as corrupt.
        var none = Assert.Throws<InvalidDataException>(() => Reads(Torch(new P().Dict((p => p.Op('N'), p => p.Scalar(5))), s)));
        Checks.True(none!.Message.StartsWith("f: archive/data.pkl: corrupt or truncated content (ArgumentNullException: ", StringComparison.Ordinal), none.Message);

        P Nested(int depth)
        {
            var p = new P();
            for (int i = 0; i < depth; i++) p.Op(']');
            p.Scalar(1);
            for (int i = 0; i < depth; i++) p.Op('a');
            return p;
        }
        Is(Reads(Torch(Nested(64), s)).Single(), string.Join(".", Enumerable.Repeat("0", 64)), [], [1]);
        Fails(Torch(Nested(65), s), $"{Pkl}the pickled object nests deeper than 64 levels at '{string.Join(".", Enumerable.Repeat("0", 65))}' (cyclic?)");
        // The same limit through dicts (unpickled as hash tables) and OrderedDicts: each container kind counts one level.
        Action<P> NestedDict(int depth) => depth == 0 ? p => p.Scalar(1) : p => p.Dict((q => q.Str("k"), NestedDict(depth - 1)));
        Action<P> NestedOrdered(int depth) => depth == 0 ? p => p.Scalar(1)
            : p => { p.Global("collections", "OrderedDict").Op(')').Op('R').Op('(').Str("k"); NestedOrdered(depth - 1)(p); p.Op('u'); };
        foreach (var nest in new Func<int, Action<P>>[] { NestedDict, NestedOrdered })
        {
            P Build(int depth) { var p = new P(); nest(depth)(p); return p; }
            Is(Reads(Torch(Build(64), s)).Single(), string.Join(".", Enumerable.Repeat("k", 64)), [], [1]);
            Fails(Torch(Build(65), s), $"{Pkl}the pickled object nests deeper than 64 levels at '{string.Join(".", Enumerable.Repeat("k", 65))}' (cyclic?)");
        }
    }

    /// <summary>
    /// INPUT: the walk of the unpickled tree visits at most 10^6 nodes, shared references counted each time: an outer list
    /// holding one inner list k times has 1 + k·(1 + m) nodes — 999 lists of 1000 Nones (exactly 10^6) read, 1000 of 999 are refused.
    /// </summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Shared_references_may_not_expand_beyond_a_million_nodes()
    {
        static P Shared(int k, int m)
        {
            var p = new P().Op(']').Op('(').Op(']').Op('(');
            for (int i = 0; i < m; i++) p.Op('N');
            p.Op('e').Op('q', 0);
            for (int i = 1; i < k; i++) p.Op('h', 0);
            return p.Op('e');
        }
        Checks.True(Reads(Torch(Shared(999, 1000), null)).Count == 0, "10^6 nodes read");
        Fails(Torch(Shared(1000, 999), null), $"{Pkl}the pickled object has more than 1000000 nodes (shared or cyclic references?)");
    }

    // ---------------------------------------------------------------- the pickle scan

    private static void Refused(byte[] pickle, string global, string what) =>
        Fails(CheckpointFormats.TorchArchive(pickle), $"{Pkl}refused global '{global}': {AllowList}", what);

    private static void ScanFails(byte[] pickle, string rule) => Fails(CheckpointFormats.TorchArchive(pickle), Pkl + rule, rule);

    private static byte[] Ff(int n) => Enumerable.Repeat((byte)0xff, n).ToArray();
    private static readonly byte[] OsSystem = [(byte)'c', .. Utf8("os\nsystem\n")];

    /// <summary>INPUT: the scan refuses truncated pickles, invalid opcodes and indirect globals, naming the byte.</summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Pickle_scan_refuses_truncated_and_indirect_pickles()
    {
        const string stop = "pickle ends without a STOP opcode (truncated)";
        ScanFails([0x80, 2], stop);
        ScanFails([], stop);
        ScanFails([0x80, 2, 0xff, (byte)'.'], "invalid pickle opcode 0xff at byte 2");
        ScanFails([0x80, 2, (byte)'N', 0x0a], "invalid pickle opcode 0x0a at byte 3");
        foreach (byte op in new byte[] { 0x82, 0x83, 0x84 })
            ScanFails([0x80, 2, op, 1, 0, 0, 0, (byte)'.'], "extension-registry opcodes (EXT1/EXT2/EXT4) name globals indirectly and are refused");
        ScanFails([0x80, 5, 0x97, (byte)'.'], "out-of-band buffers (NEXT_BUFFER) are refused");
        foreach (var (pickle, at) in new (byte[], int)[]
                 {
                     ([0x80], 1), ([0x80, 2, (byte)'J', 1, 2], 3), ([0x80, 2, (byte)'K'], 3), ([0x80, 2, (byte)'M', 1], 3),
                     ([0x80, 2, (byte)'G', .. Ff(7)], 3), ([0x80, 2, 0x95, .. Ff(7)], 3),
                     ([0x80, 2, (byte)'q'], 3), ([0x80, 2, (byte)'h'], 3), ([0x80, 2, (byte)'r', 1, 2, 3], 3), ([0x80, 2, (byte)'j', 1, 2, 3], 3),
                     ([0x80, 2, (byte)'X', 1, 0], 3), ([0x80, 2, (byte)'X', 5, 0, 0, 0, 1, 2, 3, 4], 7), ([0x80, 2, 0x8c, 2, 1], 4),
                     ([0x80, 2, 0x8d, 2, 0, 0, 0, 0, 0, 0, 0, 1], 11), ([0x80, 2, 0x8e, .. Ff(8), (byte)'.'], 11), ([0x80, 2, (byte)'U'], 3),
                 })
            ScanFails(pickle, $"pickle operand at byte {at} runs past the end (truncated)");
        ScanFails([0x80, 2, (byte)'c', (byte)'o', (byte)'s'], "pickle line operand at byte 3 has no end (truncated)");
        ScanFails([0x80, 2, (byte)'c', (byte)'o', (byte)'s', 0x0a, (byte)'s'], "pickle line operand at byte 6 has no end (truncated)");
        ScanFails([0x80, 2, (byte)'I', (byte)'1'], "pickle line operand at byte 3 has no end (truncated)");
        // Operands that end exactly at the STOP read (a pickle of an int holds no tensors).
        Checks.True(Reads(CheckpointFormats.TorchArchive([0x80, 2, (byte)'J', 1, 2, 3, 4, (byte)'.'])).Count == 0, "an exact operand reads");
        Checks.True(Reads(CheckpointFormats.TorchArchive([0x80, 2, 0x8c, 1, (byte)'x', (byte)'.'])).Count == 0, "an exact string reads");
    }

    /// <summary>
    /// INPUT: the scan skips every operand by its exact length: each opcode with an operand, followed by GLOBAL os.system,
    /// must be refused naming exactly 'os.system' (one byte too few or too many misparses into another error).
    /// </summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Pickle_scan_skips_every_operand_exactly()
    {
        static byte[] Len(int width) => width switch { 1 => [2], 4 => [2, 0, 0, 0], _ => [2, 0, 0, 0, 0, 0, 0, 0] };
        var operands = new List<(string What, byte[] Bytes)>
        {
            ("BININT1", [(byte)'K', .. Ff(1)]), ("BININT2", [(byte)'M', .. Ff(2)]), ("BININT", [(byte)'J', .. Ff(4)]),
            ("BINFLOAT", [(byte)'G', .. Ff(8)]), ("FRAME", [0x95, .. Ff(8)]), ("PROTO", [0x80, 0xff]),
            ("BINPUT", [(byte)'q', 0xff]), ("LONG_BINPUT", [(byte)'r', .. Ff(4)]), ("BINGET", [(byte)'h', 0xff]), ("LONG_BINGET", [(byte)'j', .. Ff(4)]),
            ("INST", [(byte)'(', (byte)'i', .. Utf8("torch\nFloatStorage\n"), (byte)'0']), ("GLOBAL", [(byte)'c', .. Utf8("torch\nFloatStorage\n")]),
            ("no-operand opcodes", [(byte)'(', (byte)'0', (byte)'1', (byte)'2', (byte)'N', (byte)'Q', (byte)'R', (byte)'a', (byte)'b', (byte)'d', (byte)'}',
                (byte)'e', (byte)'l', (byte)']', (byte)'o', (byte)'s', (byte)'t', (byte)')', (byte)'u', 0x81, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8f, 0x90, 0x91, 0x92, 0x98, 0x94]),
        };
        foreach (var (op, width) in new[] { ('U', 1), ('C', 1), ((char)0x8a, 1), ((char)0x8c, 1), ('T', 4), ('B', 4), ((char)0x8b, 4), ('X', 4), ((char)0x8d, 8), ((char)0x8e, 8), ((char)0x96, 8) })
            operands.Add(($"0x{(int)op:x2} (length of {width} bytes)", [(byte)op, .. Len(width), .. Ff(2)]));
        foreach (var op in "FILPSVgp")
            operands.Add(($"'{op}' (a line)", [(byte)op, (byte)'0', 0x0a]));
        foreach (var (what, bytes) in operands) Refused([0x80, 2, .. bytes, .. OsSystem, (byte)'.'], "os.system", what);
    }

    /// <summary>
    /// INPUT: STACK_GLOBAL names the two strings pushed last, also when they come back from the memo by each PUT/GET pair or
    /// memo writes sit between them; any other push between them makes the names "not literal strings".
    /// </summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Stack_global_is_refused_by_name_or_as_computed()
    {
        byte[] os = [0x8c, 2, .. Utf8("os")], system = [0x8c, 6, .. Utf8("system")];
        byte[] pop2 = [(byte)'0', (byte)'0'];
        foreach (var (what, bytes) in new (string, byte[])[]
                 {
                     ("two strings", [.. os, .. system]),
                     ("BINUNICODE", [(byte)'X', 2, 0, 0, 0, .. Utf8("os"), (byte)'X', 6, 0, 0, 0, .. Utf8("system")]),
                     ("BINUNICODE8", [0x8d, 2, 0, 0, 0, 0, 0, 0, 0, .. Utf8("os"), 0x8d, 6, 0, 0, 0, 0, 0, 0, 0, .. Utf8("system")]),
                     ("MEMOIZE + BINGET", [.. os, 0x94, .. system, 0x94, .. pop2, (byte)'h', 0, (byte)'h', 1]),
                     ("BINPUT + BINGET", [.. os, (byte)'q', 5, .. system, (byte)'q', 6, .. pop2, (byte)'h', 5, (byte)'h', 6]),
                     ("LONG_BINPUT + LONG_BINGET", [.. os, (byte)'r', 44, 1, 0, 0, .. system, (byte)'r', 45, 1, 0, 0, .. pop2, (byte)'j', 44, 1, 0, 0, (byte)'j', 45, 1, 0, 0]),
                     ("PUT + GET", [.. os, (byte)'p', .. Utf8("7\n"), .. system, (byte)'p', .. Utf8("8\n"), .. pop2, (byte)'g', .. Utf8("7\n"), (byte)'g', .. Utf8("8\n")]),
                     ("memo writes between", [.. os, 0x94, (byte)'q', 3, (byte)'r', 4, 0, 0, 0, (byte)'p', .. Utf8("5\n"), 0x80, 4, .. system]),
                 })
            Refused([0x80, 4, .. bytes, 0x93, (byte)')', (byte)'R', (byte)'.'], "os.system", what);
        foreach (var bytes in new byte[][]
                 {
                     [.. os, (byte)'K', 1], [.. system], [.. os, (byte)'N', .. system], [.. os, .. system, (byte)'K', 1],
                     [(byte)'h', 9, (byte)'h', 9], [.. os, (byte)'g', .. Utf8("x\n"), (byte)'g', .. Utf8("x\n")], [.. os, .. OsSystem],
                 })
            ScanFails([0x80, 4, .. bytes, 0x93, (byte)'.'], "STACK_GLOBAL on names that are not literal strings is refused");
    }

    // ---------------------------------------------------------------- writers

    private static NamedTensor T(string name, int[] shape, params double[] v) => new(name, shape, v, "float64");

    /// <summary>INPUT: the writers' refusals, each exact (the first bad tensor by index, its name, the rule), for both formats.</summary>
    [Test, Category(ClaimIds.Input)]
    public void INPUT_Writers_refuse_with_exact_messages()
    {
        string path = Path.Combine(Path.GetTempPath(), $"loopedicl-never-written-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var cases = new (NamedTensor[] Tensors, string Rule)[]
        {
            ([T("", [1], 1)], "tensors[0].Name must be non-empty."),
            ([T("a", [1], 1), T("a", [1], 2)], "tensors[1].Name 'a' appears twice; names must be unique."),
            ([T("a", [2, -1])], "tensors[0] ('a') has a negative dimension in shape [2, -1]."),
            ([T("a", [3], 1, 2)], "tensors[0] ('a') has 2 values but shape [3] needs 3."),
            ([T("a", [], 1, 2)], "tensors[0] ('a') has 2 values but shape [] needs 1."),
            ([T("a", [2, 2], 1, 2, 3)], "tensors[0] ('a') has 3 values but shape [2, 2] needs 4."),
            ([T("a", [1], 1), T("b", [2], 1, double.NaN)], "tensors[1] ('b') value NaN at index 1 must be finite."),
            ([T("b", [1], double.NegativeInfinity)], "tensors[0] ('b') value -Infinity at index 0 must be finite."),
        };
        foreach (var write in new Action<string, IReadOnlyList<NamedTensor>>[] { CheckpointWriter.WriteSafetensors, CheckpointWriter.WriteNpz })
        {
            foreach (var (tensors, rule) in cases)
            {
                var ex = Refusals.Rejects(() => write(path, tensors), "tensors", rule);
                Checks.True(ex.Message == rule + " (Parameter 'tensors')", $"exactly «{rule}»: {ex.Message}");
                Checks.True(!File.Exists(path), "nothing written");
            }
            foreach (var blank in new[] { "", " " })
            {
                var ex = Refusals.Rejects(() => write(blank, [T("a", [1], 1)]), "path");
                Checks.True(ex.Message == "path must name the file to write (got an empty string). (Parameter 'path')", ex.Message);
            }
        }
        Assert.Throws<ArgumentNullException>(() => CheckpointWriter.WriteNpz(path, null!));
        Assert.Throws<ArgumentNullException>(() => CheckpointReader.Read(null!, "f"));
        Checks.True(T("s", [], 1).Count == 1 && T("e", [2, 0]).Count == 0 && T("m", [2, 3]).Count == 6, "Count is the product of the shape, 1 for a scalar");
    }

    /// <summary>
    /// BYOM: the writers' exact bytes — safetensors: u64 header length, the JSON padded with spaces to a multiple of 8, the
    /// F64 data in order; .npz: stored entries NAME.npy dated 1980-01-01, each .npy v1.0 with its data at a multiple of 64 —
    /// and both read back bit-identically.
    /// </summary>
    [Test, Category(ClaimIds.Byom)]
    public void BYOM_Writers_produce_the_exact_bytes_of_each_format()
    {
        NamedTensor[] tensors = [T("a", [2], 1.5, -0.0), T("s", [], double.Epsilon), T("m", [2, 3], Iota(6)), T("e", [0])];
        var dir = Directory.CreateTempSubdirectory("loopedicl-ckpt-");
        try
        {
            string st = Path.Combine(dir.FullName, "w.safetensors"), npz = Path.Combine(dir.FullName, "w.npz");
            CheckpointWriter.WriteSafetensors(st, tensors);
            string json = "{" + E("a", "F64", "[2]", "[0,16]") + "," + E("s", "F64", "[]", "[16,24]") + "," + E("m", "F64", "[2,3]", "[24,72]") + "," + E("e", "F64", "[0]", "[72,72]") + "}";
            int pad = (8 - json.Length % 8) % 8;
            Checks.Sanity(pad > 0, $"the header of {json.Length} bytes needs padding");
            var expected = St(json + new string(' ', pad), F64([1.5, -0.0, double.Epsilon, .. Iota(6)]));
            var bytes = File.ReadAllBytes(st);
            Checks.True(bytes.SequenceEqual(expected), $"safetensors bytes ({bytes.Length}, expected {expected.Length})");
            var back = CheckpointReader.Read(st);
            for (int i = 0; i < tensors.Length; i++) Is(back[i], tensors[i].Name, tensors[i].Shape, tensors[i].Values);

            CheckpointWriter.WriteNpz(npz, tensors);
            using (var zip = ZipFile.OpenRead(npz))
            {
                Checks.True(zip.Entries.Select(e => e.FullName).SequenceEqual(["a.npy", "s.npy", "m.npy", "e.npy"]), "entries");
                foreach (var (e, t, shape) in zip.Entries.Zip(tensors, new[] { "(2,)", "()", "(2, 3)", "(0,)" }))
                {
                    string dict = H(shape: shape);
                    int total = 10 + dict.Length + 1;
                    string header = dict + new string(' ', (64 - total % 64) % 64) + "\n";
                    using var m = new MemoryStream();
                    using (var s = e.Open()) s.CopyTo(m);
                    Checks.True(m.ToArray().SequenceEqual(Npy(header, F64(t.Values))), $"{e.FullName}: .npy bytes with a header of {header.Length}");
                    Checks.True(e.CompressedLength == e.Length && e.LastWriteTime == new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero), $"{e.FullName}: stored, dated 1980-01-01");
                }
            }
            back = CheckpointReader.Read(npz);
            for (int i = 0; i < tensors.Length; i++) Is(back[i], tensors[i].Name, tensors[i].Shape, tensors[i].Values);
        }
        finally { dir.Delete(recursive: true); }
    }
}
