using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Models;

/// <summary>
/// The hot path of Chen et al.'s loop in plain doubles. The context rows never change, so with G = XᵀX and b = Xᵀy
/// (formed once, O(nd²)) each loop is q ← q − η(Gq + αb), O(d²) and allocation-free; TF_t = −q_t.
/// This is the only fast path of Chen's layout (<see cref="ChenLoopedTransformer{T}"/> is the literal reference); FAST-PATH tests it
/// against the literal row-layout loop.
/// </summary>
public sealed class ChenFastLoop
{
    private readonly double[] _g;   // d×d, row-major
    private readonly double[] _b;   // d
    private readonly double[] _q;
    private readonly double[] _next;

    public int D { get; }

    public ChenFastLoop(Mat<Real> x, Mat<Real> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        Guard.Shape(y.Rows, y.Cols, x.Rows, 1, nameof(y));
        int n = x.Rows, d = x.Cols;
        D = d;
        _g = new double[d * d];
        _b = new double[d];
        _q = new double[d];
        _next = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                var xij = x[i, j].Value;
                _b[j] += xij * y[i, 0].Value;
                for (int k = 0; k < d; k++) _g[j * d + k] += xij * x[i, k].Value;
            }
    }

    /// <summary>XᵀX as a MathNet matrix (for its spectrum).</summary>
    public MathNet.Numerics.LinearAlgebra.Matrix<double> Gram() =>
        MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(D, D, (i, j) => _g[i * D + j]);

    /// <summary>
    /// Runs T loops from q(0) = 0 with step η and writes e_t = |⟨TF_t, r⟩ − target| for t = 0..T into <paramref name="errors"/> (length T + 1).
    /// </summary>
    public void Errors(ReadOnlySpan<double> reference, double alpha, double stepSize, double target, Span<double> errors)
    {
        if (reference.Length != D) throw new ArgumentException($"reference must have length {D} (got {reference.Length}).", nameof(reference));
        if (errors.Length < 1) throw new ArgumentException("errors must have room for T + 1 ≥ 1 values.", nameof(errors));
        Guard.Positive(stepSize, nameof(stepSize));
        int d = D;
        Array.Clear(_q);
        errors[0] = Math.Abs(target); // TF_0 = −q(0) = 0
        for (int t = 1; t < errors.Length; t++)
        {
            double dot = 0;
            for (int j = 0; j < d; j++)
            {
                double s = alpha * _b[j];
                int row = j * d;
                for (int k = 0; k < d; k++) s += _g[row + k] * _q[k];
                _next[j] = _q[j] - stepSize * s;
            }
            for (int j = 0; j < d; j++) { _q[j] = _next[j]; dot -= _q[j] * reference[j]; }
            errors[t] = Math.Abs(dot - target);
        }
    }

    /// <summary>TF_T = −q(T) after T loops (q(0) = 0).</summary>
    public double[] Readout(double alpha, double stepSize, int loops)
    {
        Guard.NonNegative(loops, nameof(loops));
        var errors = new double[loops + 1];
        Errors(new double[D], alpha, stepSize, 0, errors);
        return _q.Select(v => -v).ToArray();
    }
}
