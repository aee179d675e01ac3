using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// The hardware vector width the lane code runs at, fixed when the process starts: 512 bits where Vector512 is accelerated
/// (AVX-512), 256 on AVX2, 128 on SSE/NEON. A lane group is always <see cref="PromptBatch.Lanes"/> = 8 prompts; the width only
/// decides how many physical vectors (1, 2 or 4) carry it, so every result is the same number at every width.
/// </summary>
public static class SimdWidth
{
    /// <summary>Bits per physical vector in this process (512, 256 or 128).</summary>
    public static int Bits => Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

    /// <summary>A one-line description: width and the instruction sets the runtime uses (for benchmark and test output).</summary>
    public static string Describe() =>
        $"{Bits}-bit lanes (Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}; " +
        $"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, FMA {FusedMultiplyAddInHardware})";

    /// <summary>The widths the lane code has (512, 256, 128).</summary>
    public static IReadOnlyList<int> All { get; } = [512, 256, 128];

    /// <summary>
    /// The environment of a child process that runs at <paramref name="bits"/> on an x86 host with AVX-512 (.NET 10 honours
    /// DOTNET_EnableAVX512, not DOTNET_EnableAVX512F). 128 keeps FMA, like NEON: DOTNET_EnableAVX2=0 would also drop FMA, which the
    /// runtime then emulates exactly (the same numbers, slowly: the sampler's own log uses only exact operations). A host narrower than the
    /// request stays at its width.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> RuntimeKnobs(int bits) => bits switch
    {
        512 => [],
        256 => [("DOTNET_EnableAVX512", "0")],
        128 => [("DOTNET_EnableAVX512", "0"), ("DOTNET_PreferredVectorBitWidth", "128")],
        _ => throw new ArgumentException($"bits must be 512, 256 or 128 (got {bits}).", nameof(bits)),
    };

    /// <summary>Whether fused multiply-add is an instruction (x86 FMA3 or ARM64 AdvSimd); without it the runtime emulates it exactly but slowly.</summary>
    public static bool FusedMultiplyAddInHardware =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported;
}

/// <summary>
/// The lane operations of one physical width over doubles (TD) and 64-bit words (TU), as static members so that generic lane code
/// specialises and inlines per width. Only operations with a direct instruction on the width's ISA (AVX-512, AVX2, SSE/NEON) are
/// here: no 64-bit multiplies and no integer→double conversions, which AVX2 and SSE lack (see <see cref="LaneNormals"/>).
/// Three near-identical structs below because the runtime's own ISimdVector&lt;TSelf, T&gt; is not public in .NET 10.
/// </summary>
internal interface ILaneOps<TD, TU> where TD : struct where TU : struct
{
    static abstract int Count { get; }
    static abstract TD Load(ref double source);
    static abstract void Store(TD value, ref double destination);
    static abstract TU Load(ref ulong source);
    static abstract void Store(TU value, ref ulong destination);
    static abstract TD Create(double value);
    static abstract TU Create(ulong value);
    static abstract TD Add(TD a, TD b);
    static abstract TD Subtract(TD a, TD b);
    static abstract TD Multiply(TD a, TD b);
    static abstract TD Negate(TD a);
    static abstract TD FusedMultiplyAdd(TD a, TD b, TD c);
    static abstract TD Sqrt(TD a);
    static abstract TD Divide(TD a, TD b);
    static abstract TD AsDouble(TU bits);
    static abstract TU AsBits(TD value);
    static abstract TU Add(TU a, TU b);
    static abstract TU Subtract(TU a, TU b);
    static abstract TU Xor(TU a, TU b);
    static abstract TU Or(TU a, TU b);
    static abstract TU And(TU a, TU b);
    static abstract TU ShiftLeft(TU a, int count);
    static abstract TU ShiftRight(TU a, int count);
    static abstract TU Equals(TU a, TU b);
}

internal readonly struct Lanes512 : ILaneOps<Vector512<double>, Vector512<ulong>>
{
    public static int Count => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Load(ref double s) => Vector512.LoadUnsafe(ref s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<double> v, ref double d) => v.StoreUnsafe(ref d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> Load(ref ulong s) => Vector512.LoadUnsafe(ref s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<ulong> v, ref ulong d) => v.StoreUnsafe(ref d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Create(double v) => Vector512.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> Create(ulong v) => Vector512.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Subtract(Vector512<double> a, Vector512<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Multiply(Vector512<double> a, Vector512<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Negate(Vector512<double> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> FusedMultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Sqrt(Vector512<double> a) => Vector512.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Divide(Vector512<double> a, Vector512<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> AsDouble(Vector512<ulong> v) => v.AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> AsBits(Vector512<double> v) => v.AsUInt64();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> Add(Vector512<ulong> a, Vector512<ulong> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> Subtract(Vector512<ulong> a, Vector512<ulong> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> Xor(Vector512<ulong> a, Vector512<ulong> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> Or(Vector512<ulong> a, Vector512<ulong> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> And(Vector512<ulong> a, Vector512<ulong> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> ShiftLeft(Vector512<ulong> a, int k) => Vector512.ShiftLeft(a, k);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> ShiftRight(Vector512<ulong> a, int k) => Vector512.ShiftRightLogical(a, k);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<ulong> Equals(Vector512<ulong> a, Vector512<ulong> b) => Vector512.Equals(a, b);
}

internal readonly struct Lanes256 : ILaneOps<Vector256<double>, Vector256<ulong>>
{
    public static int Count => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Load(ref double s) => Vector256.LoadUnsafe(ref s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<double> v, ref double d) => v.StoreUnsafe(ref d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> Load(ref ulong s) => Vector256.LoadUnsafe(ref s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<ulong> v, ref ulong d) => v.StoreUnsafe(ref d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Create(double v) => Vector256.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> Create(ulong v) => Vector256.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Subtract(Vector256<double> a, Vector256<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Multiply(Vector256<double> a, Vector256<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Negate(Vector256<double> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> FusedMultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Sqrt(Vector256<double> a) => Vector256.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Divide(Vector256<double> a, Vector256<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> AsDouble(Vector256<ulong> v) => v.AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> AsBits(Vector256<double> v) => v.AsUInt64();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> Add(Vector256<ulong> a, Vector256<ulong> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> Subtract(Vector256<ulong> a, Vector256<ulong> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> Xor(Vector256<ulong> a, Vector256<ulong> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> Or(Vector256<ulong> a, Vector256<ulong> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> And(Vector256<ulong> a, Vector256<ulong> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> ShiftLeft(Vector256<ulong> a, int k) => Vector256.ShiftLeft(a, k);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> ShiftRight(Vector256<ulong> a, int k) => Vector256.ShiftRightLogical(a, k);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<ulong> Equals(Vector256<ulong> a, Vector256<ulong> b) => Vector256.Equals(a, b);
}

internal readonly struct Lanes128 : ILaneOps<Vector128<double>, Vector128<ulong>>
{
    public static int Count => 2;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Load(ref double s) => Vector128.LoadUnsafe(ref s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<double> v, ref double d) => v.StoreUnsafe(ref d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<ulong> Load(ref ulong s) => Vector128.LoadUnsafe(ref s);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<ulong> v, ref ulong d) => v.StoreUnsafe(ref d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Create(double v) => Vector128.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<ulong> Create(ulong v) => Vector128.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Add(Vector128<double> a, Vector128<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Subtract(Vector128<double> a, Vector128<double> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Multiply(Vector128<double> a, Vector128<double> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Negate(Vector128<double> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> FusedMultiplyAdd(Vector128<double> a, Vector128<double> b, Vector128<double> c) => Vector128.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Sqrt(Vector128<double> a) => Vector128.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Divide(Vector128<double> a, Vector128<double> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> AsDouble(Vector128<ulong> v) => v.AsDouble();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<ulong> AsBits(Vector128<double> v) => v.AsUInt64();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<ulong> Add(Vector128<ulong> a, Vector128<ulong> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<ulong> Subtract(Vector128<ulong> a, Vector128<ulong> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<ulong> Xor(Vector128<ulong> a, Vector128<ulong> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<ulong> Or(Vector128<ulong> a, Vector128<ulong> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<ulong> And(Vector128<ulong> a, Vector128<ulong> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<ulong> ShiftLeft(Vector128<ulong> a, int k) => Vector128.ShiftLeft(a, k);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<ulong> ShiftRight(Vector128<ulong> a, int k) => Vector128.ShiftRightLogical(a, k);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<ulong> Equals(Vector128<ulong> a, Vector128<ulong> b) => Vector128.Equals(a, b);
}
