using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Prompts;

namespace LoopedIcl.Numerics.Models;

/// <summary>
/// The allocation-free double version of <see cref="GramFastPath"/> for Monte Carlo: a stack of (P, Q) layers (column layout,
/// linear attention, query-excluded mask) applied through the Gram state G = (1/n)Σ z_i z_iᵀ and the query column.
/// Per prompt: O(n(d+1)²) to form G, then O(L(d+1)³). Not thread-safe (owns scratch buffers); use one per thread.
/// </summary>
public sealed class GramKernel
{
    private readonly double[][] _p;
    private readonly double[][] _q;
    private readonly double _sign;
    private readonly int _w;
    private readonly double[] _g, _gq, _t, _tg, _zq, _tmp;
    private readonly bool[] _labelRowOnly; // P's rows 1..d are zero: the layer is a rank-one update of the label row
    private readonly double[] _v, _r, _h;

    public int D { get; }
    public int Layers => _p.Length;

    public GramKernel(IReadOnlyList<AttentionLayer<Real>> layers, ResidualSign sign)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new ArgumentException("layers must hold at least one layer.", nameof(layers));
        _w = layers[0].Width;
        D = _w - 1;
        _p = new double[layers.Count][];
        _q = new double[layers.Count][];
        for (int l = 0; l < layers.Count; l++)
        {
            Guard.Shape(layers[l].P.Rows, layers[l].P.Cols, _w, _w, $"{nameof(layers)}[{l}].P");
            Guard.Shape(layers[l].Q.Rows, layers[l].Q.Cols, _w, _w, $"{nameof(layers)}[{l}].Q");
            _p[l] = Flatten(layers[l].P);
            _q[l] = Flatten(layers[l].Q);
        }
        _sign = sign == ResidualSign.Plus ? 1 : -1;
        _labelRowOnly = _p.Select(p => p.Take(D * _w).All(v => v == 0)).ToArray();
        _v = new double[_w];
        _r = new double[_w];
        _h = new double[_w];
        _g = new double[_w * _w];
        _gq = new double[_w * _w];
        _t = new double[_w * _w];
        _tg = new double[_w * _w];
        _zq = new double[_w];
        _tmp = new double[_w];
    }

    private static double[] Flatten(Mat<Real> m)
    {
        var a = new double[m.Rows * m.Cols];
        for (int i = 0; i < m.Rows; i++)
            for (int j = 0; j < m.Cols; j++) a[i * m.Cols + j] = m[i, j].Value;
        return a;
    }

    /// <summary>ŷ = −[z_q]_{d+1} after all layers, for the prompt in the buffer, the query's label slot set to <paramref name="querySlot"/>.</summary>
    public double Predict(PromptBuffer prompt, double querySlot = 0)
    {
        if (prompt.D != D) throw new ArgumentException($"prompt has d = {prompt.D}, the kernel d = {D}.", nameof(prompt));
        int w = _w, d = D, n = prompt.N;
        Array.Clear(_g);
        var x = prompt.X;
        var y = prompt.Y;
        for (int i = 0; i < n; i++)
        {
            int row = i * d;
            for (int a = 0; a < d; a++)
            {
                double xa = x[row + a];
                for (int b = 0; b <= a; b++) _g[a * w + b] += xa * x[row + b];
                _g[d * w + a] += y[i] * xa;
            }
            _g[d * w + d] += y[i] * y[i];
        }
        double inv = 1.0 / n;
        for (int a = 0; a < w; a++)
            for (int b = 0; b <= a; b++)
            {
                var v = _g[a * w + b] * inv;
                _g[a * w + b] = v;
                _g[b * w + a] = v;
            }
        for (int a = 0; a < d; a++) _zq[a] = prompt.Query[a];
        _zq[d] = querySlot;
        for (int l = 0; l < _p.Length; l++)
        {
            var p = _p[l];
            var q = _q[l];
            if (_labelRowOnly[l])
            {
                RankOneLayer(p, q, l + 1 < _p.Length);
                continue;
            }
            Multiply(_g, q, _gq, w);       // GQ
            Multiply(p, _gq, _t, w);        // PGQ
            for (int k = 0; k < w * w; k++) _t[k] *= _sign;
            for (int a = 0; a < w; a++) _t[a * w + a] += 1;  // T = I ± PGQ
            for (int a = 0; a < w; a++)
            {
                double s = 0;
                for (int b = 0; b < w; b++) s += _t[a * w + b] * _zq[b];
                _tmp[a] = s;
            }
            Array.Copy(_tmp, _zq, w);
            if (l + 1 < _p.Length)
            {
                Multiply(_t, _g, _tg, w);   // TG
                for (int a = 0; a < w; a++)  // G ← (TG)Tᵀ, symmetric
                    for (int b = 0; b <= a; b++)
                    {
                        double s = 0;
                        for (int c = 0; c < w; c++) s += _tg[a * w + c] * _t[b * w + c];
                        _g[a * w + b] = s;
                        _g[b * w + a] = s;
                    }
            }
        }
        return -_zq[d];
    }

    /// <summary>
    /// P = e_{d+1}πᵀ (only the last row non-zero), so PGQ = e_{d+1}rᵀ with r = QᵀGπ and T = I ± e_{d+1}rᵀ:
    /// z_q[d] += ±rᵀz_q, and G ← TGTᵀ changes only its last row and column: with h = Gr, G[d,:] += ±h, G[:,d] += ±h, G[d,d] += rᵀh.
    /// O((d+1)²) per layer instead of O((d+1)³); the same algebra as the general path (tested against the literal model).
    /// </summary>
    private void RankOneLayer(double[] p, double[] q, bool updateGram)
    {
        int w = _w, d = D;
        for (int a = 0; a < w; a++) // v = Gπ, π = P[d, :]
        {
            double s = 0;
            for (int b = 0; b < w; b++) s += _g[a * w + b] * p[d * w + b];
            _v[a] = s;
        }
        for (int j = 0; j < w; j++) // r = Qᵀv
        {
            double s = 0;
            for (int i = 0; i < w; i++) s += q[i * w + j] * _v[i];
            _r[j] = s;
        }
        double rz = 0;
        for (int j = 0; j < w; j++) rz += _r[j] * _zq[j];
        _zq[d] += _sign * rz;
        if (!updateGram) return;
        double c = 0;
        for (int a = 0; a < w; a++) // h = Gr
        {
            double s = 0;
            for (int b = 0; b < w; b++) s += _g[a * w + b] * _r[b];
            _h[a] = s;
            c += _r[a] * s;
        }
        for (int a = 0; a < w; a++)
        {
            _g[d * w + a] += _sign * _h[a];
            if (a != d) _g[a * w + d] = _g[d * w + a];
        }
        _g[d * w + d] += _sign * _h[d] + c; // ±h_d from the column update, plus rᵀGr (s² = 1)
    }

    private static void Multiply(double[] a, double[] b, double[] c, int w)
    {
        for (int i = 0; i < w; i++)
            for (int j = 0; j < w; j++)
            {
                double s = 0;
                for (int k = 0; k < w; k++) s += a[i * w + k] * b[k * w + j];
                c[i * w + j] = s;
            }
    }
}

/// <summary>
/// One layer of ReLU attention (Ahn Theorem 5), evaluated at the query column only:
/// ŷ = −([z_q]_{d+1} + (1/n)Σ_{i≤n} (P z_i)_{d+1} σ(z_iᵀ Q z_q)). O(n(d+1)²) per prompt, allocation-free.
/// </summary>
public sealed class ReluQueryKernel
{
    private readonly double[] _lastRowOfP;
    private readonly double[] _q;
    private readonly double[] _qz;
    private readonly int _w;

    public ReluQueryKernel(AttentionLayer<Real> layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _w = layer.Width;
        _lastRowOfP = Enumerable.Range(0, _w).Select(j => layer.P[_w - 1, j].Value).ToArray();
        _q = Enumerable.Range(0, _w * _w).Select(k => layer.Q[k / _w, k % _w].Value).ToArray();
        _qz = new double[_w];
    }

    public double Predict(PromptBuffer prompt, double querySlot = 0)
    {
        int w = _w, d = w - 1;
        if (prompt.D != d) throw new ArgumentException($"prompt has d = {prompt.D}, the kernel d = {d}.", nameof(prompt));
        for (int a = 0; a < w; a++)  // Q z_q
        {
            double s = _q[a * w + d] * querySlot;
            for (int b = 0; b < d; b++) s += _q[a * w + b] * prompt.Query[b];
            _qz[a] = s;
        }
        double sum = 0;
        for (int i = 0; i < prompt.N; i++)
        {
            int row = i * d;
            double score = _qz[d] * prompt.Y[i], value = _lastRowOfP[d] * prompt.Y[i];
            for (int b = 0; b < d; b++)
            {
                score += prompt.X[row + b] * _qz[b];
                value += _lastRowOfP[b] * prompt.X[row + b];
            }
            if (score > 0) sum += value * score;
        }
        return -(querySlot + sum / prompt.N);
    }
}
