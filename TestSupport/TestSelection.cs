using System.Collections.Concurrent;
using System.Reflection;
using NUnit.Framework.Api;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace LoopedIcl.TestSupport;

/// <summary>
/// Which tests a <c>dotnet test</c> command selects, computed by the code the test run itself uses: the test trees NUnit builds
/// from the built assemblies (categories of test cases, methods and fixtures as NUnit sees them), a --filter converted to an
/// NUnit filter by the NUnit adapter's own converter, a Where clause by the NUnit engine's parser, and NUnit's filter evaluation.
/// As in the adapter, a --filter replaces the Where clause; without one the Where clause (tests.runsettings' by default) applies.
/// </summary>
public static class TestSelection
{
    /// <summary>One test that can run: its assembly name, NUnit full name, name and categories (its own and its suites').</summary>
    public sealed record Leaf(string Assembly, string FullName, string Name, IReadOnlySet<string> Categories, ITest Test)
    {
        public bool IsSlow => Categories.Contains(Claims.CategoryLabels.Slow);
    }

    private static readonly ConcurrentDictionary<string, IReadOnlyList<Leaf>> Trees = new(StringComparer.Ordinal);

    /// <summary>Every test of the solution's test assemblies (built in this run's configuration), as NUnit builds them.</summary>
    public static IReadOnlyList<Leaf> All() => TestAssemblies.All().SelectMany(a => LeavesOf(a.Path)).ToArray();

    /// <summary>The leaves of one test assembly's NUnit tree (built once per process).</summary>
    public static IReadOnlyList<Leaf> LeavesOf(string assemblyPath) => Trees.GetOrAdd(Path.GetFullPath(assemblyPath), path =>
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"test assembly not built: {path} (build the solution first)", path);
        var assembly = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => !a.IsDynamic && a.GetName().Name == Path.GetFileNameWithoutExtension(path))
            ?? Assembly.LoadFrom(path);
        var root = new DefaultTestAssemblyBuilder().Build(assembly, new Dictionary<string, object>());
        var name = assembly.GetName().Name!;
        var leaves = new List<Leaf>();
        Collect(root, leaves, name);
        return leaves;
    });

    private static void Collect(ITest t, List<Leaf> into, string assembly)
    {
        if (t.RunState is RunState.NotRunnable) return; // NUnit reports these as errors; none should exist (the run itself fails then)
        if (t.IsSuite) { foreach (var c in t.Tests) Collect(c, into, assembly); return; }
        into.Add(new Leaf(assembly, t.FullName, t.Name, LedgerFile.CategoriesOf(t).ToHashSet(StringComparer.Ordinal), t));
    }

    /// <summary>The NUnit filter a command line selects with: its --filter if given (it replaces the Where), else its Where clause.</summary>
    public static TestFilter FilterOf(string? vsTestFilter, string? where)
    {
        string xml = !string.IsNullOrEmpty(vsTestFilter) ? Invoke(AdapterParser, "Parse", vsTestFilter)
            : !string.IsNullOrEmpty(where) ? Invoke(WhereParser, "Parse", where) : "<filter/>";
        if (!xml.StartsWith("<filter", StringComparison.Ordinal)) xml = $"<filter>{xml}</filter>";
        return TestFilter.FromXml(TNode.FromXml(xml));
    }

    /// <summary>The tests of <paramref name="leaves"/> that a command with this --filter / Where runs (explicit tests only when named).</summary>
    public static IReadOnlyList<Leaf> Select(IEnumerable<Leaf> leaves, string? vsTestFilter, string? where)
    {
        var filter = FilterOf(vsTestFilter, where);
        return leaves.Where(l => l.Test.RunState != RunState.Explicit ? filter.Pass(l.Test) : filter.IsExplicitMatch(l.Test)).ToArray();
    }

    /// <summary>The Where clause of a runsettings file (NUnit/Where), or null.</summary>
    public static string? WhereOf(string runsettingsPath) =>
        System.Xml.Linq.XDocument.Load(runsettingsPath).Root?.Element("NUnit")?.Element("Where")?.Value.Trim();

    // The adapter's VSTest-filter converter and the engine's Where parser ship beside every test assembly (NUnit3TestAdapter's
    // build output); they are loaded from there so the conversion is the one dotnet test applies, not a re-implementation.
    private static readonly Lazy<object> AdapterParser = new(() => Create("NUnit3.TestAdapter.dll", "NUnit.VisualStudio.TestAdapter.TestFilterConverter.TestFilterParser"));
    private static readonly Lazy<object> WhereParser = new(() => Create("nunit.engine.dll", "NUnit.Engine.TestSelectionParser"));

    private static object Create(string file, string type)
    {
        var path = Path.Combine(AppContext.BaseDirectory, file);
        var assembly = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => !a.IsDynamic && string.Equals(Path.GetFileName(a.Location), file, StringComparison.OrdinalIgnoreCase))
            ?? Assembly.LoadFrom(path);
        return Activator.CreateInstance(assembly.GetType(type, throwOnError: true)!)!;
    }

    private static string Invoke(Lazy<object> parser, string method, string input)
    {
        try { return (string)parser.Value.GetType().GetMethod(method, [typeof(string)])!.Invoke(parser.Value, [input])!; }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new ArgumentException($"'{input}' is not a valid filter: {e.InnerException.Message}", nameof(input), e.InnerException);
        }
    }
}
