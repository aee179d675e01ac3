using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Checkpoints;
using LoopedIcl.Numerics.ModelCheck;
using LoopedIcl.Numerics.Models;

namespace LoopedIcl.Lemmas;

/// <summary>
/// BYOM (library level): the declared layouts of ModelLayouts against their definitions, on tensors written here with counting values
/// (so a swapped index or a missed transpose shows as a wrong number): each built-in layout in its stacked and per-layer forms, the
/// prefixes stripped, detection, the data law Σ = U D Dᵀ Uᵀ, a user's JSON layout with slices, transposes and negations — and every
/// refusal naming the file or tensor and stating its rule.
/// </summary>
[TestFixture, Category(ClaimIds.Byom), Category(CategoryLabels.Library)]
public sealed class LibraryModelLayouts
{
    private const string File = "model.pt";

    private static NamedTensor T(string name, int[] shape, double first = 1, string dtype = "float32") =>
        new(name, shape, Enumerable.Range(0, shape.Aggregate(1, (p, n) => p * n)).Select(k => first + k).ToArray(), dtype);

    private static NamedTensor V(string name, int[] shape, params double[] values) => new(name, shape, values, "float32");

    private static double[,] Of(Mat<Real> m) { var a = new double[m.Rows, m.Cols]; for (int i = 0; i < m.Rows; i++) for (int j = 0; j < m.Cols; j++) a[i, j] = m[i, j].Value; return a; }

    private static void Equal(Mat<Real> actual, double[,] expected, string what)
    {
        Checks.True(actual.Rows == expected.GetLength(0) && actual.Cols == expected.GetLength(1), $"{what}: {expected.GetLength(0)}×{expected.GetLength(1)} (got {actual.Rows}×{actual.Cols})");
        for (int i = 0; i < actual.Rows; i++)
            for (int j = 0; j < actual.Cols; j++)
                Checks.True(actual[i, j].Value == expected[i, j], $"{what}[{i},{j}] = {expected[i, j]} (got {actual[i, j].Value})", CheckKind.Identity);
    }

    private static void Refuses(Action call, params string[] says)
    {
        var ex = Assert.Catch<ArgumentException>(() => call());
        foreach (var s in says) Checks.True(ex!.Message.Contains(s, StringComparison.Ordinal), $"the refusal says '{s}' ({ex.Message})");
    }

    [Test]
    public void BYOM_Built_in_layouts_map_tensors_as_defined()
    {
        Checks.True(ModelLayouts.Canonical("_orig_mod.module.model_state_dict.A.0") == "A.0" && ModelLayouts.Canonical("model.A") == "A"
                    && ModelLayouts.Canonical("model") == "model" && ModelLayouts.Canonical("state_dict.model.A") == "model.A" && ModelLayouts.Canonical("A.module") == "A",
            "wrappers go anywhere, one container key from the front, a lone name stays", CheckKind.Identity);

        // suite: P, Q stacked (L, d+1, d+1) or per layer; + residual; values as stored, row-major.
        var suite = ModelLayouts.Map([T("module.P", [2, 3, 3]), T("Q", [2, 3, 3], 100)], null, null, File);
        Checks.True(suite.Layout == "suite" && suite.LayoutDetected && suite.Snapshots.Single().Sign == ResidualSign.Plus && suite.Sigma is null && suite.DType == "float32",
            "detected 'suite', + residual, no Σ");
        Equal(suite.Snapshots[0].Layers[1].P, new double[,] { { 10, 11, 12 }, { 13, 14, 15 }, { 16, 17, 18 } }, "suite P_1");
        Equal(suite.Snapshots[0].Layers[0].Q, new double[,] { { 100, 101, 102 }, { 103, 104, 105 }, { 106, 107, 108 } }, "suite Q_0");
        var perLayer = ModelLayouts.Map([T("P.0", [3, 3]), T("Q.0", [3, 3], 100), T("P.1", [3, 3], 10), T("Q.1", [3, 3], 109)], "suite", null, File);
        Checks.True(!perLayer.LayoutDetected && perLayer.Snapshots[0].Layers.Count == 2, "named 'suite', two per-layer entries");
        Equal(perLayer.Snapshots[0].Layers[1].P, Of(suite.Snapshots[0].Layers[1].P), "per-layer P_1 = stacked P_1");

        // sparse: Q_l = −[[A_l, 0], [0, 0]], P_l = [[0, 0], [0, 1]].
        var sparse = ModelLayouts.Map([T("A", [2, 2, 2])], null, null, File);
        Checks.True(sparse.Layout == "sparse" && sparse.Snapshots[0].Depth == 2 && sparse.Snapshots[0].D == 2 && !sparse.Snapshots[0].Looped, "detected 'sparse', two layers, d = 2, not looped");
        Equal(sparse.Snapshots[0].Layers[1].Q, new double[,] { { -5, -6, 0 }, { -7, -8, 0 }, { 0, 0, 0 } }, "sparse Q_1 = −[[A_1, 0], [0, 0]]");
        Equal(sparse.Snapshots[0].Layers[0].P, new double[,] { { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 1 } }, "sparse P");

        // gdpp: P_l = [[B_l, 0], [0, 1]], Q_l = [[A_l, 0], [0, 0]].
        var gdpp = ModelLayouts.Map([T("A.0", [2, 2]), T("B.0", [2, 2], 10)], null, null, File);
        Checks.True(gdpp.Layout == "gdpp", "detected 'gdpp'");
        Equal(gdpp.Snapshots[0].Layers[0].P, new double[,] { { 10, 11, 0 }, { 12, 13, 0 }, { 0, 0, 1 } }, "gdpp P = [[B, 0], [0, 1]]");
        Equal(gdpp.Snapshots[0].Layers[0].Q, new double[,] { { 1, 2, 0 }, { 3, 4, 0 }, { 0, 0, 0 } }, "gdpp Q = [[A, 0], [0, 0]]");

        // looped: A (d, d), u (d), L from the file or the caller (the caller wins); − residual; every loop the same layer.
        var looped = ModelLayouts.Map([T("A", [2, 2]), V("u", [2], 5, 6), V("loops", [], 3)], null, null, File);
        var snap = looped.Snapshots.Single();
        Checks.True(looped.Layout == "looped" && snap.Depth == 3 && snap.Looped && snap.Sign == ResidualSign.Minus && snap.Label == "looped (A, u), L = 3",
            $"detected 'looped', L = 3 from the file, − residual (got {snap.Label})");
        Equal(snap.Layers[2].P, new double[,] { { 0, 0, 0 }, { 0, 0, 0 }, { 5, 6, 1 } }, "looped P = [[0, 0], [uᵀ, 1]]");
        Checks.True(ModelLayouts.Map([T("A", [2, 2]), V("loops", [], 3)], "looped", 5, File).Snapshots[0].Depth == 5, "--loops overrides the file's loops");
        Checks.True(ModelLayouts.Map([T("A", [2, 2])], "looped", 1, File).Snapshots[0].Depth == 1 && !ModelLayouts.Map([T("A", [2, 2])], "looped", 1, File).Snapshots[0].Looped,
            "one loop is a single layer (not called looped)");

        // The data law: Σ = U D Dᵀ Uᵀ from U and D (its diagonal or the matrix), or Σ itself.
        var withSigma = ModelLayouts.Map([T("A", [1, 2, 2]), V("U", [2, 2], 0, 1, 1, 0), V("D", [2], 2, 3)], null, null, File);
        Checks.True(withSigma.Sigma!.Equals(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(new double[,] { { 9, 0 }, { 0, 4 } })), "Σ = U diag(2, 3)² Uᵀ with U the swap = diag(9, 4)");
        var dMatrix = ModelLayouts.SigmaFromTensors([V("U", [2, 2], 1, 0, 0, 1), V("D", [2, 2], 1, 1, 0, 1)], File);
        Checks.True(dMatrix.Equals(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(new double[,] { { 2, 1 }, { 1, 1 } })), "D as a matrix: Σ = DDᵀ");
        Checks.True(ModelLayouts.SigmaFromTensors([V("Sigma", [2, 2], 2, 1, 1, 3)], File)[1, 1] == 3, "Σ read as stored");

        // ahn-allparam: (L, 1, 2, d, d) with [l,0,0] = P, [l,0,1] = Q; the suite's Q is the code's Qᵀ; a log gives one snapshot per entry in numeric order.
        var allparam = ModelLayouts.AllparamSnapshot(T("allparam", [1, 1, 2, 2, 2]), File, "x");
        Equal(allparam.Layers[0].P, new double[,] { { 1, 2, 0 }, { 3, 4, 0 }, { 0, 0, 1 } }, "allparam P_l = [[P, 0], [0, 1]]");
        Equal(allparam.Layers[0].Q, new double[,] { { 5, 7, 0 }, { 6, 8, 0 }, { 0, 0, 0 } }, "allparam Q_l = [[Qᵀ, 0], [0, 0]]");
        var log = ModelLayouts.Map([T("hist_list.10", [1, 1, 2, 2, 2], 100), T("hist_list.2", [1, 1, 2, 2, 2])], null, null, File);
        Checks.True(log.Layout == "ahn-allparam" && log.Snapshots.Count == 2 && log.Snapshots[0].Layers[0].P[0, 0].Value == 1 && log.Snapshots[1].Label == "step 1 (hist_list.10)",
            "a training log in numeric order (2 before 10)");
        var bare = ModelLayouts.Map([T("weights", [2, 1, 2, 1, 1], 1, "float16")], null, null, File);
        Checks.True(bare.Layout == "ahn-allparam" && bare.Snapshots[0].Depth == 2 && bare.DType == "float16" && bare.Snapshots[0].Label == "weights", "a lone tensor of allparam shape, labelled by its name");
        var named = ModelLayouts.Map([T("net.allparam", [1, 1, 2, 2, 2]), T("other", [3])], null, null, File);
        Checks.True(named.Layout == "ahn-allparam" && named.Snapshots.Single().Label == "net.allparam", $"an 'allparam' tensor beside others, labelled by its name (got {named.Snapshots[0].Label})");

        // Edges the definitions allow: per-layer gdpp over two layers (labelled by its layout), d = 1 (suite and looped), one loop from the
        // file, and the dtypes of mixed files joined.
        var gdpp2 = ModelLayouts.Map([T("A.0", [2, 2]), T("A.1", [2, 2], 5), T("B.0", [2, 2], 10), T("B.1", [2, 2], 20, "float64")], null, null, File);
        Checks.True(gdpp2.Snapshots[0].Depth == 2 && gdpp2.Snapshots[0].Label == "gdpp" && gdpp2.DType == "float32/float64" && gdpp2.Snapshots[0].Layers[1].P[1, 1].Value == 23,
            $"per-layer gdpp: two layers, label 'gdpp', dtypes float32/float64 (got {gdpp2.Snapshots[0].Label}, {gdpp2.DType})");
        Checks.True(ModelLayouts.Map([T("P", [1, 2, 2]), T("Q", [1, 2, 2])], null, null, File).Snapshots[0].D == 1, "a suite model with d = 1");
        var tiny = ModelLayouts.Map([V("A", [1, 1], 0.5), V("loops", [], 1)], null, null, File);
        Checks.True(tiny.Layout == "looped" && tiny.Snapshots[0].D == 1 && tiny.Snapshots[0].Depth == 1, "a looped model with d = 1 and one loop from the file");
    }

    [Test]
    public void BYOM_Layout_refusals_name_the_file_and_the_rule()
    {
        Refuses(() => ModelLayouts.Map([T("module.A", [2, 2]), T("A", [2, 2])], null, 1, File), "model.pt", "'module.A' and 'A' both map to 'A'");
        Refuses(() => ModelLayouts.Map([T("W", [2, 2])], null, null, File), "no built-in layout fits the tensors [W (2×2)]; pass --layout NAME (ahn-allparam, suite, sparse, gdpp, looped)");
        var many = Enumerable.Range(0, 13).Select(k => T($"w{k}", [2])).ToArray();
        Refuses(() => ModelLayouts.Map(many, null, null, File), "[w0 (2), w1 (2), ", "w11 (2), …]");
        var twelve = Assert.Catch<ArgumentException>(() => ModelLayouts.Map(many[..12], null, null, File));
        Checks.True(twelve!.Message.Contains("w11 (2)]") && !twelve.Message.Contains('…'), $"twelve names are listed whole ({twelve.Message})");
        // Detection needs every role of a layout: P alone, a 5-D tensor not named allparam beside another, A (3-D) with u fit none.
        Refuses(() => ModelLayouts.Map([T("P", [1, 3, 3])], null, null, File), "no built-in layout fits");
        Refuses(() => ModelLayouts.Map([T("W", [1, 1, 2, 2, 2]), T("V", [2])], null, null, File), "no built-in layout fits");
        Refuses(() => ModelLayouts.Map([T("A", [2, 2, 2]), T("u", [2])], null, null, File), "no built-in layout fits");
        Refuses(() => ModelLayouts.Map([T("A", [2, 2]), T("B", [2, 2])], null, null, File), "tensor 'A' has shape (2, 2); the gdpp layout needs A as (L, k, k)"); // gdpp only, not looped
        Refuses(() => ModelLayouts.Map([T("u", [2])], "looped", 1, File), "the looped layout needs tensor 'A' (d, d)");
        Checks.True(Assert.Throws<ArgumentNullException>(() => ModelLayouts.Map(null!, null, null, File))!.ParamName == "tensors"
                    && Assert.Throws<ArgumentNullException>(() => ModelLayouts.Canonical(null!))!.ParamName == "name", "null tensors and names are refused by name");
        Refuses(() => ModelLayouts.Map([T("P", [1, 3, 3]), T("Q", [1, 3, 3]), T("A", [1, 2, 2]), T("B", [1, 2, 2])], null, null, File), "fit several layouts (suite, gdpp)");
        Refuses(() => ModelLayouts.Map([T("A", [2, 2])], "bogus", 1, File), "--layout: 'bogus' is not a built-in layout (ahn-allparam, suite, sparse, gdpp, looped)");
        Refuses(() => ModelLayouts.Map([T("A", [2, 2, 2]), T("B", [1, 2, 2])], "gdpp", null, File), "A has 2 layers, B has 1");
        // Per layer: B's numbering scan must not count A's layers (A.1 is not a missing B.1).
        Refuses(() => ModelLayouts.Map([T("A.0", [2, 2]), T("A.1", [2, 2]), T("B.0", [2, 2])], "gdpp", null, File), "A has 2 layers, B has 1");
        Refuses(() => ModelLayouts.Map([T("A.0", [2, 2]), T("B.0", [3, 3])], "gdpp", null, File), "every B block must be 2×2 (got 3×3)");
        Refuses(() => ModelLayouts.Map([T("P", [1, 1, 1]), T("Q", [1, 1, 1])], "suite", null, File), "P is 1×1; the suite layout needs d ≥ 1");
        Refuses(() => ModelLayouts.Map([T("A", [2, 2, 3])], "sparse", null, File), "tensor 'A' has shape (2, 2, 3)", "(L, k, k)");
        Refuses(() => ModelLayouts.Map([T("A", [0, 2, 2])], "sparse", null, File), "tensor 'A' has shape (0, 2, 2)");
        Refuses(() => ModelLayouts.Map([T("A.0", [2, 3])], "sparse", null, File), "tensor 'A.0' has shape (2, 3); the sparse layout needs a square matrix");
        Refuses(() => ModelLayouts.Map([T("A.0", [2, 2]), T("A.2", [2, 2])], "sparse", null, File), "'A.2' but no 'A.1'");
        Refuses(() => ModelLayouts.Map([T("W", [2, 2])], "sparse", null, File), "needs tensor 'A' (L, k, k) or 'A.0'");
        Refuses(() => ModelLayouts.Map([T("A", [2, 3])], "looped", 1, File), "the looped layout needs tensor 'A' (d, d)");
        Refuses(() => ModelLayouts.Map([T("A", [2, 2]), T("u", [3])], "looped", 1, File), "tensor 'u' has 3 entries; u must have d = 2");
        Refuses(() => ModelLayouts.Map([T("A", [2, 2])], "looped", null, File), "needs the loop count");
        Refuses(() => ModelLayouts.Map([T("A", [2, 2])], "looped", 0, File), "--loops must be ≥ 1 (got 0)");
        foreach (var bad in new[] { 0.0, 1.5, 1001 })
            Refuses(() => ModelLayouts.Map([T("A", [2, 2]), V("loops", [], bad)], "looped", null, File), "must hold one whole number of loops in 1 … 1000");
        Checks.True(ModelLayouts.Map([T("A", [2, 2]), V("loops", [], 1000)], "looped", null, File).Snapshots[0].Depth == 1000, "1000 loops are allowed");
        Refuses(() => ModelLayouts.Map([T("x.allparam", [1, 1, 2, 2, 2]), T("y.allparam", [1, 1, 2, 2, 2])], "ahn-allparam", null, File), "several allparam tensors (x.allparam, y.allparam)");
        Refuses(() => ModelLayouts.Map([T("W", [2, 2]), T("V", [2, 2])], "ahn-allparam", null, File), "needs a tensor 'allparam' or a log");
        Refuses(() => ModelLayouts.AllparamSnapshot(T("allparam", [1, 1, 3, 2, 2]), File, "x"), "has shape (1, 1, 3, 2, 2)", "(L, H, 2, d, d)");
        Refuses(() => ModelLayouts.AllparamSnapshot(T("allparam", [1, 2, 2, 2, 2]), File, "x"), "H = 2 heads");
        Refuses(() => ModelLayouts.AllparamSnapshot(new NamedTensor("allparam", [0, 1, 2, 2, 2], [], "float32"), File, "x"), "an empty dimension (0, 1, 2, 2, 2)");
        Refuses(() => ModelLayouts.SigmaFromTensors([T("U", [2, 2])], File), "needs both U and D", "found only U");
        Refuses(() => ModelLayouts.SigmaFromTensors([T("D", [2])], File), "found only D");
        Refuses(() => ModelLayouts.SigmaFromTensors([T("U", [2, 3]), T("D", [2])], File), "tensor 'U' must be a square matrix");
        Refuses(() => ModelLayouts.SigmaFromTensors([T("U", [2, 2]), T("D", [3])], File), "tensor 'D' has shape (3); D must be (d) or (d, d) with d = 2");
        Refuses(() => ModelLayouts.SigmaFromTensors([T("U", [2, 2]), T("D", [2, 3])], File), "tensor 'D' has shape (2, 3)");
        Refuses(() => ModelLayouts.SigmaFromTensors([T("Sigma", [2, 3])], File), "tensor 'Sigma' must be a square matrix");
        Refuses(() => ModelLayouts.SigmaFromTensors([T("W", [2, 2])], File), "a --sigma file must hold a tensor 'Sigma'");
    }

    [Test]
    public void BYOM_Json_layouts_map_slices_transposes_and_negations()
    {
        NamedTensor[] tensors = [T("model.W", [2, 2, 3, 3]), T("v", [2, 2]), T("n", [3, 2, 2])];
        var full = ModelLayouts.FromJson(tensors,
            """{"layers": [{"P": "W[0,0]", "Q": "W[0, 1]", "transpose": ["Q"], "negate": ["P"]}, {"P": "W[1,0]", "Q": "W[1,1]"}]}""", "my.json", File);
        var s = full.Snapshots.Single();
        Checks.True(full.Layout == "my.json" && !full.LayoutDetected && s.Sign == ResidualSign.Plus && s.Depth == 2 && s.Label == "full (my.json)", "a full model, + residual by default");
        Equal(s.Layers[0].P, new double[,] { { -1, -2, -3 }, { -4, -5, -6 }, { -7, -8, -9 } }, "P = −W[0,0]");
        Equal(s.Layers[0].Q, new double[,] { { 10, 13, 16 }, { 11, 14, 17 }, { 12, 15, 18 } }, "Q = W[0,1]ᵀ");
        Equal(s.Layers[1].Q, new double[,] { { 28, 29, 30 }, { 31, 32, 33 }, { 34, 35, 36 } }, "Q_1 = W[1,1]");
        var sparse = ModelLayouts.FromJson(tensors, """{"model": "sparse", "residual": "minus", "layers": [{"A": "n[2]"}]}""", "s.json", File).Snapshots[0];
        Checks.True(sparse.Sign == ResidualSign.Minus, "residual minus as asked");
        Equal(sparse.Layers[0].Q, new double[,] { { -9, -10, 0 }, { -11, -12, 0 }, { 0, 0, 0 } }, "sparse A = n[2]");
        var gdpp = ModelLayouts.FromJson(tensors, """{"model": "gdpp", "layers": [{"A": "v", "B": "n[0]"}]}""", "g.json", File).Snapshots[0];
        Equal(gdpp.Layers[0].P, new double[,] { { 1, 2, 0 }, { 3, 4, 0 }, { 0, 0, 1 } }, "gdpp B = n[0]");
        var looped = ModelLayouts.FromJson([T("v", [2, 2]), V("r", [1, 2], 7, 8)], """{"model": "looped", "loops": 4, "layers": [{"A": "v", "u": "r"}]}""", "l.json", File).Snapshots[0];
        Checks.True(looped.Depth == 4 && looped.Sign == ResidualSign.Minus, "looped: 4 loops, − residual by default");
        Equal(looped.Layers[3].P, new double[,] { { 0, 0, 0 }, { 0, 0, 0 }, { 7, 8, 1 } }, "u from a 1×2 row");
        var columnFile = ModelLayouts.FromJson([T("v", [2, 2]), new NamedTensor("r", [2], [7, 8], "float64")], """{"model": "looped", "loops": 1, "layers": [{"A": "v", "u": "r"}]}""", "l.json", File);
        var column = columnFile.Snapshots[0];
        Checks.True(columnFile.DType == "float32/float64", $"the JSON layout joins the dtypes (got {columnFile.DType})");
        Equal(column.Layers[0].P, new double[,] { { 0, 0, 0 }, { 0, 0, 0 }, { 7, 8, 1 } }, "u from a vector");

        void Bad(string json, params string[] says) => Refuses(() => ModelLayouts.FromJson(tensors, json, "bad.json", File), says);
        Bad("""{"model": "sparse", "layers": [{"A": "n[2]", "u": "v"}]}""", "layers[0] has role 'u'; a sparse model has roles A");
        Bad("""{"layers": [{"P": 5, "Q": "W[0,1]"}]}""", "layers[0].P must be a tensor spec string");
        Bad("""{"layers": [{"P": null, "Q": "W[0,1]"}]}""", "layers[0].P must be a tensor spec string");
        Bad("""{"layers": [{"P": "W[0,0]", "Q": "W[0,1]", "transpose": ["Q", 1]}]}""", "layers[0].transpose must be an array of role names");
        Refuses(() => ModelLayouts.FromJson([T("p", [1, 1]), T("q", [1, 1])], """{"layers": [{"P": "p", "Q": "q"}]}""", "one.json", File), "one.json: layers[0].P is 1×1; the model needs d ≥ 1");
        var noTranspose = ModelLayouts.FromJson(tensors, """{"layers": [{"P": "W[0,0]", "Q": "W[0,1]", "transpose": []}]}""", "t.json", File).Snapshots[0];
        Equal(noTranspose.Layers[0].Q, new double[,] { { 10, 11, 12 }, { 13, 14, 15 }, { 16, 17, 18 } }, "an empty transpose list transposes nothing");
        Bad("{", "bad.json: not valid JSON");
        Bad("""{"model": 3, "layers": []}""", "'model' must be a string");
        Bad("""{"model": "dense", "layers": [{}]}""", "'model' must be full, sparse, gdpp or looped (got 'dense')");
        Bad("""{"residual": "both", "layers": [{}]}""", "'residual' must be plus or minus (got 'both')");
        Bad("""{"layers": []}""", "'layers' must be a non-empty array");
        Bad("""{"layers": {}}""", "'layers' must be a non-empty array");
        Bad("""{"layers": [3]}""", "layers[0] must be an object");
        Bad("""{"layers": [{"P": "W[0,0]", "Q": "W[0,1]", "A": "v"}]}""", "layers[0] has role 'A'; a full model has roles P, Q");
        Bad("""{"layers": [{"P": "W[0,0]"}]}""", "layers[0] needs role 'Q'");
        Bad("""{"layers": [{"P": "W[0,0", "Q": "W[0,1]"}]}""", "'W[0,0' is not a tensor spec");
        Bad("""{"layers": [{"P": "X", "Q": "W[0,1]"}]}""", "no tensor 'X' in model.pt (it holds W, v, n)");
        Bad("""{"layers": [{"P": "W", "Q": "W[0,1]"}]}""", "'W' leaves 4 dimensions of 'model.W' (2, 2, 3, 3); a role is a vector or a matrix");
        Bad("""{"layers": [{"P": "W[0,0,1]", "Q": "W[0,1]"}]}""", "layers[0].P is 3×1; the model has d = 2");   // a vector is a role, of the wrong size here
        Bad("""{"layers": [{"P": "W[0,2]", "Q": "W[0,1]"}]}""", "index 2 is out of range for dimension 1 of 'model.W' (size 2)");
        Bad("""{"layers": [{"P": "W[0,0]", "Q": "v"}]}""", "layers[0].Q is 2×2; the model has d = 2");
        Bad("""{"layers": [{"P": "W[0,0]", "Q": "W[0,1]"}, {"P": "v", "Q": "v"}]}""", "layers[1].P is 2×2; the model has d = 2");
        Bad("""{"layers": [{"P": "W[0,0]", "Q": "W[0,1]", "transpose": "Q"}]}""", "layers[0].transpose must be an array of role names");
        Bad("""{"layers": [{"P": "W[0,0]", "Q": "W[0,1]", "negate": [1]}]}""", "layers[0].negate must be an array of role names");
        Bad("""{"model": "looped", "loops": 2, "layers": [{"A": "v"}, {"A": "v"}]}""", "a looped model has one entry in 'layers' (got 2)");
        Bad("""{"model": "looped", "layers": [{"A": "v"}]}""", "a looped model needs 'loops'");
        Bad("""{"model": "looped", "loops": 0, "layers": [{"A": "v"}]}""", "a looped model needs 'loops'");
        Bad("""{"model": "looped", "loops": 1, "layers": [{"A": "v", "u": "n[0]"}]}""", "layers[0].u is 2×2; the model has d = 2");
    }
}
