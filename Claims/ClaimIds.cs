namespace LoopedIcl.Claims;

/// <summary>
/// Every claim ID, as the constant a test's [Category] uses (e.g. <c>[Category(ClaimIds.AhnT1)]</c>); the strings are the
/// IDs of ../shared/CLAIMS.md. <see cref="ClaimRegistry"/> says what each one states.
/// </summary>
public static class ClaimIds
{
    // Identities (exact).
    public const string AhnL1 = "AHN-L1";
    public const string AhnE11 = "AHN-E11";
    public const string AhnL4 = "AHN-L4";
    public const string AhnL5 = "AHN-L5";
    public const string GatL1 = "GAT-L1";
    public const string ChenL41 = "CHEN-L4.1";
    public const string ChenL42 = "CHEN-L4.2";
    public const string ChenL310 = "CHEN-L3.10";

    // Optimality of the learned preconditioner.
    public const string AhnT1 = "AHN-T1";
    public const string AhnT2 = "AHN-T2";
    public const string AhnT3 = "AHN-T3";
    public const string AhnT4 = "AHN-T4";
    public const string AhnT5 = "AHN-T5";
    public const string AhnS5 = "AHN-S5";
    public const string GatT1 = "GAT-T1";
    public const string GatT2 = "GAT-T2";
    public const string GatT3 = "GAT-T3";
    public const string GatR1 = "GAT-R1";
    public const string GatOod = "GAT-OOD";

    // Convergence of the looped model (Chen et al.).
    public const string ChenT45 = "CHEN-T4.5";
    public const string ChenC1 = "CHEN-C1";
    public const string ChenE1 = "CHEN-E1";

    // Beyond the papers.
    public const string XNoise = "X-NOISE";
    public const string XKappa = "X-KAPPA";
    public const string XScale = "X-SCALE";
    public const string XQuadLin = "X-QUAD-LIN";
    public const string XQuadFloor = "X-QUAD-FLOOR";
    public const string XQuadGd = "X-QUAD-GD";

    // Learnability: training finds the theory's solutions.
    public const string LearnGrad = "LEARN-GRAD";
    public const string LearnAhnT1 = "LEARN-AHN-T1";
    public const string LearnAhnF2 = "LEARN-AHN-F2";
    public const string LearnAhnF4 = "LEARN-AHN-F4";
    public const string LearnAhnD = "LEARN-AHN-D";
    public const string LearnGatF1 = "LEARN-GAT-F1";
    public const string LearnGatSkew = "LEARN-GAT-SKEW";
    public const string LearnGatF2 = "LEARN-GAT-F2";
    public const string LearnGatF3 = "LEARN-GAT-F3";
    public const string LearnAlign = "LEARN-ALIGN";
    public const string XSoftmax = "X-SOFTMAX";
    public const string Trainer = "TRAINER";

    // The suite's own machinery.
    public const string FastPath = "FAST-PATH";
    public const string Perf = "PERF";
    public const string Attn = "ATTN";
    public const string Wishart = "WISHART";
    public const string Input = "INPUT";
    public const string Statistics = "STATISTICS";
    public const string Verdict = "VERDICT";

    // Checking other people's models.
    public const string Byom = "BYOM";
}

/// <summary>
/// Categories that are labels, not claims: a tier, the marker of snapshot tests (which also carry their claim's ID), and the
/// library-level set the mutation shards run (exact small cases of Numerics that run in milliseconds; .ci/mutation, docs/mutation.md).
/// </summary>
public static class CategoryLabels
{
    public const string Slow = "Slow";
    public const string Snapshot = "SNAPSHOT";
    public const string Library = "Library";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Slow, Snapshot, Library };
}
