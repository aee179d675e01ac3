using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LoopedIcl.Numerics.Checkpoints;

namespace LoopedIcl.Lemmas;

/// <summary>
/// BYOM: reading other people's checkpoints correctly. The readers return exactly the values torch/NumPy computed for
/// every committed fixture (every format of the same weights alike, OrderedDicts in file order), and the writers produce
/// files that match the format definitions and read back bit-identically. (Bad files: <see cref="CheckpointReaders"/>.)
/// </summary>
[TestFixture, Category(ClaimIds.Byom)]
public sealed class CheckpointFormats
{
    internal static void SameTensor(NamedTensor t, int[] shape, double[] values, string what)
    {
        Checks.True(t.Shape.SequenceEqual(shape), $"{what}: shape [{string.Join(", ", t.Shape)}], expected [{string.Join(", ", shape)}]");
        Checks.True(t.Values.Length == values.Length, $"{what}: {t.Values.Length} values, expected {values.Length}");
        int bad = Enumerable.Range(0, values.Length).FirstOrDefault(i => !Checks.SameBits(t.Values[i], values[i]), -1);
        Checks.True(bad < 0, $"{what}: value {bad} is {(bad < 0 ? 0 : t.Values[bad]):R}, torch/NumPy computed {(bad < 0 ? 0 : values[bad]):R}");
    }

    internal static IReadOnlyList<NamedTensor> Sample(int seed)
    {
        var rng = Rng.Create(seed);
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

    /// <summary>A minimal torch zip ("archive/") around a hand-written pickle, with the storage data/0 if given.</summary>
    internal static byte[] TorchArchive(byte[] pickle, byte[]? storage0 = null)
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

    /// <summary>BYOM: every good fixture reads to the values torch/NumPy computed, bit for bit, with the documented names.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Checkpoint_fixtures_read_to_the_values_torch_and_numpy_computed()
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

    /// <summary>BYOM: the same weights as a state dict, on 'cuda:0', torch-2.x style, compiled, safetensors, .npz and .npy are identical.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Every_format_of_the_same_weights_reads_identically()
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
        Checks.True(!half.Values.Zip(reference.Values).All(p => Checks.SameBits(p.First, p.Second)), "float16 rounding is visible", CheckKind.NegativeControl);
    }

    /// <summary>BYOM: safetensors and .npz written by CheckpointWriter read back with the same names, shapes and bits.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Written_checkpoints_round_trip_bit_identically()
    {
        int seed = TestSettings.SeedFor(nameof(BYOM_Written_checkpoints_round_trip_bit_identically));
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

    /// <summary>BYOM: the written files match the format definitions, checked by a parse written here from the specs.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Written_checkpoints_follow_the_format_definitions()
    {
        var tensors = Sample(TestSettings.SeedFor(nameof(BYOM_Written_checkpoints_follow_the_format_definitions)));
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
                    Checks.True(Checks.SameBits(BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan((int)(8 + n + off[0] + 8 * i))), t.Values[i]), $"{t.Name}[{i}] bytes");
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
                    Checks.True(Checks.SameBits(BinaryPrimitives.ReadDoubleLittleEndian(a.AsSpan(10 + h + 8 * i)), t.Values[i]), $"{t.Name}[{i}] bytes");
            }
        }
        finally { dir.Delete(recursive: true); }
    }

    /// <summary>
    /// BYOM: OrderedDict keys come out in file order for large dicts too. CPython pickles a dict's items in SETITEMS
    /// batches of 1000 (a last batch of one as SETITEM); this pickle is written that way for 2001 scalar tensors named in
    /// descending order, each viewing its own element of one float32 storage, so file order, sorted order and each
    /// batch reversed all differ.
    /// </summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Large_ordered_dicts_keep_their_file_order()
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

    // Pickle operands are UTF-8 text.
    internal static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
