using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using LoopedIcl.Numerics.Checkpoints;

namespace LoopedIcl.Lemmas;

/// <summary>
/// INPUT: bad checkpoint files. Every bad file — including a pickle that would run os.system — ends in one clear error
/// naming the file and the entry, never another exception, a hang or a huge allocation (fuzzed); the writers refuse
/// tensors they could not write faithfully. (Reading good files: <see cref="CheckpointFormats"/>.)
/// </summary>
[TestFixture, Category(ClaimIds.Input)]
public sealed class CheckpointReaders
{
    /// <summary>INPUT: the writers refuse what they could not write faithfully.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void INPUT_Writers_check_their_tensors()
    {
        // A path of this run's own: a fixed name was shared with concurrent runs (a mutation shard's mutant wrote it, and this run failed).
        string path = Path.Combine(Path.GetTempPath(), $"loopedicl-never-written-{Environment.ProcessId}-{Guid.NewGuid():N}.safetensors");
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
    [Test, Category(CategoryLabels.Library)]
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
    [Test, Category(CategoryLabels.Library)]
    public void INPUT_Checkpoint_paths_are_checked()
    {
        foreach (var (path, rule) in new[] { ("", "empty"), (CheckpointFixtures.Folder, "not a directory"), (CheckpointFixtures.Good("missing.pt"), "no file") })
        {
            var ex = Assert.Throws<ArgumentException>(() => CheckpointReader.Read(path));
            Checks.True(ex!.ParamName == "path" && ex.Message.Contains(rule, StringComparison.Ordinal), $"expected the rule '{rule}': {ex.Message}");
        }
    }

    /// <summary>
    /// INPUT: a pickle is code. The committed pickle whose REDUCE calls os.system('touch MARKER') is refused by name and the
    /// marker never appears; so are eval reached by protocol-4 STACK_GLOBAL, by memoised names, by INST and by GLOBAL.
    /// </summary>
    [Test, Category(CategoryLabels.Library)]
    public void INPUT_Malicious_pickles_are_refused_by_name_before_anything_runs()
    {
        const string marker = "/tmp/loopedicl-pwned-byom";
        if (File.Exists(marker)) File.Delete(marker);
        var ex = Assert.Throws<InvalidDataException>(() => CheckpointReader.Read(CheckpointFixtures.Bad("os_system.pt")));
        Checks.True(ex!.Message.Contains("'posix.system'", StringComparison.Ordinal), ex.Message);
        Checks.True(!File.Exists(marker), $"{marker} must never be created");

        byte[] call = [0x8c, 3, .. CheckpointFormats.Utf8("1+1"), 0x85, (byte)'R', (byte)'.']; // ('1+1',) then REDUCE and STOP
        var cases = new (string What, byte[] Pickle, string Global)[]
        {
            ("STACK_GLOBAL", [0x80, 4, 0x8c, 8, .. CheckpointFormats.Utf8("builtins"), 0x94, 0x8c, 4, .. CheckpointFormats.Utf8("eval"), 0x94, 0x93, .. call], "builtins.eval"),
            ("STACK_GLOBAL on memoised names", [0x80, 4, 0x8c, 2, .. CheckpointFormats.Utf8("os"), 0x94, 0x8c, 6, .. CheckpointFormats.Utf8("system"), 0x94, 0x30, 0x30, (byte)'h', 0, (byte)'h', 1, 0x93, .. call], "os.system"),
            ("GLOBAL", [0x80, 2, (byte)'c', .. CheckpointFormats.Utf8("subprocess\nrun\n"), .. call], "subprocess.run"),
            ("INST", [(byte)'(', 0x8c, 3, .. CheckpointFormats.Utf8("1+1"), (byte)'i', .. CheckpointFormats.Utf8("builtins\nexec\n"), (byte)'.'], "builtins.exec"),
            ("a non-torch global Razorvine knows", [0x80, 2, (byte)'c', .. CheckpointFormats.Utf8("datetime\ndate\n"), (byte)')', (byte)'R', (byte)'.'], "datetime.date"),
        };
        foreach (var (what, pickle, global) in cases)
        {
            var e = Assert.Throws<InvalidDataException>(() => CheckpointReader.Read(CheckpointFormats.TorchArchive(pickle), "crafted.pt"), what);
            Checks.True(e!.Message.StartsWith("crafted.pt: archive/data.pkl: refused global '" + global + "'", StringComparison.Ordinal), $"{what}: {e.Message}");
        }
        var computed = Assert.Throws<InvalidDataException>(() => CheckpointReader.Read(CheckpointFormats.TorchArchive([0x80, 4, 0x8c, 2, .. CheckpointFormats.Utf8("os"), (byte)'2', 0x93, .. call]), "crafted.pt"));
        Checks.True(computed!.Message.Contains("not literal strings", StringComparison.Ordinal), computed.Message);
        // Positive control: the same archive around a harmless pickle reads (an empty dict: no tensors).
        Checks.True(CheckpointReader.Read(CheckpointFormats.TorchArchive([0x80, 2, (byte)'}', (byte)'.']), "crafted.pt").Count == 0, "an empty state dict reads");
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
                var rng = Rng.Create(seed ^ SeedPlan.StableHash(name));
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
                        if (e.Message.Length < name.Length + 2 + 12 || !e.Message[(name.Length + 2)..].Any(char.IsLetter))
                            return $"message names the file but states no rule: {e.Message}; {replay}";
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
    [Test, Category(CategoryLabels.Library)]
    public void INPUT_Fuzzed_checkpoints_read_or_fail_cleanly() => Fuzz(80, nameof(INPUT_Fuzzed_checkpoints_read_or_fail_cleanly));

    /// <summary>INPUT: the same with 25 times as many cases.</summary>
    [Test, Category(CategoryLabels.Slow)]
    public void INPUT_Fuzzed_checkpoints_read_or_fail_cleanly_many() => Fuzz(2000, nameof(INPUT_Fuzzed_checkpoints_read_or_fail_cleanly_many));
}
