using System.Text.Json;

namespace LoopedIcl.Report;

/// <summary>The merged claim ledger of all test assemblies (artifacts/ledger/*.json, written by TestSupport's ClaimLedger).</summary>
internal sealed class Ledger
{
    public sealed class Entry
    {
        public string Claim { get; init; } = "";
        public long Checks { get; set; }
        public double? WorstMargin { get; set; }
        public string WorstCheck { get; set; } = "";
        public long Violations { get; set; }
        public long NegativeControls { get; set; }
        public int Seed { get; set; }
        public List<string> Notes { get; } = new();
        public List<(string Test, double? Worst, string What, long Checks)> Tests { get; } = new();
    }

    public Dictionary<string, Entry> Claims { get; } = new(StringComparer.Ordinal);
    public List<string> Assemblies { get; } = new();
    public DateTime Written { get; private set; }

    public static Ledger Read(string dir)
    {
        var ledger = new Ledger();
        foreach (var file in Directory.GetFiles(dir, "*.json").OrderBy(f => f, StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var root = doc.RootElement;
            ledger.Assemblies.Add(root.GetProperty("Assembly").GetString() ?? Path.GetFileName(file));
            var written = root.GetProperty("WrittenUtc").GetDateTime();
            if (written > ledger.Written) ledger.Written = written;
            foreach (var c in root.GetProperty("Claims").EnumerateArray())
            {
                var id = c.GetProperty("Claim").GetString()!;
                if (!ledger.Claims.TryGetValue(id, out var e)) ledger.Claims[id] = e = new Entry { Claim = id };
                e.Checks += c.GetProperty("Checks").GetInt64();
                e.Violations += c.GetProperty("Violations").GetInt64();
                e.NegativeControls += c.GetProperty("NegativeControls").GetInt64();
                e.Seed = c.GetProperty("Seed").GetInt32();
                if (c.GetProperty("WorstMargin").ValueKind == JsonValueKind.Number)
                {
                    var m = c.GetProperty("WorstMargin").GetDouble();
                    if (e.WorstMargin is null || m > e.WorstMargin) { e.WorstMargin = m; e.WorstCheck = c.GetProperty("WorstCheck").GetString() ?? ""; }
                }
                e.Notes.AddRange(c.GetProperty("Notes").EnumerateArray().Select(n => n.GetString() ?? ""));
                foreach (var t in c.GetProperty("Tests").EnumerateArray())
                    e.Tests.Add((t.GetProperty("Test").GetString() ?? "", t.GetProperty("WorstMargin").ValueKind == JsonValueKind.Number ? t.GetProperty("WorstMargin").GetDouble() : null,
                        t.GetProperty("WorstCheck").GetString() ?? "", t.GetProperty("Checks").GetInt64()));
            }
        }
        return ledger;
    }
}
