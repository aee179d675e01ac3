using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Checkpoints;
using LoopedIcl.Numerics.Models;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.ModelCheck;

/// <summary>One set of weights as the suite's literal model: L layers (P_l, Q_l), each (d+1)×(d+1) in the column layout, and the residual sign.</summary>
public sealed record ModelSnapshot(string Label, IReadOnlyList<AttentionLayer<Real>> Layers, ResidualSign Sign)
{
    public int D => Layers[0].Width - 1;
    public int Depth => Layers.Count;
    /// <summary>One (P, Q) in every layer (bit-identical): a looped model, judged against GAT-T1.</summary>
    public bool Looped => Layers.Count > 1 && Layers.All(l => l.P.ExactlyEquals(Layers[0].P) && l.Q.ExactlyEquals(Layers[0].Q));
}

/// <summary>What a checkpoint holds under a layout: one snapshot, or every snapshot of a training log in order; Σ when the file carries U and D.</summary>
public sealed record ModelFile(string Layout, bool LayoutDetected, IReadOnlyList<ModelSnapshot> Snapshots, Matrix<double>? Sigma, string DType);

/// <summary>
/// The declared mappings from named tensors to the suite's models (CLAIMS.md, BYOM). Built in:
/// <list type="bullet">
/// <item><c>ahn-allparam</c> — Ahn et al.'s code: <c>allparam</c> (L, H = 1, 2, d, d) with [l,0,0] = P, [l,0,1] = Q, tokens as rows. Their layer adds
/// (1/N)·(Z Q_full Zᵀ ∘ mask)·Z P_fullᵀ, which is column n of P_full Z M Zᵀ Q_fullᵀ Z: the suite's P_l = [[P,0],[0,1]], Q_l = [[Qᵀ,0],[0,0]],
/// + residual, prediction −Z[N,d] = the suite's −[Z]_{d+1,n+1}. A training log (<c>hist_list.k</c> or <c>hist.k</c>) gives one snapshot per entry.</item>
/// <item><c>suite</c> — the suite's notation: <c>P.l</c>, <c>Q.l</c> ((d+1)×(d+1)) or <c>P</c>, <c>Q</c> (L, d+1, d+1); + residual.</item>
/// <item><c>sparse</c> — family (8): <c>A.l</c> or <c>A</c> (L, d, d); Q_l = −[[A_l,0],[0,0]], P_l = [[0,0],[0,1]], + residual.</item>
/// <item><c>gdpp</c> — family (11): <c>A.l</c>, <c>B.l</c> or <c>A</c>, <c>B</c> (L, d, d); Q_l = [[A_l,0],[0,0]], P_l = [[B_l,0],[0,1]], + residual.</item>
/// <item><c>looped</c> — Gatmiry's (A, u): <c>A</c> (d, d), optional <c>u</c> (d), the loop count from a <c>loops</c> tensor or the caller; − residual.</item>
/// </list>
/// A user's JSON file maps tensor names and slices to roles (<see cref="FromJson"/>). Prefixes <c>_orig_mod.</c> and <c>module.</c> (compiled and
/// data-parallel models) and the container keys <c>model_state_dict.</c>, <c>state_dict.</c>, <c>model.</c> are stripped before matching.
/// </summary>
public static class ModelLayouts
{
    public static readonly string[] BuiltIn = ["ahn-allparam", "suite", "sparse", "gdpp", "looped"];

    private static readonly string[] Wrappers = ["_orig_mod", "module"];
    private static readonly string[] Containers = ["model_state_dict", "state_dict", "model"];
    private static readonly Regex LogEntry = new(@"^(?:hist_list|hist)\.(\d+)$", RegexOptions.CultureInvariant);
    private static readonly Regex Indexed = new(@"^([A-Za-z]+)\.(\d+)$", RegexOptions.CultureInvariant);

    /// <summary>The name with wrapper segments removed and one container key stripped from the front.</summary>
    public static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var parts = name.Split('.').Where(p => !Wrappers.Contains(p)).ToList();
        if (parts.Count > 1 && Containers.Contains(parts[0])) parts.RemoveAt(0);
        return string.Join('.', parts);
    }

    /// <summary>
    /// Maps the tensors with the named layout (a built-in name, or null to detect it). <paramref name="loops"/> is the looped layout's L when the file
    /// has no <c>loops</c> tensor. Throws <see cref="ArgumentException"/> naming the file, the tensor and the rule.
    /// </summary>
    public static ModelFile Map(IReadOnlyList<NamedTensor> tensors, string? layout, int? loops, string file)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var byName = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            var key = Canonical(t.Name);
            if (!byName.TryAdd(key, t)) throw new ArgumentException($"{file}: tensors '{byName[key].Name}' and '{t.Name}' both map to '{key}' after stripping prefixes.");
        }
        bool detected = layout is null;
        if (layout is null)
        {
            var candidates = BuiltIn.Where(l => Matches(l, byName)).ToArray();
            if (candidates.Length != 1)
                throw new ArgumentException(candidates.Length == 0
                    ? $"{file}: no built-in layout fits the tensors [{Names(tensors)}]; pass --layout NAME ({string.Join(", ", BuiltIn)}) or --layout FILE.json"
                    : $"{file}: the tensors fit several layouts ({string.Join(", ", candidates)}); pass --layout NAME");
            layout = candidates[0];
        }
        if (!BuiltIn.Contains(layout)) throw new ArgumentException($"--layout: '{layout}' is not a built-in layout ({string.Join(", ", BuiltIn)}) or a .json file");
        var snapshots = layout switch
        {
            "ahn-allparam" => AhnAllparam(byName, file),
            "suite" => [Stacked(byName, file, "P", "Q", 1, (p, q, d) => new AttentionLayer<Real>(p, q!), ResidualSign.Plus, "suite")],
            "sparse" => [Stacked(byName, file, "A", null, 0, (a, _, d) => Families.SparsePreconditioner(a), ResidualSign.Plus, "sparse")],
            "gdpp" => [Stacked(byName, file, "A", "B", 0, (a, b, d) => Families.GdPlusPlus(a, b!), ResidualSign.Plus, "gdpp")],
            _ => [LoopedModel(byName, file, loops)],
        };
        return new ModelFile(layout, detected, snapshots, SigmaOf(byName, file), string.Join("/", tensors.Select(t => t.DType).Distinct()));
    }

    private static string Names(IReadOnlyList<NamedTensor> tensors) =>
        string.Join(", ", tensors.Take(12).Select(t => $"{t.Name} ({string.Join("×", t.Shape)})")) + (tensors.Count > 12 ? ", …" : "");

    private static bool Matches(string layout, Dictionary<string, NamedTensor> t) => layout switch
    {
        "ahn-allparam" => t.Any(kv => (kv.Key.EndsWith("allparam", StringComparison.Ordinal) || LogEntry.IsMatch(kv.Key)) && kv.Value.Shape.Length == 5)
                          || (t.Count == 1 && IsAllparamShape(t.Values.First().Shape)),
        "suite" => Has(t, "P") && Has(t, "Q"),
        "gdpp" => Has(t, "A") && Has(t, "B"),
        "sparse" => Has(t, "A") && !Has(t, "B") && !t.ContainsKey("u") && !(t.TryGetValue("A", out var a) && a.Shape.Length == 2),
        "looped" => t.TryGetValue("A", out var a2) && a2.Shape.Length == 2 && !Has(t, "B"),
        _ => false,
    };

    private static bool IsAllparamShape(int[] s) => s.Length == 5 && s[2] == 2 && s[3] == s[4];

    private static bool Has(Dictionary<string, NamedTensor> t, string role) => t.ContainsKey(role) || t.ContainsKey(role + ".0");

    private static List<ModelSnapshot> AhnAllparam(Dictionary<string, NamedTensor> t, string file)
    {
        var log = t.Select(kv => (kv, m: LogEntry.Match(kv.Key))).Where(x => x.m.Success)
            .OrderBy(x => int.Parse(x.m.Groups[1].Value, CultureInfo.InvariantCulture)).Select(x => x.kv).ToList();
        var single = t.Where(kv => kv.Key.EndsWith("allparam", StringComparison.Ordinal)).ToList();
        if (single.Count == 0 && log.Count == 0 && t.Count == 1) single.Add(t.First());
        if (single.Count > 1) throw new ArgumentException($"{file}: several allparam tensors ({string.Join(", ", single.Select(s => s.Value.Name))}); pass a JSON layout naming one");
        var entries = log.Count > 0 ? log : single;
        if (entries.Count == 0) throw new ArgumentException($"{file}: the ahn-allparam layout needs a tensor 'allparam' or a log 'hist_list.k'");
        return entries.Select((kv, k) => AllparamSnapshot(kv.Value, file, log.Count > 0 ? $"step {k} ({kv.Value.Name})" : kv.Value.Name)).ToList();
    }

    /// <summary>allparam (L, 1, 2, d, d) → the suite's layers (see the class summary for the derivation).</summary>
    public static ModelSnapshot AllparamSnapshot(NamedTensor t, string file, string label)
    {
        var s = t.Shape;
        if (!IsAllparamShape(s)) throw new ArgumentException($"{file}: tensor '{t.Name}' has shape ({string.Join(", ", s)}); the ahn-allparam layout needs (L, H, 2, d, d)");
        if (s[1] != 1) throw new ArgumentException($"{file}: tensor '{t.Name}' has H = {s[1]} heads; the suite's models have one head (H = 1)");
        int layers = s[0], d = s[3];
        if (layers < 1 || d < 1) throw new ArgumentException($"{file}: tensor '{t.Name}' has an empty dimension ({string.Join(", ", s)})");
        var result = new AttentionLayer<Real>[layers];
        for (int l = 0; l < layers; l++)
        {
            int pBase = (l * 2 + 0) * d * d, qBase = (l * 2 + 1) * d * d;
            var p = new Mat<Real>(d + 1, d + 1);
            var q = new Mat<Real>(d + 1, d + 1);
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                {
                    p[i, j] = new Real(t.Values[pBase + i * d + j]);
                    q[i, j] = new Real(t.Values[qBase + j * d + i]); // the suite's Q = the code's Q_fullᵀ
                }
            p[d, d] = Real.One;
            result[l] = new AttentionLayer<Real>(p, q);
        }
        return new ModelSnapshot(label, result, ResidualSign.Plus);
    }

    /// <summary>Per-layer roles "X.l" (2-D) or one stack "X" (L, k, k) with k = d + <paramref name="extra"/>.</summary>
    private static ModelSnapshot Stacked(Dictionary<string, NamedTensor> t, string file, string first, string? second, int extra,
        Func<Mat<Real>, Mat<Real>?, int, AttentionLayer<Real>> build, ResidualSign sign, string layout)
    {
        var a = Blocks(t, file, first, layout);
        var b = second is null ? null : Blocks(t, file, second, layout);
        if (b is not null && b.Count != a.Count) throw new ArgumentException($"{file}: {first} has {a.Count} layers, {second} has {b.Count}");
        int k = a[0].Rows;
        foreach (var (m, role) in a.Select(m => (m, first)).Concat((b ?? []).Select(m => (m, second!))))
            if (m.Rows != k) throw new ArgumentException($"{file}: every {role} block must be {k}×{k} (got {m.Rows}×{m.Cols})"); // Blocks are square
        int d = k - extra;
        if (d < 1) throw new ArgumentException($"{file}: {first} is {k}×{k}; the {layout} layout needs d ≥ 1");
        var layers = a.Select((m, l) => build(m, b?[l], d)).ToArray();
        return new ModelSnapshot(layout, layers, sign);
    }

    private static List<Mat<Real>> Blocks(Dictionary<string, NamedTensor> t, string file, string role, string layout)
    {
        if (t.TryGetValue(role, out var stack))
        {
            if (stack.Shape.Length != 3 || stack.Shape[1] != stack.Shape[2] || stack.Shape[0] < 1)
                throw new ArgumentException($"{file}: tensor '{stack.Name}' has shape ({string.Join(", ", stack.Shape)}); the {layout} layout needs {role} as (L, k, k) or per-layer {role}.0, {role}.1, …");
            int k = stack.Shape[1];
            return Enumerable.Range(0, stack.Shape[0]).Select(l => Mat<Real>.Build(k, k, (i, j) => new Real(stack.Values[l * k * k + i * k + j]))).ToList();
        }
        var list = new List<Mat<Real>>();
        for (int l = 0; t.TryGetValue($"{role}.{l}", out var m); l++)
        {
            if (m.Shape.Length != 2 || m.Shape[0] != m.Shape[1])
                throw new ArgumentException($"{file}: tensor '{m.Name}' has shape ({string.Join(", ", m.Shape)}); the {layout} layout needs a square matrix");
            int k = m.Shape[0];
            list.Add(Mat<Real>.Build(k, k, (i, j) => new Real(m.Values[i * k + j])));
        }
        if (list.Count == 0) throw new ArgumentException($"{file}: the {layout} layout needs tensor '{role}' (L, k, k) or '{role}.0', '{role}.1', …");
        var extra = t.Keys.Select(n => Indexed.Match(n)).Where(m => m.Success && m.Groups[1].Value == role && int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) >= list.Count).ToArray();
        if (extra.Length > 0) throw new ArgumentException($"{file}: '{extra[0].Value}' but no '{role}.{list.Count}' (layers must be numbered 0, 1, … without gaps)");
        return list;
    }

    private static ModelSnapshot LoopedModel(Dictionary<string, NamedTensor> t, string file, int? loops)
    {
        if (!t.TryGetValue("A", out var a) || a.Shape.Length != 2 || a.Shape[0] != a.Shape[1] || a.Shape[0] < 1)
            throw new ArgumentException($"{file}: the looped layout needs tensor 'A' (d, d)");
        int d = a.Shape[0];
        var am = Mat<Real>.Build(d, d, (i, j) => new Real(a.Values[i * d + j]));
        Mat<Real>? um = null;
        if (t.TryGetValue("u", out var u))
        {
            if (u.Values.Length != d) throw new ArgumentException($"{file}: tensor '{u.Name}' has {u.Values.Length} entries; u must have d = {d}");
            um = Mat<Real>.Build(d, 1, (i, _) => new Real(u.Values[i]));
        }
        int? fromFile = null;
        if (t.TryGetValue("loops", out var lt))
        {
            if (lt.Values.Length != 1 || lt.Values[0] != Math.Round(lt.Values[0]) || lt.Values[0] < 1 || lt.Values[0] > 1000)
                throw new ArgumentException($"{file}: tensor '{lt.Name}' must hold one whole number of loops in 1 … 1000");
            fromFile = (int)lt.Values[0];
        }
        int count = loops ?? fromFile ?? throw new ArgumentException($"{file}: the looped layout needs the loop count: a tensor 'loops' or --loops L");
        if (count < 1) throw new ArgumentException($"--loops must be ≥ 1 (got {count})");
        var layer = Families.Gatmiry(am, um);
        return new ModelSnapshot($"looped (A, u), L = {count}", Enumerable.Repeat(layer, count).ToArray(), ResidualSign.Minus);
    }

    /// <summary>Σ = U D Dᵀ Uᵀ from tensors U (d, d) and D (d, d) or its diagonal (d) — the Ahn et al. code's X ← U D X; null when absent.</summary>
    public static Matrix<double>? SigmaOf(Dictionary<string, NamedTensor> t, string file)
    {
        if (t.TryGetValue("Sigma", out var s))
        {
            if (s.Shape.Length != 2 || s.Shape[0] != s.Shape[1]) throw new ArgumentException($"{file}: tensor '{s.Name}' must be a square matrix Σ");
            int k = s.Shape[0];
            return Matrix<double>.Build.Dense(k, k, (i, j) => s.Values[i * k + j]);
        }
        bool hasU = t.TryGetValue("U", out var u), hasD = t.TryGetValue("D", out var dt);
        if (!hasU && !hasD) return null;
        if (!hasU || !hasD) throw new ArgumentException($"{file}: the data law needs both U and D (Σ = U D² Uᵀ); found only {(hasU ? "U" : "D")}");
        if (u!.Shape.Length != 2 || u.Shape[0] != u.Shape[1]) throw new ArgumentException($"{file}: tensor '{u.Name}' must be a square matrix (d, d)");
        int d = u.Shape[0];
        var um = Matrix<double>.Build.Dense(d, d, (i, j) => u.Values[i * d + j]);
        Matrix<double> dm = dt!.Shape.Length switch
        {
            1 when dt.Shape[0] == d => Matrix<double>.Build.DenseOfDiagonalArray(dt.Values),
            2 when dt.Shape[0] == d && dt.Shape[1] == d => Matrix<double>.Build.Dense(d, d, (i, j) => dt.Values[i * d + j]),
            _ => throw new ArgumentException($"{file}: tensor '{dt.Name}' has shape ({string.Join(", ", dt.Shape)}); D must be (d) or (d, d) with d = {d}"),
        };
        var root = um * dm;
        return root * root.Transpose();
    }

    /// <summary>Σ from its own file (tensors Sigma, or U and D).</summary>
    public static Matrix<double> SigmaFromTensors(IReadOnlyList<NamedTensor> tensors, string file) =>
        SigmaOf(tensors.ToDictionary(t => Canonical(t.Name), StringComparer.Ordinal), file)
        ?? throw new ArgumentException($"{file}: a --sigma file must hold a tensor 'Sigma' (d, d) or tensors 'U' and 'D'");

    // ---- a user's JSON layout ----

    /// <summary>
    /// A user's layout: <c>{"model": "full"|"sparse"|"gdpp"|"looped", "residual": "plus"|"minus", "loops": L,
    /// "layers": [{"P": "name[i,j]", "Q": "name", "transpose": ["Q"], "negate": ["Q"]}, …]}</c>. Roles: P, Q ((d+1)×(d+1)) for full; A for sparse;
    /// A, B for gdpp; A and optional u for looped (one entry, repeated <c>loops</c> times). A spec "name[i,j]" takes the sub-array at leading
    /// indices i, j of the tensor (after prefix stripping); "transpose" and "negate" apply to the named roles.
    /// </summary>
    public static ModelFile FromJson(IReadOnlyList<NamedTensor> tensors, string json, string jsonFile, string file)
    {
        var byName = tensors.ToDictionary(t => Canonical(t.Name), StringComparer.Ordinal);
        JsonElement root;
        try { root = JsonDocument.Parse(json).RootElement; }
        catch (JsonException e) { throw new ArgumentException($"{jsonFile}: not valid JSON ({e.Message.Split('\n')[0]})"); }
        string Str(JsonElement e, string key, string fallback) =>
            e.TryGetProperty(key, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new ArgumentException($"{jsonFile}: '{key}' must be a string")) : fallback;
        var model = Str(root, "model", "full");
        if (model is not ("full" or "sparse" or "gdpp" or "looped")) throw new ArgumentException($"{jsonFile}: 'model' must be full, sparse, gdpp or looped (got '{model}')");
        var residual = Str(root, "residual", model == "looped" ? "minus" : "plus");
        if (residual is not ("plus" or "minus")) throw new ArgumentException($"{jsonFile}: 'residual' must be plus or minus (got '{residual}')");
        if (!root.TryGetProperty("layers", out var layersEl) || layersEl.ValueKind != JsonValueKind.Array || layersEl.GetArrayLength() == 0)
            throw new ArgumentException($"{jsonFile}: 'layers' must be a non-empty array of role → tensor maps");
        string[] roles = model switch { "full" => ["P", "Q"], "sparse" => ["A"], "gdpp" => ["A", "B"], _ => ["A", "u"] };
        var layers = new List<AttentionLayer<Real>>();
        int d = 0, index = 0;
        foreach (var entry in layersEl.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{jsonFile}: layers[{index}] must be an object");
            var transpose = StringList(entry, "transpose", jsonFile, index);
            var negate = StringList(entry, "negate", jsonFile, index);
            foreach (var p in entry.EnumerateObject())
                if (p.Name is not ("transpose" or "negate") && !roles.Contains(p.Name))
                    throw new ArgumentException($"{jsonFile}: layers[{index}] has role '{p.Name}'; a {model} model has roles {string.Join(", ", roles)}");
            var m = new Dictionary<string, Mat<Real>>();
            foreach (var role in roles)
            {
                if (!entry.TryGetProperty(role, out var spec))
                {
                    if (role == "u") continue;
                    throw new ArgumentException($"{jsonFile}: layers[{index}] needs role '{role}'");
                }
                if (spec.ValueKind != JsonValueKind.String) throw new ArgumentException($"{jsonFile}: layers[{index}].{role} must be a tensor spec string (name or name[i,j,…])");
                var block = Slice(byName, spec.GetString()!, jsonFile, file);
                if (transpose.Contains(role)) block = block.Transpose();
                if (negate.Contains(role)) block = -block;
                m[role] = block;
            }
            int k = m[roles[0]].Rows, dl = model == "full" ? k - 1 : k;
            if (dl < 1) throw new ArgumentException($"{jsonFile}: layers[{index}].{roles[0]} is {k}×{m[roles[0]].Cols}; the model needs d ≥ 1");
            if (index == 0) d = dl;
            foreach (var (role, b) in m)
            {
                bool ok = role == "u" ? b.Rows * b.Cols == d : b.Rows == b.Cols && b.Rows == (model == "full" ? d + 1 : d);
                if (!ok || dl != d) throw new ArgumentException($"{jsonFile}: layers[{index}].{role} is {b.Rows}×{b.Cols}; the model has d = {d}");
            }
            layers.Add(model switch
            {
                "full" => new AttentionLayer<Real>(m["P"], m["Q"]),
                "sparse" => Families.SparsePreconditioner(m["A"]),
                "gdpp" => Families.GdPlusPlus(m["A"], m["B"]),
                _ => Families.Gatmiry(m["A"], m.TryGetValue("u", out var u) ? Mat<Real>.Build(d, 1, (i, _) => u[u.Rows == 1 ? 0 : i, u.Rows == 1 ? i : 0]) : null),
            });
            index++;
        }
        if (model == "looped")
        {
            if (layers.Count != 1) throw new ArgumentException($"{jsonFile}: a looped model has one entry in 'layers' (got {layers.Count})");
            if (!root.TryGetProperty("loops", out var lp) || !lp.TryGetInt32(out var loops) || loops < 1)
                throw new ArgumentException($"{jsonFile}: a looped model needs 'loops' (a whole number ≥ 1)");
            layers = Enumerable.Repeat(layers[0], loops).ToList();
        }
        var sign = residual == "minus" ? ResidualSign.Minus : ResidualSign.Plus;
        return new ModelFile(Path.GetFileName(jsonFile), false, [new ModelSnapshot($"{model} ({Path.GetFileName(jsonFile)})", layers, sign)],
            SigmaOf(byName, file), string.Join("/", tensors.Select(t => t.DType).Distinct()));
    }

    private static string[] StringList(JsonElement e, string key, string jsonFile, int index)
    {
        if (!e.TryGetProperty(key, out var v)) return [];
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            throw new ArgumentException($"{jsonFile}: layers[{index}].{key} must be an array of role names");
        return v.EnumerateArray().Select(x => x.GetString()!).ToArray();
    }

    private static readonly Regex SliceSpec = new(@"^([^\[\]]+)(?:\[(\s*\d+\s*(?:,\s*\d+\s*)*)\])?$", RegexOptions.CultureInvariant);

    /// <summary>"name" or "name[i,j,…]": the trailing 1- or 2-D block at the given leading indices.</summary>
    private static Mat<Real> Slice(Dictionary<string, NamedTensor> t, string spec, string jsonFile, string file)
    {
        var m = SliceSpec.Match(spec.Trim());
        if (!m.Success) throw new ArgumentException($"{jsonFile}: '{spec}' is not a tensor spec (name or name[i,j,…])");
        var name = Canonical(m.Groups[1].Value.Trim());
        if (!t.TryGetValue(name, out var tensor)) throw new ArgumentException($"{jsonFile}: no tensor '{name}' in {file} (it holds {string.Join(", ", t.Keys.Take(12))})");
        var idx = m.Groups[2].Success ? m.Groups[2].Value.Split(',').Select(s => int.Parse(s.Trim(), CultureInfo.InvariantCulture)).ToArray() : [];
        var shape = tensor.Shape;
        int rest = shape.Length - idx.Length;
        if (rest is < 1 or > 2) throw new ArgumentException($"{jsonFile}: '{spec}' leaves {rest} dimensions of '{tensor.Name}' ({string.Join(", ", shape)}); a role is a vector or a matrix");
        int offset = 0, stride = shape.Skip(idx.Length).Aggregate(1, (a, b) => a * b);
        for (int k = 0; k < idx.Length; k++)
        {
            if (idx[k] >= shape[k]) throw new ArgumentException($"{jsonFile}: '{spec}': index {idx[k]} is out of range for dimension {k} of '{tensor.Name}' (size {shape[k]})");
            offset = offset * shape[k] + idx[k];
        }
        offset *= stride;
        int rows = rest == 2 ? shape[^2] : shape[^1], cols = rest == 2 ? shape[^1] : 1;
        return Mat<Real>.Build(rows, cols, (i, j) => new Real(tensor.Values[offset + i * cols + j]));
    }
}
