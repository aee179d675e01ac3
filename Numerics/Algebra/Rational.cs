using Fractions;

namespace LoopedIcl.Numerics.Algebra;

/// <summary>An exact rational (arbitrary-precision numerator and denominator, always normalised).</summary>
public readonly struct Rational : IScalar<Rational>, IEquatable<Rational>
{
    private readonly Fraction _value;
    private Rational(Fraction value) => _value = value;

    public static Rational Zero => new(Fraction.Zero);
    public static Rational One => new(Fraction.One);
    public static Rational FromInt(long value) => new(new Fraction(value));
    public static Rational Of(long numerator, long denominator) => new(new Fraction(numerator, denominator));
    public static Rational Of(System.Numerics.BigInteger numerator, System.Numerics.BigInteger denominator) =>
        denominator.IsZero ? throw new DivideByZeroException("Exact division by zero.") : new(new Fraction(numerator, denominator));
    /// <summary>The nearest double (within 2 ulp), also when numerator and denominator exceed the double range (Fraction.ToDouble gives NaN there).</summary>
    public double ToDouble()
    {
        var (p, q) = (_value.Numerator, _value.Denominator);
        if (p.IsZero) return 0;
        // A quotient with ~64 significant bits, then one rounding to double and an exact power-of-two scaling.
        long shift = 64 - (long)(System.Numerics.BigInteger.Abs(p).GetBitLength() - q.GetBitLength());
        if (shift > int.MaxValue / 2 || shift < int.MinValue / 2) return shift > 0 ? 0.0 * p.Sign : p.Sign * double.PositiveInfinity;
        var a = System.Numerics.BigInteger.Abs(p);
        var quotient = shift >= 0 ? (a << (int)shift) / q : a / (q << (int)-shift);
        return p.Sign * Math.ScaleB((double)quotient, (int)-shift);
    }
    public System.Numerics.BigInteger Numerator => _value.Numerator;
    public System.Numerics.BigInteger Denominator => _value.Denominator; // > 0
    public bool IsZero => _value.IsZero;

    public static Rational operator +(Rational a, Rational b) => new(a._value + b._value);
    public static Rational operator -(Rational a, Rational b) => new(a._value - b._value);
    public static Rational operator *(Rational a, Rational b) => new(a._value * b._value);
    public static Rational operator /(Rational a, Rational b)
    {
        if (b._value.IsZero) throw new DivideByZeroException("Exact division by zero.");
        return new(a._value / b._value);
    }
    public static Rational operator -(Rational a) => new(-a._value);
    public static bool operator ==(Rational a, Rational b) => a._value.CompareTo(b._value) == 0;
    public static bool operator !=(Rational a, Rational b) => !(a == b);
    public static bool operator <(Rational a, Rational b) => a._value.CompareTo(b._value) < 0;
    public static bool operator >(Rational a, Rational b) => a._value.CompareTo(b._value) > 0;
    public static bool operator <=(Rational a, Rational b) => a._value.CompareTo(b._value) <= 0;
    public static bool operator >=(Rational a, Rational b) => a._value.CompareTo(b._value) >= 0;
    public bool Equals(Rational other) => this == other;
    public override bool Equals(object? obj) => obj is Rational r && Equals(r);
    public override int GetHashCode() => _value.ToDouble().GetHashCode(); // equal rationals give equal doubles
    public override string ToString() => _value.ToString();
}
