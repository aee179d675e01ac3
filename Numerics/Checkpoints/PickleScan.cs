using System.Buffers.Binary;
using System.Text;

namespace LoopedIcl.Numerics.Checkpoints;

/// <summary>
/// Lists every global a pickle names, without running it: a walk over the opcodes (their operand lengths only), so an
/// unsafe global is refused before the pickle machine constructs anything. Opcodes that reach globals by other means
/// (the copyreg extension registry, out-of-band buffers) and STACK_GLOBAL on computed names are refused outright.
/// </summary>
internal static class PickleScan
{
    /// <summary>The globals ("module.name") in order of appearance; throws <see cref="InvalidDataException"/> via <paramref name="fail"/>.</summary>
    public static List<string> Globals(ReadOnlySpan<byte> p, Func<string, Exception> fail)
    {
        var globals = new List<string>();
        var memo = new Dictionary<long, string?>();
        string? last = null, beforeLast = null; // the two most recent stack pushes, when they are strings
        int i = 0;
        while (true)
        {
            if (i >= p.Length) throw fail("pickle ends without a STOP opcode (truncated)");
            byte op = p[i++];
            string? pushed = null;
            bool keepsStack = false; // memo writes leave the stack as it is
            switch (op)
            {
                case (byte)'.': return globals; // STOP
                // No operand.
                case (byte)'(': case (byte)'0': case (byte)'1': case (byte)'2': case (byte)'N': case (byte)'Q':
                case (byte)'R': case (byte)'a': case (byte)'b': case (byte)'d': case (byte)'}': case (byte)'e':
                case (byte)'l': case (byte)']': case (byte)'o': case (byte)'s': case (byte)'t': case (byte)')':
                case (byte)'u': case 0x81: case 0x85: case 0x86: case 0x87: case 0x88: case 0x89: case 0x8f:
                case 0x90: case 0x91: case 0x92: case 0x98:
                    break;
                case 0x94: // MEMOIZE
                    memo[memo.Count] = last;
                    keepsStack = true;
                    break;
                // Fixed-size operand.
                case (byte)'K': i = Skip(p, i, 1, fail); break;
                case (byte)'M': i = Skip(p, i, 2, fail); break;
                case (byte)'J': i = Skip(p, i, 4, fail); break;
                case (byte)'G': case 0x95: i = Skip(p, i, 8, fail); break;
                case 0x80: i = Skip(p, i, 1, fail); keepsStack = true; break;
                case (byte)'q': Need(p, i, 1, fail); memo[p[i]] = last; i += 1; keepsStack = true; break;
                case (byte)'r': Need(p, i, 4, fail); memo[BinaryPrimitives.ReadUInt32LittleEndian(p[i..])] = last; i += 4; keepsStack = true; break;
                case (byte)'h': Need(p, i, 1, fail); pushed = memo.GetValueOrDefault(p[i]); i += 1; break;
                case (byte)'j': Need(p, i, 4, fail); pushed = memo.GetValueOrDefault(BinaryPrimitives.ReadUInt32LittleEndian(p[i..])); i += 4; break;
                // Length-prefixed operand.
                case (byte)'U': case (byte)'C': case 0x8a: (i, _) = Counted(p, i, 1, fail, false); break;
                case 0x8c: (i, pushed) = Counted(p, i, 1, fail, true); break;
                case (byte)'T': case (byte)'B': case 0x8b: (i, _) = Counted(p, i, 4, fail, false); break;
                case (byte)'X': (i, pushed) = Counted(p, i, 4, fail, true); break;
                case 0x8d: (i, pushed) = Counted(p, i, 8, fail, true); break;
                case 0x8e: case 0x96: (i, _) = Counted(p, i, 8, fail, false); break;
                // Newline-terminated operand.
                case (byte)'F': case (byte)'I': case (byte)'L': case (byte)'P': case (byte)'S': case (byte)'V':
                    i = Line(p, i, fail, out _);
                    break;
                case (byte)'g': { i = Line(p, i, fail, out var k); pushed = long.TryParse(k, out var key) ? memo.GetValueOrDefault(key) : null; break; }
                case (byte)'p': { i = Line(p, i, fail, out var k); if (long.TryParse(k, out var key)) memo[key] = last; keepsStack = true; break; }
                case (byte)'c': case (byte)'i': // GLOBAL, INST: module and name on two lines
                    {
                        i = Line(p, i, fail, out var module);
                        i = Line(p, i, fail, out var name);
                        globals.Add(module + "." + name);
                        break;
                    }
                case 0x93: // STACK_GLOBAL: module and name are the two values pushed last
                    if (last is null || beforeLast is null)
                        throw fail("STACK_GLOBAL on names that are not literal strings is refused");
                    globals.Add(beforeLast + "." + last);
                    break;
                case 0x82: case 0x83: case 0x84:
                    throw fail("extension-registry opcodes (EXT1/EXT2/EXT4) name globals indirectly and are refused");
                case 0x97:
                    throw fail("out-of-band buffers (NEXT_BUFFER) are refused");
                default:
                    throw fail($"invalid pickle opcode 0x{op:x2} at byte {i - 1}");
            }
            if (keepsStack) continue;
            beforeLast = pushed is null ? null : last;
            last = pushed;
        }
    }

    private static void Need(ReadOnlySpan<byte> p, int i, long n, Func<string, Exception> fail)
    {
        if (n < 0 || n > p.Length - i) throw fail($"pickle operand at byte {i} runs past the end (truncated)");
    }

    private static int Skip(ReadOnlySpan<byte> p, int i, int n, Func<string, Exception> fail)
    {
        Need(p, i, n, fail);
        return i + n;
    }

    /// <summary>Skips a length-prefixed operand; decodes it as UTF-8 only when it is a string the scan tracks.</summary>
    private static (int Next, string? Text) Counted(ReadOnlySpan<byte> p, int i, int width, Func<string, Exception> fail, bool decode)
    {
        Need(p, i, width, fail);
        long n = width switch
        {
            1 => p[i],
            4 => BinaryPrimitives.ReadUInt32LittleEndian(p[i..]),
            _ => BinaryPrimitives.ReadInt64LittleEndian(p[i..]),
        };
        i += width;
        Need(p, i, n, fail);
        return (i + (int)n, decode ? Encoding.UTF8.GetString(p.Slice(i, (int)n)) : null);
    }

    private static int Line(ReadOnlySpan<byte> p, int i, Func<string, Exception> fail, out string text)
    {
        int end = p[i..].IndexOf((byte)'\n');
        if (end < 0) throw fail($"pickle line operand at byte {i} has no end (truncated)");
        text = Encoding.UTF8.GetString(p.Slice(i, end));
        return i + end + 1;
    }
}
