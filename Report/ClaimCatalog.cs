namespace LoopedIcl.Report;

/// <summary>What each claim ID says (one line) and where it comes from, for the report's table.</summary>
internal static class ClaimCatalog
{
    public sealed record Claim(string Id, string Paper, string Statement);

    public static readonly Claim[] All =
    [
        new("AHN-L1", "Ahn et al. 2023, Lemma 1", "Sparse layers (8) run preconditioned GD with Aᵀ (the printed A_l is exact only for symmetric A_l)."),
        new("AHN-E11", "Ahn et al. 2023, eq. (11)", "GD++ family: block recursion for covariates and labels; output independent of B_{L−1}."),
        new("AHN-L4", "Ahn et al. 2023, Lemma 4", "A_l = a_l·C: the output is invariant under all L! layer orders."),
        new("AHN-L5", "Ahn et al. 2023, Lemmas 5–6", "Zero last column of Q: the query slot c shifts the output by exactly c."),
        new("AHN-T1", "Ahn et al. 2023, Theorem 1", "One layer: Q = −[[Γ⁻¹,0],[0,0]] is a global optimum over all (P, Q), f* = Σλ(λ+trΣ)/((n+1)λ+trΣ)."),
        new("AHN-T2", "Ahn et al. 2023, Theorem 2", "Two layers, isotropic, symmetric A: some global minimiser is diagonal (numerically scalar)."),
        new("AHN-T3", "Ahn et al. 2023, Theorem 3", "L layers (8): on A_l = a_lΣ⁻¹ the gradient is (1/d)∂g/∂a_l·Σ; kernel-polynomial steps are exact critical points."),
        new("AHN-T4", "Ahn et al. 2023, Theorem 4", "GD++ on A_l = a_lΣ⁻¹, B_l = b_lI: ∇_A ∝ Σ, ∇_B ∝ I, ∇_{B_{L−1}} = 0."),
        new("AHN-T5", "Ahn et al. 2023, Theorem 5", "ReLU attention, one layer: Q = −(2n/(n+2d+3))[[I,0],[0,0]], f* = d(2d+3)/(n+2d+3)."),
        new("AHN-S5", "Ahn et al. 2023, eq. (5)", "The printed loss sign E[(TF + y)²] flips the optimal Q; the results hold for E[(TF − y)²]."),
        new("GAT-L1", "Gatmiry et al. 2024, Prop. 3.1", "The looped model reads out L steps of PGD with Aᵀ on labels y + Xu."),
        new("GAT-T1", "Gatmiry et al. 2024, Theorem 3.2", "Global minimiser: u = 0 and A ≈ b*Σ⁻¹ (for symmetric A); the sandwich constant is vacuous; skew saddle."),
        new("GAT-T2", "Gatmiry et al. 2024, Theorem 3.4", "‖∇L‖² ≥ (1/16)L^{(2L−1)/L} above a loss threshold (Łojasiewicz, not PL)."),
        new("GAT-T3", "Gatmiry et al. 2024, Theorem 3.3", "Gradient flow from 0 hits ξ by (16L/(L−1))(ξ^{−(L−1)/L} − L₀^{−(L−1)/L}): polynomial rate."),
        new("GAT-R1", "Gatmiry et al. 2024 (sample requirement)", "With a fixed A the loss eventually rises with more loops; n must grow with L."),
        new("GAT-OOD", "Gatmiry et al. 2024, Theorem 4.5", "|TF − y| ≤ ‖Σ₀^{-½}x_q‖‖(I − B₀Ŵ₀)^L‖‖Σ₀^{½}w*‖; decay iff 0 < bλ_j < 2."),
        new("CHEN-L4.1", "Chen et al. 2025, Lemma 4.1", "Row layout: Attn(Z(0)) = [[0,0],[q(0)ᵀXᵀX + αyᵀX, 0]] with the generation mask."),
        new("CHEN-L4.2", "Chen et al. 2025 (the loop)", "Z(t) = Z(t−1) − ηAttn runs GD on ½‖X(q + αθ*)‖²; TF = −q(T) → αθ*."),
        new("CHEN-L3.10", "Chen et al. 2025, Lemma 3.10", "n > d, realizable: least squares recovers θ*."),
        new("CHEN-T4.5", "Chen et al. 2025, Theorem 4.5", "|⟨TF, θ*⟩ − α| ≤ |α|e^{−T/2κ}, κ of XᵀX, ‖θ*‖ = 1, η = 1/λ_max."),
        new("CHEN-C1", "Chen et al. 2025 (O(d) examples)", "n = C·d gives κ(XᵀX) = O(1) w.h.p. (Marchenko–Pastur), so n need not grow with T."),
        new("CHEN-E1", "Chen et al. 2025, experiment", "d = 4: log-error linear in T, steeper for larger n/d, below the bound."),
        new("X-NOISE", "beyond the papers", "Noisy labels: the loop converges to least squares; error plateaus at σ²tr((XᵀX)⁻¹)."),
        new("X-KAPPA", "beyond the papers", "κ(Σ) up to 10⁴: the bound holds; the measured rate is ≥ 1/κ."),
        new("X-SCALE", "beyond the papers", "d up to 64 at fixed n/d: the rate per loop depends on n/d, not d."),
    ];

    /// <summary>Checks of the suite's own machinery (not paper claims), listed after the claims.</summary>
    public static readonly Claim[] Support =
    [
        new("FAST-PATH", "suite", "The Gram-state fast paths equal the literal attention (double and exact)."),
        new("ATTN", "suite", "The literal attention is the paper's definition (column-sum form, mask)."),
        new("WISHART", "suite", "Wishart moments by Wick enumeration = closed forms = Monte Carlo = MathNet's sampler."),
        new("INPUT", "suite", "Bad input raises ArgumentException naming the parameter and the rule."),
    ];
}
