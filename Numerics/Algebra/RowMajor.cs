using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LoopedIcl.Numerics.Algebra;

/// <summary>
/// Small square products on row-major arrays for the allocation-free hot loops (the sparse-family objective, the Wishart word enumeration):
/// the same additions in the same order as the plain dot-product loop c_ij = 0 + Σ_k a_ik b_kj (k increasing), so the same values, only
/// with the j loop vectorised.
/// </summary>
internal static class RowMajor
{
    /// <summary>
    /// c = x·I (<paramref name="identityOnLeft"/> false) or I·x exactly as <see cref="Multiply"/> would form it with an identity factor: for finite x
    /// each entry is 0 + x_ij plus signed zeros, i.e. 0 + x_ij (the same value; a zero becomes +0); a non-finite entry (∞·0 = NaN spreads along its
    /// row or column) takes the full product, so the result is the same in every case.
    /// </summary>
    public static void TimesIdentity(double[] x, double[] c, int d, bool identityOnLeft)
    {
        int count = d * d;
        for (int i = 0; i < count; i++)
            if (!double.IsFinite(x[i]))
            {
                var identity = new double[count];
                for (int k = 0; k < d; k++) identity[k * d + k] = 1;
                if (identityOnLeft) Multiply(identity, x, c, d); else Multiply(x, identity, c, d);
                return;
            }
        for (int i = 0; i < count; i++) c[i] = 0.0 + x[i];
    }

    /// <summary>
    /// c = a·b (d×d, row-major). Each entry is summed over k in increasing order from 0, as the dot product 0 + a_i0 b_0j + a_i1 b_1j + …: the
    /// rows are accumulated as c_i· += a_ik b_k· (k = 0, 1, …), a multiply then an add per entry (no fused multiply–add), so the result is
    /// bit-for-bit the dot-product loop's; the j loop runs four entries per vector instruction.
    /// </summary>
    public static void Multiply(double[] a, double[] b, double[] c, int d)
    {
        if ((long)d * d > a.Length || (long)d * d > c.Length) throw new ArgumentException("a and c must hold d×d entries.", nameof(d));
        ref double ra = ref MemoryMarshal.GetArrayDataReference(a);
        for (int i = 0; i < d; i++) AccumulateRow(ref Unsafe.Add(ref ra, i * d), 1, b, c.AsSpan(i * d, d), d);
    }

    /// <summary>c = aᵀb, or I − aᵀb with <paramref name="subtractFromIdentity"/>, with (aᵀb)_ij = 0 + a_0i b_0j + a_1i b_1j + … in that order (as <see cref="Multiply"/>).</summary>
    public static void TransposeTimes(double[] a, double[] b, double[] c, int d, bool subtractFromIdentity)
    {
        if ((long)d * d > a.Length || (long)d * d > c.Length) throw new ArgumentException("a and c must hold d×d entries.", nameof(d));
        ref double ra = ref MemoryMarshal.GetArrayDataReference(a);
        for (int i = 0; i < d; i++)
        {
            var row = c.AsSpan(i * d, d);
            AccumulateRow(ref Unsafe.Add(ref ra, i), d, b, row, d);
            if (subtractFromIdentity)
                for (int j = 0; j < d; j++) row[j] = (i == j ? 1 : 0) - row[j];
        }
    }

    /// <summary>row = Σ_k x_k·b_k· over k = 0 … d−1 in order (x_k = Unsafe.Add(x0, k·stride), b_k· row k of b), each entry starting from +0.</summary>
    private static void AccumulateRow(ref double x0, int stride, double[] b, Span<double> row, int d)
    {
        if ((long)d * d > b.Length) throw new ArgumentException("b must hold d×d entries.", nameof(b));
        row.Clear();
        ref double rc = ref MemoryMarshal.GetReference(row);
        ref double rb = ref MemoryMarshal.GetArrayDataReference(b);
        int wide = Vector256.IsHardwareAccelerated ? d & ~3 : 0;
        for (int k = 0; k < d; k++)
        {
            double xk = Unsafe.Add(ref x0, k * stride);
            ref double bk = ref Unsafe.Add(ref rb, k * d);
            int j = 0;
            if (wide > 0)
            {
                var xv = Vector256.Create(xk);
                for (; j < wide; j += 4)
                    (Vector256.LoadUnsafe(ref rc, (nuint)j) + xv * Vector256.LoadUnsafe(ref bk, (nuint)j)).StoreUnsafe(ref rc, (nuint)j);
            }
            for (; j < d; j++) Unsafe.Add(ref rc, j) += xk * Unsafe.Add(ref bk, j);
        }
    }
}
