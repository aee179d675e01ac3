using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LoopedIcl.Numerics.Checkpoints;

namespace LoopedIcl.Lemmas;

/// <summary>
/// INPUT: checkpoint files. The readers return exactly the values torch/NumPy computed for every committed fixture (every
/// format of the same weights alike), the writers produce files that match the format definitions and read back
/// bit-identically, and every bad file — including a pickle that would run os.system — ends in one clear error naming
/// the file and the entry, never another exception, a hang or a huge allocation (fuzzed).
/// </summary>
[TestFixture, Category(ClaimIds.Input)]
public sealed class CheckpointReaders
{
    private static bool SameBits(double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    private static void SameTensor(NamedTensor t, int[] shape, double[] values, string what)
    {
        Checks.True(t.Shape.SequenceEqual(shape), $"{what}: shape [{string.Join(", ", t.Shape)}], expected [{string.Join(", ", shape)}]");
        Checks.True(t.Values.Length == values.Length, $"{what}: {t.Values.Length} values, expected {values.Length}");
        int bad = Enumerable.Range(0, values.Length).FirstOrDefault(i => !SameBits(t.Values[i], values[i]), -1);
        Checks.True(bad < 0, $"{what}: value {bad} is {(bad < 0 ? 0 : t.Values[bad]):R}, torch/NumPy computed {(bad < 0 ? 0 : values[bad]):R}");
    }

    /// <summary>INPUT: every good fixture reads to the values torch/NumPy computed, bit for bit, with the documented names.</summary>
    [Test]
    public void INPUT_Checkpoint_fixtures_read_to_the_values_torch_and_numpy_computed()
    {
        var expected = CheckpointFixtures.Expected();
        Checks.Sanity(expected.Count >= 16, $"expected.json lists {expected.Count} good files");
        foreach (var (file, tensors) in expected)
        {
            var read = CheckpointReader.Read(CheckpointFixtures.Good(file));
            var names = read.Select(t => t.Name).ToList();
            Checks.True(names.Order(StringComparer.Ordinal).SequenceEqual(tensors.Keys.Order(StringComparer.Ordinal)),
                $"{file}: tensors [{string.Join(", ", names)}], expected [{string.Join(", ", tensors.Keys)}]");
            foreach (var t in read) SameTensor(t, tensors[t.Name].Shape, tensors[t.Name].Values, $"{file}: {t.Name}");
        }
        // Lists keep their order and OrderedDicts their file order.
        var log = CheckpointReader.Read(CheckpointFixtures.Good("train_layer2_N20_gaussian_adam_clip_lr0.01_sd1.pth"));
        Checks.True(log.Select(t => t.Name).SequenceEqual(["hist_list.0", "hist_list.1", "hist_list.2", "hist_list.3"]), "hist_list order");
        var views = CheckpointReader.Read(CheckpointFixtures.Good("strided_views.pt"));
        Checks.True(views.Select(t => t.Name).SequenceEqual(["transposed", "rows_from_1", "every_other_column", "scalar"]), "OrderedDict order");
        var dtypes = new[] { "state_dict.pt", "state_dict_float16.pt", "state_dict_bfloat16.pt", "strided_views.pt" }
            .Select(f => CheckpointReader.Read(CheckpointFixtures.Good(f))[0].DType);
        Checks.True(dtypes.SequenceEqual(["float32", "float16", "bfloat16", "float64"]), $"dtypes {string.Join(", ", dtypes)}");
    }

    /// <summary>INPUT: the same weights as a state dict, on 'cuda:0', torch-2.x style, compiled, safetensors, .npz and .npy are identical.</summary>
    [Test]
    public void INPUT_Every_format_of_the_same_weights_reads_identically()
    {
        var reference = CheckpointReader.Read(CheckpointFixtures.Good("state_dict.pt")).Single();
        Checks.True(reference.Name == "allparam" && reference.Shape.SequenceEqual([2, 1, 2, 3, 3]), "the state dict holds allparam (L=2, H=1, 2, d=3, d=3)");
        foreach (var (file, name) in new[]
                 {
                     ("state_dict_cuda.pt", "allparam"), ("state_dict_torch2.pt", "allparam"), ("compiled_model.pt", "model._orig_mod.allparam"), ("parameter.pt", "allparam"), ("bare_tensor.pt", "tensor"),
                     ("weights.safetensors", "allparam"), ("weights.npz", "allparam"), ("weights.npy", "tensor"),
                 })
        {
            var t = CheckpointReader.Read(CheckpointFixtures.Good(file)).Single();
            Checks.True(t.Name == name, $"{file}: name '{t.Name}', expected '{name}'");
            SameTensor(t, reference.Shape, reference.Values, file);
        }
        // Negative control: the float16 copy is not the same weights (rounding), so the comparison can fail.
        var half = CheckpointReader.Read(CheckpointFixtures.Good("state_dict_float16.pt")).Single();
        Checks.True(!half.Values.Zip(reference.Values).All(p => SameBits(p.First, p.Second)), "float16 rounding is visible", CheckKind.NegativeControl);
    }

    private static IReadOnlyList<NamedTensor> Sample(int seed)
    {
        var rng = new Random(seed);
        double Value() => rng.Next(6) switch
        {
            0 => -0.0,
            1 => double.Epsilon * rng.Next(1, 1000), // subnormal
            2 => double.MaxValue * (rng.NextDouble() - 0.5),
            3 => BitConverter.Int64BitsToDouble(rng.NextInt64(0, 0x7FEFFFFFFFFFFFFF)) * (rng.Next(2) * 2 - 1),
            _ => rng.NextDouble() * 2 - 1,
        };
        int[][] shapes = [[2, 1, 2, 3, 3], [], [0], [4], [3, 0, 2], [1, 5], [2, 2, 2, 2]];
        return shapes.Select((s, i) => new NamedTensor(i == 0 ? "allparam" : $"layer.{i}.P_é",
            s, Enumerable.Range(0, s.Aggregate(1, (p, n) => p * n)).Select(_ => Value()).ToArray(), "float64")).ToList();
    }

    /// <summary>INPUT: safetensors and .npz written by CheckpointWriter read back with the same names, shapes and bits.</summary>
    [Test]
    public void INPUT_Written_checkpoints_round_trip_bit_identically()
    {
        int seed = TestSettings.SeedFor(nameof(INPUT_Written_checkpoints_round_trip_bit_identically));
        var tensors = Sample(seed);
        var dir = Directory.CreateTempSubdirectory("loopedicl-ckpt-");
        try
        {
            foreach (var (ext, write) in new (string, Action<string, IReadOnlyList<NamedTensor>>)[]
                     { ("safetensors", CheckpointWriter.WriteSafetensors), ("npz", CheckpointWriter.WriteNpz) })
            {
                string path = Path.Combine(dir.FullName, "model." + ext);
                write(path, tensors);
                var read = CheckpointReader.Read(path);
                Checks.True(read.Select(t => t.Name).SequenceEqual(tensors.Select(t => t.Name)), $"{ext}: names and order (seed {seed})");
                for (int i = 0; i < tensors.Count; i++)
                {
                    SameTensor(read[i], tensors[i].Shape, tensors[i].Values, $"{ext}: {tensors[i].Name} (seed {seed})");
                    Checks.True(read[i].DType == "float64", $"{ext}: dtype {read[i].DType}");
                }
            }
        }
        finally { dir.Delete(recursive: true); }
    }

    /// <summary>INPUT: the written files match the format definitions, checked by a parse written here from the specs.</summary>
    [Test]
    public void INPUT_Written_checkpoints_follow_the_format_definitions()
    {
        var tensors = Sample(TestSettings.SeedFor(nameof(INPUT_Written_checkpoints_follow_the_format_definitions)));
        var dir = Directory.CreateTempSubdirectory("loopedicl-ckpt-");
        try
        {
            // safetensors: u64 LE header length (a multiple of 8, padded with spaces), JSON {name: {dtype, shape, data_offsets}}, data.
            string st = Path.Combine(dir.FullName, "model.safetensors");
            CheckpointWriter.WriteSafetensors(st, tensors);
            var bytes = File.ReadAllBytes(st);
            long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            Checks.True(n % 8 == 0 && 8 + n <= bytes.Length, $"safetensors header length {n}");
            string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
            Checks.True(header.TrimEnd(' ').Length + header.Length - header.TrimEnd(' ').Length == header.Length && header.TrimEnd(' ').EndsWith('}'), "header padded with spaces");
            using var doc = JsonDocument.Parse(header);
            var fields = doc.RootElement.EnumerateObject().ToList();
            Checks.True(fields.Select(f => f.Name).SequenceEqual(tensors.Select(t => t.Name)), "safetensors keys in order");
            long expectedOffset = 0;
            foreach (var (f, t) in fields.Zip(tensors))
            {
                Checks.True(f.Value.GetProperty("dtype").GetString() == "F64", $"{t.Name}: dtype F64");
                Checks.True(f.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).SequenceEqual(t.Shape), $"{t.Name}: shape");
                var off = f.Value.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
                Checks.True(off[0] == expectedOffset && off[1] == off[0] + 8 * t.Values.Length, $"{t.Name}: data_offsets [{off[0]}, {off[1]}]");
                for (int i = 0; i < t.Values.Length; i++)
                    Checks.True(SameBits(BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan((int)(8 + n + off[0] + 8 * i))), t.Values[i]), $"{t.Name}[{i}] bytes");
                expectedOffset = off[1];
            }
            Checks.True(8 + n + expectedOffset == bytes.Length, "no bytes after the data");

            // .npz: a zip of NAME.npy; .npy v1.0: magic, 1, 0, u16 header length, dict padded so the data start at a multiple of 64.
            string npz = Path.Combine(dir.FullName, "model.npz");
            CheckpointWriter.WriteNpz(npz, tensors);
            using var zip = ZipFile.OpenRead(npz);
            Checks.True(zip.Entries.Select(e => e.FullName).SequenceEqual(tensors.Select(t => t.Name + ".npy")), "npz entries");
            foreach (var (e, t) in zip.Entries.Zip(tensors))
            {
                using var s = e.Open();
                using var m = new MemoryStream();
                s.CopyTo(m);
                var a = m.ToArray();
                Checks.True(a.AsSpan(0, 8).SequenceEqual(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }), $"{t.Name}: magic and version 1.0");
                int h = BinaryPrimitives.ReadUInt16LittleEndian(a.AsSpan(8));
                Checks.True((10 + h) % 64 == 0 && a[10 + h - 1] == (byte)'\n', $"{t.Name}: header of {h} bytes ends in a newline at a multiple of 64");
                string dict = Encoding.ASCII.GetString(a, 10, h);
                string shape = t.Shape.Length == 1 ? $"({t.Shape[0]},)" : "(" + string.Join(", ", t.Shape) + ")";
                Checks.True(Regex.IsMatch(dict, @"^\{'descr': '<f8', 'fortran_order': False, 'shape': " + Regex.Escape(shape) + @", \} *\n$"), $"{t.Name}: header {dict}");
                Checks.True(a.Length == 10 + h + 8 * t.Values.Length, $"{t.Name}: data length");
                for (int i = 0; i < t.Values.Length; i++)
                    Checks.True(SameBits(BinaryPrimitives.ReadDoubleLittleEndian(a.AsSpan(10 + h + 8 * i)), t.Values[i]), $"{t.Name}[{i}] bytes");
            }
        }
        finally { dir.Delete(recursive: true); }
    }

    /// <summary>INPUT: the writers refuse what they could not write faithfully.</summary>
    [Test]
    public void INPUT_Writers_check_their_tensors()
    {
        string path = Path.Combine(Path.GetTempPath(), "loopedicl-never-written.safetensors");
        void Rejects(IReadOnlyList<NamedTensor> tensors, string rule)
        {
            var ex = Assert.Throws<ArgumentException>(() => CheckpointWriter.WriteSafetensors(path, tensors));
            Checks.True(ex!.ParamName == "tensors" && ex.Message.Contains(rule, StringComparison.Ordinal), $"expected the rule '{rule}': {ex.Message}");
            Checks.True(!File.Exists(path), "nothing written");
        }
        Rejects([new NamedTensor("a", [2], [1, double.NaN], "float64")], "must be finite");
        Rejects([new NamedTensor("a", [3], [1, 2], "float64")], "needs 3");
        Rejects([new NamedTensor("a", [1], [1], "float64"), new NamedTensor("a", [1], [2], "float64")], "appears twice");
        Rejects([new NamedTensor("", [1], [1], "float64")], "non-empty");
        Assert.Throws<ArgumentException>(() => CheckpointWriter.WriteNpz(" ", []));
    }

    /// <summary>Each bad file, the words its one error must contain (besides the file's path), and whether it names an entry.</summary>
    private static readonly (string File, string[] Words)[] BadFiles =
    [
        ("os_system.pt", ["os_system/data.pkl", "refused global 'posix.system'", "nothing was unpickled"]),
        ("full_model.pt", ["data.pkl", "refused global '__main__.AhnTransformer'", "state_dict()"]),
        ("legacy.pt", ["legacy torch.save format", "re-save with torch >= 1.6"]),
        ("truncated.pt", ["corrupt"]),
        ("big_endian.pt", ["byteorder", "big-endian"]),
        ("short_storage.pt", ["data/0", "storage shorter than declared"]),
        ("flipped_byte.pt", ["state_dict/data/0", "CRC-32", "corrupt archive"]),
        ("nan.pt", ["allparam", "NaN", "not finite"]),
        ("inf.safetensors", ["allparam", "Infinity", "not finite"]),
        ("huge_view.pt", ["huge", "more than"]),
        ("offset_past_end.safetensors", ["allparam", "run past the end of the data"]),
        ("overlapping.safetensors", ["overlap"]),
        ("unknown_dtype.safetensors", ["allparam", "unknown dtype 'F8_E4M3'"]),
        ("huge_shape.safetensors", ["allparam", "2147483647"]),
        ("bad_json.safetensors", ["header", "not valid JSON"]),
        ("header_past_end.safetensors", ["header", "runs past the end of the file"]),
        ("truncated.safetensors", ["allparam", "run past the end of the data"]),
        ("truncated.npz", ["corrupt"]),
        ("truncated.npy", ["tensor", "bytes of data"]),
        ("negative_dim.npy", ["tensor", "negative dimension"]),
        ("unknown_descr.npy", ["tensor", "unknown descr '<c16'"]),
        ("big_endian.npy", ["tensor", "big-endian", "'>f8'"]),
        ("not_a_checkpoint.txt", ["not a checkpoint"]),
    ];

    /// <summary>INPUT: every bad fixture gets its one InvalidDataException naming the file, the entry and the rule.</summary>
    [Test]
    public void INPUT_Bad_checkpoints_get_one_clear_error()
    {
        var files = Directory.GetFiles(Path.Combine(CheckpointFixtures.Folder, "bad")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Checks.Sanity(files.SequenceEqual(BadFiles.Select(b => b.File).Order(StringComparer.Ordinal)), "every bad fixture has an expected error here");
        foreach (var (file, words) in BadFiles)
        {
            string path = CheckpointFixtures.Bad(file);
            var ex = Assert.Throws<InvalidDataException>(() => CheckpointReader.Read(path), file);
            TestContext.Out.WriteLine($"{file}: {ex!.Message}");
            Checks.True(ex.Message.StartsWith(path + ": ", StringComparison.Ordinal), $"{file}: the message must start with the path: {ex.Message}");
            foreach (var w in words) Checks.True(ex.Message.Contains(w, StringComparison.Ordinal), $"{file}: the message must say '{w}': {ex.Message}");
            Checks.True(!ex.Message.Contains('\n'), $"{file}: one line: {ex.Message}");
        }
    }

    /// <summary>INPUT: a path that names no file is an ArgumentException on "path".</summary>
    [Test]
    public void INPUT_Checkpoint_paths_are_checked()
    {
        foreach (var (path, rule) in new[] { ("", "empty"), (CheckpointFixtures.Folder, "not a directory"), (CheckpointFixtures.Good("missing.pt"), "no file") })
        {
            var ex = Assert.Throws<ArgumentException>(() => CheckpointReader.Read(path));
            Checks.True(ex!.ParamName == "path" && ex.Message.Contains(rule, StringComparison.Ordinal), $"expected the rule '{rule}': {ex.Message}");
        }
    }

    private static byte[] TorchArchive(byte[] pickle, byte[]? storage0 = null)
    {
        using var m = new MemoryStream();
        using (var zip = new ZipArchive(m, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open()) s.Write(pickle);
            using (var s = zip.CreateEntry("archive/version", CompressionLevel.NoCompression).Open()) s.Write("3\n"u8);
            if (storage0 is not null)
                using (var s = zip.CreateEntry("archive/data/0", CompressionLevel.NoCompression).Open()) s.Write(storage0);
        }
        return m.ToArray();
    }

    /// <summary>
    /// INPUT: OrderedDict keys come out in file order for large dicts too. CPython pickles a dict's items in SETITEMS
    /// batches of 1000 (a last batch of one as SETITEM); this pickle is written that way for 2001 scalar tensors named in
    /// descending order, each viewing its own element of one float32 storage, so file order, sorted order and each
    /// batch reversed all differ.
    /// </summary>
    [Test]
    public void INPUT_Large_ordered_dicts_keep_their_file_order()
    {
        const int count = 2001;
        List<byte> p = [0x80, 2, (byte)'c', .. Utf8("collections\nOrderedDict\n"), (byte)'q', 0, (byte)')', (byte)'R',
            (byte)'c', .. Utf8("torch._utils\n_rebuild_tensor_v2\n"), (byte)'q', 1, (byte)'0',
            (byte)'c', .. Utf8("torch\nFloatStorage\n"), (byte)'q', 2, (byte)'0'];
        string Key(int i) => $"k{count - 1 - i:D4}";
        void Item(int i)
        {
            var key = Utf8(Key(i));
            p.AddRange([(byte)'X', .. BitConverter.GetBytes(key.Length), .. key]);
            p.AddRange([(byte)'h', 1, (byte)'(', (byte)'(', (byte)'U', 7, .. Utf8("storage"), (byte)'h', 2, (byte)'U', 1, (byte)'0',
                (byte)'U', 3, .. Utf8("cpu"), (byte)'J', .. BitConverter.GetBytes(count), (byte)'t', (byte)'Q',
                (byte)'J', .. BitConverter.GetBytes(i), (byte)')', (byte)')', 0x89, (byte)'h', 0, (byte)')', (byte)'R', (byte)'t', (byte)'R']);
        }
        foreach (var batch in Enumerable.Range(0, count).Chunk(1000))
        {
            if (batch.Length == 1) { Item(batch[0]); p.Add((byte)'s'); continue; }
            p.Add((byte)'(');
            foreach (var i in batch) Item(i);
            p.Add((byte)'u');
        }
        p.Add((byte)'.');
        var storage = Enumerable.Range(0, count).SelectMany(i => BitConverter.GetBytes((float)i)).ToArray();
        var read = CheckpointReader.Read(TorchArchive([.. p], storage), "large.pt");
        Checks.True(read.Count == count, $"{read.Count} tensors");
        int bad = Enumerable.Range(0, count).FirstOrDefault(i => !(read[i].Name == Key(i) && read[i].Values is [var v] && v == i && read[i].Shape.Length == 0), -1);
        Checks.True(bad < 0, bad < 0 ? "" : $"tensor {bad}: '{read[bad].Name}' = {string.Join(", ", read[bad].Values)}, expected '{Key(bad)}' = {bad}");
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>
    /// INPUT: a pickle is code. The committed pickle whose REDUCE calls os.system('touch MARKER') is refused by name and the
    /// marker never appears; so are eval reached by protocol-4 STACK_GLOBAL, by memoised names, by INST and by GLOBAL.
    /// </summary>
    [Test]
    public void INPUT_Malicious_pickles_are_refused_by_name_before_anything_runs()
    {
        const string marker = "/tmp/loopedicl-pwned-byom";
        if (File.Exists(marker)) File.Delete(marker);
        var ex = Assert.Throws<InvalidDataException>(() => CheckpointReader.Read(CheckpointFixtures.Bad("os_system.pt")));
        Checks.True(ex!.Message.Contains("'posix.system'", StringComparison.Ordinal), ex.Message);
        Checks.True(!File.Exists(marker), $"{marker} must never be created");

        byte[] call = [0x8c, 3, .. Utf8("1+1"), 0x85, (byte)'R', (byte)'.']; // ('1+1',) then REDUCE and STOP
        var cases = new (string What, byte[] Pickle, string Global)[]
        {
            ("STACK_GLOBAL", [0x80, 4, 0x8c, 8, .. Utf8("builtins"), 0x94, 0x8c, 4, .. Utf8("eval"), 0x94, 0x93, .. call], "builtins.eval"),
            ("STACK_GLOBAL on memoised names", [0x80, 4, 0x8c, 2, .. Utf8("os"), 0x94, 0x8c, 6, .. Utf8("system"), 0x94, 0x30, 0x30, (byte)'h', 0, (byte)'h', 1, 0x93, .. call], "os.system"),
            ("GLOBAL", [0x80, 2, (byte)'c', .. Utf8("subprocess\nrun\n"), .. call], "subprocess.run"),
            ("INST", [(byte)'(', 0x8c, 3, .. Utf8("1+1"), (byte)'i', .. Utf8("builtins\nexec\n"), (byte)'.'], "builtins.exec"),
            ("a non-torch global Razorvine knows", [0x80, 2, (byte)'c', .. Utf8("datetime\ndate\n"), (byte)')', (byte)'R', (byte)'.'], "datetime.date"),
        };
        foreach (var (what, pickle, global) in cases)
        {
            var e = Assert.Throws<InvalidDataException>(() => CheckpointReader.Read(TorchArchive(pickle), "crafted.pt"), what);
            Checks.True(e!.Message.StartsWith("crafted.pt: archive/data.pkl: refused global '" + global + "'", StringComparison.Ordinal), $"{what}: {e.Message}");
        }
        var computed = Assert.Throws<InvalidDataException>(() => CheckpointReader.Read(TorchArchive([0x80, 4, 0x8c, 2, .. Utf8("os"), (byte)'2', 0x93, .. call]), "crafted.pt"));
        Checks.True(computed!.Message.Contains("not literal strings", StringComparison.Ordinal), computed.Message);
        // Positive control: the same archive around a harmless pickle reads (an empty dict: no tensors).
        Checks.True(CheckpointReader.Read(TorchArchive([0x80, 2, (byte)'}', (byte)'.']), "crafted.pt").Count == 0, "an empty state dict reads");
    }

    /// <summary>
    /// One fuzz case: a fixture with a few bytes overwritten, or cut short. For a zip, half the cases mutate one entry
    /// (data.pkl half of the time) and zip it again with a valid CRC, so the pickle machine and the .npy parser see the
    /// damage instead of the CRC check.
    /// </summary>
    private static (byte[] Bytes, string What) Mutate(byte[] original, Random rng)
    {
        if (original.AsSpan().StartsWith("PK"u8) && rng.Next(2) == 0) return MutateEntry(original, rng);
        return MutateBytes(original, rng);
    }

    private static (byte[] Bytes, string What) MutateEntry(byte[] original, Random rng)
    {
        var entries = new List<(string Name, byte[] Data)>();
        try
        {
            using var zip = new ZipArchive(new MemoryStream(original), ZipArchiveMode.Read);
            foreach (var e in zip.Entries)
            {
                using var s = e.Open();
                using var m = new MemoryStream();
                s.CopyTo(m);
                entries.Add((e.FullName, m.ToArray()));
            }
        }
        catch (InvalidDataException) { return MutateBytes(original, rng); } // the truncated-archive fixtures
        int pkl = entries.FindIndex(e => e.Name.EndsWith("data.pkl", StringComparison.Ordinal));
        int k = pkl >= 0 && rng.Next(2) == 0 ? pkl : rng.Next(entries.Count);
        if (entries[k].Data.Length == 0) return MutateBytes(original, rng);
        var (data, what) = MutateBytes(entries[k].Data, rng);
        entries[k] = (entries[k].Name, data);
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
                using (var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open()) s.Write(bytes);
        return (output.ToArray(), $"entry {entries[k].Name} {what}");
    }

    private static (byte[] Bytes, string What) MutateBytes(byte[] original, Random rng)
    {
        var b = (byte[])original.Clone();
        if (rng.Next(3) == 0)
        {
            int keep = rng.Next(b.Length);
            return (b[..keep], $"truncated to {keep} bytes");
        }
        int flips = 1 + rng.Next(4);
        var where = new List<string>();
        for (int i = 0; i < flips; i++)
        {
            int at = rng.Next(b.Length);
            byte v = rng.Next(4) == 0 ? (byte)(b[at] ^ (1 << rng.Next(8))) : (byte)rng.Next(256);
            where.Add($"[{at}]={v}");
            b[at] = v;
        }
        return (b, "bytes " + string.Join(" ", where));
    }

    /// <summary>
    /// Runs <paramref name="casesPerFile"/> mutations of every fixture. Each must read (finite values) or throw
    /// InvalidDataException naming the file — never another exception — within the per-case limit, allocating at most
    /// 64 MiB (the fixtures are ≤ 3 KB; the readers cap expansion at 8 elements per byte, 1 Mi at least, i.e. 8 MiB).
    /// The limit of 5 s is a thousand times a normal case even on a loaded 2-core machine: only a hang trips it.
    /// </summary>
    private static void Fuzz(int casesPerFile, string test)
    {
        int seed = TestSettings.SeedFor(test);
        var files = CheckpointFixtures.AllFiles();
        int read = 0, refused = 0;
        double slowest = 0;
        long mostBytes = 0;
        var kinds = new Dictionary<string, int>();
        var total = Stopwatch.StartNew();
        var failure = Task.Run(() =>
        {
            foreach (var file in files)
            {
                var original = File.ReadAllBytes(file);
                string name = Path.GetFileName(file);
                var rng = new Random(seed ^ SeedPlan.StableHash(name));
                for (int k = 0; k < casesPerFile; k++)
                {
                    var (bytes, what) = Mutate(original, rng);
                    string replay = $"{name} case {k} ({what}); seed {seed}";
                    var watch = Stopwatch.StartNew();
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    try
                    {
                        var tensors = CheckpointReader.Read(bytes, name);
                        if (tensors.Any(t => t.Values.Any(v => !double.IsFinite(v)))) return $"non-finite value read: {replay}";
                        read++;
                    }
                    catch (InvalidDataException e)
                    {
                        if (!e.Message.StartsWith(name + ": ", StringComparison.Ordinal) || e.Message.Contains('\n'))
                            return $"message is not one line naming the file: {e.Message}; {replay}";
                        refused++;
                        var kind = Regex.Replace(e.Message[(name.Length + 2)..], @"[0-9a-f]{8}|\d+", "#");
                        kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                    }
                    catch (Exception e)
                    {
                        return $"{e.GetType().Name} escaped: {e.Message}; {replay}";
                    }
                    slowest = Math.Max(slowest, watch.Elapsed.TotalSeconds);
                    mostBytes = Math.Max(mostBytes, GC.GetAllocatedBytesForCurrentThread() - before);
                    if (watch.Elapsed.TotalSeconds > 5) return $"took {watch.Elapsed.TotalSeconds:F1} s: {replay}";
                    if (GC.GetAllocatedBytesForCurrentThread() - before > 64L << 20) return $"allocated {mostBytes >> 20} MiB: {replay}";
                }
            }
            return null;
        });
        if (!failure.Wait(TimeSpan.FromSeconds(Math.Max(60, casesPerFile * files.Count / 100.0))))
            Checks.Fail($"the fuzz run did not finish (a hang); seed {seed}");
        TestContext.Out.WriteLine($"fuzz: the most frequent errors (digits as #) follow; {files.Count} fixtures × {casesPerFile} = {files.Count * casesPerFile} cases in {total.Elapsed.TotalSeconds:F2} s; " +
                                  $"{read} read, {refused} refused; slowest case {slowest * 1e3:F1} ms; most allocated {mostBytes / 1024.0:F0} KiB; seed {seed}");
        foreach (var (kind, n) in kinds.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(12)) TestContext.Out.WriteLine($"  {n,6}  {kind}");
        Checks.True(failure.Result is null, failure.Result ?? "");
        Checks.Sanity(read > 0 && refused > 0, $"both outcomes occur ({read} read, {refused} refused)");
    }

    /// <summary>INPUT: fuzzed checkpoints (byte flips and truncations of every fixture) end in a read or one clear error.</summary>
    [Test]
    public void INPUT_Fuzzed_checkpoints_read_or_fail_cleanly() => Fuzz(80, nameof(INPUT_Fuzzed_checkpoints_read_or_fail_cleanly));

    /// <summary>INPUT: the same with 25 times as many cases.</summary>
    [Test, Category(CategoryLabels.Slow)]
    public void INPUT_Fuzzed_checkpoints_read_or_fail_cleanly_many() => Fuzz(2000, nameof(INPUT_Fuzzed_checkpoints_read_or_fail_cleanly_many));
}
