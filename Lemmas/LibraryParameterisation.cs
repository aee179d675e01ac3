using static LoopedIcl.TestSupport.Refusals;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Models;

namespace LoopedIcl.Lemmas;

/// <summary>
/// FAST-PATH (library level): the parameter map θ ↦ (P_l, Q_l) of every family against its definition in the papers, written out here
/// block by block from θ = (1, 2, 3, …) — not against the engine or the literal model, which both go through the same map (issue 23's
/// "parameter map checked only against itself"). Then Contract as the exact transpose of the map, Extract as its inverse, the
/// structural flags the engine's fast paths rely on, and the narrowest family of literal layers. Integers throughout: every value is exact.
/// </summary>
[TestFixture, Category(ClaimIds.FastPath), Category(CategoryLabels.Library)]
public sealed class LibraryParameterisation
{
    /// <summary>θ = (1, 2, …, D): distinct entries, so a swapped index, a wrong offset or a missed tie shows as a wrong number.</summary>
    private static double[] Counting(Parameterisation f) => Enumerable.Range(1, f.Dimension).Select(k => (double)k).ToArray();

    /// <summary>Layer l's P (or Q) from the expanded array, as a (d+1)×(d+1) array.</summary>
    private static double[,] Block(Parameterisation f, double[] theta, int layer, bool q)
    {
        var flat = new double[f.ExpandedLength];
        f.Expand(theta, flat);
        int w = f.Width;
        var m = new double[w, w];
        for (int i = 0; i < w; i++)
            for (int j = 0; j < w; j++) m[i, j] = flat[layer * 2 * w * w + (q ? w * w : 0) + i * w + j];
        return m;
    }

    private static void Equal(double[,] actual, double[,] expected, string what)
    {
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                Checks.True(actual[i, j] == expected[i, j], $"{what}[{i},{j}] = {expected[i, j]} (got {actual[i, j]})", CheckKind.Identity);
    }

    [Test]
    public void FAST_PATH_Sparse_family_is_P_e_e_and_Q_minus_A_per_layer()
    {
        // Ahn et al. (8), d = 2, L = 2 untied: θ = (A_1 row-major, A_2 row-major) = (1, 2, 3, 4, 5, 6, 7, 8).
        var f = Parameterisation.Sparse(2, 2);
        Checks.True(f.Dimension == 8 && f.Sign == ResidualSign.Plus && !f.Tied, $"sparse d=2 L=2: 8 parameters, + residual, untied (got {f.Dimension}, {f.Sign}, {f.Tied})");
        var theta = Counting(f);
        double[,] p = { { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 1 } };
        Equal(Block(f, theta, 0, q: false), p, "P_1");
        Equal(Block(f, theta, 1, q: false), p, "P_2");
        Equal(Block(f, theta, 0, q: true), new double[,] { { -1, -2, 0 }, { -3, -4, 0 }, { 0, 0, 0 } }, "Q_1 = −[[A_1,0],[0,0]]");
        Equal(Block(f, theta, 1, q: true), new double[,] { { -5, -6, 0 }, { -7, -8, 0 }, { 0, 0, 0 } }, "Q_2 = −[[A_2,0],[0,0]]");

        // Tied: one A for both layers; symmetric: θ = A's upper triangle row-major (a₀₀, a₀₁, a₁₁), mirrored.
        var tied = Parameterisation.Sparse(2, 2, tied: true);
        Checks.True(tied.Dimension == 4 && tied.Tied, "sparse tied: 4 parameters");
        Equal(Block(tied, Counting(tied), 1, q: true), new double[,] { { -1, -2, 0 }, { -3, -4, 0 }, { 0, 0, 0 } }, "tied Q_2 = Q_1");
        var sym = Parameterisation.Sparse(2, 2, symmetricA: true);
        Checks.True(sym.Dimension == 6, $"sparse symmetric d=2 L=2: 2·3 parameters (got {sym.Dimension})");
        Equal(Block(sym, Counting(sym), 0, q: true), new double[,] { { -1, -2, 0 }, { -2, -3, 0 }, { 0, 0, 0 } }, "symmetric Q_1");
        Equal(Block(sym, Counting(sym), 1, q: true), new double[,] { { -4, -5, 0 }, { -5, -6, 0 }, { 0, 0, 0 } }, "symmetric Q_2 (layer offset 3)");
    }

    [Test]
    public void FAST_PATH_GdPlusPlus_family_is_P_B_and_Q_A_per_layer()
    {
        // Ahn et al. (11), d = 2, L = 2: θ = per layer (A_l, B_l) row-major; P_l = [[B_l,0],[0,1]], Q_l = [[A_l,0],[0,0]].
        var f = Parameterisation.GdPlusPlus(2, 2);
        Checks.True(f.Dimension == 16 && f.Sign == ResidualSign.Plus, $"GD++ d=2 L=2: 16 parameters (got {f.Dimension})");
        var theta = Counting(f);
        Equal(Block(f, theta, 0, q: true), new double[,] { { 1, 2, 0 }, { 3, 4, 0 }, { 0, 0, 0 } }, "Q_1 = [[A_1,0],[0,0]]");
        Equal(Block(f, theta, 0, q: false), new double[,] { { 5, 6, 0 }, { 7, 8, 0 }, { 0, 0, 1 } }, "P_1 = [[B_1,0],[0,1]]");
        Equal(Block(f, theta, 1, q: true), new double[,] { { 9, 10, 0 }, { 11, 12, 0 }, { 0, 0, 0 } }, "Q_2");
        Equal(Block(f, theta, 1, q: false), new double[,] { { 13, 14, 0 }, { 15, 16, 0 }, { 0, 0, 1 } }, "P_2");
    }

    [Test]
    public void FAST_PATH_Gatmiry_family_is_Q_A_and_P_u_with_minus_residual()
    {
        // Gatmiry et al., d = 2, three loops: θ = (A row-major, u); Q = [[A,0],[0,0]], P = [[0,0],[uᵀ,1]] in every loop, − residual.
        var f = Parameterisation.Gatmiry(2, 3);
        Checks.True(f.Dimension == 6 && f.Sign == ResidualSign.Minus && f.Tied, $"Gatmiry d=2: 4 + 2 parameters, − residual, looped (got {f.Dimension}, {f.Sign})");
        var theta = Counting(f);
        for (int l = 0; l < 3; l++)
        {
            Equal(Block(f, theta, l, q: true), new double[,] { { 1, 2, 0 }, { 3, 4, 0 }, { 0, 0, 0 } }, $"loop {l + 1}: Q = [[A,0],[0,0]]");
            Equal(Block(f, theta, l, q: false), new double[,] { { 0, 0, 0 }, { 0, 0, 0 }, { 5, 6, 1 } }, $"loop {l + 1}: P = [[0,0],[uᵀ,1]]");
        }
        var noU = Parameterisation.Gatmiry(2, 3, symmetricA: true, withU: false);
        Checks.True(noU.Dimension == 3, $"Gatmiry symmetric A without u: 3 parameters (got {noU.Dimension})");
        Equal(Block(noU, Counting(noU), 2, q: false), new double[,] { { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 1 } }, "without u: P = e e");
        Equal(Block(noU, Counting(noU), 2, q: true), new double[,] { { 1, 2, 0 }, { 2, 3, 0 }, { 0, 0, 0 } }, "symmetric A");
        var untied = Parameterisation.Gatmiry(2, 2, tied: false);
        Checks.True(untied.Dimension == 12 && !untied.Tied, $"Gatmiry untied: 2·6 parameters (got {untied.Dimension})");
        Equal(Block(untied, Counting(untied), 1, q: false), new double[,] { { 0, 0, 0 }, { 0, 0, 0 }, { 11, 12, 1 } }, "untied loop 2: u_2 = θ[10..11]");
    }

    [Test]
    public void FAST_PATH_Full_and_label_row_families_place_theta_row_major()
    {
        // Full, d = 1 (w = 2), L = 2 untied: θ = (P_1, Q_1, P_2, Q_2) each row-major.
        var f = Parameterisation.Full(1, 2);
        Checks.True(f.Dimension == 16, $"full d=1 L=2: 2·2·4 parameters (got {f.Dimension})");
        var theta = Counting(f);
        Equal(Block(f, theta, 0, q: false), new double[,] { { 1, 2 }, { 3, 4 } }, "P_1");
        Equal(Block(f, theta, 0, q: true), new double[,] { { 5, 6 }, { 7, 8 } }, "Q_1");
        Equal(Block(f, theta, 1, q: false), new double[,] { { 9, 10 }, { 11, 12 } }, "P_2");
        Equal(Block(f, theta, 1, q: true), new double[,] { { 13, 14 }, { 15, 16 } }, "Q_2");
        var tied = Parameterisation.Full(1, 3, ResidualSign.Minus, tied: true);
        Checks.True(tied.Dimension == 8 && tied.Sign == ResidualSign.Minus, "full tied: 8 parameters, the sign given");
        Equal(Block(tied, Counting(tied), 2, q: true), new double[,] { { 5, 6 }, { 7, 8 } }, "tied Q_3 = Q_1");

        // Label-row P = e_{d+1}πᵀ with block Q, d = 2: θ = (π (3 entries), A row-major (4)).
        var lr = Parameterisation.LabelRow(2, 1, ResidualSign.Plus, covariateBlockQ: true);
        Checks.True(lr.Dimension == 7, $"label-row block Q d=2: 3 + 4 parameters (got {lr.Dimension})");
        Equal(Block(lr, Counting(lr), 0, q: false), new double[,] { { 0, 0, 0 }, { 0, 0, 0 }, { 1, 2, 3 } }, "P = e_{d+1}πᵀ");
        Equal(Block(lr, Counting(lr), 0, q: true), new double[,] { { 4, 5, 0 }, { 6, 7, 0 }, { 0, 0, 0 } }, "Q = [[A,0],[0,0]]");
        var lrFull = Parameterisation.LabelRow(1, 1, ResidualSign.Plus);
        Equal(Block(lrFull, Counting(lrFull), 0, q: true), new double[,] { { 3, 4 }, { 5, 6 } }, "label-row full Q");
    }

    /// <summary>The flags the engine's fast paths branch on, against the definitions above.</summary>
    [Test]
    public void FAST_PATH_Structural_flags_follow_the_masks()
    {
        (Parameterisation F, bool LabelRow, bool Block, bool BlockP)[] cases =
        [
            (Parameterisation.Sparse(3, 2), true, true, true),
            (Parameterisation.Gatmiry(3, 2), true, true, false),
            (Parameterisation.Gatmiry(3, 2, withU: false), true, true, true),
            (Parameterisation.GdPlusPlus(3, 2), false, true, true),
            (Parameterisation.GdPlusPlus(3, 3, tied: true), false, true, true),
            (Parameterisation.Full(3, 2), false, false, false),
            (Parameterisation.LabelRow(3, 2, ResidualSign.Plus), true, false, false),
            (Parameterisation.LabelRow(3, 2, ResidualSign.Plus, covariateBlockQ: true), true, true, false),
        ];
        foreach (var (f, labelRow, block, blockP) in cases)
        {
            Checks.True(f.LabelRowOnlyP == labelRow, $"{f.Name}: P's rows 0..d−1 zero is {labelRow}");
            Checks.True(f.CovariateBlockQ == block, $"{f.Name}: Q's last row and column zero is {block}");
            Checks.True(f.BlockDiagonalP == blockP, $"{f.Name}: P = [[B,0],[0,1]] is {blockP}");
            Checks.True(f.ExpandedLength == 2 * f.Layers * f.Width * f.Width, $"{f.Name}: 2·L·(d+1)² expanded entries");
        }
        Checks.True(Parameterisation.Sparse(3, 1).Tied, "one layer is tied by definition");
    }

    /// <summary>Contract is the transpose of the map's linear part: ⟨Expand(θ) − Expand(0), λ⟩ = ⟨θ, Contract(λ)⟩, exactly in integers.</summary>
    [Test]
    public void FAST_PATH_Contract_is_the_transpose_of_Expand_and_Extract_its_inverse()
    {
        var rng = new Random(23);
        Parameterisation[] families =
        [
            Parameterisation.Sparse(3, 2), Parameterisation.Sparse(3, 2, symmetricA: true), Parameterisation.Sparse(3, 3, tied: true),
            Parameterisation.GdPlusPlus(2, 3), Parameterisation.Gatmiry(3, 4), Parameterisation.Gatmiry(3, 2, symmetricA: true, tied: false),
            Parameterisation.Full(2, 2), Parameterisation.Full(2, 3, tied: true), Parameterisation.LabelRow(3, 2, ResidualSign.Minus, covariateBlockQ: true),
        ];
        foreach (var f in families)
        {
            var theta = Enumerable.Range(0, f.Dimension).Select(_ => (double)rng.Next(-9, 10)).ToArray();
            var lambda = Enumerable.Range(0, f.ExpandedLength).Select(_ => (double)rng.Next(-9, 10)).ToArray();
            var expanded = new double[f.ExpandedLength];
            var zero = new double[f.ExpandedLength];
            f.Expand(theta, expanded);
            f.Expand(new double[f.Dimension], zero);
            var contracted = new double[f.Dimension];
            f.Contract(lambda, contracted);
            double left = 0, right = 0;
            for (int m = 0; m < expanded.Length; m++) left += (expanded[m] - zero[m]) * lambda[m];
            for (int k = 0; k < theta.Length; k++) right += theta[k] * contracted[k];
            Checks.True(left == right, $"{f.Name}: ⟨Expand(θ) − Expand(0), λ⟩ = ⟨θ, Contract(λ)⟩ = {right} (integers, exact; got {left})", CheckKind.Identity);
            var back = f.Extract(expanded);
            Checks.True(back.SequenceEqual(theta), $"{f.Name}: Extract(Expand(θ)) = θ", CheckKind.Identity);
            // A fixed entry moved: the layers leave the family, and the error names the argument.
            var off = (double[])expanded.Clone();
            off[^1] += 1;   // the last layer's Q[d,d], zero or free in every family here
            if (f.Name.StartsWith("full", StringComparison.Ordinal)) continue;
            var ex = Assert.Throws<ArgumentException>(() => f.Extract(off));
            Checks.True(ex!.ParamName == "layers" && ex.Message.Contains("not in the family", StringComparison.Ordinal), $"{f.Name}: Extract rejects layers outside it ({ex.Message})");
        }
    }

    /// <summary>Of picks the narrowest family: label-row P with block Q and a tie when the literal layers are so, full otherwise.</summary>
    [Test]
    public void FAST_PATH_Of_finds_the_narrowest_family_of_literal_layers()
    {
        static AttentionLayer<Real> Layer(double[,] p, double[,] q) => new(
            Mat<Real>.Build(p.GetLength(0), p.GetLength(1), (i, j) => (Real)p[i, j]), Mat<Real>.Build(q.GetLength(0), q.GetLength(1), (i, j) => (Real)q[i, j]));
        var sparseLike = Layer(new double[,] { { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 1 } }, new double[,] { { 2, 1, 0 }, { 1, 3, 0 }, { 0, 0, 0 } });
        var (f, theta) = Parameterisation.Of([sparseLike, sparseLike], ResidualSign.Plus);
        Checks.True(f.LabelRowOnlyP && f.CovariateBlockQ && f.Tied && f.Dimension == 3 + 4, $"two equal sparse-like layers: tied label-row P, block Q, 7 parameters (got {f.Name}, {f.Dimension})");
        Checks.True(theta.SequenceEqual([0.0, 0, 1, 2, 1, 1, 3]), $"θ = (π, A) = (0, 0, 1, 2, 1, 1, 3) (got {string.Join(", ", theta)})", CheckKind.Identity);
        var other = Layer(new double[,] { { 1, 0, 0 }, { 0, 0, 0 }, { 0, 0, 1 } }, new double[,] { { 2, 1, 0 }, { 1, 3, 0 }, { 0, 0, 5 } });
        var (g, _) = Parameterisation.Of([sparseLike, other], ResidualSign.Minus);
        Checks.True(!g.LabelRowOnlyP && !g.CovariateBlockQ && !g.Tied && g.Sign == ResidualSign.Minus && g.Dimension == 2 * 2 * 9,
            $"a P with a covariate row and a Q with a label entry: full, untied, 36 parameters (got {g.Name}, {g.Dimension})");
        Assert.Throws<ArgumentException>(() => Parameterisation.Of([], ResidualSign.Plus));
    }

    /// <summary>
    /// Of on layers that differ only in a later layer: three layers whose third differs are not tied; a second layer whose Q has a label
    /// entry (Q[d,0] ≠ 0, its last column zero) makes Q not covariate-block. Either wrongly narrowed family would refuse the layers.
    /// </summary>
    [Test]
    public void FAST_PATH_Of_looks_at_every_layer()
    {
        static AttentionLayer<Real> Layer(double[,] p, double[,] q) => new(
            Mat<Real>.Build(3, 3, (i, j) => (Real)p[i, j]), Mat<Real>.Build(3, 3, (i, j) => (Real)q[i, j]));
        var p = new double[,] { { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 1 } };
        var a = Layer(p, new double[,] { { 2, 1, 0 }, { 1, 3, 0 }, { 0, 0, 0 } });
        var b = Layer(p, new double[,] { { 4, 0, 0 }, { 0, 5, 0 }, { 0, 0, 0 } });
        var (untied, theta) = Parameterisation.Of([a, a, b], ResidualSign.Plus);
        Checks.True(!untied.Tied && untied.CovariateBlockQ && untied.LabelRowOnlyP && untied.Dimension == 3 * (3 + 4),
            $"layers a, a, b: untied label-row P with block Q, 21 parameters (got {untied.Name}, {untied.Dimension})");
        Checks.True(theta[14..].SequenceEqual([0.0, 0, 1, 4, 0, 0, 5]), $"the third layer's θ = (π, A) = (0, 0, 1, 4, 0, 0, 5) (got {string.Join(", ", theta[14..])})", CheckKind.Identity);
        var labelEntry = Layer(p, new double[,] { { 2, 1, 0 }, { 1, 3, 0 }, { 7, 0, 0 } });
        var (full, thetaQ) = Parameterisation.Of([a, labelEntry], ResidualSign.Plus);
        Checks.True(!full.CovariateBlockQ && full.LabelRowOnlyP && !full.Tied && full.Dimension == 2 * (3 + 9),
            $"a second layer with Q[d,0] = 7: label-row P with full Q, 24 parameters (got {full.Name}, {full.Dimension})");
        Checks.True(thetaQ[^3] == 7, $"Q[d,0] = 7 is the third-last parameter of the last layer (got {thetaQ[^3]})", CheckKind.Identity);
        // The same with the label entry in Q's last column (Q[1,d] = 7, last row zero): still full Q.
        var columnEntry = Layer(p, new double[,] { { 2, 1, 0 }, { 1, 3, 7 }, { 0, 0, 0 } });
        var (fullByColumn, thetaC) = Parameterisation.Of([a, columnEntry], ResidualSign.Plus);
        Checks.True(!fullByColumn.CovariateBlockQ && fullByColumn.Dimension == 24 && thetaC[^4] == 7,
            $"a second layer with Q[1,d] = 7: full Q, 24 parameters, θ's Q[1,2] = 7 (got {fullByColumn.Name}, {fullByColumn.Dimension})");
        var ex = Assert.Catch<ArgumentException>(() => Parameterisation.Of(null!, ResidualSign.Plus));
        Checks.True(ex!.ParamName == "layers", $"null layers are named (got '{ex.ParamName}')");
        var wrongQ = new AttentionLayer<Real>(Mat<Real>.Build(3, 3, (i, j) => (Real)p[i, j]), Mat<Real>.Build(2, 2, (_, _) => (Real)1));
        Rejects(() => Parameterisation.Of([a, wrongQ], ResidualSign.Plus), "layers[1].Q");
    }

    /// <summary>Each family's name states its definition: the paper's equation, and every option that changes the map.</summary>
    [Test]
    public void FAST_PATH_Family_names_state_their_options()
    {
        (Parameterisation F, string Name)[] cases =
        [
            (Parameterisation.LabelRow(2, 2, ResidualSign.Plus), "label-row P, full Q"),
            (Parameterisation.LabelRow(2, 2, ResidualSign.Plus, tied: true, covariateBlockQ: true), "label-row P, block Q, tied"),
            (Parameterisation.Full(2, 2), "full (P_l, Q_l)"),
            (Parameterisation.Full(2, 2, tied: true), "full (P, Q), tied"),
            (Parameterisation.Sparse(2, 2), "sparse (8)"),
            (Parameterisation.Sparse(2, 2, tied: true, symmetricA: true), "sparse (8), tied, symmetric A"),
            (Parameterisation.GdPlusPlus(2, 2), "GD++ (11)"),
            (Parameterisation.GdPlusPlus(2, 2, tied: true), "GD++ (11), tied"),
            (Parameterisation.Gatmiry(2, 2), "Gatmiry (A, u), looped"),
            (Parameterisation.Gatmiry(2, 2, symmetricA: true, withU: false, tied: false), "Gatmiry (A), untied, symmetric A"),
        ];
        foreach (var (f, name) in cases) Checks.True(f.Name == name, $"the family is named '{name}' (got '{f.Name}')");
    }

    /// <summary>
    /// Expand, Contract and Extract check their lengths by the argument's name and rule; Contract overwrites its output (a gradient
    /// buffer reused across steps must not accumulate); Extract's refusal names the layer of the offending entry.
    /// </summary>
    [Test]
    public void FAST_PATH_Map_checks_its_arguments_and_overwrites_its_output()
    {
        var f = Parameterisation.Sparse(2, 2);   // θ: 8 entries; layers: 2·2·9 = 36
        Rejects(() => f.Expand(new double[7], new double[36]), "theta");
        Rejects(() => f.Expand(new double[8], new double[35]), "layers");
        Rejects(() => f.Contract(new double[36], new double[9]), "gradient");
        Rejects(() => f.Contract(new double[37], new double[8]), "layerAdjoints");
        var valid = new double[f.ExpandedLength];
        f.Expand(new double[f.Dimension], valid);
        Rejects(() => f.Extract(valid.AsSpan(0, 35)), "layers");   // a family's layers cut short: the length, not a value, is wrong
        var cut = Assert.Catch<ArgumentException>(() => f.Extract(valid.AsSpan(0, 35)));
        Checks.True(cut!.Message.Contains("must have length 36", StringComparison.Ordinal), $"Extract states the length ({cut.Message})");
        var ex = Assert.Catch<ArgumentException>(() => f.Expand(new double[8], new double[35]));
        Checks.True(ex!.Message.Contains("2·L·(d+1)² = 36", StringComparison.Ordinal), $"the rule and the length are stated ({ex.Message})");
        ex = Assert.Catch<ArgumentException>(() => f.Expand(new double[7], new double[36]));
        Checks.True(ex!.Message.Contains("length 8", StringComparison.Ordinal) && ex.Message.Contains("sparse (8)", StringComparison.Ordinal), $"θ's length and the family are stated ({ex.Message})");

        var gradient = Enumerable.Repeat(100.0, f.Dimension).ToArray();
        var adjoint = new double[f.ExpandedLength];
        adjoint[9 + 0 * 3 + 1] = 2;   // layer 0's Q[0,1] = −A_0[0,1]: ∂/∂A_0[0,1] = −2, θ index 1
        f.Contract(adjoint, gradient);
        Checks.True(gradient.SequenceEqual([0.0, -2, 0, 0, 0, 0, 0, 0]), $"Contract overwrites: (0, −2, 0, …) (got {string.Join(", ", gradient)})", CheckKind.Identity);

        var layers = new double[f.ExpandedLength];
        f.Expand(new double[f.Dimension], layers);
        layers[18 + 4] = 1;   // layer 1's P[1,1]: masked in family (8)
        ex = Assert.Catch<ArgumentException>(() => f.Extract(layers));
        Checks.True(ex!.Message.Contains("entry 22 (layer 1)", StringComparison.Ordinal), $"the refusal names entry 22 in layer 1 ({ex.Message})");
    }
}
