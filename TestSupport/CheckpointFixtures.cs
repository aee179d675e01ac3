using System.Globalization;
using System.Text.Json;

namespace LoopedIcl.TestSupport;

/// <summary>
/// The committed checkpoint fixtures (TestSupport/Fixtures/Checkpoints, written by make_fixtures.py with torch 1.13 and
/// NumPy): good/ files the readers must read, bad/ files they must refuse, and expected.json with every good tensor's
/// values as computed by torch/NumPy (not by our reader) and the Ahn et al. model's predictions on fixed prompts.
/// </summary>
public static class CheckpointFixtures
{
    public static string Folder => Path.Combine(TestSettings.RepositoryRoot(), "TestSupport", "Fixtures", "Checkpoints");

    public static string Good(string name) => Path.Combine(Folder, "good", name);

    public static string Bad(string name) => Path.Combine(Folder, "bad", name);

    /// <summary>Every checkpoint file in good/, bad/ and byom/ (for the fuzz test; not the generator scripts).</summary>
    public static IReadOnlyList<string> AllFiles() =>
        new[] { "good", "bad", "byom" }.Select(d => Path.Combine(Folder, d)).Where(Directory.Exists)
            .SelectMany(Directory.GetFiles).Where(f => !f.EndsWith(".py", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>The good files listed in expected.json, each with its tensors: name → (shape, values).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, (int[] Shape, double[] Values)>> Expected() =>
        LazyExpected.Value;

    /// <summary>The prompts Z (B × (N+1) × (d+1), row-major) and the Ahn et al. model's predictions −Z_L[N, d] for good/state_dict.pt.</summary>
    public static (int[] ZShape, double[] Z, double[] Predictions) AhnPredictions()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")));
        var p = doc.RootElement.GetProperty("predictions");
        return (p.GetProperty("z_shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(), Doubles(p.GetProperty("z")),
            Doubles(p.GetProperty("prediction")));
    }

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyDictionary<string, (int[], double[])>>> LazyExpected = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")));
        var files = new Dictionary<string, IReadOnlyDictionary<string, (int[], double[])>>(StringComparer.Ordinal);
        foreach (var file in doc.RootElement.EnumerateObject())
        {
            if (file.Name == "predictions") continue;
            var tensors = new Dictionary<string, (int[], double[])>(StringComparer.Ordinal);
            foreach (var t in file.Value.EnumerateObject())
                tensors[t.Name] = (t.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
                    Doubles(t.Value.GetProperty("values")));
            files[file.Name] = tensors;
        }
        return files;
    });

    // Python's repr of a float is its shortest round-trip decimal; .NET parses it back to the same double exactly.
    private static double[] Doubles(JsonElement a) =>
        a.EnumerateArray().Select(x => double.Parse(x.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
}
