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
    /// c = a·b (d×d, row-major). Each entry is the dot product 0 + a_i0 b_0j + a_i1 b_1j + … summed over k in increasing order, four (then two)
    /// entries of a row at a time in a vector register: a multiply then an add per term (no fused multiply–add), so the result is bit-for-bit
    /// the scalar dot-product loop's.
    /// </summary>
    public static void Multiply(double[] a, double[] b, double[] c, int d)
    {
        Check(a, b, c, d);
        ref double ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref double rb = ref MemoryMarshal.GetArrayDataReference(b);
        ref double rc = ref MemoryMarshal.GetArrayDataReference(c);
        for (int i = 0; i < d; i++) Row(ref Unsafe.Add(ref ra, i * d), 1, ref rb, ref Unsafe.Add(ref rc, i * d), d);
    }

    /// <summary>c = aᵀb, or I − aᵀb with <paramref name="subtractFromIdentity"/>, with (aᵀb)_ij = 0 + a_0i b_0j + a_1i b_1j + … in that order (as <see cref="Multiply"/>).</summary>
    public static void TransposeTimes(double[] a, double[] b, double[] c, int d, bool subtractFromIdentity)
    {
        Check(a, b, c, d);
        ref double ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref double rb = ref MemoryMarshal.GetArrayDataReference(b);
        ref double rc = ref MemoryMarshal.GetArrayDataReference(c);
        for (int i = 0; i < d; i++)
        {
            ref double row = ref Unsafe.Add(ref rc, i * d);
            Row(ref Unsafe.Add(ref ra, i), d, ref rb, ref row, d);
            if (subtractFromIdentity)
                for (int j = 0; j < d; j++) Unsafe.Add(ref row, j) = (i == j ? 1 : 0) - Unsafe.Add(ref row, j);
        }
    }

    private static void Check(double[] a, double[] b, double[] c, int d)
    {
        long dd = (long)d * d;
        if (d < 0 || dd > a.Length || dd > b.Length || dd > c.Length) throw new ArgumentException("a, b and c must hold d×d entries.", nameof(d));
    }

    /// <summary>row_j = 0 + Σ_k x_k b_kj (k = 0 … d−1 in order; x_k = Unsafe.Add(x0, k·stride), b row-major d×d).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(ref double x0, int stride, ref double b, ref double row, int d)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; j + 4 <= d; j += 4)
            {
                var sum = Vector256<double>.Zero;
                for (int k = 0; k < d; k++) sum += Vector256.Create(Unsafe.Add(ref x0, k * stride)) * Vector256.LoadUnsafe(ref b, (nuint)(k * d + j));
                sum.StoreUnsafe(ref row, (nuint)j);
            }
        if (Vector128.IsHardwareAccelerated)
            for (; j + 2 <= d; j += 2)
            {
                var sum = Vector128<double>.Zero;
                for (int k = 0; k < d; k++) sum += Vector128.Create(Unsafe.Add(ref x0, k * stride)) * Vector128.LoadUnsafe(ref b, (nuint)(k * d + j));
                sum.StoreUnsafe(ref row, (nuint)j);
            }
        for (; j < d; j++)
        {
            double sum = 0;
            for (int k = 0; k < d; k++) sum += Unsafe.Add(ref x0, k * stride) * Unsafe.Add(ref b, k * d + j);
            Unsafe.Add(ref row, j) = sum;
        }
    }
}
