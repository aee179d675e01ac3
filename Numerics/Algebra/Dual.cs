namespace LoopedIcl.Numerics.Algebra;

/// <summary>
/// A dual number v + εd (ε² = 0) over any scalar: running the literal generic model on Dual&lt;Rational&gt; with one input's
/// derivative seeded to 1 gives the exact directional derivative (forward mode), in the same code the double tests use.
/// Comparisons look at the value only.
/// </summary>
public readonly record struct Dual<T>(T Value, T Derivative) : IScalar<Dual<T>> where T : struct, IScalar<T>
{
    public static Dual<T> Zero => new(T.Zero, T.Zero);
    public static Dual<T> One => new(T.One, T.Zero);
    public static Dual<T> FromInt(long value) => new(T.FromInt(value), T.Zero);
    /// <summary>A constant (derivative 0).</summary>
    public static Dual<T> Constant(T value) => new(value, T.Zero);
    /// <summary>The variable being differentiated (derivative 1).</summary>
    public static Dual<T> Variable(T value) => new(value, T.One);
    public double ToDouble() => Value.ToDouble();
    public static Dual<T> operator +(Dual<T> a, Dual<T> b) => new(a.Value + b.Value, a.Derivative + b.Derivative);
    public static Dual<T> operator -(Dual<T> a, Dual<T> b) => new(a.Value - b.Value, a.Derivative - b.Derivative);
    public static Dual<T> operator *(Dual<T> a, Dual<T> b) => new(a.Value * b.Value, a.Value * b.Derivative + a.Derivative * b.Value);
    public static Dual<T> operator /(Dual<T> a, Dual<T> b) =>
        new(a.Value / b.Value, (a.Derivative * b.Value - a.Value * b.Derivative) / (b.Value * b.Value));
    public static Dual<T> operator -(Dual<T> a) => new(-a.Value, -a.Derivative);
    public static bool operator <(Dual<T> a, Dual<T> b) => a.Value < b.Value;
    public static bool operator >(Dual<T> a, Dual<T> b) => a.Value > b.Value;
    public static bool operator <=(Dual<T> a, Dual<T> b) => a.Value <= b.Value;
    public static bool operator >=(Dual<T> a, Dual<T> b) => a.Value >= b.Value;
}
