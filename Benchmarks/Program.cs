using LoopedIcl.Numerics.Statistics;
using LoopedIcl.Experiments;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using LoopedIcl.Benchmarks;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Training;

// Quick mode:   dotnet run -c Release --project Benchmarks -- --quick [--json bench.json] [--rounds 5] [--old-main /tmp/oldmain]
// Detailed:     dotnet run -c Release --project Benchmarks -- --bdn [BenchmarkDotNet arguments, e.g. --filter *]
// Every workload runs once per round, the rounds interleaved (so the machine's other load hits all alike); medians over rounds are
// reported. The single-thread kernels (engine, pipeline, sampler, per-prompt API) take the best of 5 repeats within a round, as the
// C anchor does in its own process; Monte Carlo and train steps (2 threads) are one timing per round.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
MathNet.Numerics.Control.UseSingleThread();
if (args.Length > 0 && args[0] == "--bdn")
{
    BenchmarkSwitcher.FromAssembly(typeof(LoopedForwardBenchmarks).Assembly).Run(args[1..]);
    return 0;
}
if (args.Length > 0 && args[0] == "--width-probe")
{
    Console.WriteLine(WidthProbe.ToJson(WidthProbe.Run()));
    return 0;
}
var (options, error) = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine($"error: {error}\n{Options.Usage}");
    return 2;
}
int threads = Environment.ProcessorCount;
const int Prompts = 10_000, LoopsT = 50;

static double Seconds(Action a)
{
    var sw = Stopwatch.StartNew();
    a();
    return sw.Elapsed.TotalSeconds;
}
// Like the C anchor (best of 5 repeats in its process): the best of 5 back-to-back repeats within a round.
static double BestOf5(Action a)
{
    double best = double.PositiveInfinity;
    for (int r = 0; r < 5; r++) best = Math.Min(best, Seconds(a));
    return best;
}

string repo = RepositoryRoot();
if (options.WidthChild is null) return Parent(options, repo);
if (SimdWidth.Bits != options.WidthChild)
{
    Console.Error.WriteLine($"error: asked for {options.WidthChild}-bit lanes, running at {SimdWidth.Describe()}: the runtime knobs did not take effect");
    return 2;
}
string? anchorExe = options.Anchor;
Console.WriteLine($"--- {SimdWidth.Describe()}; C anchor {anchorExe ?? "(none)"}; load before: {LoadAverage()}");

// Fixed inputs (not timed).
var (loopedFamily, loopedTheta) = Workloads.LoopedEngineModel(LoopsT);
var kernelEngine = new IclEngine(loopedFamily);
var kernelBatch = Workloads.LoopedLaw.Draw(Workloads.N, 1000, 5);  // the C anchor's pool size
var predictions = new double[Prompts];
var pipelineBuffer = Workloads.LoopedLaw.Draw(Workloads.N, 1000, 0);
var normals = new double[1 << 22];
var train = new[]
{
    Workloads.Train("sparse (8), d=5 n=20 L=3", Parameterisation.Sparse(5, 3), 20, 2000, threads),
    Workloads.Train("full (P,Q), d=5 n=20 L=3", Parameterisation.Full(5, 3), 20, 2000, threads),
    Workloads.Train("looped (A,u), d=10 n=40 L=8", Parameterisation.Gatmiry(10, 8), 40, 2000, threads),
    Workloads.Train("looped full (P,Q), d=5 n=20 L=3", Parameterisation.Full(5, 3, tied: true), 20, 2000, threads),
    Workloads.TrainNonLinear("looped softmax, d=5 n=20 L=3", Parameterisation.Full(5, 3, tied: true), LoopedIcl.Numerics.Models.ScoreActivation.Softmax, 20, 2000, threads),
};
var trainBatches = train.Select(t => t.Objective.Draw(t.BatchSize, 9)).ToArray();
var gradients = train.Select(t => new double[t.Objective.Dimension]).ToArray();
const int TrainSteps = 10;
const int McPrompts = 100_000, McPerPromptPrompts = 20_000;

// Warm-up (JIT, tiered compilation).
for (int w = 0; w < 3; w++)
{
    Workloads.EngineForward(kernelEngine, loopedTheta, kernelBatch, Prompts / 1000, predictions);
    Workloads.EnginePipeline(kernelEngine, loopedTheta, pipelineBuffer, Prompts, 3, predictions);
    Workloads.Normals(normals, 1);
    Workloads.McLossEngine(8192, 8, threads, 1);
    Workloads.McLossPerPrompt(4096, 8, threads, 1);
    for (int k = 0; k < train.Length; k++) Workloads.TrainStep(train[k], trainBatches[k], gradients[k]);
}
Workloads.LoopedForwardLiteral(5, 40, 50, 1);

var samples = new Dictionary<string, List<double>>();
void Add(string key, double v) { if (!samples.TryGetValue(key, out var l)) samples[key] = l = []; l.Add(v); }
LoopedIcl.Numerics.Statistics.Estimate mcEstimate = default;
for (int round = 0; round < options.Rounds; round++)
{
    if (anchorExe is not null && RunAnchor(anchorExe) is double c) Add("anchor", c);
    Add("kernel", Prompts / BestOf5(() => Workloads.EngineForward(kernelEngine, loopedTheta, kernelBatch, Prompts / 1000, predictions)));
    Add("pipeline", Prompts / BestOf5(() => Workloads.EnginePipeline(kernelEngine, loopedTheta, pipelineBuffer, Prompts, (ulong)round, predictions)));
    Add("per-prompt", 2000 / BestOf5(() => Workloads.LoopedForwardPerPrompt(2000, Workloads.N, LoopsT, round)));
    Add("normals", normals.Length / BestOf5(() => Workloads.Normals(normals, (ulong)round)));
    Add("mc-engine", McPrompts / Seconds(() => mcEstimate = Workloads.McLossEngine(McPrompts, 8, threads, 11)));
    Add("mc-per-prompt", McPerPromptPrompts / Seconds(() => Workloads.McLossPerPrompt(McPerPromptPrompts, 8, threads, 11)));
    if (options.OldMain is not null && RunOldMain(Options.OldMainDll(options.OldMain), McPerPromptPrompts * 2, threads) is double old) Add("mc-old-main", old);
    for (int k = 0; k < train.Length; k++)
    {
        var t = train[k];
        Add($"train{k}", TrainSteps * t.BatchSize / Seconds(() => { for (int s = 0; s < TrainSteps; s++) Workloads.TrainStep(t, trainBatches[k], gradients[k]); }));
        Add($"train{k}-sampling", 3 * t.BatchSize / Seconds(() =>
        {
            for (int s = 0; s < 3; s++) Workloads.TrainStep(t, t.Objective.Draw(t.BatchSize, (ulong)(100 + s)), gradients[k]);
        }));
    }
}
double literalRate = 100 / Seconds(() => Workloads.LoopedForwardLiteral(100, 40, 50, 7));
// Paper-scale recipes, a slice of each through the recipe path (LearningSetup → Trainer: redraws, validation, checkpoints), 2 threads.
var fig12 = Workloads.RecipeSlice(Recipes.AhnFigure1And2(1), steps: 300, threads);
var fig6 = Workloads.RecipeSlice(Recipes.AhnFigure6(1, 20), steps: 30, threads);

double M(string key) => samples.TryGetValue(key, out var l) ? SampleStatistics.Median(l) : double.NaN;
double anchor = M("anchor");
var results = new Dictionary<string, object?>
{
    ["looped-forward"] = new
    {
        d = 10, n = 40, loops = LoopsT, prompts = Prompts, threads = 1,
        engine_kernel_prompts_per_s = M("kernel"), c_anchor_prompts_per_s = anchor, kernel_vs_c = M("kernel") / anchor,
        pipeline_with_sampling_prompts_per_s = M("pipeline"), pipeline_vs_c_kernel = M("pipeline") / anchor,
        per_prompt_api_prompts_per_s = M("per-prompt"), literal_prompts_per_s = literalRate,
    },
    ["sampler"] = new { normals_per_s = M("normals"), method = $"8-lane xoshiro256** + Box-Muller at {SimdWidth.Bits} bits", threads = 1 },
    ["mc-loss"] = new
    {
        d = 10, n = 40, loops = 8, threads, engine_prompts_per_s = M("mc-engine"), per_prompt_api_prompts_per_s = M("mc-per-prompt"),
        old_main_prompts_per_s = M("mc-old-main"), engine_vs_old_main = M("mc-engine") / M("mc-old-main"), mean = mcEstimate.Mean, standard_error = mcEstimate.StandardError,
    },
    ["recipes"] = new[] { fig12, fig6 },
    ["train-step"] = train.Select((t, k) => new
    {
        model = t.Name, batch = t.BatchSize, threads, optimizer = "Adam (Numerics.Training.Optimizer)",
        prompt_steps_per_s = M($"train{k}"), prompt_steps_per_s_with_sampling = M($"train{k}-sampling"),
    }).ToArray(),
};
Console.WriteLine($"looped-forward  engine kernel {M("kernel"),12:N0} prompts/s   C anchor {anchor,12:N0}   ratio {M("kernel") / anchor:F2}×");
Console.WriteLine($"                pipeline+sampling {M("pipeline"),8:N0} prompts/s   vs C kernel {M("pipeline") / anchor:F2}×   per-prompt API {M("per-prompt"):N0}   literal {literalRate:N0}");
Console.WriteLine($"sampler         {M("normals"),12:N0} normals/s");
Console.WriteLine($"mc-loss (L=8)   engine {M("mc-engine"),12:N0} prompts/s   per-prompt API {M("mc-per-prompt"):N0}   old main {M("mc-old-main"):N0}   ratio {M("mc-engine") / M("mc-old-main"):F2}×   loss {mcEstimate.Mean:G5} ± {mcEstimate.StandardError:G2}");
for (int k = 0; k < train.Length; k++)
    Console.WriteLine($"train-step      {train[k].Name,-30} {M($"train{k}"),12:N0} prompt-steps/s   ({M($"train{k}-sampling"):N0} with fresh sampling)");
foreach (var r in new[] { fig12, fig6 })
    Console.WriteLine($"recipe          {r.Recipe,-30} {r.PromptStepsPerSecond,12:N0} prompt-steps/s   ({r.Steps} of {r.FullSteps} steps, B = {r.Batch}): full run ≈ {r.FullRunSeconds:F0} s");
Console.WriteLine($"load after: {LoadAverage()}   rounds: {options.Rounds} (medians)");

if (options.JsonPath is not null)
{
    File.WriteAllText(options.JsonPath, JsonSerializer.Serialize(new
    {
        machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString(), load = LoadAverage(), rounds = options.Rounds, width = SimdWidth.Bits, isa = SimdWidth.Describe(), anchor = anchorExe },
        workloads = results,
        raw = samples,
    }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
    Console.WriteLine($"wrote {options.JsonPath}");
}
return 0;

static string RepositoryRoot() => LoopedIcl.Claims.Repository.FindRoot(AppContext.BaseDirectory) ?? Directory.GetCurrentDirectory();

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

/// <summary>gcc flags of the C anchor at each width: -march=native narrowed to the width (-mno-avx also drops FMA, as on SSE-only x86).</summary>
static string AnchorFlags(int bits) => bits switch { 512 => "-O3 -march=native", 256 => "-O3 -march=native -mavx2 -mno-avx512f", _ => "-O3 -march=native -mno-avx" };

static string? CompileAnchor(string source, int bits, out string note)
{
    if (!File.Exists(source)) { note = $"source {source} not found; no C ratio"; return null; }
    string exe = Path.Combine(Path.GetTempPath(), $"looped_forward_limit_{bits}_{Environment.ProcessId}");
    try
    {
        using var p = Process.Start(new ProcessStartInfo("gcc", $"{AnchorFlags(bits)} -o \"{exe}\" \"{source}\"") { RedirectStandardError = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { note = $"gcc failed ({err.Trim()}); no C ratio"; return null; }
        note = $"gcc {AnchorFlags(bits)}";
        return exe;
    }
    catch (System.ComponentModel.Win32Exception) { note = "gcc is missing; no C ratio"; return null; }
}

/// <summary>
/// The quick mode's parent: prints the ISA, then runs every width the host has (widest first) in a child process under that width's
/// runtime knobs, each against the C anchor built for the same width, then the numpy peer; one JSON with every width's figures.
/// </summary>
static int Parent(Options options, string repo)
{
    Console.WriteLine($"CPU: {CpuModel()}; {Environment.ProcessorCount} cores; host: {SimdWidth.Describe()}");
    Console.WriteLine($"load before: {LoadAverage()}");
    string anchorSource = Path.GetFullPath(Path.Combine(repo, "..", "shared", "bench", "looped_forward_limit.c"));
    string self = typeof(Options).Assembly.Location;
    var widths = new Dictionary<string, object?>();
    var summary = new List<string>();
    foreach (int bits in SimdWidth.All.Where(b => b <= SimdWidth.Bits))
    {
        string? anchor = CompileAnchor(anchorSource, bits, out string note);
        Console.WriteLine($"\n=== {bits}-bit lanes: {string.Join(" ", SimdWidth.RuntimeKnobs(bits).Select(k => $"{k.Name}={k.Value}"))}; C anchor: {note}");
        string json = Path.Combine(Path.GetTempPath(), $"bench_{bits}_{Environment.ProcessId}.json");
        var psi = new ProcessStartInfo("dotnet");
        foreach (var a in new[] { self, "--quick", "--rounds", options.Rounds.ToString(CultureInfo.InvariantCulture), "--width-child", bits.ToString(CultureInfo.InvariantCulture), "--json", json })
            psi.ArgumentList.Add(a);
        if (anchor is not null) { psi.ArgumentList.Add("--anchor"); psi.ArgumentList.Add(anchor); }
        if (options.OldMain is not null) { psi.ArgumentList.Add("--old-main"); psi.ArgumentList.Add(options.OldMain); }
        foreach (var (name, value) in SimdWidth.RuntimeKnobs(bits)) psi.Environment[name] = value;
        using (var child = Process.Start(psi)!)
        {
            child.WaitForExit();
            if (child.ExitCode != 0) { Console.Error.WriteLine($"warning: the {bits}-bit run exited with {child.ExitCode}; skipped"); continue; }
        }
        widths[bits.ToString(CultureInfo.InvariantCulture)] = JsonDocument.Parse(File.ReadAllText(json)).RootElement.Clone();
        File.Delete(json);
    }
    // The numpy peer (the same Monte Carlo loss, batched), when a python with numpy is there.
    var numpyRates = new List<double>();
    double numpyLoss = double.NaN;
    string? python = new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(HasNumpy);
    string numpyNote = python is null ? "numpy is not installed (python3 -c 'import numpy' fails): no numpy peer" : $"{python} Benchmarks/peers/mc_numpy.py";
    if (python is not null)
        for (int r = 0; r < options.Rounds; r++)
            if (RunJsonDocument(python, $"\"{Path.Combine(repo, "Benchmarks", "peers", "mc_numpy.py")}\" --repeats 1") is { } doc)
            {
                var e = doc.GetProperty("mc-loss-numpy");
                numpyRates.Add(e.GetProperty("prompts_per_s").GetDouble());
                numpyLoss = e.GetProperty("loss").GetDouble();
            }
    double numpy = numpyRates.Count > 0 ? SampleStatistics.Median(numpyRates) : double.NaN;
    Console.WriteLine($"\nnumpy peer: {numpyNote}: {numpy:N0} prompts/s (median of {numpyRates.Count})");
    Console.WriteLine("\nwidth  kernel/C  pipeline/C kernel  normals/s     mc-loss/numpy  train sparse (prompt-steps/s)  Figs. 1–2 full run  Fig. 6 full run (n = 20)");
    foreach (var (bits, v) in widths)
    {
        var w = (JsonElement)v!;
        var lf = w.GetProperty("workloads").GetProperty("looped-forward");
        double mc = w.GetProperty("workloads").GetProperty("mc-loss").GetProperty("engine_prompts_per_s").GetDouble();
        var recipes = w.GetProperty("workloads").GetProperty("recipes");
        Console.WriteLine($"{bits,5}  {lf.GetProperty("kernel_vs_c").GetDouble(),7:F2}×  {lf.GetProperty("pipeline_vs_c_kernel").GetDouble(),16:F2}×  {w.GetProperty("workloads").GetProperty("sampler").GetProperty("normals_per_s").GetDouble(),12:N0}  {mc / numpy,12:F2}×  " +
            $"{w.GetProperty("workloads").GetProperty("train-step")[0].GetProperty("prompt_steps_per_s").GetDouble(),29:N0}  {recipes[0].GetProperty("FullRunSeconds").GetDouble(),16:F0} s  {recipes[1].GetProperty("FullRunSeconds").GetDouble(),13:F0} s");
    }
    Console.WriteLine($"load after: {LoadAverage()}; each width's figures are medians of {options.Rounds} rounds inside its own child process (widths run one after another)");
    if (options.JsonPath is not null)
    {
        File.WriteAllText(options.JsonPath, JsonSerializer.Serialize(new
        {
            machine = new { cpu = CpuModel(), Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString(), host = SimdWidth.Describe(), rounds = options.Rounds },
            widths,
            numpy_peer = new { note = numpyNote, prompts_per_s = numpy, loss = numpyLoss, raw = numpyRates },
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Console.WriteLine($"wrote {options.JsonPath}");
    }
    return 0;
}

static bool HasNumpy(string python)
{
    try
    {
        using var p = Process.Start(new ProcessStartInfo(python, "-c \"import numpy\"") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }
    catch (System.ComponentModel.Win32Exception) { return false; }
}

static string CpuModel() =>
    File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown" : "unknown";

static JsonElement? RunJsonDocument(string file, string arguments)
{
    try
    {
        using var p = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true })!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { Console.Error.WriteLine($"warning: {file} {arguments} exited with {p.ExitCode}; skipped"); return null; }
        return JsonDocument.Parse(output).RootElement.Clone();
    }
    catch (Exception e) when (e is JsonException or System.ComponentModel.Win32Exception)
    {
        Console.Error.WriteLine($"warning: {file} {arguments}: {e.Message}; skipped");
        return null;
    }
}

static double? RunAnchor(string exe) => RunJson(exe, "", "looped-forward-c");

static double? RunOldMain(string dll, int prompts, int threads) => RunJson("dotnet", $"\"{dll}\" {prompts} {threads}", null);

/// <summary>Runs a timing subprocess and reads prompts_per_s from its one-line JSON.</summary>
static double? RunJson(string file, string arguments, string? key)
{
    try
    {
        using var p = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true })!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { Console.Error.WriteLine($"warning: {file} {arguments} exited with {p.ExitCode}; its timing is skipped"); return null; }
        var root = JsonDocument.Parse(output).RootElement;
        if (key is not null) root = root.GetProperty(key);
        return root.GetProperty("prompts_per_s").GetDouble();
    }
    catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or System.ComponentModel.Win32Exception)
    {
        Console.Error.WriteLine($"warning: {file} {arguments}: {e.Message}; its timing is skipped");
        return null;
    }
}

/// <summary>BenchmarkDotNet versions of the quick-mode workloads (detailed statistics, allocation counts).</summary>
[MemoryDiagnoser]
public class LoopedForwardBenchmarks
{
    private readonly IclEngine _engine;
    private readonly double[] _theta;
    private readonly PromptBatch _batch = Workloads.LoopedLaw.Draw(Workloads.N, 256, 1);
    private readonly double[] _predictions = new double[256];

    public LoopedForwardBenchmarks()
    {
        var (family, theta) = Workloads.LoopedEngineModel(50);
        _engine = new IclEngine(family);
        _theta = theta;
    }

    [Benchmark(Baseline = true)] public double Literal() => Workloads.LoopedForwardLiteral(4, 40, 50, 7);
    [Benchmark] public double PerPrompt() => Workloads.LoopedForwardPerPrompt(256, 40, 50, 7);
    [Benchmark] public double Engine() => Workloads.EngineForward(_engine, _theta, _batch, 1, _predictions);
}

[MemoryDiagnoser]
public class KappaBenchmarks
{
    [Benchmark] public double FastKappa() => Workloads.Kappa(4096, 1, 13);
}
