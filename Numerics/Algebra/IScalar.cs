using System.Numerics;

namespace LoopedIcl.Numerics.Algebra;

/// <summary>
/// The field operations the literal models need. Implemented by <see cref="Real"/> (double) and
/// <see cref="Rational"/> (exact), so one literal implementation runs in both arithmetics and the
/// exact identity proofs exercise the very code the double tests use.
/// </summary>
public interface IScalar<TSelf> :
    IAdditionOperators<TSelf, TSelf, TSelf>,
    ISubtractionOperators<TSelf, TSelf, TSelf>,
    IMultiplyOperators<TSelf, TSelf, TSelf>,
    IDivisionOperators<TSelf, TSelf, TSelf>,
    IUnaryNegationOperators<TSelf, TSelf>,
    IEqualityOperators<TSelf, TSelf, bool>,
    IComparisonOperators<TSelf, TSelf, bool>
    where TSelf : struct, IScalar<TSelf>
{
    static abstract TSelf Zero { get; }
    static abstract TSelf One { get; }
    static abstract TSelf FromInt(long value);
    double ToDouble();
}

/// <summary>A double behind <see cref="IScalar{T}"/>; the JIT specialises generic code over it to plain double arithmetic.</summary>
public readonly record struct Real(double Value) : IScalar<Real>
{
    public static Real Zero => new(0.0);
    public static Real One => new(1.0);
    public static Real FromInt(long value) => new(value);
    public double ToDouble() => Value;
    public static Real operator +(Real a, Real b) => new(a.Value + b.Value);
    public static Real operator -(Real a, Real b) => new(a.Value - b.Value);
    public static Real operator *(Real a, Real b) => new(a.Value * b.Value);
    public static Real operator /(Real a, Real b) => new(a.Value / b.Value);
    public static Real operator -(Real a) => new(-a.Value);
    public static bool operator <(Real a, Real b) => a.Value < b.Value;
    public static bool operator >(Real a, Real b) => a.Value > b.Value;
    public static bool operator <=(Real a, Real b) => a.Value <= b.Value;
    public static bool operator >=(Real a, Real b) => a.Value >= b.Value;
    public static implicit operator Real(double v) => new(v);
    public override string ToString() => Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
