using System.Reflection;
using LoopedIcl.Numerics.Training;

namespace LoopedIcl.Lemmas;

/// <summary>
/// VERDICT (one claim, one place): everything a registry entry names resolves — the tests its findings cite exist in the built
/// assemblies, its note keys are written by some test, its curve makers exist and its snapshots belong to it, its recipes are
/// methods of <see cref="Recipes"/> — and nothing is left unowned (every snapshot file and every recipe belongs to a claim).
/// </summary>
[TestFixture, Category(ClaimIds.Verdict)]
public class RegistryResolutionSelfTests
{
    private static readonly Lazy<Dictionary<string, (IReadOnlyDictionary<string, IReadOnlySet<string>> Methods, IReadOnlyList<string> Literals)>> Built = new(() =>
        TestAssemblies.All().Where(a => File.Exists(a.Path))
            .ToDictionary(a => a.Project, a => (TestAssemblies.Methods(a.Path), TestAssemblies.StringLiterals(a.Path)), StringComparer.Ordinal));

    /// <summary>The cited tests that do not exist as methods of the named class in the named project's assembly.</summary>
    private static IEnumerable<string> Unresolved(IEnumerable<TestRef> refs) =>
        refs.Where(r => !(Built.Value.TryGetValue(r.Project, out var a)
                          && a.Methods.TryGetValue($"LoopedIcl.{r.Project}.{r.Class}", out var methods) && methods.Contains(r.Method)))
            .Select(r => r.ToString());

    /// <summary>
    /// The note keys the given projects' tests cannot write: notes are interpolated, so a key must start one of their string literals, or be
    /// a literal ("X-SOFTMAX ") followed by the start of another (the one hole of <c>$"X-SOFTMAX {what}…"</c> filled with "linear task").
    /// </summary>
    private static IEnumerable<string> Unwritten(IEnumerable<NoteKey> keys, IEnumerable<string> projects)
    {
        var literals = projects.Distinct().SelectMany(p => Built.Value.TryGetValue(p, out var a) ? a.Literals : []).Where(s => s.Length > 0).ToArray();
        bool Starts(string text) => literals.Any(s => s.StartsWith(text, StringComparison.Ordinal));
        bool Written(string key) => Starts(key) || literals.Any(s => s.Length >= 4 && s.Length < key.Length && key.StartsWith(s, StringComparison.Ordinal) && Starts(key[s.Length..]));
        return keys.Where(k => !Written(k.Written)).Select(k => k.Prefix);
    }

    [Test]
    public void VERDICT_Every_cited_test_exists()
    {
        Checks.True(Built.Value.Count >= 2, $"test assemblies built: {string.Join(", ", Built.Value.Keys)}");
        var missing = ClaimRegistry.All.SelectMany(c => c.Findings.SelectMany(f => Unresolved(f.TestRefs).Select(t => $"{c.Id}: {t}"))).ToArray();
        Checks.True(missing.Length == 0, $"findings cite tests that do not exist: {string.Join("; ", missing)}");
        // Control: a misspelt method and a wrong project are reported.
        var planted = Unresolved([new TestRef("Theorems", "LearnGatF2", "No_such_test"), new TestRef("Lemmas", "LearnGatF2", "LEARN_GAT_F2_Untied_beats_looped_which_plateaus_at_the_scalar_optimum")]).ToArray();
        Checks.True(planted.Length == 2, $"the resolver reports both planted misses (got {planted.Length})");
    }

    [Test]
    public void VERDICT_Every_note_key_is_written_by_a_test()
    {
        var unwritten = ClaimRegistry.All.SelectMany(c => c.Findings.SelectMany(f => Unwritten(f.Notes, f.TestRefs.Select(t => t.Project)).Select(k => $"{c.Id}: '{k}'"))).ToArray();
        Checks.True(unwritten.Length == 0, $"note keys no test writes: {string.Join("; ", unwritten)}");
        var planted = Unwritten([new NoteKey("GAT-T1 skew"), new NoteKey("no test writes this note")], ["Theorems"]).ToArray();
        Checks.True(planted.SequenceEqual(["no test writes this note"]), $"the check finds the planted key and only it (got {string.Join(", ", planted)})");
    }

    [Test]
    public void VERDICT_Every_curve_resolves_and_every_snapshot_belongs_to_one_claim()
    {
        var makers = new[] { typeof(ExpectedCurves), typeof(LearningCurves) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static)).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var curves = ClaimRegistry.All.SelectMany(c => c.Curves.Select(r => (Claim: c.Id, r.Maker, r.Id))).ToArray();
        var noMaker = curves.Where(c => !makers.Contains(c.Maker)).Select(c => $"{c.Claim}: {c.Maker}").ToArray();
        Checks.True(noMaker.Length == 0, $"curve makers that do not exist in Experiments: {string.Join(", ", noMaker)}");
        var folder = Path.Combine(TestSettings.RepositoryRoot(), "Snapshots", "__snapshots__");
        var files = Directory.GetFiles(folder, "*.snap").Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var expected = curves.Select(c => $"{c.Claim}.{c.Id}.snap").ToHashSet(StringComparer.Ordinal);
        var orphans = files.Except(expected).Order(StringComparer.Ordinal).ToArray();
        var unsnapped = expected.Except(files!).Order(StringComparer.Ordinal).ToArray();
        Checks.True(orphans.Length == 0, $"snapshot files that belong to no registered curve of their claim: {string.Join(", ", orphans)}");
        Checks.True(unsnapped.Length == 0, $"registered curves without a snapshot: {string.Join(", ", unsnapped)}");
    }

    [Test]
    public void VERDICT_Every_recipe_resolves_and_belongs_to_a_claim()
    {
        var recipes = typeof(Recipes).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(Recipe)).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var named = ClaimRegistry.All.SelectMany(c => c.Recipes.Select(r => (c.Id, Recipe: r))).ToArray();
        var unknown = named.Where(x => !recipes.Contains(x.Recipe)).Select(x => $"{x.Id}: {x.Recipe}").ToArray();
        Checks.True(unknown.Length == 0, $"claims name recipes that are not methods of Experiments.Recipes: {string.Join(", ", unknown)}");
        var unowned = recipes.Except(named.Select(x => x.Recipe)).Order(StringComparer.Ordinal).ToArray();
        Checks.True(unowned.Length == 0, $"recipes no claim owns: {string.Join(", ", unowned)}");
    }

    /// <summary>
    /// The problems of the report's section writers (class, <see cref="ReportSection"/> as an int) against the claims: a section no class
    /// writes or two classes write, a value that is not a section, and a section no claim names.
    /// </summary>
    private static IEnumerable<string> SectionProblems(IReadOnlyList<(string Class, int Section)> writers, IEnumerable<Claim> claims)
    {
        var named = claims.Where(c => c.Section is not null).ToLookup(c => c.Section!.Value);
        foreach (var w in writers.Where(w => !Enum.IsDefined((ReportSection)w.Section)))
            yield return $"{w.Class} writes section {w.Section}, which is not a ReportSection";
        foreach (var section in Enum.GetValues<ReportSection>())
        {
            var by = writers.Where(w => w.Section == (int)section).Select(w => w.Class).ToArray();
            if (by.Length != 1) yield return $"{section} is written by {by.Length} classes of the report ({string.Join(", ", by)}), not one";
            if (!named.Contains(section)) yield return $"{section} belongs to no claim (no registry entry names it)";
        }
    }

    /// <summary>VERDICT: every report section a claim names has one writer in the report, and every section belongs to a claim.</summary>
    [Test]
    public void VERDICT_Every_report_section_resolves_and_belongs_to_a_claim()
    {
        var dll = TestAssemblies.ReportAssembly();
        Checks.True(File.Exists(dll), $"the report tool is built at {dll} (build the solution first)");
        var writers = TestAssemblies.MarkedClasses(dll, typeof(ReportSectionWriterAttribute).Namespace!, nameof(ReportSectionWriterAttribute)).Select(w => (w.Class, Section: w.Argument)).ToArray();
        var problems = SectionProblems(writers, ClaimRegistry.All).ToArray();
        Checks.True(problems.Length == 0, $"report sections: {string.Join("; ", problems)}");
        // Control: a writer dropped, a second writer of one section and a section left unnamed are each reported.
        var learning = writers.Single(w => w.Section == (int)ReportSection.Learning);
        var planted = SectionProblems([learning, learning with { Class = "Copy" }], ClaimRegistry.All.Where(c => c.Section != ReportSection.BeyondLinear)).ToArray();
        Checks.True(planted.Length == 3, $"the check reports the two writers of Learning, the missing writer and the missing claim of BeyondLinear (got {string.Join("; ", planted)})");
    }
}
