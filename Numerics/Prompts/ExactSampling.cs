using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Prompts;

/// <summary>
/// Random integer points for the exact (Schwartz–Zippel) proofs: every entry uniform on S = {−K, …, K}, |S| = 2K + 1.
/// A polynomial identity of total degree D that is false vanishes at such a point with probability ≤ D/|S|.
/// </summary>
public sealed class IntegerPoints
{
    private readonly Random _rng;
    public long Range { get; }
    public long SetSize => 2 * Range + 1;

    public IntegerPoints(int seed, long range = 1_000_000)
    {
        if (range < 1) throw new ArgumentException($"{nameof(range)} must be ≥ 1 (got {range}).", nameof(range));
        _rng = Rng.Create(seed);
        Range = range;
    }

    public Rational Next() => Rational.FromInt(_rng.NextInt64(-Range, Range + 1));

    public Mat<Rational> Matrix(int rows, int cols) => Mat<Rational>.Build(rows, cols, (_, _) => Next());

    /// <summary>A realizable prompt with integer X, x_q, w* (y = Xw*).</summary>
    public Prompt<Rational> Prompt(int n, int d) => Prompts.Prompt<Rational>.Realizable(Matrix(n, d), Matrix(d, 1), Matrix(d, 1));

    /// <summary>The Schwartz–Zippel bound on the chance that a false identity of total degree <paramref name="degree"/> survives <paramref name="trials"/> independent points.</summary>
    public double FalseProofProbability(int degree, int trials) => Math.Pow((double)degree / SetSize, trials);
}
