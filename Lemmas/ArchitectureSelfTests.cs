using System.Reflection;
using System.Text.RegularExpressions;

namespace LoopedIcl.Lemmas;

/// <summary>
/// VERDICT (architecture): the layers keep one direction — Claims at the bottom, Numerics (the library) beside it, Experiments above
/// both, tests and the report on top — with no namespace cycles inside the library or the experiments, and no claim ID in the library's
/// code. Read by reflection from the built assemblies (signatures and IL), not from source text, so a reference cannot hide in a
/// comment or a fully qualified name.
/// </summary>
[TestFixture, Category(ClaimIds.Verdict)]
public class ArchitectureSelfTests
{
    private static readonly Assembly Numerics = typeof(Guard).Assembly;
    private static readonly Assembly ClaimsAssembly = typeof(ClaimRegistry).Assembly;
    private static readonly Assembly ExperimentsAssembly = typeof(Recipes).Assembly;
    private static readonly Assembly Support = typeof(Checks).Assembly;

    /// <summary>Which of the suite's own assemblies each layer may use: anything else is an upward or sideways reference.</summary>
    private static readonly (Assembly Layer, Assembly[] Allowed)[] Layers =
    [
        (ClaimsAssembly, []),
        (Numerics, []),
        (ExperimentsAssembly, [Numerics, ClaimsAssembly]),
        (Support, [Numerics, ClaimsAssembly, ExperimentsAssembly]),
    ];

    private static string[] SuiteReferences(Assembly a) =>
        a.GetReferencedAssemblies().Select(r => r.Name!).Where(n => n.StartsWith("LoopedIcl.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();

    [Test]
    public void VERDICT_Layers_reference_only_layers_below()
    {
        foreach (var (layer, allowed) in Layers)
        {
            var names = allowed.Select(a => a.GetName().Name!).ToHashSet(StringComparer.Ordinal);
            var upward = SuiteReferences(layer).Where(n => !names.Contains(n)).ToArray();
            Checks.True(upward.Length == 0, $"{layer.GetName().Name} references {string.Join(", ", upward)} (allowed: {string.Join(", ", names.DefaultIfEmpty("none"))})");
        }
    }

    [TestCase("LoopedIcl.Numerics")]
    [TestCase("LoopedIcl.Experiments")]
    public void VERDICT_No_namespace_cycles(string root)
    {
        var assembly = root == "LoopedIcl.Numerics" ? Numerics : ExperimentsAssembly;
        var cycles = AssemblyReferences.NamespaceCycles(assembly, root);
        Checks.True(cycles.Count == 0, $"namespace cycles in {root}: {string.Join(" | ", cycles)}");
    }

    /// <summary>Control: the same detector finds the cycle planted in <see cref="ArchitectureFixture"/> (A uses B, B uses A) and names both edges.</summary>
    [Test]
    public void VERDICT_Cycle_detector_finds_a_planted_cycle()
    {
        var cycles = AssemblyReferences.NamespaceCycles(typeof(ArchitectureSelfTests).Assembly, "LoopedIcl.Lemmas.ArchitectureFixture");
        Checks.True(cycles.Count == 1, $"one planted cycle found (found {cycles.Count}: {string.Join(" | ", cycles)})");
        Checks.True(cycles[0].Contains("ArchitectureFixture.A → LoopedIcl.Lemmas.ArchitectureFixture.B", StringComparison.Ordinal)
                    && cycles[0].Contains("ArchitectureFixture.B → LoopedIcl.Lemmas.ArchitectureFixture.A", StringComparison.Ordinal), cycles[0]);
    }

    /// <summary>The library knows no claims: no string literal in Numerics' code is a registered claim ID (claims are named above it).</summary>
    [Test]
    public void VERDICT_Library_code_names_no_claim()
    {
        var ids = ClaimRegistry.All.Select(c => c.Id).ToArray();
        var pattern = new Regex(@"(?<![A-Za-z0-9-])(" + string.Join("|", ids.Select(Regex.Escape)) + @")(?![A-Za-z0-9-])");
        var hits = AssemblyReferences.StringLiterals(Numerics).Where(x => pattern.IsMatch(x.Literal)).Select(x => $"{x.Type.FullName}: \"{x.Literal}\"").Distinct().ToArray();
        Checks.True(hits.Length == 0, $"claim IDs in Numerics: {string.Join("; ", hits)}");
        // Control: the same scan sees the IDs the experiments' curves carry (ClaimIds constants are inlined as literals there).
        var experimentHits = AssemblyReferences.StringLiterals(ExperimentsAssembly).Count(x => pattern.IsMatch(x.Literal));
        Checks.True(experimentHits > 0, "the literal scan finds claim IDs where they are meant to be (Experiments)");
    }
}
