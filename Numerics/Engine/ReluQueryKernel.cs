using LoopedIcl.Numerics.Models;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Prompts;

namespace LoopedIcl.Numerics.Engine;

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
