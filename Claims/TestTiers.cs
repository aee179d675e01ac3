using System.Text;
using System.Text.RegularExpressions;

namespace LoopedIcl.Claims;

/// <summary>
/// The two test tiers as <c>dotnet test --filter</c> expressions, built in one place. tests.runsettings selects the default tier
/// with an NUnit Where clause (cat != Slow), but a --filter on the command line replaces that clause instead of combining with
/// it; so every filter a tool prints, a replay line shows or CI runs is composed here and names its tier: the default tier
/// (<see cref="Default"/>) unless it says Slow (<see cref="Slow"/>). The Slow tier is split into shards here too.
/// </summary>
public static partial class TestTiers
{
    /// <summary>The term that keeps a filter in the default tier.</summary>
    public const string DefaultTerm = "Category!=" + CategoryLabels.Slow;

    /// <summary>The term that keeps a filter in the Slow (paper-scale) tier.</summary>
    public const string SlowTerm = "Category=" + CategoryLabels.Slow;

    /// <summary>The selection restricted to the default tier, e.g. <c>Category=GAT-T1&amp;Category!=Slow</c>.</summary>
    public static string Default(string selection) => Compose(selection, DefaultTerm);

    /// <summary>The selection restricted to the Slow tier, e.g. <c>Category=LEARN-AHN-F4&amp;Category=Slow</c>.</summary>
    public static string Slow(string selection) => Compose(selection, SlowTerm);

    /// <summary>
    /// The filter of a selection as the tools print it: a CI shard family or a claim ID selects its default-tier tests; a filter
    /// expression is kept as is when it names a tier and restricted to the default tier otherwise.
    /// </summary>
    public static string Filter(string selection) =>
        ClaimRegistry.Families.Contains(selection) ? ClaimRegistry.FilterFor(selection)
        : ClaimRegistry.IsClaim(selection) ? Default("Category=" + selection)
        : NamesTier(selection) ? selection
        : Default(selection);

    /// <summary>True when a filter already names a tier (a Category or TestCategory term on Slow).</summary>
    public static bool NamesTier(string filter) => TierTerm().IsMatch(filter);

    private static string Compose(string selection, string term)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(selection);
        if (NamesTier(selection)) throw new ArgumentException($"the selection '{selection}' already names a tier", nameof(selection));
        // '&' binds tighter than '|' in a VSTest filter: a disjunction needs parentheses or the term would apply to its last part only.
        return (selection.Contains('|', StringComparison.Ordinal) ? $"({selection})" : selection) + "&" + term;
    }

    /// <summary>A value escaped for a VSTest filter (a backslash before each of \ ( ) &amp; | = ! ~).</summary>
    public static string Escape(string value)
    {
        var b = new StringBuilder(value.Length + 8);
        foreach (var ch in value)
        {
            if (ch is '\\' or '(' or ')' or '&' or '|' or '=' or '!' or '~') b.Append('\\');
            b.Append(ch);
        }
        return b.ToString();
    }

    /// <summary>Parses a shard "i/N" (1 ≤ i ≤ N); a malformed one is an <see cref="ArgumentException"/> naming the rule.</summary>
    public static (int Index, int Count) ParseShard(string shard)
    {
        var m = ShardSyntax().Match(shard ?? "");
        if (!m.Success || !int.TryParse(m.Groups[1].Value, out var i) || !int.TryParse(m.Groups[2].Value, out var n) || i < 1 || i > n)
            throw new ArgumentException($"a shard is i/N with whole numbers 1 ≤ i ≤ N (e.g. 2/5), got '{shard}'", nameof(shard));
        return (i, n);
    }

    /// <summary>
    /// The Slow tests (by NUnit test name, as <c>dotnet test --list-tests</c> prints them) split into <paramref name="count"/>
    /// shards: sorted by name, dealt round-robin, so every test is in exactly one shard and the split depends only on the set of names.
    /// </summary>
    public static IReadOnlyList<string>[] Shards(IEnumerable<string> slowTests, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var names = slowTests.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var shards = Enumerable.Range(0, count).Select(_ => new List<string>()).ToArray();
        for (int k = 0; k < names.Length; k++) shards[k % count].Add(names[k]);
        return shards;
    }

    /// <summary>The Slow-tier filter selecting exactly the named tests (NUnit test names).</summary>
    public static string SlowFilterFor(IReadOnlyCollection<string> testNames)
    {
        if (testNames.Count == 0) throw new ArgumentException("a shard needs at least one test (more shards than Slow tests?)", nameof(testNames));
        return Slow(string.Join("|", testNames.Select(n => "Name=" + Escape(n))));
    }

    /// <summary>
    /// The test names of <c>dotnet test --list-tests</c> output: the lines indented by four spaces after the first "The following Tests
    /// are available:". A solution lists its test projects in parallel, so another project's "Test run for …" or header line can land
    /// inside a block (a block-by-block parse lost a whole assembly's names that way); names are never unindented, so any such line is skipped.
    /// </summary>
    public static IReadOnlyList<string> ParseListedTests(string listing)
    {
        var names = new List<string>();
        bool listed = false;
        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("The following Tests are available:", StringComparison.Ordinal)) listed = true;
            else if (listed && line.Length > 4 && line.StartsWith("    ", StringComparison.Ordinal) && !char.IsWhiteSpace(line[4])) names.Add(line.Trim());
        }
        return names;
    }

    [GeneratedRegex(@"(?<![A-Za-z])(Test)?Category\s*!?=\s*Slow(?![A-Za-z0-9_-])", RegexOptions.IgnoreCase)]
    private static partial Regex TierTerm();

    [GeneratedRegex(@"^\s*(\d+)\s*/\s*(\d+)\s*$")]
    private static partial Regex ShardSyntax();
}
