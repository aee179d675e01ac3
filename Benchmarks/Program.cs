using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using LoopedIcl.Benchmarks;

// Quick mode:   dotnet run -c Release --project Benchmarks -- --quick [--json bench.json]
// Detailed:     dotnet run -c Release --project Benchmarks -- --bdn [BenchmarkDotNet arguments, e.g. --filter *]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
MathNet.Numerics.Control.UseSingleThread();
if (args.Contains("--bdn"))
{
    BenchmarkSwitcher.FromAssembly(typeof(LoopedForwardBenchmarks).Assembly).Run(args.Where(a => a != "--bdn").ToArray());
    return 0;
}
if (!args.Contains("--quick"))
{
    Console.WriteLine("usage: --quick [--json FILE]   or   --bdn [BenchmarkDotNet args]");
    return 2;
}
string? jsonPath = null;
for (int i = 0; i < args.Length; i++) if (args[i] == "--json" && i + 1 < args.Length) jsonPath = args[i + 1];
int threads = Environment.ProcessorCount;
var results = new Dictionary<string, object>();

static double Seconds(Action a)
{
    var sw = Stopwatch.StartNew();
    a();
    return sw.Elapsed.TotalSeconds;
}

// Warm-up so the JIT is not measured.
Workloads.LoopedForwardFast(200, 40, 50, 1);
Workloads.LoopedForwardLiteral(5, 40, 50, 1);

// looped-forward: 10 000 prompts, d = 10, n = 40, T = 50; the literal path on 500 prompts (it is the slow reference) and scaled.
double fastSeconds = Seconds(() => Workloads.LoopedForwardFast(10_000, 40, 50, 7));
double literalSeconds = Seconds(() => Workloads.LoopedForwardLiteral(500, 40, 50, 7));
double fastRate = 10_000 / fastSeconds, literalRate = 500 / literalSeconds;
results["looped-forward"] = new { prompts = 10_000, d = 10, n = 40, loops = 50, fast_prompts_per_s = fastRate, literal_prompts_per_s = literalRate, literal_prompts_measured = 500, speedup = fastRate / literalRate };
Console.WriteLine($"looped-forward  fast {fastRate,12:N0} prompts/s   literal {literalRate,10:N0} prompts/s   speed-up {fastRate / literalRate:N1}×");

// mc-loss: 100 000 prompts, L = 8, all cores (the result does not depend on the thread count).
LoopedIcl.Numerics.Statistics.Estimate est = default;
double mcSeconds = Seconds(() => est = Workloads.McLoss(100_000, 8, threads, 11));
double mcOne = Seconds(() => Workloads.McLoss(20_000, 8, 1, 11)) * 5;
results["mc-loss"] = new { prompts = 100_000, d = 10, n = 40, loops = 8, threads, prompts_per_s = 100_000 / mcSeconds, single_thread_prompts_per_s = 100_000 / mcOne, mean = est.Mean, standard_error = est.StandardError };
Console.WriteLine($"mc-loss         {100_000 / mcSeconds,12:N0} prompts/s on {threads} threads ({100_000 / mcOne:N0} on 1)   loss {est.Mean:G5} ± {est.StandardError:G2} (SE)");

// kappa: λ_max/λ_min of XᵀX for 100 000 Gaussian X (d = 10, n = 40).
double kappaMean = 0;
double kappaSeconds = Seconds(() => kappaMean = Workloads.Kappa(100_000, threads, 13));
results["kappa"] = new { draws = 100_000, d = 10, n = 40, threads, draws_per_s = 100_000 / kappaSeconds, mean_kappa = kappaMean };
Console.WriteLine($"kappa           {100_000 / kappaSeconds,12:N0} draws/s   mean κ {kappaMean:F3}");

// scaling: fast path time vs n (T = 10) and vs T (n = 40); literal vs n (T = 5). Fitted log-log exponents.
static double Exponent(double[] x, double[] t)
{
    var lx = x.Select(v => Math.Log(v)).ToArray();
    var lt = t.Select(v => Math.Log(v)).ToArray();
    double mx = lx.Average(), mt = lt.Average();
    return lx.Zip(lt, (a, b) => (a - mx) * (b - mt)).Sum() / lx.Sum(a => (a - mx) * (a - mx));
}
double[] ns = [40, 160, 640], ts = [10, 100, 1000];
var fastN = ns.Select(n => Seconds(() => Workloads.LoopedForwardFast(2000, (int)n, 10, 17))).ToArray();
var fastT = ts.Select(t => Seconds(() => Workloads.LoopedForwardFast(1000, 40, (int)t, 19))).ToArray();
var literalN = ns.Select(n => Seconds(() => Workloads.LoopedForwardLiteral(20, (int)n, 5, 23))).ToArray();
results["scaling"] = new
{
    fast_vs_n = new { n = ns, seconds = fastN, exponent = Exponent(ns, fastN) },
    fast_vs_T = new { T = ts, seconds = fastT, exponent = Exponent(ts, fastT) },
    literal_vs_n = new { n = ns, seconds = literalN, exponent = Exponent(ns, literalN) },
};
Console.WriteLine($"scaling         fast ∝ n^{Exponent(ns, fastN):F2}   fast ∝ T^{Exponent(ts, fastT):F2}   literal ∝ n^{Exponent(ns, literalN):F2}");

if (jsonPath is not null)
{
    File.WriteAllText(jsonPath, JsonSerializer.Serialize(new { machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString() }, workloads = results },
        new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"wrote {jsonPath}");
}
return 0;

/// <summary>BenchmarkDotNet versions of the quick-mode workloads (detailed statistics, allocation counts).</summary>
[MemoryDiagnoser]
public class LoopedForwardBenchmarks
{
    [Benchmark(Baseline = true)] public double Literal() => Workloads.LoopedForwardLiteral(20, 40, 50, 7);
    [Benchmark] public double Fast() => Workloads.LoopedForwardFast(20, 40, 50, 7);
}

[MemoryDiagnoser]
public class KappaBenchmarks
{
    [Benchmark] public double FastKappa() => Workloads.Kappa(4096, 1, 13);
}
