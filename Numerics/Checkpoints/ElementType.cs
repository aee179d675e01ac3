using System.Buffers.Binary;

namespace LoopedIcl.Numerics.Checkpoints;

/// <summary>The element types a checkpoint may store; every one converts exactly to double (int64 checked).</summary>
internal enum ElementKind { Float64, Float32, Float16, BFloat16, Int64, Int32, Int16, Int8, UInt8, Bool }

internal static class ElementType
{
    public static int Size(ElementKind k) => k switch
    {
        ElementKind.Float64 or ElementKind.Int64 => 8,
        ElementKind.Float32 or ElementKind.Int32 => 4,
        ElementKind.Float16 or ElementKind.BFloat16 or ElementKind.Int16 => 2,
        _ => 1,
    };

    public static string Name(ElementKind k) => k switch
    {
        ElementKind.Float64 => "float64",
        ElementKind.Float32 => "float32",
        ElementKind.Float16 => "float16",
        ElementKind.BFloat16 => "bfloat16",
        ElementKind.Int64 => "int64",
        ElementKind.Int32 => "int32",
        ElementKind.Int16 => "int16",
        ElementKind.Int8 => "int8",
        ElementKind.UInt8 => "uint8",
        _ => "bool",
    };

    /// <summary>
    /// Element <paramref name="index"/> of little-endian <paramref name="data"/> as a double. Exact for every kind:
    /// the float widenings are exact, integers up to 2^53 are exact and larger int64 values are refused.
    /// </summary>
    public static double Read(ReadOnlySpan<byte> data, long index, ElementKind k)
    {
        int size = Size(k);
        var b = data.Slice(checked((int)(index * size)), size);
        switch (k)
        {
            case ElementKind.Float64: return BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(b));
            case ElementKind.Float32: return BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(b));
            case ElementKind.Float16: return (double)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(b));
            case ElementKind.BFloat16: return BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16);
            case ElementKind.Int64:
                long v = BinaryPrimitives.ReadInt64LittleEndian(b);
                // Compared as integers: (double)(2^53 + 1) rounds to 2^53, so a comparison in double let it through.
                if (v > 1L << 53 || v < -(1L << 53)) throw new OverflowException($"int64 value {v} is not exactly a double");
                return v;
            case ElementKind.Int32: return BinaryPrimitives.ReadInt32LittleEndian(b);
            case ElementKind.Int16: return BinaryPrimitives.ReadInt16LittleEndian(b);
            case ElementKind.Int8: return (sbyte)b[0];
            case ElementKind.UInt8: return b[0];
            default: return b[0] != 0 ? 1 : 0;
        }
    }
}
