using System.Text;

namespace LoopedIcl.Claims;

/// <summary>
/// README.md's claims table, generated from <see cref="ClaimRegistry"/> between two markers. The report tool rewrites it
/// (--update-readme), and a VERDICT test fails when the committed README differs.
/// </summary>
public static class ClaimTable
{
    public const string Begin = "<!-- claims-table: generated from Claims/ClaimRegistry.cs by `dotnet run -c Release --project Report -- --update-readme`; do not edit by hand -->";
    public const string End = "<!-- /claims-table -->";

    /// <summary>The table (between and including the markers).</summary>
    public static string Markdown()
    {
        var sb = new StringBuilder();
        sb.Append(Begin).Append('\n');
        sb.Append("| claim | source | statement | figures |\n|---|---|---|---|\n");
        foreach (var c in ClaimRegistry.All)
        {
            var figures = string.Join(", ", c.Curves.Select(r => $"[{r.Id}](docs/figures/{r.Id}.png)"));
            sb.Append($"| {c.Id} | {Escape(c.Paper)}, {Escape(c.Place)} | {Escape(c.Statement)} | {figures} |\n");
        }
        sb.Append(End);
        return sb.ToString();
    }

    /// <summary>The README text with its table replaced; throws if the markers are missing.</summary>
    public static string Rewrite(string readme)
    {
        int b = readme.IndexOf(Begin, StringComparison.Ordinal), e = readme.IndexOf(End, StringComparison.Ordinal);
        if (b < 0 || e < b) throw new InvalidOperationException($"README.md has no claims-table markers ({Begin} … {End})");
        return readme[..b] + Markdown() + readme[(e + End.Length)..];
    }

    /// <summary>True when the README's table is the registry's.</summary>
    public static bool InSync(string readme) =>
        readme.Contains(Begin, StringComparison.Ordinal) && Rewrite(readme).Replace("\r\n", "\n", StringComparison.Ordinal) == readme.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
}
