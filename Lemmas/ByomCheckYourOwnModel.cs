using LoopedIcl.Experiments.ModelCheck;
using LoopedIcl.Numerics.Checkpoints;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.ModelCheck;
using LoopedIcl.Numerics.Training;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Lemmas;

/// <summary>
/// BYOM (bring your own model): weights from someone else's checkpoint are mapped through a declared layout onto the suite's literal model
/// and checked against the theory. Verified on weights whose truth is known: the exact optimum holds every check; a perturbed copy, a
/// transposed layout and plain-GD weights each fail the check that should catch them (as a <see cref="ClaimViolation"/> of that check).
/// </summary>
[TestFixture, Category(ClaimIds.Byom)]
public sealed class ByomCheckYourOwnModel
{
    // The Ahn et al. rotation setting, small: d = 3, n = 10, L = 2, Σ = U D² Uᵀ with D = diag(1, 1/2, 1).
    internal const int D = 3, N = 10, L = 2;
    internal static readonly double[] DDiagonal = [1, 0.5, 1];

    internal static Matrix<double> RotationU() => Covariance.HaarOrthogonal(D, Rng.Create(TestSettings.SeedFor("BYOM.U")));

    /// <summary>A double rounded to float32, as a trained model's weights are stored.</summary>
    internal static double F32(double v) => (float)v;

    /// <summary>The code's allparam (L, 1, 2, d, d) from per-layer code blocks P (d×d) and Q (d×d).</summary>
    internal static NamedTensor Allparam(IReadOnlyList<Matrix<double>> p, IReadOnlyList<Matrix<double>> q, string name = "allparam")
    {
        int layers = p.Count, d = p[0].RowCount;
        var v = new double[layers * 2 * d * d];
        for (int l = 0; l < layers; l++)
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                {
                    v[(l * 2) * d * d + i * d + j] = F32(p[l][i, j]);
                    v[(l * 2 + 1) * d * d + i * d + j] = F32(q[l][i, j]);
                }
        return new NamedTensor(name, [layers, 1, 2, d, d], v, "float32");
    }

    internal static NamedTensor Tensor(string name, Matrix<double> m) => new(name, [m.RowCount, m.ColumnCount], m.ToRowMajorArray().Select(F32).ToArray(), "float32");

    /// <summary>The data-law tensors of the authors' dict: U and D (Σ = U D² Uᵀ).</summary>
    internal static NamedTensor[] DataLawTensors(Matrix<double> u) =>
        [Tensor("U", u), new NamedTensor("D", [D], DDiagonal.Select(F32).ToArray(), "float32")];

    /// <summary>Σ as the checker derives it from the (float32) U and D tensors.</summary>
    internal static Matrix<double> SigmaOf(Matrix<double> u) =>
        ModelLayouts.SigmaFromTensors(DataLawTensors(u), "memory");

    /// <summary>
    /// The code's blocks of L-step PGD with A_l = a_lΣ⁻¹ in the p0 recipe: P = 0 and the code's Q block C_l = −A_lᵀ (the suite's Q_l = Q_fullᵀ = −[[A_l,0],[0,0]]).
    /// </summary>
    internal static (Matrix<double>[] P, Matrix<double>[] Q) CodeBlocks(IReadOnlyList<Matrix<double>> a) =>
        (a.Select(_ => Matrix<double>.Build.Dense(D, D)).ToArray(), a.Select(m => -m.Transpose()).ToArray());

    internal static Matrix<double>[] Optimum(Matrix<double> sigma)
    {
        var (steps, _) = LearningTheory.SparseOptimum(N, D, L);
        var inv = sigma.Inverse();
        return steps.Select(s => inv * s).ToArray();
    }

    internal static DataLaw Law(Matrix<double> sigma) => new(N, sigma, "test", "test");

    internal static SnapshotCheck CheckAllparam(IReadOnlyList<Matrix<double>> a, Matrix<double> u, bool swapPq = false)
    {
        var (p, q) = CodeBlocks(a);
        var tensors = new List<NamedTensor> { swapPq ? Allparam(q, p) : Allparam(p, q) };
        tensors.AddRange(DataLawTensors(u));
        var file = ModelLayouts.Map(tensors, null, null, "memory");
        return ModelChecker.Check(file.Snapshots[0], Law(file.Sigma!), TestSettings.EngineSeedFor("BYOM.check"));
    }

    /// <summary>The claim's own check for one named part: value ≤ threshold and the checker's verdict held (a failure is a ClaimViolation of that check).</summary>
    internal static void AssertCheck(SnapshotCheck r, string name)
    {
        var c = r.Check(name);
        Checks.Sanity(c.Held is not null, $"{name} applies to {r.Label}");
        Checks.AtMost(c.Value, c.Threshold, $"BYOM {name}: {c.Detail}");
        Checks.True(c.Held == true, $"BYOM {name} held: {c.Detail}", CheckKind.Bound);
    }

    internal static void AssertAllHold(SnapshotCheck r)
    {
        foreach (var c in r.Checks.Where(c => c.Held is not null)) AssertCheck(r, c.Name);
    }

    // ---- the Ahn et al. layout, pinned ----

    /// <summary>
    /// The Ahn et al. code's forward pass written out from its description (tokens are rows; a layer adds (1/N)·S·mask·(Z P_fullᵀ) with
    /// S = Z Q_full Zᵀ and the query's key column masked; ŷ = −Z[N, d]) in plain arrays, independent of the suite's models.
    /// </summary>
    internal static double RowLayoutPrediction(double[] allparam, int layers, int d, Prompt<Real> prompt)
    {
        int n = prompt.N, w = d + 1;
        var z = new double[n + 1, w];
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < d; a++) z[i, a] = prompt.X[i, a].Value;
            z[i, d] = prompt.Y[i, 0].Value;
        }
        for (int a = 0; a < d; a++) z[n, a] = prompt.Query[a, 0].Value;
        for (int l = 0; l < layers; l++)
        {
            double PFull(int i, int j) => i < d && j < d ? allparam[(l * 2) * d * d + i * d + j] : i == d && j == d ? 1 : 0;
            double QFull(int i, int j) => i < d && j < d ? allparam[(l * 2 + 1) * d * d + i * d + j] : 0;
            var s = new double[n + 1, n + 1];
            for (int r = 0; r <= n; r++)
                for (int c = 0; c < n; c++) // the mask zeroes column n (the query as a key)
                    for (int i = 0; i < w; i++)
                        for (int j = 0; j < w; j++) s[r, c] += z[r, i] * QFull(i, j) * z[c, j];
            var value = new double[n + 1, w]; // Z P_fullᵀ
            for (int r = 0; r <= n; r++)
                for (int i = 0; i < w; i++)
                    for (int j = 0; j < w; j++) value[r, i] += z[r, j] * PFull(i, j);
            var update = new double[n + 1, w];
            for (int r = 0; r <= n; r++)
                for (int c = 0; c < n; c++)
                    for (int i = 0; i < w; i++) update[r, i] += s[r, c] * value[c, i] / n;
            for (int r = 0; r <= n; r++)
                for (int i = 0; i < w; i++) z[r, i] += update[r, i];
        }
        return -z[n, d];
    }

    /// <summary>BYOM: the ahn-allparam mapping (P_l = [[P,0],[0,1]], Q_l = [[Qᵀ,0],[0,0]]) gives the code's predictions, for random P and Q blocks.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Allparam_layout_reproduces_the_authors_row_layout_forward()
    {
        var rng = Rng.Create(TestSettings.SeedFor("BYOM.allparam"));
        const int d = 3, n = 7, layers = 3;
        var p = Enumerable.Range(0, layers).Select(_ => Matrix<double>.Build.Dense(d, d, Rng.Gaussians(rng, d * d)) * 0.3).ToArray();
        var q = Enumerable.Range(0, layers).Select(_ => Matrix<double>.Build.Dense(d, d, Rng.Gaussians(rng, d * d)) * 0.3).ToArray();
        var tensor = Allparam(p, q);
        var model = ModelLayouts.AllparamSnapshot(tensor, "memory", "random");
        var literal = new LinearTransformer<Real>(model.Layers, model.Sign);
        // The negative control: the code's Q block used untransposed (Q_l = Q_full) is a different model.
        var untransposed = new LinearTransformer<Real>(model.Layers.Select(x => new AttentionLayer<Real>(x.P, x.Q.Transpose())).ToArray(), model.Sign);
        var law = PromptLaw.Isotropic(d, TaskLaw.Isotropic);
        var batch = law.Draw(n, 8, TestSettings.EngineSeedFor("BYOM.allparam.prompts"));
        double worstControl = 0, controlBudget = 0;
        for (int k = 0; k < batch.Count; k++)
        {
            var prompt = batch.ToPrompt(k);
            double expected = RowLayoutPrediction(tensor.Values, layers, d, prompt);
            var traj = literal.Trajectory(Embedding.ColumnTokens(prompt));
            double budget = Tolerance.GeneralLayers(n, d, layers, Agreement.Magnitude(traj));
            Checks.Close(LinearTransformer<Real>.Readout(traj[^1]).Value, expected, budget, $"allparam prompt {k}: suite literal model = the code's row-layout forward");
            double miss = Math.Abs(untransposed.Predict(prompt).Value - expected);
            if (miss / budget > worstControl / Math.Max(controlBudget, double.Epsilon)) (worstControl, controlBudget) = (miss, budget);
        }
        Properties.ExpectViolation("allparam's Q block used untransposed", () => Checks.AtMost(worstControl, controlBudget, "untransposed Q = the code's forward"));
    }

    // ---- known truths ----

    /// <summary>BYOM: the exact AHN-T3 optimum, written in float32 in the Ahn et al. layout with its U and D, holds every check.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Exact_optimum_holds_every_check()
    {
        var u = RotationU();
        var r = CheckAllparam(Optimum(SigmaOf(u)), u);
        ClaimLedger.Note($"BYOM optimum (d = {D}, n = {N}, L = {L}): family {r.Family}, scalars [{string.Join(", ", r.Scalars.Select(s => s.ToString("G6")))}] vs [{string.Join(", ", r.OptimalScalars.Select(s => s.ToString("G6")))}], " +
                         $"loss {r.Loss!.Value:G8} vs g* {r.Loss.Reference:G8}");
        Checks.Sanity(r.Family.StartsWith("sparse (8)", StringComparison.Ordinal), $"the p0 optimum is read as family (8): {r.Family}");
        AssertAllHold(r);
    }

    /// <summary>BYOM: a perturbed copy (layer 0's A scaled by 1.3: still ∝ Σ⁻¹) passes the preconditioner check and fails the loss check.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Perturbed_optimum_fails_the_loss_check()
    {
        var u = RotationU();
        var a = Optimum(SigmaOf(u));
        a[0] = a[0] * 1.3;
        var r = CheckAllparam(a, u);
        AssertCheck(r, ModelChecker.Preconditioner);
        Properties.ExpectViolation("A_0 scaled by 1.3", () => AssertCheck(r, ModelChecker.Loss));
    }

    /// <summary>BYOM: plain-GD weights (A_l = a_l·I, the optimal steps without the preconditioner Σ⁻¹) fail the preconditioner check.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Plain_gd_fails_the_preconditioner_check()
    {
        var u = RotationU();
        var (steps, _) = LearningTheory.SparseOptimum(N, D, L);
        var r = CheckAllparam(steps.Select(s => Matrix<double>.Build.DenseIdentity(D) * s).ToArray(), u);
        AssertCheck(r, ModelChecker.Family);
        Properties.ExpectViolation("plain GD, A_l = a_l·I", () => AssertCheck(r, ModelChecker.Preconditioner));
    }

    /// <summary>BYOM: a transposed layout fails the family check — allparam read with its P and Q axes swapped, and the suite layout with P_l and Q_l swapped.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Transposed_layouts_fail_the_family_check()
    {
        var u = RotationU();
        var a = Optimum(SigmaOf(u));
        var swapped = CheckAllparam(a, u, swapPq: true);
        Properties.ExpectViolation("allparam with its P/Q axis swapped", () => AssertCheck(swapped, ModelChecker.Family));

        var layers = a.Select(m => Families.SparsePreconditioner(RealMat.From(m))).ToArray();
        var tensors = layers.SelectMany((x, l) => new[] { Tensor($"P.{l}", x.Q.ToMathNet()), Tensor($"Q.{l}", x.P.ToMathNet()) }).Concat(DataLawTensors(u)).ToArray();
        var file = ModelLayouts.Map(tensors, null, null, "memory");
        Checks.Sanity(file.Layout == "suite", $"P.l/Q.l tensors are detected as the suite layout (got {file.Layout})");
        var r = ModelChecker.Check(file.Snapshots[0], Law(file.Sigma!), 1);
        Properties.ExpectViolation("suite layout with P_l and Q_l swapped", () => AssertCheck(r, ModelChecker.Family));
    }

    /// <summary>BYOM: a looped (A, u) model at GAT-T1's optimum (A = b*Σ⁻¹, u = 0) holds every check and gets its test-time loops (exact means at k ≤ 3).</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Looped_optimum_holds_and_reports_test_time_loops()
    {
        var u = RotationU();
        var sigma = SigmaOf(u);
        var (bStar, lStar) = LearningTheory.LoopedOptimum(N, D, L);
        var tensors = new List<NamedTensor> { Tensor("A", sigma.Inverse() * bStar), new("u", [D], new double[D], "float32"), new("loops", [], [L], "int64") };
        tensors.AddRange(DataLawTensors(u));
        var file = ModelLayouts.Map(tensors, null, null, "memory");
        Checks.Sanity(file.Layout == "looped", $"A (d, d) with u is detected as the looped layout (got {file.Layout})");
        var r = ModelChecker.Check(file.Snapshots[0], Law(file.Sigma!), 1, maxLoops: 10); // the tool runs 1…50; 10 keeps the moments cheap here
        Checks.Sanity(r.Looped && r.TestTimeLoops.Count == 10, "a looped model gets its test-time loops");
        AssertAllHold(r);
        // At k = L the model is the optimum itself: its exact mean equals ℓ_L(b*) (float32 weights: relative error ~1e-7, quadratic in the loss).
        var atL = r.TestTimeLoops[L - 1];
        Checks.RelativeClose(atL.ExactMean!.Value, lStar, 1e-9, "exact test-time loss at k = L equals ℓ_L(b*)");
    }

    /// <summary>BYOM: layouts — prefixes stripped, a training log read in order, ambiguity and misfits get a clear error naming the file, a JSON mapping equals the built-in.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Layouts_detect_strip_prefixes_and_refuse_ambiguity()
    {
        var u = RotationU();
        var a = Optimum(SigmaOf(u));
        var (p, q) = CodeBlocks(a);
        var ap = Allparam(p, q);
        var prefixed = ModelLayouts.Map([ap with { Name = "model_state_dict._orig_mod.allparam" }, .. DataLawTensors(u)], null, null, "memory");
        Checks.Sanity(prefixed.Layout == "ahn-allparam" && prefixed.LayoutDetected, "model_state_dict._orig_mod.allparam is detected");
        var log = ModelLayouts.Map([ap with { Name = "hist_list.1" }, Allparam(p.Select(m => m * 0).ToArray(), q.Select(m => m * 0.5).ToArray(), "hist_list.0")], null, null, "memory");
        Checks.Sanity(log.Snapshots.Count == 2 && log.Snapshots[1].Label.Contains("hist_list.1", StringComparison.Ordinal), "a hist_list log gives its snapshots in index order");

        string Error(Action act)
        {
            try { act(); }
            catch (ArgumentException e) { return e.Message; }
            Checks.Fail("expected an ArgumentException");
            return "";
        }
        var ambiguous = Error(() => ModelLayouts.Map([Tensor("P.0", Matrix<double>.Build.DenseIdentity(4)), Tensor("Q.0", Matrix<double>.Build.DenseIdentity(4)),
            Tensor("A.0", Matrix<double>.Build.DenseIdentity(3)), Tensor("B.0", Matrix<double>.Build.DenseIdentity(3))], null, null, "x.npz"));
        Checks.Sanity(ambiguous.Contains("x.npz", StringComparison.Ordinal) && ambiguous.Contains("--layout", StringComparison.Ordinal), $"ambiguity names the file and asks for --layout: {ambiguous}");
        var none = Error(() => ModelLayouts.Map([Tensor("weight", Matrix<double>.Build.DenseIdentity(3))], "suite", null, "y.pt"));
        Checks.Sanity(none.Contains("y.pt", StringComparison.Ordinal) && none.Contains("'P'", StringComparison.Ordinal), $"a misfit names the file and the missing role: {none}");
        var heads = Error(() => ModelLayouts.AllparamSnapshot(new NamedTensor("allparam", [1, 2, 2, 2, 2], new double[16], "float32"), "z.pt", "x"));
        Checks.Sanity(heads.Contains("H = 2", StringComparison.Ordinal), $"more than one head is refused: {heads}");

        // A JSON mapping of the same tensor equals the built-in layout.
        // The code's d×d blocks in the gdpp roles: A = the Q block transposed, B = the P block.
        var gdppJson = """{"model": "gdpp", "layers": [ {"A": "allparam[0,0,1]", "B": "allparam[0,0,0]", "transpose": ["A"]}, {"A": "allparam[1,0,1]", "B": "allparam[1,0,0]", "transpose": ["A"]} ]}""";
        var fromJson = ModelLayouts.FromJson([ap], gdppJson, "map.json", "memory").Snapshots[0];
        var builtIn = ModelLayouts.Map([ap], null, null, "memory").Snapshots[0];
        for (int l = 0; l < L; l++)
            Checks.Sanity(fromJson.Layers[l].P.ExactlyEquals(builtIn.Layers[l].P) && fromJson.Layers[l].Q.ExactlyEquals(builtIn.Layers[l].Q), $"JSON layer {l} = the built-in ahn-allparam layer");
        var missing = Error(() => ModelLayouts.FromJson([ap], """{"model": "full", "layers": [ {"P": "nope", "Q": "allparam[0,0,1]"} ]}""", "map.json", "memory"));
        Checks.Sanity(missing.Contains("map.json", StringComparison.Ordinal) && missing.Contains("'nope'", StringComparison.Ordinal), $"a JSON naming a missing tensor names the JSON file and the tensor: {missing}");
    }

    // ---- files: the formats, the export, the command ----

    internal static string Fixture(params string[] path) => Path.Combine([TestSettings.RepositoryRoot(), "TestSupport", "Fixtures", "Checkpoints", .. path]);

    private static SnapshotCheck CheckFile(string path, bool full = true)
    {
        var file = ModelLayouts.Map(CheckpointReader.Read(path), null, null, path);
        return ModelChecker.Check(file.Snapshots[^1], new DataLaw(DataLaw.NFromFileName(path)!.Value, file.Sigma!, "file name", "file"), 1, full, maxLoops: 10);
    }

    private static double[] Numbers(SnapshotCheck r) =>
        [.. r.Scalars, .. r.WhitenedDist, .. r.RawDist, r.Loss!.Value, .. r.Alignment.SelectMany(a => new[] { a.PredictionCosine, a.GradientRelativeL2 }),
         .. r.TestTimeLoops.Select(p => p.Median), .. r.Checks.Select(c => c.Value)];

    /// <summary>
    /// BYOM: the files the authors' code writes — a torch.save'd hist_list log named train_layer{L}_N{n}_…pth, a dict with U and D, a training
    /// checkpoint with optimizer state, a compiled model's _orig_mod. state dict — map onto the ahn-allparam layout with the right snapshots and n.
    /// </summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Authors_files_map_with_their_snapshots_and_n()
    {
        var log = Fixture("good", "train_layer2_N20_gaussian_adam_clip_lr0.01_sd1.pth");
        var mapped = ModelLayouts.Map(CheckpointReader.Read(log), null, null, log);
        Checks.Sanity(mapped.Layout == "ahn-allparam" && mapped.Snapshots.Count == 4 && mapped.Snapshots.All(x => x.Depth == 2 && x.D == 3), $"the log has 4 snapshots of L = 2, d = 3 ({mapped.Snapshots.Count})");
        Checks.Sanity(DataLaw.NFromFileName(log) == 20, "n = 20 from the authors' file-name pattern");
        var withLaw = ModelLayouts.Map(CheckpointReader.Read(Fixture("good", "hist_U_D.pt")), null, null, "hist_U_D.pt");
        Checks.Sanity(withLaw.Snapshots.Count == 2 && withLaw.Sigma is not null, "a {'hist', 'U', 'D'} dict gives its snapshots and Σ = U D² Uᵀ");
        foreach (var name in new[] { "training_checkpoint.pt", "compiled_model.pt", "state_dict_cuda.pt" })
        {
            var m = ModelLayouts.Map(CheckpointReader.Read(Fixture("good", name)), null, null, name);
            Checks.Sanity(m.Layout == "ahn-allparam" && m.Snapshots.Count == 1, $"{name} maps to one allparam snapshot");
        }
    }

    /// <summary>BYOM: the optimum saved by torch.save, as safetensors and as .npz (the same float32 values) gives bit-identical numbers and holds.</summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Same_weights_as_pt_safetensors_and_npz_give_identical_numbers()
    {
        var results = new[] { "pt", "safetensors", "npz" }.Select(ext => (ext, r: CheckFile(Fixture("byom", $"optimum_layer2_N10.{ext}")))).ToArray();
        var reference = Numbers(results[0].r);
        foreach (var (ext, r) in results)
        {
            AssertAllHold(r);
            var numbers = Numbers(r);
            Checks.True(Checks.SameBits(numbers, reference),
                $".{ext} gives the numbers of .pt bit for bit", CheckKind.Identity);
        }
    }

    /// <summary>
    /// BYOM: the allparam layout against predictions computed independently in NumPy by the fixtures' generator (expected.json, on the
    /// state dict's weights, the code's row layout in float64).
    /// </summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Allparam_layout_matches_the_generators_numpy_predictions()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Fixture("expected.json")));
        var e = doc.RootElement.GetProperty("predictions");
        var shape = e.GetProperty("z_shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var z = e.GetProperty("z").EnumerateArray().Select(v => double.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var expected = e.GetProperty("prediction").EnumerateArray().Select(v => double.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var file = ModelLayouts.Map(CheckpointReader.Read(Fixture("good", "weights.safetensors")), null, null, "weights.safetensors");
        var model = new LinearTransformer<Real>(file.Snapshots[0].Layers, file.Snapshots[0].Sign);
        int b = shape[0], tokens = shape[1], w = shape[2], n = tokens - 1, d = w - 1;
        Checks.Sanity(expected.Length == b && file.Snapshots[0].D == d, "the fixture's prompts fit the weights");
        for (int k = 0; k < b; k++)
        {
            double At(int t, int i) => z[(k * tokens + t) * w + i];
            var prompt = new Prompt<Real>(Mat<Real>.Build(n, d, (t, i) => At(t, i)), Mat<Real>.Build(n, 1, (t, _) => At(t, d)),
                Mat<Real>.Build(d, 1, (i, _) => At(n, i)), Real.Zero, Mat<Real>.Zeros(d, 1));
            var traj = model.Trajectory(Embedding.ColumnTokens(prompt));
            double budget = Tolerance.GeneralLayers(n, d, model.Depth, Agreement.Magnitude(traj));
            Checks.Close(LinearTransformer<Real>.Readout(traj[^1]).Value, expected[k], budget, $"prompt {k}: the suite's model = NumPy's row-layout forward");
        }
    }

    /// <summary>
    /// BYOM export: a model written by <see cref="ModelExport"/> (safetensors and .npz) reads back bit-identically and checks as itself —
    /// family (8) untied and Gatmiry's looped model (− residual, written as the + residual with Q negated).
    /// </summary>
    [Test, Category(CategoryLabels.Library)]
    public void BYOM_Exported_models_read_back_bit_identically_and_check_as_themselves()
    {
        var sigma = SigmaOf(RotationU());
        var (steps, _) = LearningTheory.SparseOptimum(N, D, L);
        var (bStar, _) = LearningTheory.LoopedOptimum(N, D, L);
        var inv = sigma.Inverse();
        var models = new (string Stem, Parameterisation Family, double[] Theta)[]
        {
            ("sparse", Parameterisation.Sparse(D, L), steps.SelectMany(s => (inv * s).ToRowMajorArray()).ToArray()),
            ("looped", Parameterisation.Gatmiry(D, L), [.. (inv * bStar).ToRowMajorArray(), .. new double[D]]),
        };
        var dir = Path.Combine(Path.GetTempPath(), $"byom-export-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            foreach (var (stem, family, theta) in models)
            {
                var written = ModelExport.SuiteTensors(family, theta, sigma);
                var (safetensors, npz) = ModelExport.Write(dir, stem, N, family, theta, sigma);
                var direct = ModelChecker.Check(new ModelSnapshot(stem, family.ToLayers(theta), family.Sign), Law(sigma), 1, full: false); // alignment and test-time loops are covered above
                foreach (var path in new[] { safetensors, npz })
                {
                    var read = CheckpointReader.Read(path);
                    Checks.True(read.Count == written.Count && read.Zip(written).All(p => p.First.Name == p.Second.Name && p.First.Shape.SequenceEqual(p.Second.Shape)
                        && Checks.SameBits(p.First.Values, p.Second.Values)),
                        $"{Path.GetFileName(path)} reads back bit-identically", CheckKind.Identity);
                    var r = CheckFile(path, full: false);
                    Checks.Sanity(r.Looped == (stem == "looped"), $"{Path.GetFileName(path)}: looped = {r.Looped}");
                    AssertAllHold(r);
                    Checks.True(Numbers(r).Zip(Numbers(direct)).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second) || Math.Abs(p.First - p.Second) <= 1e-15 * Math.Max(1, Math.Abs(p.Second))),
                        $"{Path.GetFileName(path)} checks as the model itself", CheckKind.Identity);
                }
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    /// <summary>
    /// BYOM command: check-model exits 0 on the optimum (writing MODEL.md and model.json), 1 on the perturbed copy (naming the check that
    /// failed), and 2 with one line (no stack trace) on bad input: a missing file, a corrupt file, no n, a layout that does not fit.
    /// </summary>
    [Test]
    public void BYOM_Check_model_command_exit_codes()
    {
        var root = TestSettings.RepositoryRoot();
        var dll = Path.Combine(root, "Report", "bin", TestAssemblies.CurrentConfiguration(), "net10.0", "LoopedIcl.Report.dll");
        Checks.Sanity(File.Exists(dll), $"the report tool is built at {dll} (build the solution first)");
        var outDir = Path.Combine(Path.GetTempPath(), $"byom-cli-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var cases = new (string[] Args, int Exit, string Says)[]
        {
            ([Fixture("byom", "optimum_layer2_N10.npz"), "--out", Path.Combine(outDir, "ok")], 0, "every check held"),
            ([Fixture("byom", "perturbed_layer2_N10.npz"), "--out", Path.Combine(outDir, "perturbed")], 1, "loss: NOT HELD"),
            ([Fixture("byom", "no-such-file.pt")], 2, "no such file"),
            ([Fixture("bad", "truncated.npz"), "--n", "10"], 2, "truncated.npz"),
            ([Fixture("good", "weights.npz"), "--out", Path.Combine(outDir, "x")], 2, "--n"),
            ([Fixture("byom", "optimum_layer2_N10.npz"), "--layout", "suite", "--out", Path.Combine(outDir, "y")], 2, "'P'"),
        };
        try
        {
            var runs = ChildProcesses.RunAll(cases.Select(c => ChildProcesses.Dotnet(dll, root, ["check-model", .. c.Args])).ToArray(), TimeSpan.FromSeconds(60));
            for (int k = 0; k < cases.Length; k++)
            {
                var (exit, stdout, stderr) = runs[k];
                var args = string.Join(' ', cases[k].Args.Select(Path.GetFileName));
                Checks.True(exit == cases[k].Exit, $"check-model {args} exits {cases[k].Exit} (got {exit}; stderr: {stderr})", CheckKind.Bound);
                Checks.Sanity((stdout + stderr).Contains(cases[k].Says, StringComparison.Ordinal), $"check-model {args} says '{cases[k].Says}': {stdout} {stderr}");
                Checks.Sanity(!stderr.Contains("   at ", StringComparison.Ordinal) && !stderr.Contains("Unhandled", StringComparison.Ordinal), $"no stack trace: {stderr}");
                if (exit == 2) Checks.Sanity(stderr.StartsWith("[check-model] ", StringComparison.Ordinal) && !stderr.Contains('\n'), $"bad input is one line: {stderr}");
            }
            Checks.Sanity(File.Exists(Path.Combine(outDir, "ok", "MODEL.md")) && File.Exists(Path.Combine(outDir, "ok", "model.json")), "MODEL.md and model.json written");
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "ok", "model.json")));
            var snap = json.RootElement.GetProperty("snapshots")[0];
            Checks.Sanity(snap.GetProperty("L").GetInt32() == L && snap.GetProperty("d").GetInt32() == D && json.RootElement.GetProperty("held").GetBoolean(), "model.json holds L, d and the verdict");
        }
        finally { if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true); }
    }
}
