using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics;

/// <summary>Argument checks that name the parameter and the rule it broke (never a silent NaN later).</summary>
public static class Guard
{
    public static void Positive(int value, string name)
    {
        if (value < 1) throw new ArgumentException($"{name} must be ≥ 1 (got {value}).", name);
    }

    public static void NonNegative(int value, string name)
    {
        if (value < 0) throw new ArgumentException($"{name} must be ≥ 0 (got {value}).", name);
    }

    public static void Positive(double value, string name)
    {
        if (!(double.IsFinite(value) && value > 0)) throw new ArgumentException($"{name} must be finite and > 0 (got {value}).", name);
    }

    public static void Finite(double value, string name)
    {
        if (!double.IsFinite(value)) throw new ArgumentException($"{name} must be finite (got {value}).", name);
    }

    public static void AtLeast(double value, double min, string name)
    {
        if (!(double.IsFinite(value) && value >= min)) throw new ArgumentException($"{name} must be finite and ≥ {min} (got {value}).", name);
    }

    public static void Square(int rows, int cols, string name)
    {
        if (rows != cols) throw new ArgumentException($"{name} must be square (got {rows}×{cols}).", name);
    }

    public static void Shape(int rows, int cols, int expectedRows, int expectedCols, string name)
    {
        if (rows != expectedRows || cols != expectedCols)
            throw new ArgumentException($"{name} must be {expectedRows}×{expectedCols} (got {rows}×{cols}).", name);
    }

    public static void Length(int length, int expected, string name)
    {
        if (length != expected) throw new ArgumentException($"{name} must have length {expected} (got {length}).", name);
    }

    public static void AllFinite(Matrix<double> m, string name)
    {
        foreach (var v in m.Enumerate())
            if (!double.IsFinite(v)) throw new ArgumentException($"{name} must have finite entries (found {v}).", name);
    }

    /// <summary>Σ must be symmetric (to a relative 1e-12) and positive definite (a Cholesky factor exists).</summary>
    public static void SymmetricPositiveDefinite(Matrix<double> sigma, string name)
    {
        Square(sigma.RowCount, sigma.ColumnCount, name);
        AllFinite(sigma, name);
        double scale = Math.Max(1e-300, sigma.Enumerate().Max(Math.Abs));
        for (int i = 0; i < sigma.RowCount; i++)
            for (int j = 0; j < i; j++)
                if (Math.Abs(sigma[i, j] - sigma[j, i]) > 1e-12 * scale)
                    throw new ArgumentException($"{name} must be symmetric ({name}[{i},{j}] = {sigma[i, j]} but {name}[{j},{i}] = {sigma[j, i]}).", name);
        // MathNet's Cholesky throws for a pivot ≤ 0 (the entries are finite here), so a factor that exists has a positive diagonal.
        try { _ = sigma.Cholesky(); }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{name} must be positive definite.", name, e);
        }
    }
}
