namespace LoopedIcl.Numerics.Models;

/// <summary>
/// Which (query token, key token) pairs attention may use. Tokens are 0..n, token n is the query.
/// The mask is an explicit choice so negative controls can swap in the wrong one.
/// </summary>
public enum AttentionMask
{
    /// <summary>Ahn/Gatmiry M = diag(I_n, 0): every token attends to the n context tokens, never to the query.</summary>
    QueryExcluded,
    /// <summary>Chen et al.'s generation mask: only the query attends, and only to the n context tokens.</summary>
    QueryOnly,
    /// <summary>Causal: token j attends to tokens 0..j (itself included).</summary>
    Causal,
    /// <summary>No mask: every token attends to every token, the query included.</summary>
    None,
}

public static class AttentionMasks
{
    /// <summary>Whether token <paramref name="query"/> may attend to token <paramref name="key"/> in a prompt with n context tokens.</summary>
    public static bool Allows(this AttentionMask mask, int query, int key, int n) => mask switch
    {
        AttentionMask.QueryExcluded => key < n,
        AttentionMask.QueryOnly => query == n && key < n,
        AttentionMask.Causal => key <= query,
        AttentionMask.None => true,
        _ => throw new ArgumentOutOfRangeException(nameof(mask), mask, "Unknown attention mask."),
    };
}

/// <summary>
/// Nonlinearity applied to the attention scores before the mask (identity = linear attention). Relu is elementwise; Softmax normalises
/// each query's column over the keys the mask allows and multiplies by n, so the layer's (1/n)·Attn is P Z·softmax (weights summing to 1).
/// </summary>
public enum ScoreActivation
{
    Identity,
    Relu,
    Softmax,
}
