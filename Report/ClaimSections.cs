using System.Reflection;
using System.Text;
using LoopedIcl.Claims;
using LoopedIcl.Experiments;

namespace LoopedIcl.Report;

/// <summary>What a section's retraining gets: the output folder (figures go in its figures/), whether to run the Slow recipes, progress, the seeds.</summary>
internal sealed record SectionRun(string OutDir, bool Full, TextWriter Progress, SeedPlan Plan);

/// <summary>A section's retrained markdown, the figure files it wrote (relative to the output folder) and its key values ("CLAIM-ID.name") for claims.json.</summary>
internal sealed record SectionResult(string Markdown, IReadOnlyList<string> Figures, IReadOnlyDictionary<string, double> KeyValues);

/// <summary>
/// A report section with claims' own tables (<see cref="ReportSection"/>). The class is marked <see cref="ReportSectionWriterAttribute"/> and
/// found by it; the claims that name the section in the registry are handed to it and get its key values.
/// </summary>
internal interface IClaimSection
{
    /// <summary>Retrains what the section shows (only when the report draws figures).</summary>
    SectionResult Train(SectionRun section);

    /// <summary>Appends the section to the page: <paramref name="claims"/> are the verdicts of the claims naming it, <paramref name="trained"/> null without figures.</summary>
    void Write(StringBuilder page, IReadOnlyList<Verdict> claims, SectionResult? trained);
}

/// <summary>One section as the page and claims.json see it: its key, writer, the verdicts of its claims and what its retraining gave.</summary>
internal sealed record ClaimSection(ReportSection Key, IClaimSection Writer, IReadOnlyList<Verdict> Claims, SectionResult? Trained)
{
    /// <summary>The section writers of this assembly, in <see cref="ReportSection"/> order.</summary>
    public static IReadOnlyList<(ReportSection Key, IClaimSection Writer)> Writers() =>
        typeof(ClaimSection).Assembly.GetTypes()
            .Select(t => (Type: t, Mark: t.GetCustomAttribute<ReportSectionWriterAttribute>()))
            .Where(x => x.Mark is not null)
            .Select(x => (x.Mark!.Section, Activator.CreateInstance(x.Type) as IClaimSection
                ?? throw new InvalidOperationException($"{x.Type.Name} is marked [ReportSectionWriter] but is not an {nameof(IClaimSection)}")))
            .OrderBy(x => x.Section).ToArray();

    /// <summary>
    /// Every section with its claims' verdicts, retrained through <paramref name="run"/> when given (null: no figures). A key value whose
    /// claim does not name the section is an error, not a value silently left out of claims.json.
    /// </summary>
    public static IReadOnlyList<ClaimSection> Build(IReadOnlyList<Verdict> verdicts, SectionRun? run) =>
        Writers().Select(w =>
        {
            var claims = verdicts.Where(v => v.Claim.Section == w.Key).ToArray();
            var trained = run is null ? null : w.Writer.Train(run);
            var stray = trained?.KeyValues.Keys.Where(k => !claims.Any(v => k.StartsWith(v.Claim.Id + ".", StringComparison.Ordinal))).ToArray() ?? [];
            if (stray.Length > 0)
                throw new InvalidOperationException($"section {w.Key} wrote key values of claims that do not name it in the registry: {string.Join(", ", stray)}");
            return new ClaimSection(w.Key, w.Writer, claims, trained);
        }).ToArray();
}
