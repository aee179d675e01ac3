using FsCheck;
using LoopedIcl.Numerics.Losses;

namespace LoopedIcl.TestSupport;

/// <summary>Largest depths (Shape.L) where a family's cost or rounding, not the mathematics, sets the cap.</summary>
public static class DepthCaps
{
    /// <summary>The exact population losses (Wishart word moments up to order 2L = 8).</summary>
    public const int ExactLoss = GatmiryPopulationLoss.MaxLayers;

    /// <summary>Dense per-layer weights (full P, Q; GD++'s A and B; untied looped; general P, Q): the literal model and the gradient checks cost most per layer and their rounding grows fastest.</summary>
    public const int Dense = 3;

    /// <summary>Sparse layers (8) (A_l only) against the literal model through the engine (<see cref="Cases.EngineForward"/>).</summary>
    public const int SparseForward = 5;

    /// <summary>Sparse layers (8) through the Gram fast path on <see cref="Cases.UpToLayers"/> (d ≤ 6, n ≤ 24).</summary>
    public const int SparseGramPath = 6;

    /// <summary>Looped Gatmiry layers (one tied (A, u): the literal model is cheap per loop and rounding grows slowly) against the literal model.</summary>
    public const int LoopedForward = 10;

    /// <summary>Sparse layers' gradients (reverse pass against central differences, forward-mode exact derivatives, query gradients).</summary>
    public const int SparseGradient = 4;

    /// <summary>Looped Gatmiry layers' reverse pass against central differences.</summary>
    public const int LoopedGradient = 6;

    /// <summary>A label-row P with a full Q per layer through the Gram fast path (the general T = I ± PGQ path).</summary>
    public const int LastRowPFullQ = 4;
}

// The named generators: each distinct argument set once, so a test's cases are found and changed in one place.
public static partial class Cases
{
    // ── L = layers ──────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>Any small shape: d ≤ 6, n ≤ 24, L ≤ 5 layers (the one-state lemmas ignore L).</summary>
    public static Arbitrary<Shape> Small => Shapes();

    /// <summary>d ≥ 2 (a non-symmetric A exists) and n ≥ 2; L ≤ 5 layers.</summary>
    public static Arbitrary<Shape> NonScalar => Shapes(dMin: 2, nMin: 2);

    /// <summary>n ≥ 2 examples and at least <paramref name="minLayers"/> layers or loops (≤ 5): the negative controls, which need a context to disagree on.</summary>
    public static Arbitrary<Shape> TwoOrMoreExamples(int minLayers = 1) => Shapes(nMin: 2, lMin: minLayers);

    /// <summary>One layer (or loop): d ≤ 6, n ≤ 24.</summary>
    public static Arbitrary<Shape> OneLayer => Shapes(lMax: 1);

    /// <summary>Up to two layers, n ≥ 2.</summary>
    public static Arbitrary<Shape> UpToTwoLayersTwoExamples => Shapes(nMin: 2, lMax: 2);

    /// <summary>Up to three layers (or T ≤ 3 loop steps).</summary>
    public static Arbitrary<Shape> UpToThreeLayers => Shapes(lMax: 3);

    /// <summary>Up to four layers.</summary>
    public static Arbitrary<Shape> UpToFourLayers => Shapes(lMax: 4);

    /// <summary>Two to four layers, n ≥ 2 (the controls that need a second layer to see an order or a dependence).</summary>
    public static Arbitrary<Shape> TwoToFourLayers => Shapes(nMin: 2, lMin: 2, lMax: 4);

    /// <summary>Two to four layers, d ≥ 2, n ≥ 2 (independent matrices that do not commute).</summary>
    public static Arbitrary<Shape> TwoToFourLayersNonScalar => Shapes(dMin: 2, nMin: 2, lMin: 2, lMax: 4);

    /// <summary>Up to <paramref name="maxLayers"/> layers or loops at the default d, n: the Gram fast path against the literal model, a cap per family.</summary>
    public static Arbitrary<Shape> UpToLayers(int maxLayers) => Shapes(lMax: maxLayers);

    /// <summary>The engine's forward pass against the literal model: d ≤ 5, n ≤ 16, L ≤ <paramref name="maxLayers"/> layers or loops (a cap per family).</summary>
    public static Arbitrary<Shape> EngineForward(int maxLayers) => Shapes(dMax: 5, nMax: 16, lMax: maxLayers);

    /// <summary>The engine's gradients against the literal model or differences: d ≤ 4, n ≤ 12, L ≤ <paramref name="maxLayers"/> (a cap per family).</summary>
    public static Arbitrary<Shape> EngineGradient(int maxLayers) => Shapes(dMax: 4, nMax: 12, lMax: maxLayers);

    /// <summary>The reverse pass against the forward-mode derivative: d ≤ 3, n ≤ 10, L ≤ <paramref name="maxLayers"/> (a cap per family).</summary>
    public static Arbitrary<Shape> ForwardModeDerivative(int maxLayers) => Shapes(dMax: 3, nMax: 10, lMax: maxLayers);

    /// <summary>Gradient checks by central differences over every weight: d ≤ 4, 2 ≤ n ≤ 12, L ≤ 3 layers.</summary>
    public static Arbitrary<Shape> FiniteDifferences => Shapes(dMax: 4, nMin: 2, nMax: 12, lMax: 3);

    /// <summary><see cref="FiniteDifferences"/> with d ≥ 2 (a fault in a transposition needs a non-scalar matrix to show).</summary>
    public static Arbitrary<Shape> FiniteDifferencesNonScalar => Shapes(dMin: 2, dMax: 4, nMin: 2, nMax: 12, lMax: 3);

    /// <summary>One layer, d ≤ 4, n ≤ 9: a batch's first prompts against their prompt-by-prompt rebuild.</summary>
    public static Arbitrary<Shape> BatchPrefix => Shapes(dMax: 4, nMax: 9, lMax: 1);

    /// <summary>Tiny shapes (d, n ≤ 3, L ≤ 2) for the self-tests of the property machinery.</summary>
    public static Arbitrary<Shape> Tiny => Shapes(dMax: 3, nMax: 3, lMax: 2);

    /// <summary>d ≤ 6, n ≤ 20 (L unused): one random stream per seed.</summary>
    public static Arbitrary<Shape> RandomStreams => Shapes(dMax: 6, nMax: 20);

    /// <summary>d ≤ 12, n ≤ 60 with n ≥ d (L unused): the condition number of a full-rank XᵀX.</summary>
    public static Arbitrary<Shape> FullRankContexts => Shapes(dMax: 12, nMax: 60, where: s => s.N >= s.D);

    // ── AHN single-layer and sparse-family theorems (L = layers) ───────────────────────────────────────────────

    /// <summary>One layer, d ≤ 5, 2 ≤ n ≤ 30: the printed loss sign.</summary>
    public static Arbitrary<Shape> OneLayerUpTo30Examples => Shapes(dMax: 5, nMin: 2, nMax: 30, lMax: 1);

    /// <summary>d ≤ 5, 2 ≤ n ≤ 30, L ≤ 5 drawn but unused: AHN-T1's optimum value (one layer by construction).</summary>
    public static Arbitrary<Shape> SingleLayerOptimum => Shapes(dMax: 5, nMin: 2, nMax: 30);

    /// <summary>One layer, d ≤ 5, 2 ≤ n ≤ 20: single-layer gradients by finite differences.</summary>
    public static Arbitrary<Shape> OneLayerGradient => Shapes(dMax: 5, nMin: 2, nMax: 20, lMax: 1);

    /// <summary>One layer, d ≤ 4, 2 ≤ n ≤ 20: perturbations, rescalings and the flat objective of AHN-T1.</summary>
    public static Arbitrary<Shape> OneLayerSmall => Shapes(dMax: 4, nMin: 2, nMax: 20, lMax: 1);

    /// <summary>One layer, d ≤ 5, n ≤ 24 (n = 1 included): the optimum against Σ⁻¹ as n grows.</summary>
    public static Arbitrary<Shape> OneLayerAnyContext => Shapes(dMax: 5, lMax: 1);

    /// <summary>One layer, d ≤ 5, n ≤ 16: ReLU attention's query kernel against the literal layer.</summary>
    public static Arbitrary<Shape> OneLayerRelu => Shapes(dMax: 5, nMax: 16, lMax: 1);

    /// <summary>AHN-T2's second layer: 2 ≤ d ≤ 4 (d = 1 makes A₂ diagonal, an equality), 2 ≤ n ≤ 12, L = 1 (the two layers are built, L is unused).</summary>
    public static Arbitrary<Shape> TwoLayerDiagonal => Shapes(dMin: 2, dMax: 4, nMin: 2, nMax: 12, lMax: 1);

    /// <summary>GD++ (11): d ≤ 5, 2 ≤ n ≤ 16, L ≤ 3 layers.</summary>
    public static Arbitrary<Shape> GdPlusPlusLayers => Shapes(dMax: 5, nMin: 2, nMax: 16, lMax: DepthCaps.Dense);

    // ── L = loops (Gatmiry's looped model) ─────────────────────────────────────────────────────────────────────

    /// <summary>Up to eight loops, default d and n.</summary>
    public static Arbitrary<Shape> UpToEightLoops => Shapes(lMax: 8);

    /// <summary>One loop, d ≤ 6, n ≤ 40: GAT-T1's closed-form optimum.</summary>
    public static Arbitrary<Shape> OneLoop => Shapes(dMax: 6, nMin: 1, nMax: 40, lMax: 1);

    /// <summary>d ≤ 5, 2 ≤ n ≤ 20, L ≤ 4 loops: GAT-T1's decomposition of the sample loss.</summary>
    public static Arbitrary<Shape> LoopedSampleLoss => Shapes(dMax: 5, nMin: 2, nMax: 20, lMax: 4);

    /// <summary>d ≤ 4, 2 ≤ n ≤ 12, L ≤ 4 loops: GAT-T2's gradient formula by central differences.</summary>
    public static Arbitrary<Shape> LoopedGradient => Shapes(dMax: 4, nMin: 2, nMax: 12, lMax: 4);

    /// <summary>2 ≤ d ≤ 5 (a test Σ with κ = 3 needs d ≥ 2), 2 ≤ n ≤ 20, L ≤ 8 loops: GAT-R1's spectral evaluation.</summary>
    public static Arbitrary<Shape> LoopedSpectral => Shapes(dMin: 2, dMax: 5, nMin: 2, nMax: 20, lMax: 8);

    /// <summary>2 ≤ d ≤ 6 (a shifted κ needs d ≥ 2), 2 ≤ n ≤ 30, L ≤ 12 loops: GAT-OOD's per-prompt bound.</summary>
    public static Arbitrary<Shape> LoopedCovarianceShift => Shapes(dMin: 2, dMax: 6, nMin: 2, nMax: 30, lMax: 12);

    // ── L = GD steps T (Chen's loop) ───────────────────────────────────────────────────────────────────────────

    /// <summary>T ≤ 30 steps of Chen's loop, default d and n.</summary>
    public static Arbitrary<Shape> ChenSteps => Shapes(lMax: 30);

    /// <summary>T ≤ 40 steps: Chen's fast loop against the literal loop.</summary>
    public static Arbitrary<Shape> ChenFastLoopSteps => Shapes(lMax: 40);

    /// <summary>n > d ≥ 1, n ≥ 2 (L unused): least squares recovers the task.</summary>
    public static Arbitrary<Shape> Overdetermined => Shapes(nMin: 2, where: s => s.N > s.D);

    /// <summary>n &lt; d, d ≥ 2 (L unused): fewer examples than dimensions.</summary>
    public static Arbitrary<Shape> Underdetermined => Shapes(dMin: 2, where: s => s.N < s.D);

    // ── Round three: quadratic labels and non-linear attention (L = layers or loops; T for Chen's loop) ────────

    /// <summary>d ≤ 4, 2 ≤ n ≤ 12 (softmax needs two keys), L ≤ 4: non-linear attention's engine against its literal model, and X-QUAD-LIN's controls.</summary>
    public static Arbitrary<Shape> NonLinearAttention => Shapes(dMax: 4, nMin: 2, nMax: 12, lMax: 4);

    /// <summary>d ≤ 5, n ≤ 16, L ≤ 10: X-QUAD-LIN in double at depths beyond the exact losses' cap.</summary>
    public static Arbitrary<Shape> LinearInQueryDeep => Shapes(dMax: 5, nMax: 16, lMax: 10);

    /// <summary>d ≤ 4, d + 1 ≤ n ≤ min(24, 6d), 20 ≤ T ≤ 60: Chen's loop on quadratic labels converging to the in-context least-squares fit.</summary>
    public static Arbitrary<Shape> ChenLoopQuadraticLabels =>
        Shapes(dMax: 4, nMin: 2, nMax: 24, lMin: 20, lMax: 60, where: s => s.N >= s.D + 1 && s.N <= 6 * s.D);
}
