using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Models;

namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// Which entries of the L layers (P_l, Q_l), each (d+1)×(d+1), are trainable, and how: one flat parameter vector θ and an
/// affine map θ ↦ layers, entry = constant + Σ coefficient·θ_k. Masks (the sparse and GD++ families), ties across loops
/// (looped models), symmetry (A = Aᵀ) and signs (family (8)'s Q = −A) are all terms of the map; the residual sign is the family's.
/// Expand writes the layers, Contract maps layer adjoints (∂f/∂P_l, ∂f/∂Q_l) back to ∂f/∂θ (the transpose of the map).
/// Layout of the expanded layers: layer l's P row-major at l·2w², its Q at l·2w² + w², w = d + 1.
/// </summary>
public sealed class Parameterisation
{
    private readonly int[] _target;      // index into the expanded layer array
    private readonly int[] _source;      // index into θ
    private readonly double[] _coefficient;
    private readonly double[] _constant; // the fixed entries (e.g. P[d,d] = 1)

    public string Name { get; }
    public int D { get; }
    public int Width => D + 1;
    public int Layers { get; }
    public ResidualSign Sign { get; }
    /// <summary>The length of θ.</summary>
    public int Dimension { get; }
    /// <summary>Length of the expanded layer array, 2·L·(d+1)².</summary>
    public int ExpandedLength => 2 * Layers * Width * Width;
    /// <summary>
    /// Structural (not value-based): in every layer P's rows 0..d−1 are identically zero, so PGQ = e_{d+1}rᵀ and the engine may
    /// use the label-row recursion (only the last row and column of G change; the covariate block H = XᵀX/n is fixed).
    /// </summary>
    public bool LabelRowOnlyP { get; }
    /// <summary>Structural: in every layer Q's last row and column are identically zero (Q = [[A,0],[0,0]]), so the label-label
    /// and label-covariate Gram entries never reach the output through Q.</summary>
    public bool CovariateBlockQ { get; }
    /// <summary>Structural: in every layer P = [[B,0],[0,1]] — its last row and column zero off the corner, the corner fixed at 1.</summary>
    public bool BlockDiagonalP { get; }
    /// <summary>One (P, Q) shared by all L layers (a looped model).</summary>
    public bool Tied { get; }

    private Parameterisation(string name, int d, int layers, ResidualSign sign, int dimension, bool tied,
        List<(int Target, int Source, double Coefficient)> terms, double[] constant)
    {
        Name = name;
        D = d;
        Layers = layers;
        Sign = sign;
        Dimension = dimension;
        Tied = tied || layers == 1;
        _target = terms.Select(t => t.Target).ToArray();
        _source = terms.Select(t => t.Source).ToArray();
        _coefficient = terms.Select(t => t.Coefficient).ToArray();
        _constant = constant;
        int w = Width;
        bool Free(int index) => _constant[index] != 0 || _target.Contains(index);
        LabelRowOnlyP = Enumerable.Range(0, layers).All(l => Enumerable.Range(0, d * w).All(k => !Free(l * 2 * w * w + k)));
        BlockDiagonalP = Enumerable.Range(0, layers).All(l => _constant[l * 2 * w * w + d * w + d] == 1 && !_target.Contains(l * 2 * w * w + d * w + d)
            && Enumerable.Range(0, d).All(k => !Free(l * 2 * w * w + d * w + k) && !Free(l * 2 * w * w + k * w + d)));
        CovariateBlockQ = Enumerable.Range(0, layers).All(l => Enumerable.Range(0, w).All(k =>
            !Free(l * 2 * w * w + w * w + d * w + k) && !Free(l * 2 * w * w + w * w + k * w + d)));
    }

    /// <summary>Writes the layers for θ into <paramref name="layers"/> (length <see cref="ExpandedLength"/>).</summary>
    public void Expand(ReadOnlySpan<double> theta, Span<double> layers)
    {
        CheckLengths(theta.Length, layers.Length, nameof(theta), nameof(layers));
        _constant.CopyTo(layers);
        for (int k = 0; k < _target.Length; k++) layers[_target[k]] += _coefficient[k] * theta[_source[k]];
    }

    /// <summary>∂f/∂θ from the layer adjoints (length <see cref="ExpandedLength"/>); overwrites <paramref name="gradient"/>.</summary>
    public void Contract(ReadOnlySpan<double> layerAdjoints, Span<double> gradient)
    {
        CheckLengths(gradient.Length, layerAdjoints.Length, nameof(gradient), nameof(layerAdjoints));
        gradient.Clear();
        for (int k = 0; k < _target.Length; k++) gradient[_source[k]] += _coefficient[k] * layerAdjoints[_target[k]];
    }

    private void CheckLengths(int theta, int layers, string thetaName, string layersName)
    {
        if (theta != Dimension) throw new ArgumentException($"{thetaName} must have length {Dimension} (the parameterisation '{Name}'), got {theta}.", thetaName);
        if (layers != ExpandedLength) throw new ArgumentException($"{layersName} must have length 2·L·(d+1)² = {ExpandedLength}, got {layers}.", layersName);
    }

    /// <summary>The expanded layers as the literal model's layer objects (for cross-checks against the reference).</summary>
    public AttentionLayer<Real>[] ToLayers(ReadOnlySpan<double> theta)
    {
        var flat = new double[ExpandedLength];
        Expand(theta, flat);
        int w = Width;
        return Enumerable.Range(0, Layers).Select(l => new AttentionLayer<Real>(
            Mat<Real>.Build(w, w, (i, j) => flat[l * 2 * w * w + i * w + j]),
            Mat<Real>.Build(w, w, (i, j) => flat[l * 2 * w * w + w * w + i * w + j]))).ToArray();
    }

    /// <summary>
    /// The θ whose expansion is <paramref name="layers"/> (length <see cref="ExpandedLength"/>); throws when the layers are not in
    /// this family (a fixed entry differs, a mask is violated, or tied/symmetric entries disagree).
    /// </summary>
    public double[] Extract(ReadOnlySpan<double> layers, string paramName = "layers")
    {
        if (layers.Length != ExpandedLength) throw new ArgumentException($"{paramName} must have length {ExpandedLength}, got {layers.Length}.", paramName);
        var theta = new double[Dimension];
        for (int k = 0; k < _target.Length; k++) theta[_source[k]] = (layers[_target[k]] - _constant[_target[k]]) / _coefficient[k];
        var back = new double[ExpandedLength];
        Expand(theta, back);
        for (int m = 0; m < back.Length; m++)
            if (back[m] != layers[m])
                throw new ArgumentException($"{paramName} are not in the family '{Name}': entry {m} (layer {m / (2 * Width * Width)}) is {layers[m]}, the family gives {back[m]}.", paramName);
        return theta;
    }

    /// <summary>
    /// The narrowest built-in family holding these literal layers and their θ — label-row P (rows 1..d of every P zero) or full,
    /// tied when all layers are equal, covariate-block Q when every Q's last row and column are zero. For callers that hold
    /// layer values rather than a parameterisation (then <see cref="IclEngine.CreateEvaluator"/> or the batches).
    /// </summary>
    public static (Parameterisation Family, double[] Theta) Of(IReadOnlyList<AttentionLayer<Real>> layers, ResidualSign sign)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new ArgumentException("layers must hold at least one layer.", nameof(layers));
        int w = layers[0].Width, d = w - 1, L = layers.Count;
        var flat = new double[2 * L * w * w];
        for (int l = 0; l < L; l++)
        {
            Guard.Shape(layers[l].P.Rows, layers[l].P.Cols, w, w, $"{nameof(layers)}[{l}].P");
            Guard.Shape(layers[l].Q.Rows, layers[l].Q.Cols, w, w, $"{nameof(layers)}[{l}].Q");
            for (int i = 0; i < w; i++)
                for (int j = 0; j < w; j++)
                {
                    flat[l * 2 * w * w + i * w + j] = layers[l].P[i, j].Value;
                    flat[l * 2 * w * w + w * w + i * w + j] = layers[l].Q[i, j].Value;
                }
        }
        bool tied = Enumerable.Range(1, L - 1).All(l => flat.AsSpan(l * 2 * w * w, 2 * w * w).SequenceEqual(flat.AsSpan(0, 2 * w * w)));
        bool labelRow = Enumerable.Range(0, L).All(l => flat.AsSpan(l * 2 * w * w, d * w).IndexOfAnyExcept(0.0) < 0);
        bool block = Enumerable.Range(0, L).All(l => Enumerable.Range(0, w).All(k => flat[l * 2 * w * w + w * w + d * w + k] == 0 && flat[l * 2 * w * w + w * w + k * w + d] == 0));
        var family = labelRow ? LabelRow(d, L, sign, tied, block) : Full(d, L, sign, tied);
        return (family, family.Extract(flat, nameof(layers)));
    }

    // ---- the families ----

    /// <summary>P_l = e_{d+1}π_lᵀ (only the label row trainable, all w entries) and Q_l full or, with <paramref name="covariateBlockQ"/>, its d×d block.</summary>
    public static Parameterisation LabelRow(int d, int layers, ResidualSign sign, bool tied = false, bool covariateBlockQ = false)
    {
        var b = new Builder(d, layers, tied);
        int w = d + 1;
        for (int l = 0; l < layers; l++)
        {
            b.StartLayer(l);
            for (int j = 0; j < w; j++) b.Add(b.P(l, d, j), b.Next(j));
            int k = w;
            for (int i = 0; i < (covariateBlockQ ? d : w); i++)
                for (int j = 0; j < (covariateBlockQ ? d : w); j++) b.Add(b.Q(l, i, j), b.Next(k++));
        }
        return b.Build($"label-row P{(covariateBlockQ ? ", block Q" : ", full Q")}{(tied ? ", tied" : "")}", sign);
    }

    /// <summary>All 2(d+1)² entries of every P_l, Q_l trainable; <paramref name="tied"/>: one (P, Q) shared by all L loops.</summary>
    public static Parameterisation Full(int d, int layers, ResidualSign sign = ResidualSign.Plus, bool tied = false)
    {
        var b = new Builder(d, layers, tied);
        int w = d + 1;
        for (int l = 0; l < layers; l++)
        {
            b.StartLayer(l);
            for (int i = 0; i < w; i++) for (int j = 0; j < w; j++) b.Add(b.P(l, i, j), b.Next(i * w + j));
            for (int i = 0; i < w; i++) for (int j = 0; j < w; j++) b.Add(b.Q(l, i, j), b.Next(w * w + i * w + j));
        }
        return b.Build(tied ? "full (P, Q), tied" : "full (P_l, Q_l)", sign);
    }

    /// <summary>
    /// Ahn et al. (8): P = [[0,0],[0,1]], Q_l = −[[A_l,0],[0,0]], + residual (PGD with preconditioner A_lᵀ). θ = (A_1, …, A_L) row-major;
    /// with <paramref name="symmetricA"/> each A_l's upper triangle (the trainer's convention; the searches' (V + Vᵀ)/2 is in SparseFamilyObjective).
    /// </summary>
    public static Parameterisation Sparse(int d, int layers, bool tied = false, bool symmetricA = false)
    {
        var b = new Builder(d, layers, tied);
        for (int l = 0; l < layers; l++)
        {
            b.StartLayer(l);
            b.Fix(b.P(l, d, d), 1);
            b.Matrix(l, (i, j) => b.Q(l, i, j), -1, symmetricA, 0);
        }
        return b.Build($"sparse (8){(tied ? ", tied" : "")}{(symmetricA ? ", symmetric A" : "")}", ResidualSign.Plus);
    }

    /// <summary>Ahn et al. (11), GD++: P_l = [[B_l,0],[0,1]], Q_l = [[A_l,0],[0,0]], + residual. θ = per layer (A_l, B_l) row-major.</summary>
    public static Parameterisation GdPlusPlus(int d, int layers, bool tied = false)
    {
        var b = new Builder(d, layers, tied);
        for (int l = 0; l < layers; l++)
        {
            b.StartLayer(l);
            b.Fix(b.P(l, d, d), 1);
            b.Matrix(l, (i, j) => b.Q(l, i, j), 1, false, 0);
            b.Matrix(l, (i, j) => b.P(l, i, j), 1, false, d * d);
        }
        return b.Build($"GD++ (11){(tied ? ", tied" : "")}", ResidualSign.Plus);
    }

    /// <summary>
    /// Gatmiry et al.: Q = [[A,0],[0,0]], P = [[0,0],[uᵀ,1]], − residual; looped (one (A, u) for all L loops) by default.
    /// θ = (A row-major, u) per distinct layer (A's upper triangle only when <paramref name="symmetricA"/>); without u when <paramref name="withU"/> is false.
    /// </summary>
    public static Parameterisation Gatmiry(int d, int loops, bool symmetricA = false, bool withU = true, bool tied = true)
    {
        var b = new Builder(d, loops, tied);
        for (int l = 0; l < loops; l++)
        {
            b.StartLayer(l);
            b.Fix(b.P(l, d, d), 1);
            int used = b.Matrix(l, (i, j) => b.Q(l, i, j), 1, symmetricA, 0);
            if (withU) for (int j = 0; j < d; j++) b.Add(b.P(l, d, j), b.Next(used + j));
        }
        return b.Build($"Gatmiry (A{(withU ? ", u" : "")}){(tied ? ", looped" : ", untied")}{(symmetricA ? ", symmetric A" : "")}", ResidualSign.Minus);
    }

    /// <summary>Builds the affine map; with ties every layer reuses the first layer's local parameter indices.</summary>
    private sealed class Builder(int d, int layers, bool tied)
    {
        private readonly List<(int, int, double)> _terms = [];
        private readonly double[] _constant = new double[2 * layers * (d + 1) * (d + 1)];
        private int _layerBase, _perLayer;
        private readonly int _w = d + 1;

        public void StartLayer(int l) => _layerBase = tied ? 0 : l * _perLayer;
        public int P(int l, int i, int j) => l * 2 * _w * _w + i * _w + j;
        public int Q(int l, int i, int j) => l * 2 * _w * _w + _w * _w + i * _w + j;
        /// <summary>The θ index of local parameter k in the current layer.</summary>
        public int Next(int local)
        {
            _perLayer = Math.Max(_perLayer, local + 1);
            return _layerBase + local;
        }
        public void Add(int target, int source, double coefficient = 1) => _terms.Add((target, source, coefficient));
        public void Fix(int target, double value) => _constant[target] = value;

        /// <summary>A d×d block as local parameters from <paramref name="offset"/> (upper triangle when symmetric); returns the next free local index.</summary>
        public int Matrix(int l, Func<int, int, int> target, double coefficient, bool symmetric, int offset)
        {
            int k = offset;
            for (int i = 0; i < d; i++)
                for (int j = symmetric ? i : 0; j < d; j++, k++)
                {
                    int s = Next(k);
                    Add(target(i, j), s, coefficient);
                    if (symmetric && i != j) Add(target(j, i), s, coefficient);
                }
            return k;
        }

        public Parameterisation Build(string name, ResidualSign sign)
        {
            Guard.Positive(d, nameof(d));
            Guard.Positive(layers, nameof(layers));
            int dimension = tied ? _perLayer : layers * _perLayer;
            return new Parameterisation(name, d, layers, sign, dimension, tied, _terms, _constant);
        }
    }
}
