using System.Reflection;
using System.Reflection.Emit;

namespace LoopedIcl.TestSupport;

/// <summary>
/// What an assembly's code refers to, read by reflection from signatures and method bodies (IL): the types it uses and the string
/// literals it loads. The architecture self-tests use it to find namespace cycles, upward references and claim IDs in the library.
/// </summary>
public static class AssemblyReferences
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type of <paramref name="assembly"/> with the types its declaration and its code use (generic arguments unfolded).</summary>
    public static IEnumerable<(Type Type, IReadOnlySet<Type> Uses)> TypeUses(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            var uses = new HashSet<Type>();
            void Add(Type? t)
            {
                if (t is null) return;
                if (t.HasElementType) { Add(t.GetElementType()); return; }
                if (t.IsGenericParameter) return;
                if (t.IsGenericType)
                {
                    foreach (var a in t.GetGenericArguments()) Add(a);
                    t = t.GetGenericTypeDefinition();
                }
                uses.Add(t);
            }
            Add(type.BaseType);
            foreach (var i in type.GetInterfaces()) Add(i);
            foreach (var f in type.GetFields(Everything)) Add(f.FieldType);
            foreach (var p in type.GetProperties(Everything)) Add(p.PropertyType);
            foreach (var m in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
            {
                if (m is MethodInfo mi) Add(mi.ReturnType);
                foreach (var p in m.GetParameters()) Add(p.ParameterType);
                foreach (var member in BodyTokens(m).Members) Add(member as Type ?? member.DeclaringType);
            }
            yield return (type, uses);
        }
    }

    /// <summary>Every string literal loaded by code of <paramref name="assembly"/>, with the type whose method loads it.</summary>
    public static IEnumerable<(Type Type, string Literal)> StringLiterals(Assembly assembly) =>
        from type in assembly.GetTypes()
        from m in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything))
        from s in BodyTokens(m).Strings
        select (type, s);

    /// <summary>The members and strings a method body's IL refers to (unresolvable tokens are skipped).</summary>
    private static (List<MemberInfo> Members, List<string> Strings) BodyTokens(MethodBase method)
    {
        var members = new List<MemberInfo>();
        var strings = new List<string>();
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException) { il = null; }
        if (il is null) return (members, strings);
        var module = method.Module;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } dt ? dt.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE && i + 1 < il.Length ? (short)(0xFE00 | il[i + 1]) : il[i];
            if (!OpCodesByValue.TryGetValue(value, out var op)) break; // not IL we understand: stop rather than misread
            i += op.Size;
            switch (op.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: i += 1; break;
                case OperandType.InlineVar: i += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: i += 8; break;
                case OperandType.InlineSwitch: i += 4 + 4 * BitConverter.ToInt32(il, i); break;
                case OperandType.InlineString:
                    strings.Add(module.ResolveString(BitConverter.ToInt32(il, i)));
                    i += 4;
                    break;
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    try
                    {
                        var member = module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                        if (member is not null) members.Add(member);
                    }
                    catch (ArgumentException) { }
                    i += 4;
                    break;
                default: i += 4; break; // InlineBrTarget, InlineI, InlineSig, ShortInlineR: 4-byte operands
            }
        }
        return (members, strings);
    }

    /// <summary>
    /// The namespace graph of <paramref name="assembly"/> (an edge A → B when a type of namespace A uses a type of namespace B, both
    /// under <paramref name="root"/>) and its cycles: each strongly connected set of two or more namespaces, with one example edge
    /// per pair so a failure says where to look.
    /// </summary>
    public static IReadOnlyList<string> NamespaceCycles(Assembly assembly, string root)
    {
        var edges = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (type, uses) in TypeUses(assembly))
        {
            var from = type.Namespace;
            if (from is null || !from.StartsWith(root, StringComparison.Ordinal)) continue;
            foreach (var used in uses)
            {
                var to = used.Namespace;
                if (to is null || to == from || used.Assembly != assembly || !to.StartsWith(root, StringComparison.Ordinal)) continue;
                var targets = edges.TryGetValue(from, out var t) ? t : edges[from] = new(StringComparer.Ordinal);
                targets.TryAdd(to, $"{Outer(type).Name} uses {Outer(used).Name}");
            }
        }
        var cycles = new List<string>();
        foreach (var component in StronglyConnected(edges).Where(c => c.Count > 1))
        {
            var set = component.ToHashSet(StringComparer.Ordinal);
            var witnesses = component.SelectMany(a => edges.GetValueOrDefault(a)?.Where(e => set.Contains(e.Key)).Select(e => $"{a} → {e.Key} ({e.Value})") ?? []);
            cycles.Add(string.Join("; ", witnesses.Order(StringComparer.Ordinal)));
        }
        return cycles;
    }

    private static Type Outer(Type t) => t.DeclaringType is { } d ? Outer(d) : t;

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> edges)
    {
        var nodes = edges.Keys.Concat(edges.Values.SelectMany(v => v.Keys)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        int counter = 0;
        void Visit(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in edges.GetValueOrDefault(v)?.Keys ?? Enumerable.Empty<string>())
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            result.Add(component);
        }
        foreach (var n in nodes) if (!index.ContainsKey(n)) Visit(n);
        return result;
    }
}
