using LoopedIcl.Numerics.Moments;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Losses;

/// <summary>
/// The population loss of Gatmiry's model (Q_l = [[A_l,0],[0,0]], P_l = [[0,0],[u_lᵀ,1]], L layers, untied or looped) at any
/// parameters, exactly (2L ≤ 8 Ŵ's per word). Only the label row moves, and on the training columns it stays linear in x:
/// r_l = v_lᵀX with v_0 = w*, v_{l+1}ᵀ = v_lᵀ(I − ŜA_l) − u_lᵀŜA_l, and the query error is −v_Lᵀx_q. In the whitened basis
/// (D_l = Σ^{1/2}A_lΣ^{1/2}, s_l = Σ^{1/2}u_l, Ŵ the whitened sample covariance, w* ~ N(0, Σ⁻¹)) the loss is
/// E tr(ΠΠᵀ) + E‖Σ_l s_lᵀŴD_l ∏_{k>l}(I − ŴD_k)‖², Π = ∏_l (I − ŴD_l): for tied layers L(A, u) of GAT-T1 (<see cref="LoopedLoss"/>
/// averaged over X). Expanding the products over subsets of layers gives Wishart word moments (<see cref="WishartWordMoments"/>),
/// exact up to double rounding, which is bounded. This replaces a Monte Carlo mean whose per-prompt loss is a degree-2L polynomial
/// of Ŵ, heavy-tailed unless n ≫ d.
/// </summary>
public static class GatmiryPopulationLoss
{
    /// <summary>2L Ŵ's per word: L = 4 is <see cref="WishartWordMoments.MaxOrder"/>.</summary>
    public const int MaxLayers = WishartWordMoments.MaxOrder / 2;

    /// <summary>Tied layers (the looped model) for Σ = I: A_l = A, u_l = u (null means 0).</summary>
    public static WishartWordMoments.Moment Looped(Matrix<double> a, Vector<double>? u, int n, int loops)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (loops < 1 || loops > MaxLayers) throw new ArgumentException($"loops must be in 1 … {MaxLayers} (2L Ŵ's per word; got {loops}).", nameof(loops));
        return Whitened(Enumerable.Repeat(a, loops).ToArray(), Enumerable.Repeat(u, loops).ToArray(), n);
    }

    /// <summary>
    /// Untied layers in the whitened parameters D_l = Σ^{1/2}A_lΣ^{1/2}, s_l = Σ^{1/2}u_l (for Σ = I these are A_l and u_l);
    /// a null s_l means 0.
    /// </summary>
    public static WishartWordMoments.Moment Whitened(IReadOnlyList<Matrix<double>> d, IReadOnlyList<Vector<double>?> s, int n)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(s);
        int layers = d.Count;
        if (layers < 1 || layers > MaxLayers) throw new ArgumentException($"d must hold 1 … {MaxLayers} layers (2L Ŵ's per word; got {layers}).", nameof(d));
        if (s.Count != layers) throw new ArgumentException($"s must have one entry per layer ({layers}; got {s.Count}).", nameof(s));
        int dim = d[0].RowCount;
        foreach (var m in d)
        {
            if (m.RowCount != dim || m.ColumnCount != dim) throw new ArgumentException($"every D_l must be {dim}×{dim} (got {m.RowCount}×{m.ColumnCount}).", nameof(d));
            Guard.AllFinite(m, nameof(d));
        }
        foreach (var v in s)
        {
            if (v is null) continue;
            Guard.Length(v.Count, dim, nameof(s));
            for (int i = 0; i < dim; i++) Guard.Finite(v[i], nameof(s));
        }
        var transposed = d.Select(m => m.Transpose()).ToArray();

        // Tied layers repeat the same matrices, so different subsets give the same word: each distinct word (named by the first layer
        // holding each matrix) is computed once.
        int[] same = Enumerable.Range(0, layers).Select(l => Enumerable.Range(0, layers).First(k => ReferenceEquals(d[k], d[l]))).ToArray();
        int[] sameShift = Enumerable.Range(0, layers).Select(l => Enumerable.Range(0, layers).First(k => ReferenceEquals(s[k], s[l]))).ToArray();
        var cache = new Dictionary<string, WishartWordMoments.Moment>();
        double total = 0, bound = 0, running = 0;
        void Add(double weight, List<Matrix<double>?> word, string key, int tokenRoundings = 0)
        {
            if (!cache.TryGetValue(key, out var w)) cache[key] = w = WishartWordMoments.WhitenedWord(word, n, dim, tokenRoundings);
            total += weight * w.Value;
            bound += Math.Abs(weight) * w.RoundingBound;
            running += Math.Abs(total) + Math.Abs(weight * w.Value);
        }
        // Π_S = Π_{l∈S, increasing} ŴD_l and Π_Tᵀ = Π_{l∈T, decreasing} D_lᵀŴ, with S, T subsets of the layers (bit masks).
        string Forward(List<Matrix<double>?> word, int mask)
        {
            var key = new System.Text.StringBuilder();
            for (int l = 0; l < layers; l++) if ((mask >> l & 1) == 1) { word.Add(null); word.Add(d[l]); key.Append("WD").Append(same[l]); }
            return key.ToString();
        }
        string Backward(List<Matrix<double>?> word, int mask)
        {
            var key = new System.Text.StringBuilder();
            for (int l = layers - 1; l >= 0; l--) if ((mask >> l & 1) == 1) { word.Add(transposed[l]); word.Add(null); key.Append('T').Append(same[l]).Append('W'); }
            return key.ToString();
        }
        static int Sign(int mask) => System.Numerics.BitOperations.PopCount((uint)mask) % 2 == 0 ? 1 : -1;

        // E tr(ΠΠᵀ) = Σ_{S,T} (−1)^{|S|+|T|} E tr(Π_S Π_Tᵀ); the (S, T) and (T, S) words are transposes, so equal in trace.
        int subsets = 1 << layers;
        for (int sMask = 0; sMask < subsets; sMask++)
            for (int tMask = sMask; tMask < subsets; tMask++)
            {
                var word = new List<Matrix<double>?>();
                string key = Forward(word, sMask) + "|" + Backward(word, tMask); // the empty word is tr I = d, exactly
                Add((sMask == tMask ? 1 : 2) * Sign(sMask) * Sign(tMask), word, key);
            }

        // The shift: Σ_l s_lᵀŴD_l Π_{k>l}(I − ŴD_k) = Σ_{(l, S ⊂ {l+1, …})} (−1)^{|S|} s_lᵀŴD_lΠ_S; its squared norm pairs two such terms:
        // tr(s_{l'}s_lᵀ · ŴD_l Π_S Π_Tᵀ D_{l'}ᵀŴ). The ((l, S), (l', T)) and ((l', T), (l, S)) words are transposes.
        var terms = new List<(int Layer, int Mask)>();
        for (int l = 0; l < layers; l++)
        {
            if (s[l] is null || s[l]!.L2Norm() == 0) continue;
            int later = (subsets - 1) & ~((1 << (l + 1)) - 1);
            for (int mask = later; ; mask = (mask - 1) & later)
            {
                terms.Add((l, mask));
                if (mask == 0) break;
            }
        }
        for (int i = 0; i < terms.Count; i++)
            for (int j = i; j < terms.Count; j++)
            {
                var (l, sMask) = terms[i];
                var (lp, tMask) = terms[j];
                var word = new List<Matrix<double>?> { s[lp]!.OuterProduct(s[l]!), null, d[l] };
                string key = $"S{sameShift[lp]},{sameShift[l]}WD{same[l]}" + Forward(word, sMask) + "|" + Backward(word, tMask) + $"T{same[lp]}W";
                word.Add(transposed[lp]);
                word.Add(null);
                Add((i == j ? 1 : 2) * Sign(sMask) * Sign(tMask), word, key, tokenRoundings: 1); // s_{l'}s_lᵀ rounds once per entry
            }
        // Each weighted addition rounds twice: the product weight·value and the partial sum (ε each, Higham's running error).
        return new WishartWordMoments.Moment(total, (bound + WishartWordMoments.Gamma(1) * running) * 1.01);
    }
}
