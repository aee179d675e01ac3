using System.Collections;
using System.Globalization;
using System.IO.Compression;
using System.Numerics;
using Razorvine.Pickle;

namespace LoopedIcl.Numerics.Checkpoints;

/// <summary>
/// PyTorch zip checkpoints (torch.save since 1.6): "PREFIX/data.pkl" (a pickle), "PREFIX/data/KEY" (raw little-endian
/// storage bytes), "PREFIX/version", and in torch 2.x "PREFIX/byteorder", ".format_version", ".storage_alignment",
/// ".data/serialization_id". A pickle is code: the globals it names are checked against an allow-list before it runs
/// (<see cref="PickleScan"/>), and the pickle machine (Razorvine.Pickle) only ever builds inert records.
/// </summary>
internal static class TorchZipFormat
{
    private static readonly Dictionary<string, ElementKind> Storages = new(StringComparer.Ordinal)
    {
        ["DoubleStorage"] = ElementKind.Float64, ["FloatStorage"] = ElementKind.Float32, ["HalfStorage"] = ElementKind.Float16,
        ["BFloat16Storage"] = ElementKind.BFloat16, ["LongStorage"] = ElementKind.Int64, ["IntStorage"] = ElementKind.Int32,
        ["ShortStorage"] = ElementKind.Int16, ["CharStorage"] = ElementKind.Int8, ["ByteStorage"] = ElementKind.UInt8,
        ["BoolStorage"] = ElementKind.Bool,
    };

    /// <summary>Every global a checkpoint may name, with the inert object the pickle machine gets for it.</summary>
    private static readonly Dictionary<string, IObjectConstructor> Allowed = CreateAllowList();

    private const int MaxDepth = 64;
    private const int MaxNodes = 1_000_000;

    private static Dictionary<string, IObjectConstructor> CreateAllowList()
    {
        var allowed = new Dictionary<string, IObjectConstructor>(StringComparer.Ordinal)
        {
            ["torch._utils._rebuild_tensor_v2"] = new RebuildTensor(),
            ["torch._utils._rebuild_tensor"] = new RebuildTensor(),
            ["torch._utils._rebuild_parameter"] = new RebuildParameter(),
            ["torch._utils._rebuild_parameter_with_state"] = new RebuildParameter(),
            ["collections.OrderedDict"] = new OrderedDictConstructor(),
        };
        foreach (var (name, kind) in Storages) allowed["torch." + name] = new StorageType(name, kind);
        // Razorvine resolves globals through one process-wide table; ours are the only torch/collections entries in it.
        foreach (var (key, constructor) in allowed)
        {
            int dot = key.LastIndexOf('.');
            Unpickler.registerConstructor(key[..dot], key[(dot + 1)..], constructor);
        }
        return allowed;
    }

    public static IReadOnlyList<NamedTensor> Read(IReadOnlyList<ZipArchiveEntry> entries, CheckpointSource file)
    {
        var pickles = entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.IndexOf('/') == e.FullName.Length - 9).ToList();
        if (pickles.Count != 1)
            throw file.Fail("data.pkl", pickles.Count == 0
                ? "a PyTorch archive needs exactly one PREFIX/data.pkl (found data.pkl at the top level or nested deeper)"
                : $"the archive has {pickles.Count} data.pkl files ({string.Join(", ", pickles.Select(p => p.FullName))}); expected one");
        string prefix = pickles[0].FullName[..^"data.pkl".Length];
        var byName = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var e in entries)
            if (!byName.TryAdd(e.FullName, e)) throw file.Fail(e.FullName, "appears twice in the archive");
        if (byName.TryGetValue(prefix + "byteorder", out var order))
        {
            string text = CheckpointSource.Latin1(file.ReadEntry(order)).Trim();
            if (text == "big") throw file.Fail(order.FullName, "big-endian storages (byteorder 'big') are not supported; re-save the checkpoint on a little-endian machine");
            if (text != "little") throw file.Fail(order.FullName, $"byteorder must be 'little' or 'big' (got '{CheckpointSource.OneLine(text)}')");
        }

        string pklName = pickles[0].FullName;
        var pickle = file.ReadEntry(pickles[0]);
        foreach (var global in PickleScan.Globals(pickle, rule => file.Fail(pklName, rule)))
            if (!Allowed.ContainsKey(global))
                throw file.Fail(pklName, Refusal(global));

        object root;
        file.CurrentEntry = pklName;
        try
        {
            using var unpickler = new TorchUnpickler();
            root = unpickler.loads(pickle);
        }
        catch (InvalidDataException e) { throw file.Fail(pklName, e.Message); }

        var found = new List<(string Name, TensorRecord Tensor)>();
        int nodes = 0;
        Collect(root, "", 0, found, ref nodes, file, pklName);
        var storages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var result = new List<NamedTensor>(found.Count);
        foreach (var (name, t) in found)
        {
            var s = t.Storage;
            if (!storages.TryGetValue(s.Key, out var bytes))
            {
                string entryName = prefix + "data/" + s.Key;
                if (!byName.TryGetValue(entryName, out var entry))
                    throw file.Fail(name, $"its storage '{entryName}' is missing from the archive");
                bytes = file.ReadEntry(entry);
                storages[s.Key] = bytes;
            }
            // Checked per tensor: two persistent ids may name one key with different sizes or types.
            if (s.Count > bytes.LongLength / ElementType.Size(s.Kind))
                throw file.Fail(prefix + "data/" + s.Key, $"storage shorter than declared: {bytes.LongLength} bytes hold fewer than the {s.Count} {ElementType.Name(s.Kind)} elements the pickle declares");
            var view = bytes.AsSpan(0, checked((int)(s.Count * ElementType.Size(s.Kind))));
            result.Add(StridedData.Gather(file, name, view, s.Kind, t.Shape, t.Strides, t.Offset));
        }
        return result;
    }

    private static string Refusal(string global)
    {
        string why = global.StartsWith("torch.nn.", StringComparison.Ordinal) || global.StartsWith("__main__.", StringComparison.Ordinal)
            || global.StartsWith("__torch__.", StringComparison.Ordinal)
            ? " (this looks like a fully pickled model or a TorchScript archive: save model.state_dict() instead)"
            : "";
        return $"refused global '{global}': a checkpoint may only name torch tensor rebuilds, torch storage types and collections.OrderedDict; nothing was unpickled{why}";
    }

    /// <summary>Walks the unpickled tree depth-first; tensors get dotted paths, other leaves are skipped.</summary>
    private static void Collect(object? node, string path, int depth, List<(string, TensorRecord)> found, ref int nodes,
        CheckpointSource file, string pkl)
    {
        if (++nodes > MaxNodes) throw file.Fail(pkl, $"the pickled object has more than {MaxNodes} nodes (shared or cyclic references?)");
        if (depth > MaxDepth) throw file.Fail(pkl, $"the pickled object nests deeper than {MaxDepth} levels at '{path}' (cyclic?)");
        static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;
        switch (node)
        {
            case TensorRecord t:
                found.Add((path.Length == 0 ? "tensor" : path, t));
                return;
            case OrderedDict d:
                foreach (var key in d.KeysInFileOrder()) Collect(d[key], Join(path, Key(key)), depth + 1, found, ref nodes, file, pkl);
                return;
            case Hashtable h:
                foreach (var key in h.Keys.Cast<object>().Select(k => (Key(k), k)).OrderBy(p => p.Item1, StringComparer.Ordinal))
                    Collect(h[key.k], Join(path, key.Item1), depth + 1, found, ref nodes, file, pkl);
                return;
            case byte[]: // bytes: an IList too, but a leaf (its elements are not nodes)
                return;
            case IList list: // ArrayList (list) and object[] (tuple)
                for (int i = 0; i < list.Count; i++) Collect(list[i], Join(path, i.ToString(CultureInfo.InvariantCulture)), depth + 1, found, ref nodes, file, pkl);
                return;
            case null or string or bool or int or long or double or BigInteger or StorageRecord or IObjectConstructor:
                return; // plain values, bare storages and the allowed globals themselves carry no tensor
            case HashSet<object>:
                return;
            default:
                throw file.Fail(pkl, $"unexpected object of type {node.GetType().Name} at '{path}'");
        }
    }

    private static string Key(object? key) => key switch
    {
        string s => s,
        null => "None",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => key.ToString() ?? "",
    };

    private static long Integer(object? x, string what) => x switch
    {
        int i => i,
        long l => l,
        _ => throw new InvalidDataException($"{what} must be an integer (got {x ?? "None"})"),
    };

    private static long[] Integers(object? x, string what) => x is IList list
        ? list.Cast<object?>().Select(v => Integer(v, what)).ToArray()
        : throw new InvalidDataException($"{what} must be a tuple of integers (got {x ?? "None"})");

    /// <summary>A storage named by a persistent id: ('storage', torch.XStorage, key, location, numel).</summary>
    internal sealed record StorageRecord(string Key, ElementKind Kind, long Count);

    /// <summary>What _rebuild_tensor_v2(storage, offset, size, stride, ...) describes; read later from the archive.</summary>
    internal sealed record TensorRecord(StorageRecord Storage, long Offset, long[] Shape, long[] Strides);

    private sealed class TorchUnpickler : Unpickler
    {
        protected override object persistentLoad(object pid)
        {
            if (pid is not object[] { Length: 5 } t || t[0] is not "storage")
                throw new InvalidDataException($"persistent id must be ('storage', type, key, location, numel) (got {Describe(pid)})");
            if (t[1] is not StorageType type) throw new InvalidDataException($"persistent id names no torch storage type (got {Describe(t[1])})");
            if (t[2] is not string key || key.Length == 0 || key.Contains('/') || key.Contains('\\') || key.Contains(".."))
                throw new InvalidDataException($"storage key must be a plain name (got {Describe(t[2])})");
            if (t[3] is not string) throw new InvalidDataException($"storage location must be a string such as 'cpu' or 'cuda:0' (got {Describe(t[3])})");
            long count = Integer(t[4], "storage numel");
            if (count < 0) throw new InvalidDataException($"storage numel {count} is negative");
            return new StorageRecord(key, type.Kind, count);
        }

        // One level only: a crafted pid may nest tuples as deep as the file is long.
        private static string Describe(object? x) => x switch
        {
            null => "None",
            object[] a => "(" + string.Join(", ", a.Select(v => v is object[] ? "(…)" : v?.ToString() ?? "None")) + ")",
            _ => x.ToString() ?? x.GetType().Name,
        };
    }

    /// <summary>A torch storage type global (torch.FloatStorage, …): only ever used as a tag in a persistent id.</summary>
    private sealed class StorageType(string name, ElementKind kind) : IObjectConstructor
    {
        public ElementKind Kind { get; } = kind;
        public object construct(object[] args) => throw new InvalidDataException($"torch.{name} may only appear in a storage persistent id");
        public override string ToString() => "torch." + name;
    }

    private sealed class RebuildTensor : IObjectConstructor
    {
        public object construct(object[] args)
        {
            if (args.Length < 4 || args[0] is not StorageRecord storage)
                throw new InvalidDataException("_rebuild_tensor needs (storage, offset, size, stride, ...)");
            return new TensorRecord(storage, Integer(args[1], "storage offset"), Integers(args[2], "size"), Integers(args[3], "stride"));
        }
    }

    private sealed class RebuildParameter : IObjectConstructor
    {
        public object construct(object[] args) => args.Length >= 1 && args[0] is TensorRecord t
            ? t : throw new InvalidDataException("_rebuild_parameter needs a tensor as its first argument");
    }

    private sealed class OrderedDictConstructor : IObjectConstructor
    {
        public object construct(object[] args)
        {
            var d = new OrderedDict();
            if (args.Length == 1 && args[0] is IList pairs)
                foreach (var p in pairs)
                    if (p is IList { Count: 2 } kv) d[kv[0]!] = kv[1];
                    else throw new InvalidDataException("OrderedDict items must be (key, value) pairs");
            else if (args.Length != 0) throw new InvalidDataException("OrderedDict takes no arguments or a list of pairs");
            d.Constructed = d.Count;
            return d;
        }
    }

    /// <summary>collections.OrderedDict: keeps insertion order; BUILD's state (its _metadata) is ignored.</summary>
    private sealed class OrderedDict : Hashtable
    {
        private readonly List<object> _order = [];

        /// <summary>How many keys came from the constructor's list of pairs (inserted in file order, before any SETITEMS).</summary>
        public int Constructed { get; set; }

        /// <summary>
        /// The keys in the order the file lists them. The pickle machine (Razorvine.Pickle 1.5) inserts the items of one
        /// SETITEMS in reverse, and CPython's pickler writes a dict's items in SETITEMS batches of 1000 (a last batch of
        /// one as SETITEM), so reversing each block of 1000 insertions restores the file order. The constructor's pairs
        /// (OrderedDict([(k, v), …])) are inserted in order and come first.
        /// </summary>
        public IEnumerable<object> KeysInFileOrder() =>
            _order.Take(Constructed).Concat(_order.Skip(Constructed).Chunk(1000).SelectMany(block => block.Reverse()));

        public override object? this[object key]
        {
            get => base[key];
            set
            {
                if (!ContainsKey(key)) _order.Add(key);
                base[key] = value;
            }
        }

        // Called by the pickle machine's BUILD with the object's __dict__ (for a state dict: {'_metadata': ...}).
        // ReSharper disable once InconsistentNaming
        public void __setstate__(Hashtable state) { }
    }
}
