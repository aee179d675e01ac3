using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Models;
using LoopedIcl.Numerics.Prompts;

namespace LoopedIcl.Lemmas;

/// <summary>
/// ATTN (library level): the literal model — the reference every fast path is tested against — on a prompt small enough to run by hand:
/// d = 1, n = 2, x = (1, 2), y = (3, 5), x_q = 4. Then Σ_i z_i z_iᵀ = [[5, 13], [13, 34]], one GD step from 0 with η = 1 gives
/// w₁ = 13/2 and ŷ = 26, a second w₂ = 13/2 + ½(13 − 5·13/2) = −13/4 and ŷ = −13. Each number below is worked out in the comments;
/// rationals make the comparisons exact. Also the token layouts, the masks, ReLU and softmax scores by hand, and the literal families
/// equated with the engine's parameter map (two implementations of one map: Parameterisation is checked against the papers in
/// LibraryParameterisation, Families here against it).
/// </summary>
[TestFixture, Category(ClaimIds.Attn), Category(CategoryLabels.Library)]
public sealed class LibraryModels
{
    private static Rational R(long v) => Rational.FromInt(v);
    private static Mat<Rational> M(long[,] a) => Mat<Rational>.Build(a.GetLength(0), a.GetLength(1), (i, j) => R(a[i, j]));

    private static Prompt<Rational> HandPrompt(long x2 = 2) =>
        new(M(new long[,] { { 1 }, { x2 } }), M(new long[,] { { 3 }, { 5 } }), M(new long[,] { { 4 } }), R(0), M(new long[,] { { 1 } }));

    [Test]
    public void ATTN_Column_and_row_tokens_lay_out_the_prompt()
    {
        var z = Embedding.ColumnTokens(HandPrompt(), R(7));
        Checks.True(z.ExactlyEquals(M(new long[,] { { 1, 2, 4 }, { 3, 5, 7 } })), $"Z₀ = [[x₁ x₂ x_q], [y₁ y₂ c]] (got {z})", CheckKind.Identity);
        Checks.True(Embedding.ColumnTokens(HandPrompt())[1, 2] == Rational.Zero, "the query's label slot is 0 by default", CheckKind.Identity);
        var rows = Embedding.RowTokens(M(new long[,] { { 1, 2 }, { 3, 4 } }), M(new long[,] { { 5 }, { 6 } }), M(new long[,] { { 7 }, { 8 } }), R(9));
        Checks.True(rows.ExactlyEquals(M(new long[,] { { 1, 2, 5 }, { 3, 4, 6 }, { 7, 8, 9 } })), $"row tokens [[x_iᵀ, y_i], [q₀ᵀ, α]] (got {rows})", CheckKind.Identity);
    }

    [Test]
    public void ATTN_One_sparse_layer_is_one_gd_step_by_hand()
    {
        // P = e e, Q = −[[1,0],[0,0]]: Attn's query column = P·ZMZᵀ·Q z_q = P·[[5,13],[13,34]]·(−4, 0) = (0, −52); ŷ = −(0 + ½(−52)) = 26.
        var layer = Families.SparsePreconditioner(M(new long[,] { { 1 } }));
        var plus = new LinearTransformer<Rational>([layer], ResidualSign.Plus);
        Checks.True(plus.Predict(HandPrompt()) == R(26), $"ŷ = w₁x_q = (13/2)·4 = 26 (got {plus.Predict(HandPrompt())})", CheckKind.Identity);
        var minus = new LinearTransformer<Rational>([layer], ResidualSign.Minus);
        Checks.True(minus.Predict(HandPrompt()) == R(-26), "the − residual flips the update: −26", CheckKind.Identity);
        Checks.True(plus.Predict(HandPrompt(), R(10)) == R(16), "query slot c = 10: ŷ = −(c + ½(−52)) = 16", CheckKind.Identity);
        // The context columns: y_i ← y_i + ½·(−13x_i): (3 − 13/2, 5 − 13) = (−7/2, −8); x unchanged.
        var z1 = plus.Forward(Embedding.ColumnTokens(HandPrompt()));
        Checks.True(z1[1, 0] == Rational.Of(-7, 2) && z1[1, 1] == R(-8) && z1[0, 0] == R(1) && z1[0, 1] == R(2) && z1[0, 2] == R(4),
            $"Z₁'s context columns (got {z1})", CheckKind.Identity);
        Checks.True(LinearTransformer<Rational>.Readout(z1) == R(26), "Readout = −Z[d+1, n+1]", CheckKind.Identity);
    }

    [Test]
    public void ATTN_Two_gatmiry_loops_are_two_gd_steps_by_hand()
    {
        // Q = [[1,0],[0,0]], P = e e, − residual: loop 1 as above (ŷ 26, y ← (−7/2, −8)); loop 2: Σx_i y_i = −7/2 − 16 = −39/2, the query's
        // label slot −26 − ½·(−39/2)·4 = 13, ŷ = −13 = w₂x_q with w₂ = −13/4.
        var looped = new LoopedTransformer<Rational>(Families.Gatmiry(M(new long[,] { { 1 } })), 2);
        Checks.True(looped.Predict(HandPrompt()) == R(-13), $"two loops: ŷ = −13 (got {looped.Predict(HandPrompt())})", CheckKind.Identity);
        Checks.True(looped.Trajectory(Embedding.ColumnTokens(HandPrompt())).Count == 3, "Z₀, Z₁, Z₂", CheckKind.Identity);
        Checks.True(ReferenceEquals(looped.Unrolled.Layers[0], looped.Unrolled.Layers[1]), "the loops share one layer object", CheckKind.Identity);
        // u = 1 adds u·x to the label row's update direction: P = [[0,0],[1,1]], so loop 1's query slot is −½(20 + 52) = −36, ŷ = 36.
        var withU = new LoopedTransformer<Rational>(Families.Gatmiry(M(new long[,] { { 1 } }), M(new long[,] { { 1 } })), 1);
        Checks.True(withU.Predict(HandPrompt()) == R(36), $"u = 1: ŷ = 36 (got {withU.Predict(HandPrompt())})", CheckKind.Identity);
    }

    [Test]
    public void ATTN_Masks_decide_which_keys_count()
    {
        var layer = Families.Gatmiry(M(new long[,] { { 1 } }));
        // The query as a key adds z_q z_qᵀ = [[16,0],[0,0]]: harmless in the first layer (its label slot is 0), not in the second.
        var none1 = new LinearTransformer<Rational>([layer], ResidualSign.Minus, AttentionMask.None);
        Checks.True(none1.Predict(HandPrompt()) == R(26), "mask None, one layer: the query key adds 16·4 to the covariate row only", CheckKind.Identity);
        var none2 = new LinearTransformer<Rational>([layer, layer], ResidualSign.Minus, AttentionMask.None);
        Checks.True(none2.Predict(HandPrompt()) != R(-13), "mask None, two layers: the query's label slot −26 now enters as a key", CheckKind.Identity);
        // QueryOnly: only the query column is updated, so the context labels stay (3, 5) and loop 2 repeats loop 1's step: 26 + 26.
        var queryOnly = new LinearTransformer<Rational>([layer, layer], ResidualSign.Minus, AttentionMask.QueryOnly);
        Checks.True(queryOnly.Predict(HandPrompt()) == R(52), $"QueryOnly, two layers: ŷ = 52 (got {queryOnly.Predict(HandPrompt())})", CheckKind.Identity);
        Checks.True(AttentionMask.Causal.Allows(query: 1, key: 1, n: 2) && !AttentionMask.Causal.Allows(query: 0, key: 1, n: 2), "causal: a token sees itself and earlier ones", CheckKind.Identity);
        Checks.True(!AttentionMask.QueryExcluded.Allows(query: 2, key: 2, n: 2) && AttentionMask.QueryExcluded.Allows(query: 0, key: 1, n: 2), "query excluded as a key only", CheckKind.Identity);
    }

    [Test]
    public void ATTN_Relu_and_softmax_scores_by_hand()
    {
        // Q = [[1,0],[0,0]], P = e e, + residual, x = (1, −2): the query's scores x_i·x_q = (4, −8). ReLU keeps (4, 0): ŷ = −½·4·y₁ = −6.
        var layer = Families.Gatmiry(M(new long[,] { { 1 } }));
        var relu = new LinearTransformer<Rational>([layer], ResidualSign.Plus, activation: ScoreActivation.Relu);
        Checks.True(relu.Predict(HandPrompt(-2)) == R(-6), $"ReLU: ŷ = −6 (got {relu.Predict(HandPrompt(-2))})", CheckKind.Identity);
        var linear = new LinearTransformer<Rational>([layer], ResidualSign.Plus);
        Checks.True(linear.Predict(HandPrompt(-2)) == R(14), "linear: ŷ = −½(4·3 − 8·5) = 14", CheckKind.Identity);
        // Softmax over the two keys, scores (4, 8) at x = (1, 2): weights n·(e⁴, e⁸)/(e⁴ + e⁸), so ŷ = −(3e⁴ + 5e⁸)/(e⁴ + e⁸).
        var real = Families.Gatmiry(Mat<Real>.Build(1, 1, (_, _) => 1.0));
        var prompt = new Prompt<Real>(RealMat.From(new double[,] { { 1 }, { 2 } }), RealMat.From(new double[,] { { 3 }, { 5 } }), RealMat.From(new double[,] { { 4 } }), 0.0, RealMat.From(new double[,] { { 1 } }));
        double softmax = new LinearTransformer<Real>([real], ResidualSign.Plus, activation: ScoreActivation.Softmax).Predict(prompt).Value;
        double expected = -(3 * Math.Exp(4) + 5 * Math.Exp(8)) / (Math.Exp(4) + Math.Exp(8));
        // About ten roundings of 2⁻⁵³ relative between the two forms: 1e-14 relative is a bound with room, far below any wrong weight.
        Checks.Close(softmax, expected, 1e-14 * Math.Abs(expected), "softmax: ŷ = −(3e⁴ + 5e⁸)/(e⁴ + e⁸)");
        Assert.Throws<NotSupportedException>(() => new LinearTransformer<Rational>([layer], activation: ScoreActivation.Softmax).Predict(HandPrompt()));
    }

    /// <summary>The literal families and the engine's parameter map give the same layers (the map itself is checked against the papers elsewhere).</summary>
    [Test]
    public void ATTN_Literal_families_equal_the_parameter_map()
    {
        var a = RealMat.From(new double[,] { { 1, 2 }, { 3, 4 } });
        var b = RealMat.From(new double[,] { { 5, 6 }, { 7, 8 } });
        var u = RealMat.From(new double[,] { { 5 }, { 6 } });
        (AttentionLayer<Real> Literal, Parameterisation Family, double[] Theta)[] cases =
        [
            (Families.SparsePreconditioner(a), Parameterisation.Sparse(2, 1), [1, 2, 3, 4]),
            (Families.GdPlusPlus(a, b), Parameterisation.GdPlusPlus(2, 1), [1, 2, 3, 4, 5, 6, 7, 8]),
            (Families.Gatmiry(a, u), Parameterisation.Gatmiry(2, 1), [1, 2, 3, 4, 5, 6]),
            (Families.Gatmiry(a), Parameterisation.Gatmiry(2, 1, withU: false), [1, 2, 3, 4]),
        ];
        foreach (var (literal, family, theta) in cases)
        {
            var mapped = family.ToLayers(theta)[0];
            Checks.True(mapped.P.ExactlyEquals(literal.P) && mapped.Q.ExactlyEquals(literal.Q), $"{family.Name}: Families = Parameterisation.ToLayers", CheckKind.Identity);
        }
        var chen = Families.ChenIdentity<Rational>(2);
        Checks.True(chen.Q.ExactlyEquals(Mat<Rational>.Identity(3)) && chen.P.ExactlyEquals(M(new long[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 0 } })), "Chen: Q = I, P = diag(I_d, 0)", CheckKind.Identity);
        var ex = Assert.Throws<ArgumentException>(() => new LinearTransformer<Real>([Families.SparsePreconditioner(a), Families.SparsePreconditioner(RealMat.From(new double[,] { { 1 } }))]));
        Checks.True(ex!.ParamName == "layers[1].P", $"a layer of another width names itself (got {ex.ParamName})");
    }
    private static void Rejects(Action call, string parameter)
    {
        var ex = Refusals.Rejects(call, parameter);
        // The message itself states the rule for the parameter (not only .NET's "(Parameter '…')" suffix); a null is its own rule.
        if (ex is ArgumentNullException) return;
        int suffix = ex.Message.IndexOf("(Parameter", StringComparison.Ordinal);
        Checks.True(ex.Message.IndexOf(parameter, StringComparison.Ordinal) is int at && at >= 0 && (suffix < 0 || at < suffix) && ex.Message.Length > parameter.Length + 12,
            $"the message states the rule for '{parameter}' ({ex.Message})");
    }

    /// <summary>
    /// Softmax's column shift and normalisation where they matter: scores 800 and 1600 (x_q = 800) overflow exp unless shifted by the
    /// column's largest allowed score, which gives ŷ = −5 exactly (e^{−800} underflows to 0); with the query as a key (mask None) its score
    /// 640000 dominates and the label slot c = 1 is the whole update: ŷ = −(1 + ½·2·1) = −2; with QueryOnly the context columns have no
    /// allowed key and stay, and the query column is as with the default mask.
    /// </summary>
    [Test]
    public void ATTN_Softmax_shift_mask_and_normalisation_by_hand()
    {
        static Prompt<Real> At(double query) => new(RealMat.From(new double[,] { { 1 }, { 2 } }), RealMat.From(new double[,] { { 3 }, { 5 } }),
            RealMat.From(new double[,] { { query } }), 0.0, RealMat.From(new double[,] { { 1 } }));
        var layer = Families.Gatmiry(Mat<Real>.Build(1, 1, (_, _) => 1.0));
        double Predict(AttentionMask mask, double query, double slot) =>
            new LinearTransformer<Real>([layer], ResidualSign.Plus, mask, ScoreActivation.Softmax).Predict(At(query), slot).Value;
        Checks.True(Predict(AttentionMask.QueryExcluded, 800, 0) == -5, $"scores 800, 1600: ŷ = −5 exactly (got {Predict(AttentionMask.QueryExcluded, 800, 0)})", CheckKind.Identity);
        Checks.True(Predict(AttentionMask.None, 800, 1) == -2, $"the query as a key with score 640000: ŷ = −2 (got {Predict(AttentionMask.None, 800, 1)})", CheckKind.Identity);
        double expected = -(3 * Math.Exp(4) + 5 * Math.Exp(8)) / (Math.Exp(4) + Math.Exp(8));
        Checks.Close(Predict(AttentionMask.QueryOnly, 4, 0), expected, 1e-14 * Math.Abs(expected), "QueryOnly: the query column as with the default mask");
        // Two QueryOnly layers: the context columns (no allowed key) must stay as they are, so the second layer repeats the first step.
        double twice = new LinearTransformer<Real>([layer, layer], ResidualSign.Plus, AttentionMask.QueryOnly, ScoreActivation.Softmax).Predict(At(4), 0).Value;
        Checks.Close(twice, 2 * expected, 1e-14 * Math.Abs(expected), "QueryOnly, two layers: twice the first step (the context is untouched)");
        // Scores far below zero: x_q = −800 gives allowed scores −800, −1600 and a masked (zeroed) query entry; the column maximum is over
        // the allowed keys only (−800), so ŷ = −3 exactly, not 0/0.
        Checks.True(Predict(AttentionMask.QueryExcluded, -800, 0) == -3, $"scores −800, −1600: ŷ = −3 exactly (got {Predict(AttentionMask.QueryExcluded, -800, 0)})", CheckKind.Identity);
        // Mask None at x_q = 1: scores 1, 2 and the query's own 1, every one exponentiated: ŷ = −(3e + 5e² + 0·e)/(2e + e²).
        double all = -(3 + 5 * Math.E) / (2 + Math.E);
        Checks.Close(Predict(AttentionMask.None, 1, 0), all, 1e-14 * Math.Abs(all), "mask None: the query's own key is exponentiated too");
        var ex = Assert.Throws<NotSupportedException>(() => new LinearTransformer<Rational>([Families.Gatmiry(M(new long[,] { { 1 } }))], activation: ScoreActivation.Softmax).Predict(HandPrompt()));
        Checks.True(ex!.Message.Contains("exp", StringComparison.Ordinal) && ex.Message.Contains(nameof(Rational), StringComparison.Ordinal), $"the error says exp and the scalar ({ex.Message})");
        // ReLU at a zero score: max(0, 0) = 0 either way; a negative score is cut (above), a positive one kept.
        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => ((AttentionMask)99).Allows(0, 0, 1));
        Checks.True(unknown!.Message.Contains("Unknown attention mask", StringComparison.Ordinal), "an unknown mask says so");
    }

    /// <summary>Chen's fast loop by hand: x = (1, 2), y = (3, 5) give G = 5, b = 13; q ← q − η(Gq + αb) with α = −1, η = 1/10: q = 1.3, 1.95.</summary>
    [Test]
    public void ATTN_Chen_fast_loop_and_row_layout_by_hand()
    {
        var loop = new ChenFastLoop(RealMat.From(new double[,] { { 1 }, { 2 } }), RealMat.From(new double[,] { { 3 }, { 5 } }));
        var errors = new double[3];
        loop.Errors([1.0], -1, 0.1, -2, errors);   // e_t = |−q_t − (−2)|: 2, 0.7, 0.05
        Checks.True(errors[0] == 2, "e₀ = |target|", CheckKind.Identity);
        Checks.Close(errors[1], 0.7, 1e-15, "e₁ = |−1.3 + 2|");
        Checks.Close(errors[2], 0.05, 1e-15, "e₂ = |−1.95 + 2|");
        Checks.Close(loop.Readout(-1, 0.1, 2)[0], -1.95, 1e-15, "TF₂ = −q₂");
        var two = new ChenFastLoop(RealMat.From(new double[,] { { 1, 0 }, { 1, 1 }, { 0, 2 } }), RealMat.From(new double[,] { { 1 }, { 1 }, { 1 } }));
        var gram = two.Gram();
        Checks.True(gram[0, 0] == 2 && gram[0, 1] == 1 && gram[1, 0] == 1 && gram[1, 1] == 5, $"XᵀX = [[2,1],[1,5]] (got {gram})", CheckKind.Identity);
        Rejects(() => loop.Errors([1.0, 2.0], -1, 0.1, 0, new double[2]), "reference");
        Rejects(() => loop.Errors([1.0], -1, 0.1, 0, []), "errors");
        Rejects(() => loop.Errors([1.0], -1, 0, 0, new double[2]), "stepSize");
        Rejects(() => loop.Readout(-1, 0.1, -1), "loops");
        Rejects(() => new ChenFastLoop(null!, RealMat.From(new double[,] { { 1 } })), "x");
        Rejects(() => new ChenFastLoop(RealMat.From(new double[,] { { 1 } }), null!), "y");
        Rejects(() => new ChenFastLoop(RealMat.From(new double[,] { { 1 } }), RealMat.From(new double[,] { { 1 }, { 2 } })), "y");

        // The literal row layout: zero loops give Z(0) alone.
        var chen = new ChenLoopedTransformer<Rational>(Families.ChenIdentity<Rational>(1), Rational.Of(1, 10));
        var z0 = Embedding.RowTokens(M(new long[,] { { 1 }, { 2 } }), M(new long[,] { { 3 }, { 5 } }), M(new long[,] { { 0 } }), R(-1));
        Checks.True(chen.Trajectory(z0, 0).Count == 1, "zero loops: Z(0) only", CheckKind.Identity);
        Rejects(() => new ChenLoopedTransformer<Rational>(null!, R(1)), "layer");
        Rejects(() => chen.Trajectory(null!, 1), "z0");
        Rejects(() => chen.Trajectory(z0, -1), "loops");
        Rejects(() => chen.Trajectory(M(new long[,] { { 1, 2, 3 } }), 1), "z0");
        Rejects(() => RowAttention.Apply(Mat<Rational>.Identity(2), Mat<Rational>.Identity(2), M(new long[,] { { 1, 2 } })), "z");
        Rejects(() => RowAttention.Apply(Mat<Rational>.Identity(3), Mat<Rational>.Identity(2), z0), "q");
        Rejects(() => RowAttention.Apply(Mat<Rational>.Identity(2), Mat<Rational>.Identity(3), z0), "p");
    }

    /// <summary>Every argument check of the column-layout models names its argument; the Gram-state path agrees with the hand value 26 and the query slot.</summary>
    [Test]
    public void ATTN_Column_layout_argument_checks_and_the_gram_path()
    {
        var sparse = Families.SparsePreconditioner(M(new long[,] { { 1 } }));
        Checks.True(GramFastPath.Predict([sparse], ResidualSign.Plus, HandPrompt()) == R(26), "Gram state: ŷ = 26", CheckKind.Identity);
        Checks.True(GramFastPath.Predict([sparse], ResidualSign.Plus, HandPrompt(), R(10)) == R(16), "Gram state with query slot 10: 16", CheckKind.Identity);
        Checks.True(GramFastPath.Predict([sparse, sparse], ResidualSign.Plus, HandPrompt()) == new LinearTransformer<Rational>([sparse, sparse]).Predict(HandPrompt()),
            "Gram state = literal model over two layers", CheckKind.Identity);
        var wide = Families.SparsePreconditioner(M(new long[,] { { 1, 0 }, { 0, 1 } }));
        var badQ = new AttentionLayer<Rational>(sparse.P, wide.Q);
        Rejects(() => GramFastPath.QueryColumn<Rational>(null!, ResidualSign.Plus, HandPrompt()), "layers");
        Rejects(() => GramFastPath.QueryColumn([sparse, wide], ResidualSign.Plus, HandPrompt()), "layers[1].P");
        Rejects(() => GramFastPath.QueryColumn([badQ], ResidualSign.Plus, HandPrompt()), "layers[0].Q");
        Rejects(() => new LinearTransformer<Rational>(null!), "layers");
        Rejects(() => new LinearTransformer<Rational>([sparse, badQ]), "layers[1].Q");
        Rejects(() => new LoopedTransformer<Rational>(null!, 2), "layer");
        var empty = new LinearTransformer<Rational>([]);
        var z0 = Embedding.ColumnTokens(HandPrompt());
        Checks.True(empty.Forward(z0).ExactlyEquals(z0), "no layers: Z unchanged", CheckKind.Identity);
        var plain = new LinearTransformer<Rational>([sparse]);
        Rejects(() => plain.Trajectory(null!), "z0");
        Rejects(() => plain.Trajectory(M(new long[,] { { 1, 2 } })), "z0");
        Rejects(() => plain.Trajectory(M(new long[,] { { 1 }, { 2 } })), "n (context tokens)");
        Rejects(() => Embedding.RowTokens(M(new long[,] { { 1 } }), M(new long[,] { { 1 }, { 2 } }), M(new long[,] { { 1 } }), R(0)), "y");
        Rejects(() => Embedding.RowTokens(M(new long[,] { { 1 } }), M(new long[,] { { 1 } }), M(new long[,] { { 1 }, { 2 } }), R(0)), "q0");
        Rejects(() => Families.GdPlusPlus(M(new long[,] { { 1 } }), M(new long[,] { { 1, 2 } })), "b");
        Rejects(() => Families.ChenIdentity<Rational>(0), "d");
        Rejects(() => Families.SparsePreconditioner(M(new long[,] { { 1, 2 } })), "a");
    }
}
