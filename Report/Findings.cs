namespace LoopedIcl.Report;

/// <summary>The findings the suite reproduces (CLAIMS.md's list, then the suite's own), each with the test that shows it and the ledger notes that carry its numbers.</summary>
internal static class Findings
{
    public sealed record Finding(string Title, string Claim, string Test, string[] NotePrefixes);

    public static readonly Finding[] All =
    [
        new("AHN-L1: the printed Lemma 1 preconditioner A_l is exact only for symmetric A_l; the layer applies A_lᵀ.", "AHN-L1",
            "Lemmas/AhnL1SparseLayersArePreconditionedGd: AHN_L1_Printed_untransposed_preconditioner_fails_for_non_symmetric_A, AHN_L1_Exact_rational_proof", ["negative control failed as required: printed A_l", "negative control failed as required: preconditioner A_l as printed"]),
        new("AHN-S5: the printed loss sign of eq. (5) flips the optimal Q; the results hold for E[(TF − y_q)²].", "AHN-S5",
            "Theorems/AhnS5LossSign: AHN_S5_Printed_sign_flips_the_optimal_Q", ["AHN-S5:"]),
        new("AHN-T4: the paper's Figures 3–5 values are a critical point at n = 20, not at the printed n = 10.", "AHN-T4",
            "Theorems/AhnT4GdPlusPlusCriticalPoints: AHN_T4_Finding_paper_figures_are_a_critical_point_at_n_20_not_n_10", ["AHN-T4 finding", "AHN-T4: BFGS"]),
        new("AHN-T1: the single-layer full-parameter landscape has non-global stationary points (BFGS stalls).", "AHN-T1",
            "Theorems/AhnT1SingleLayerOptimum: AHN_T1_No_point_of_the_full_landscape_beats_f_star", ["AHN-T1 landscape"]),
        new("GAT-T1: over unconstrained A the scalar point b*Σ⁻¹ is a saddle for moderate n/d and L ≥ 2 (a skew part helps).", "GAT-T1",
            "Theorems/GatT1LoopedGlobalMinimizer: GAT_T1_Finding_skew_part_lowers_the_loss_for_unconstrained_A; Theorems/GatT3GradientFlow: GAT_T3_Unconstrained_flow_leaves_the_scalar_line_along_the_skew_direction", ["GAT-T1 skew", "GAT-T3 unconstrained flow"]),
        new("GAT-T1: the sandwich constant c is < 1 only for n > 64^{2L+1}L²d⁴ — vacuous at any testable size.", "GAT-T1",
            "Theorems/GatT1LoopedGlobalMinimizer: GAT_T1_Finding_sandwich_constant_is_vacuous_at_testable_n", ["GAT-T1 sandwich"]),
        new("GAT-T2/T3: the dominance is Łojasiewicz-type with exponent (2L−1)/L, so the flow is polynomial, not exponential.", "GAT-T2",
            "Theorems/GatT2GradientDominance: GAT_T2_Finding_Lojasiewicz_but_not_PL; Theorems/GatT3GradientFlow: GAT_T3_Finding_flow_is_polynomial_for_more_than_one_loop", ["GAT-T2 L=", "GAT-T3 L="]),
        new("CHEN-T4.5: the bound needs ‖θ*‖ = 1 and κ of XᵀX (not of X); without either it fails on some instances.", "CHEN-T4.5",
            "Theorems/ChenT45ExponentialBound: CHEN_T4_5_Negative_control_kappa_of_X_instead_of_XtX, CHEN_T4_5_Negative_control_task_not_normalised", ["negative control failed as required: κ", "negative control failed as required: ‖θ*‖"]),
        new("Suite finding (spec check): CLAIMS.md's AHN-T1 sparse quadratic ((n+1)/n)·tr(ΣAᵀΣAΣ) holds only for symmetric A; with Lemma 1's transpose the term is ((n+1)/n)·tr(AᵀΣ²AΣ).", "AHN-T1",
            "Theorems/AhnT1SingleLayerOptimum: AHN_T1_Finding_printed_sparse_quadratic_needs_symmetric_A", ["AHN-T1 finding"]),
        new("Suite finding: using the query as a key is harmless in the first layer (its label slot is still 0); that negative control needs L ≥ 2.", "AHN-L1",
            "Lemmas/AhnL1SparseLayersArePreconditionedGd: AHN_L1_Query_as_key_is_harmless_in_the_first_layer", []),
        new("Suite finding: test-time looping and covariance shift fail through rare prompts (bλ_max(Ŵ) > 2); the median prompt still converges, the mean diverges.", "GAT-R1",
            "Theorems/GatR1SampleRequirement, Theorems/GatOodOutOfDistribution", ["GAT-R1 n=", "GAT-OOD large shift:"]),
    ];
}
