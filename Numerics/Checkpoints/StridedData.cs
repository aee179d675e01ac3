namespace LoopedIcl.Numerics.Checkpoints;

/// <summary>Turns a (storage, offset, shape, strides) view into row-major doubles, checking every bound first.</summary>
internal static class StridedData
{
    /// <summary>Strides of a dense array in C order (last index fastest) or Fortran order (first index fastest).</summary>
    public static long[] DenseStrides(long[] shape, bool fortranOrder = false)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int k = 0; k < shape.Length; k++)
        {
            int i = fortranOrder ? k : shape.Length - 1 - k;
            strides[i] = s;
            s = shape[i] == 0 ? s : checked(s * shape[i]);
        }
        return strides;
    }

    /// <summary>Number of elements of <paramref name="shape"/>; every dimension must be in [0, 2^31).</summary>
    public static long Count(CheckpointSource file, string name, long[] shape)
    {
        long n = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0) throw file.Fail(name, $"shape [{string.Join(", ", shape)}] has a negative dimension");
            if (shape[i] > int.MaxValue) throw file.Fail(name, $"shape [{string.Join(", ", shape)}] has a dimension ≥ 2^31");
        }
        foreach (var d in shape)
        {
            if (d == 0) return 0;
            n = n > long.MaxValue / d ? long.MaxValue : n * d;
        }
        return n;
    }

    /// <summary>
    /// The tensor <paramref name="name"/> viewing <paramref name="storage"/> (little-endian elements of
    /// <paramref name="kind"/>) at <paramref name="offset"/> with <paramref name="shape"/> and <paramref name="strides"/>.
    /// The view must lie inside the storage and every value must be finite.
    /// </summary>
    public static NamedTensor Gather(CheckpointSource file, string name, ReadOnlySpan<byte> storage, ElementKind kind,
        long[] shape, long[] strides, long offset)
    {
        if (strides.Length != shape.Length)
            throw file.Fail(name, $"has {shape.Length} dimensions but {strides.Length} strides");
        long count = Count(file, name, shape);
        if (offset < 0) throw file.Fail(name, $"storage offset {offset} is negative");
        if (strides.Any(s => s < 0)) throw file.Fail(name, $"strides [{string.Join(", ", strides)}] include a negative stride");
        long available = storage.Length / ElementType.Size(kind);
        if (count > 0)
        {
            // The last element the view touches; computed in double first so crafted strides cannot overflow.
            double last = offset + shape.Select((d, i) => (double)(d - 1) * strides[i]).Sum();
            if (last >= available)
                throw file.Fail(name, $"storage shorter than the tensor: it holds {available} elements but offset {offset}, shape [{string.Join(", ", shape)}] and strides [{string.Join(", ", strides)}] reach element {last:R}");
        }
        file.Spend(name, count);
        var values = new double[count];
        var index = new long[shape.Length];
        long at = offset;
        for (long k = 0; k < count; k++)
        {
            double v;
            try { v = ElementType.Read(storage, at, kind); }
            catch (OverflowException e) { throw file.Fail(name, $"{e.Message} (at flat index {k})"); }
            if (!double.IsFinite(v))
                throw file.Fail(name, $"value {v} at flat index {k} is not finite (weights must be finite)");
            values[k] = v;
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                at += strides[i];
                if (++index[i] < shape[i]) break;
                at -= strides[i] * shape[i];
                index[i] = 0;
            }
        }
        return new NamedTensor(name, shape.Select(d => (int)d).ToArray(), values, ElementType.Name(kind));
    }
}
