using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Moments;

/// <summary>
/// Exact E tr(M_0 W M_1 W ⋯ M_{m−1} W) for the real Wishart W = XᵀX (X ∈ R^{n×d}, iid N(0, 1)) and fixed d×d matrices M_k, by
/// Wick's theorem: W = Σ_i x_i x_iᵀ turns the trace into Σ_{i_1…i_m} Π_k x_{i_k}ᵀ M_{k+1} x_{i_{k+1}} (indices mod m), a product of
/// 2m Gaussian vector slots. Its expectation is a sum over the (2m − 1)!! pairings of the slots; a pairing forces the paired slots'
/// rows to be equal (n^c row choices, c the classes of the m rows it joins) and contracts the coordinates along cycles that
/// alternate matrix edges and pair edges (a trace of the M's met, transposed where a cycle runs from column to row).
/// The sum is exact up to double rounding, with a rigorous bound on that rounding (<see cref="Moment"/>).
/// For identity M's this is the power moment of <see cref="WishartMoments"/> (symbolic in d, rationals); here the M's are numbers.
/// Used by <see cref="Losses.GatmiryPopulationLoss"/>, where a Monte Carlo mean would be heavy-tailed.
/// </summary>
public static class WishartWordMoments
{
    /// <summary>The largest number of W's: (2·8 − 1)!! = 2 027 025 pairings.</summary>
    public const int MaxOrder = 8;

    /// <summary>An expectation with a bound on its floating-point rounding error (|computed − exact| ≤ RoundingBound).</summary>
    public readonly record struct Moment(double Value, double RoundingBound);

    /// <summary>
    /// E tr(M_0 Ŵ M_1 Ŵ ⋯ M_{m−1} Ŵ) for the whitened Ŵ = W/n, one matrix before each Ŵ, with a rigorous rounding bound. A pairing's
    /// value is a product of cycle traces with |tr(∏|M|)| ≤ d ∏‖|M|‖₂, and each M_k sits on one cycle, so Σ_pairings n^c |value| ≤
    /// ∏_k ‖|M_k|‖₂ · E tr W^m (the identity word's pairings give n^c d^{#cycles}). Each value (≤ m chained products of d terms, a trace
    /// per cycle, ≤ m products of traces) errs by ≤ γ_{m(d+2)} times its absolute-value bound; the sums add the running error
    /// ε·Σ|partial sum|, and the powers of n and their sum γ_{2m+2}·Σ|a_c| n^{c−m} (Higham, Accuracy and Stability, §3.1, §4.2).
    /// </summary>
    public static Moment WhitenedTrace(IReadOnlyList<Matrix<double>> between, int n) => WhitenedTrace(between, n, null, 0);

    /// <summary>
    /// <see cref="WhitenedTrace(IReadOnlyList{Matrix{double}}, int)"/> where each M_k was formed in floating point: |M_k − exact| ≤ γ_r·P_k
    /// entrywise for non-negative P_k (the product of the factors' absolute values) and r = <paramref name="formationRoundings"/>. The value
    /// is multilinear in the M's, so the bound uses ‖P_k‖₂ ≥ ‖|M_k|‖₂ and adds m·r to the roundings.
    /// </summary>
    private static Moment WhitenedTrace(IReadOnlyList<Matrix<double>> between, int n, IReadOnlyList<Matrix<double>>? absoluteFactors, int formationRoundings)
    {
        ArgumentNullException.ThrowIfNull(between);
        Guard.Positive(n, nameof(n));
        int m = between.Count;
        if (m < 1 || m > MaxOrder) throw new ArgumentException($"between must hold 1 … {MaxOrder} matrices, one before each Ŵ (got {m}).", nameof(between));
        int d = between[0].RowCount;
        foreach (var x in between)
        {
            if (x.RowCount != d || x.ColumnCount != d) throw new ArgumentException($"every matrix in between must be {d}×{d} (got {x.RowCount}×{x.ColumnCount}).", nameof(between));
            Guard.AllFinite(x, nameof(between));
        }
        var run = new Enumeration(between);
        run.Run();
        double value = 0, magnitude = 0, summation = 0;
        for (int c = m; c >= 0; c--)
        {
            double scale = Math.Pow(n, c - m); // its rounding is in the γ_{2m+2} term below
            value += run.Coefficients[c] * scale;
            magnitude += Math.Abs(run.Coefficients[c]) * scale;
            summation += run.RunningError[c] * scale;
        }
        double norms = 1;
        for (int k = 0; k < m; k++) norms *= (absoluteFactors?[k] ?? between[k].PointwiseAbs()).L2Norm();
        double identityWord = (double)RealWishartMoments.TraceMoments(n, d, m)[m] / Math.Pow(n, m);
        double bound = Gamma(m * (d + 2 + formationRoundings)) * norms * identityWord + summation + Gamma(2 * m + 2) * magnitude;
        return new Moment(value, bound * 1.01); // 1.01: the bound's own rounding
    }

    /// <summary>
    /// E tr(T_1 T_2 ⋯ T_r) for a word of fixed matrices and Ŵ's (null stands for Ŵ): the matrices between consecutive Ŵ's are
    /// multiplied (cyclically, so the tail joins the head), and that rounding is in the bound. A word without Ŵ is its plain trace.
    /// <paramref name="tokenRoundings"/>: roundings already in the tokens, relative to their absolute values (1 for an outer product).
    /// </summary>
    public static Moment WhitenedWord(IReadOnlyList<Matrix<double>?> word, int n, int d, int tokenRoundings = 0)
    {
        ArgumentNullException.ThrowIfNull(word);
        Guard.Positive(d, nameof(d));
        if (tokenRoundings < 0) throw new ArgumentException($"tokenRoundings must be ≥ 0 (got {tokenRoundings}).", nameof(tokenRoundings));
        var identity = Matrix<double>.Build.DenseIdentity(d);
        var segments = new List<Matrix<double>>();
        var absolute = new List<Matrix<double>>();
        Matrix<double> current = identity, currentAbs = identity;
        int factors = 0, mostFactors = 0;
        foreach (var t in word)
        {
            if (t is null)
            {
                segments.Add(current); absolute.Add(currentAbs);
                current = currentAbs = identity; factors = 0;
            }
            else
            {
                current *= t; currentAbs *= t.PointwiseAbs(); // × I is exact, so a segment of f factors rounds f − 1 times (d terms each)
                mostFactors = Math.Max(mostFactors, ++factors);
            }
        }
        if (segments.Count == 0) return new Moment(current.Trace(), Gamma(word.Count * (d + 2) + tokenRoundings) * d * currentAbs.L2Norm() * 1.01);
        // tr(Y X Ŵ ⋯ Ŵ) = tr(X Ŵ ⋯ Ŵ Y): the tail after the last Ŵ joins the head (one more product).
        segments[0] = current * segments[0];
        absolute[0] = currentAbs * absolute[0];
        int formation = (mostFactors + factors) * d + tokenRoundings;
        return WhitenedTrace(segments, n, absolute, formation);
    }

    /// <summary>γ_k = k·u/(1 − k·u), u = 2⁻⁵³ (Higham's constant for k roundings).</summary>
    public static double Gamma(int k) => k * UnitRoundoff / (1 - k * UnitRoundoff);

    private const double UnitRoundoff = 1.1102230246251565e-16;

    /// <summary>Depth-first enumeration of the pairings, following each cycle so its matrix product grows one factor per choice.</summary>
    private sealed class Enumeration
    {
        private readonly int _m, _d, _slots;
        private readonly double[][] _forward, _transposed; // M_k and M_kᵀ, row-major
        private readonly double[][] _product;               // the open cycle's product, one buffer per depth
        private readonly bool[] _visited;
        private readonly int[][] _rowClass;                 // the row class of each of the m factors, one copy per depth
        public double[] Coefficients { get; }
        public double[] RunningError { get; } // ε·Σ|partial sum| per power of n

        public Enumeration(IReadOnlyList<Matrix<double>> between)
        {
            _m = between.Count;
            _d = between[0].RowCount;
            _slots = 2 * _m;
            _forward = new double[_m][];
            _transposed = new double[_m][];
            for (int k = 0; k < _m; k++)
            {
                _forward[k] = new double[_d * _d];
                _transposed[k] = new double[_d * _d];
                for (int i = 0; i < _d; i++)
                    for (int j = 0; j < _d; j++)
                    {
                        _forward[k][i * _d + j] = between[k][i, j];
                        _transposed[k][j * _d + i] = between[k][i, j];
                    }
            }
            _product = Enumerable.Range(0, _m + 1).Select(_ => new double[_d * _d]).ToArray(); // depth = pairs chosen ≤ m
            _rowClass = Enumerable.Range(0, _m + 1).Select(_ => new int[_m]).ToArray();
            for (int k = 0; k < _m; k++) _rowClass[0][k] = k;
            _visited = new bool[_slots];
            Coefficients = new double[_m + 1];
            RunningError = new double[_m + 1];
        }

        public void Run() => StartCycle(0, 1.0);

        // Slot 2k is the column copy of x_{i_k} (left of x_{i_k}ᵀ), slot 2k + 1 its row copy. The matrix edge of the row copy of factor k
        // carries M_{k+1} to the column copy of factor k + 1; read from the column end it carries M_{k+1}ᵀ back.
        private int Across(int slot) => (slot & 1) == 1 ? 2 * ((slot / 2 + 1) % _m) : 2 * ((slot / 2 - 1 + _m) % _m) + 1;
        private double[] EdgeMatrix(int slot) => (slot & 1) == 1 ? _forward[(slot / 2 + 1) % _m] : _transposed[slot / 2];

        // After `depth` pair choices: _rowClass[depth] holds the row classes and, while a cycle is open, _product[depth] its product.
        private void StartCycle(int depth, double value)
        {
            int start = Array.IndexOf(_visited, false);
            if (start < 0) { Leaf(depth, value); return; }
            int end = Across(start);
            _visited[start] = _visited[end] = true;
            Array.Copy(EdgeMatrix(start), _product[depth], _d * _d);
            Extend(depth, start, end, value);
            _visited[start] = _visited[end] = false;
        }

        // The open path runs from `start` to `end`, which needs its pair partner: `start` (the cycle closes) or any unvisited slot.
        // AggressiveOptimization: the recursion runs millions of times in one call, so tier-0 code would dominate a test's first call.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Extend(int depth, int start, int end, double value)
        {
            var product = _product[depth];
            var classes = _rowClass[depth];
            var next = _rowClass[depth + 1];
            double trace = 0;
            for (int i = 0; i < _d; i++) trace += product[i * _d + i];
            if (trace != 0) // a zero trace makes every completion of this branch zero
            {
                Array.Copy(classes, next, _m);
                Join(next, start / 2, end / 2);
                StartCycle(depth + 1, value * trace);
            }
            for (int p = 0; p < _slots; p++)
            {
                if (_visited[p]) continue;
                int q = Across(p);
                _visited[p] = _visited[q] = true;
                Array.Copy(classes, next, _m);
                Join(next, end / 2, p / 2);
                Multiply(product, EdgeMatrix(p), _product[depth + 1]);
                Extend(depth + 1, start, q, value);
                _visited[p] = _visited[q] = false;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Leaf(int depth, double value)
        {
            var classes = _rowClass[depth];
            int distinct = 0;
            for (int k = 0; k < _m; k++) if (classes[k] == k) distinct++;
            double sum = Coefficients[distinct] + value;
            Coefficients[distinct] = sum;
            RunningError[distinct] += UnitRoundoff * Math.Abs(sum);
        }

        private static void Join(int[] classes, int a, int b)
        {
            int ca = classes[a], cb = classes[b];
            if (ca == cb) return;
            int keep = Math.Min(ca, cb), drop = Math.Max(ca, cb);
            for (int k = 0; k < classes.Length; k++) if (classes[k] == drop) classes[k] = keep;
        }

        // The plain dot-product loop's values (each entry summed over k in order), vectorised along the row.
        private void Multiply(double[] a, double[] b, double[] result) => Algebra.RowMajor.Multiply(a, b, result, _d);
    }
}
