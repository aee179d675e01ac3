using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LoopedIcl.Numerics.Curves;
using LoopedIcl.Report;

// The verification report: claims table from the tests' ledger, figures from the same Numerics functions the tests and snapshots use.
// Usage: dotnet run -c Release --project Report [-- --out DIR] [--scale N] [--ledger DIR] [--no-tests]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
MathNet.Numerics.Control.UseSingleThread();
string outDir = "report", ledgerDir = Path.Combine("artifacts", "ledger");
int scale = 1;
bool runTests = true;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out": outDir = Next(ref i); break;
        case "--ledger": ledgerDir = Next(ref i); break;
        case "--scale":
            if (!int.TryParse(Next(ref i), out scale) || scale < 1) return Fail("--scale takes a whole number ≥ 1 (1 = default tier, 10 = paper-size samples)");
            break;
        case "--no-tests": runTests = false; break;
        case "-h" or "--help":
            Console.WriteLine("dotnet run -c Release --project Report [-- --out DIR (default report)] [--scale N (default 1)] [--ledger DIR (default artifacts/ledger)] [--no-tests]");
            return 0;
        default: return Fail($"unknown argument '{args[i]}' (try --help)");
    }
}
string Next(ref int i) => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");

var root = FindRoot();
if (!Path.IsPathRooted(ledgerDir)) ledgerDir = Path.Combine(root, ledgerDir);
if (!Path.IsPathRooted(outDir)) outDir = Path.Combine(Directory.GetCurrentDirectory(), outDir);
var clock = Stopwatch.StartNew();

// 1. The ledger: what the tests measured. Without one, run the default test tier to produce it (or say how).
if (!Directory.Exists(ledgerDir) || Directory.GetFiles(ledgerDir, "*.json").Length == 0)
{
    const string how = "dotnet test LoopedIcl.Verification.sln --settings tests.runsettings";
    if (!runTests) return Fail($"no claim ledger in {ledgerDir}; produce one with: {how}");
    Console.WriteLine($"[report] no claim ledger yet: running the test suite to produce it ({how})");
    var test = Process.Start(new ProcessStartInfo("dotnet", $"test \"{Path.Combine(root, "LoopedIcl.Verification.sln")}\" --settings \"{Path.Combine(root, "tests.runsettings")}\"") { WorkingDirectory = root })!;
    test.WaitForExit();
    Console.WriteLine($"[report] test run finished with exit code {test.ExitCode} ({clock.Elapsed.TotalSeconds:F0} s)");
    if (!Directory.Exists(ledgerDir) || Directory.GetFiles(ledgerDir, "*.json").Length == 0) return Fail($"the test run wrote no ledger to {ledgerDir}");
}
var ledger = Ledger.Read(ledgerDir);
Console.WriteLine($"[report] ledger: {ledger.Claims.Count} claim(s) from {string.Join(", ", ledger.Assemblies)}");

// 2. Figures.
Directory.CreateDirectory(Path.Combine(outDir, "figures"));
var curves = new List<(CurveSet Curve, string File)>();
var makers = ExpectedCurves.All().ToArray();
for (int k = 0; k < makers.Length; k++)
{
    var t0 = clock.Elapsed;
    var curve = makers[k](scale);
    var file = Path.Combine("figures", curve.Id + ".png");
    Figures.Render(curve, Path.Combine(outDir, file));
    curves.Add((curve, file));
    Console.WriteLine($"[report] [{k + 1}/{makers.Length}] {curve.Claim,-10} {curve.Id} ({(clock.Elapsed - t0).TotalSeconds:F1} s)");
}

// 3. The page.
var md = Markdown.Page(ledger, curves, scale);
File.WriteAllText(Path.Combine(outDir, "REPORT.md"), md);
Console.WriteLine($"[report] wrote {Path.Combine(outDir, "REPORT.md")} and {curves.Count} figures in {clock.Elapsed.TotalSeconds:F0} s");
var violated = ledger.Claims.Values.Where(c => c.Violations > 0).Select(c => c.Claim).ToArray();
if (violated.Length > 0)
{
    Console.Error.WriteLine($"[report] claims that FAILED in the ledger: {string.Join(", ", violated)}");
    return 1;
}
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine("[report] " + message);
    return 2;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "LoopedIcl.Verification.sln"))) return dir.FullName;
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "LoopedIcl.Verification.sln"))) return dir.FullName;
    return Directory.GetCurrentDirectory();
}
