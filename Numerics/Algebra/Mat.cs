namespace LoopedIcl.Numerics.Algebra;

/// <summary>
/// A small dense row-major matrix over any <see cref="IScalar{T}"/>. Used by the literal models and the
/// algorithms, in double (<see cref="Real"/>) and exactly (<see cref="Rational"/>). Not a BLAS: shapes here are
/// d+1 ≤ ~65 and n+1 ≤ a few hundred.
/// </summary>
public sealed class Mat<T> where T : struct, IScalar<T>
{
    private readonly T[] _a;
    public int Rows { get; }
    public int Cols { get; }

    public Mat(int rows, int cols)
    {
        Guard.Positive(rows, nameof(rows));
        Guard.Positive(cols, nameof(cols));
        Rows = rows;
        Cols = cols;
        _a = new T[rows * cols]; // default(Real) and default(Rational) are both a valid 0
    }

    public T this[int i, int j]
    {
        get => _a[i * Cols + j];
        set => _a[i * Cols + j] = value;
    }

    public static Mat<T> Zeros(int rows, int cols) => new(rows, cols);

    public static Mat<T> Identity(int n)
    {
        var m = new Mat<T>(n, n);
        for (int i = 0; i < n; i++) m[i, i] = T.One;
        return m;
    }

    public static Mat<T> Build(int rows, int cols, Func<int, int, T> f)
    {
        var m = new Mat<T>(rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = f(i, j);
        return m;
    }

    /// <summary>A column vector (k×1).</summary>
    public static Mat<T> Column(IReadOnlyList<T> v) => Build(v.Count, 1, (i, _) => v[i]);

    public Mat<T> Clone() => Build(Rows, Cols, (i, j) => this[i, j]);

    public Mat<T> Transpose() => Build(Cols, Rows, (i, j) => this[j, i]);

    public static Mat<T> operator *(Mat<T> a, Mat<T> b)
    {
        if (a.Cols != b.Rows)
            throw new ArgumentException($"Shapes do not match for a product: {a.Rows}×{a.Cols} times {b.Rows}×{b.Cols}.", nameof(b));
        var c = new Mat<T>(a.Rows, b.Cols);
        for (int i = 0; i < a.Rows; i++)
            for (int k = 0; k < a.Cols; k++)
            {
                var aik = a[i, k];
                if (aik == T.Zero) continue; // exact zeros are common (masks, sparse P, Q); skipping them is exact
                for (int j = 0; j < b.Cols; j++) c[i, j] += aik * b[k, j];
            }
        return c;
    }

    public static Mat<T> operator +(Mat<T> a, Mat<T> b) => Zip(a, b, static (x, y) => x + y);
    public static Mat<T> operator -(Mat<T> a, Mat<T> b) => Zip(a, b, static (x, y) => x - y);
    public static Mat<T> operator -(Mat<T> a) => a.Map(static x => -x);
    public static Mat<T> operator *(T s, Mat<T> a) => a.Map(x => s * x);

    /// <summary>Elementwise product (masks).</summary>
    public Mat<T> Hadamard(Mat<T> b) => Zip(this, b, static (x, y) => x * y);

    public Mat<T> Map(Func<T, T> f) => Build(Rows, Cols, (i, j) => f(this[i, j]));

    private static Mat<T> Zip(Mat<T> a, Mat<T> b, Func<T, T, T> f)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols)
            throw new ArgumentException($"Shapes do not match: {a.Rows}×{a.Cols} and {b.Rows}×{b.Cols}.", nameof(b));
        return Build(a.Rows, a.Cols, (i, j) => f(a[i, j], b[i, j]));
    }

    /// <summary>The block of <paramref name="rows"/>×<paramref name="cols"/> entries starting at (r0, c0).</summary>
    public Mat<T> Block(int r0, int c0, int rows, int cols)
    {
        if (r0 < 0 || c0 < 0 || r0 + rows > Rows || c0 + cols > Cols)
            throw new ArgumentException($"Block ({r0},{c0})+{rows}×{cols} is outside a {Rows}×{Cols} matrix.", nameof(rows));
        return Build(rows, cols, (i, j) => this[r0 + i, c0 + j]);
    }

    /// <summary>Copies <paramref name="b"/> into this matrix with its top-left corner at (r0, c0).</summary>
    public void SetBlock(int r0, int c0, Mat<T> b)
    {
        if (r0 < 0 || c0 < 0 || r0 + b.Rows > Rows || c0 + b.Cols > Cols)
            throw new ArgumentException($"Block {b.Rows}×{b.Cols} at ({r0},{c0}) does not fit a {Rows}×{Cols} matrix.", nameof(b));
        for (int i = 0; i < b.Rows; i++)
            for (int j = 0; j < b.Cols; j++) this[r0 + i, c0 + j] = b[i, j];
    }

    public T Trace()
    {
        Guard.Square(Rows, Cols, "matrix");
        var t = T.Zero;
        for (int i = 0; i < Rows; i++) t += this[i, i];
        return t;
    }

    /// <summary>⟨a, b⟩ for two vectors given as k×1 matrices.</summary>
    public static T Dot(Mat<T> a, Mat<T> b)
    {
        if (a.Cols != 1 || b.Cols != 1 || a.Rows != b.Rows)
            throw new ArgumentException($"Dot needs two column vectors of one length, got {a.Rows}×{a.Cols} and {b.Rows}×{b.Cols}.", nameof(b));
        var s = T.Zero;
        for (int i = 0; i < a.Rows; i++) s += a[i, 0] * b[i, 0];
        return s;
    }

    public bool ExactlyEquals(Mat<T> b)
    {
        if (Rows != b.Rows || Cols != b.Cols) return false;
        for (int k = 0; k < _a.Length; k++) if (_a[k] != b._a[k]) return false;
        return true;
    }

    public double[,] ToDoubleArray()
    {
        var r = new double[Rows, Cols];
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < Cols; j++) r[i, j] = this[i, j].ToDouble();
        return r;
    }

    public override string ToString()
    {
        var rows = Enumerable.Range(0, Rows).Select(i => "[" + string.Join(", ", Enumerable.Range(0, Cols).Select(j => this[i, j].ToString())) + "]");
        return "[" + string.Join(", ", rows) + "]";
    }
}

/// <summary>Conversions between <see cref="Mat{T}"/> over <see cref="Real"/> and plain arrays / MathNet.</summary>
public static class RealMat
{
    public static Mat<Real> From(double[,] a) => Mat<Real>.Build(a.GetLength(0), a.GetLength(1), (i, j) => a[i, j]);

    public static Mat<Real> From(MathNet.Numerics.LinearAlgebra.Matrix<double> a) => Mat<Real>.Build(a.RowCount, a.ColumnCount, (i, j) => a[i, j]);

    public static Mat<Real> Column(IReadOnlyList<double> v) => Mat<Real>.Build(v.Count, 1, (i, _) => v[i]);

    public static MathNet.Numerics.LinearAlgebra.Matrix<double> ToMathNet(this Mat<Real> a) =>
        MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(a.Rows, a.Cols, (i, j) => a[i, j].Value);

    public static double[] ColumnToArray(this Mat<Real> v)
    {
        if (v.Cols != 1) throw new ArgumentException($"Expected a column vector, got {v.Rows}×{v.Cols}.", nameof(v));
        var r = new double[v.Rows];
        for (int i = 0; i < v.Rows; i++) r[i] = v[i, 0].Value;
        return r;
    }

    /// <summary>max |a − b| over entries; NaN if any entry is not finite (so a NaN never looks small).</summary>
    public static double MaxAbsDiff(Mat<Real> a, Mat<Real> b)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols)
            throw new ArgumentException($"Shapes do not match: {a.Rows}×{a.Cols} and {b.Rows}×{b.Cols}.", nameof(b));
        double m = 0;
        for (int i = 0; i < a.Rows; i++)
            for (int j = 0; j < a.Cols; j++)
            {
                var e = Math.Abs(a[i, j].Value - b[i, j].Value);
                if (!double.IsFinite(e)) return double.NaN;
                m = Math.Max(m, e);
            }
        return m;
    }

    /// <summary>max |entry|; NaN if any entry is not finite.</summary>
    public static double MaxAbs(Mat<Real> a)
    {
        double m = 0;
        for (int i = 0; i < a.Rows; i++)
            for (int j = 0; j < a.Cols; j++)
            {
                var e = Math.Abs(a[i, j].Value);
                if (!double.IsFinite(e)) return double.NaN;
                m = Math.Max(m, e);
            }
        return m;
    }
}
