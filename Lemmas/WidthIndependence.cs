using System.Diagnostics;
using System.Text.Json;
using LoopedIcl.Numerics.Engine;

namespace LoopedIcl.Lemmas;

/// <summary>
/// PERF: the numbers do not depend on the vector width. The benchmark tool's width probe (normals, draws under three laws, the
/// engine's loss, gradient, predictions and query gradients on all three paths, a Monte Carlo loss and a short recipe run, hashed
/// bit for bit) runs in child processes under each width's runtime knobs; each child reports the width actually in force.
/// </summary>
[TestFixture, Category(ClaimIds.Perf)]
public sealed class WidthIndependence
{
    private sealed record Probe(int Bits, bool Vector512, bool Vector256, bool Fma, string Hash, string ControlHash);

    private static readonly Lazy<IReadOnlyDictionary<int, Probe>> Probes = new(RunProbes);

    /// <summary>The probe at every width the host has (children in parallel); a width whose knobs did not take effect fails.</summary>
    private static IReadOnlyDictionary<int, Probe> RunProbes()
    {
        var dll = Path.Combine(TestSettings.RepositoryRoot(), "Benchmarks", "bin", TestAssemblies.CurrentConfiguration(), "net10.0", "LoopedIcl.Benchmarks.dll");
        Checks.True(File.Exists(dll), $"the benchmark tool is built at {dll} (build the solution first)");
        var widths = SimdWidth.All.ToArray();
        var results = ChildProcesses.RunAll(widths.Select(bits => Child(dll, bits)).ToArray(), TimeSpan.FromSeconds(120));
        var runs = widths.Select((bits, k) => (bits, Probe: Parse(bits, results[k]))).ToDictionary(r => r.bits, r => r.Probe);
        int widest = runs[512].Bits;  // no knobs: the host's own width
        var probes = new Dictionary<int, Probe>();
        foreach (var (bits, p) in runs)
        {
            int expected = Math.Min(bits, widest);
            Checks.True(p.Bits == expected && p.Vector512 == (expected == 512) && p.Vector256 == (expected >= 256),
                $"child asked for {bits}-bit lanes with {Knobs(bits)} runs at {p.Bits} bits (Vector512 {p.Vector512}, Vector256 {p.Vector256}); expected {expected}");
            if (expected == bits) probes[bits] = p;
        }
        return probes;
    }

    private static string Knobs(int bits) => SimdWidth.RuntimeKnobs(bits).Count == 0 ? "no knobs" : string.Join(" ", SimdWidth.RuntimeKnobs(bits).Select(k => $"{k.Name}={k.Value}"));

    private static ProcessStartInfo Child(string dll, int bits)
    {
        var psi = ChildProcesses.Dotnet(dll, Environment.CurrentDirectory, ["--width-probe"]);
        foreach (var name in new[] { "DOTNET_EnableAVX512", "DOTNET_EnableAVX512F", "DOTNET_EnableAVX2", "DOTNET_EnableAVX", "DOTNET_PreferredVectorBitWidth" })
            psi.Environment.Remove(name);  // the parent's own knobs must not leak into the child
        foreach (var (name, value) in SimdWidth.RuntimeKnobs(bits)) psi.Environment[name] = value;
        return psi;
    }

    private static Probe Parse(int bits, ChildResult run)
    {
        Checks.True(run.Exit == 0, $"the {bits}-bit width probe exits 0 (got {run.Exit}; stderr: {run.Stderr})");
        var probe = JsonSerializer.Deserialize<Probe>(run.Stdout.Trim());
        Checks.True(probe is not null, $"the {bits}-bit width probe printed its report: {run.Stdout}");
        return probe!;
    }

    /// <summary>PERF: draws, engine losses, gradients, predictions, Monte Carlo and a recipe run are bit-identical at 512, 256 and 128 bits.</summary>
    [Test]
    public void PERF_Results_are_bit_identical_at_every_vector_width()
    {
        var probes = Probes.Value;
        foreach (var (bits, p) in probes) TestContext.Out.WriteLine($"{bits}-bit lanes ({Knobs(bits)}; FMA {p.Fma}): {p.Hash}");
        Checks.True(probes.Count >= 1, "at least the host's own width ran");
        var reference = probes.Values.First();
        foreach (var (bits, p) in probes)
            Checks.True(p.Hash == reference.Hash, $"{bits}-bit hash {p.Hash} equals the {reference.Bits}-bit hash {reference.Hash}", CheckKind.Identity);
        ClaimLedger.Count("widths compared bit for bit", probes.Count);
    }

    /// <summary>PERF negative control: the same comparison fails when one normal of the probe is one ulp off (the probe's control hash).</summary>
    [Test]
    public void PERF_Negative_control_a_one_ulp_difference_fails_the_width_comparison()
    {
        var p = Probes.Value.Values.First();
        Checks.True(p.ControlHash != p.Hash, $"the hash with the first normal one ulp off ({p.ControlHash}) differs from the probe's ({p.Hash})", CheckKind.NegativeControl);
        ClaimLedger.RecordNegativeControl("a one-ulp change in the probe's first normal changes its hash, so the width comparison would fail");
    }
}
