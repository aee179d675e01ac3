// Compiled against main's Numerics at d60204e (see Benchmarks/old-main.sh), not part of the Benchmarks project:
// the L = 8 Monte Carlo loss exactly as main's Benchmarks timed it (PromptBuffer + GramKernel through ParallelMonteCarlo),
// warmed up, then timed; prints {"prompts_per_s": …}.
using System.Diagnostics;
using System.Globalization;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Losses;
using LoopedIcl.Numerics.Models;
using LoopedIcl.Numerics.Prompts;
using MathNet.Numerics.LinearAlgebra;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
int prompts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40_000;
int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
var a = (Real)0.9 * Mat<Real>.Identity(10) + Rng.GaussianMatrix(Rng.Create(1), 10, 10, 0.01);
var layers = Enumerable.Repeat(Families.Gatmiry(a), 8).ToArray();
double Run(int m) => ParallelMonteCarlo.PredictionLoss(Matrix<double>.Build.DenseIdentity(10), TaskLaw.InverseCovariance, 40, m, 11,
    () => { var k = new GramKernel(layers, ResidualSign.Minus); return b => k.Predict(b); }, threads).Mean;
Run(8192);
var sw = Stopwatch.StartNew();
double mean = Run(prompts);
Console.WriteLine($"{{\"prompts_per_s\": {prompts / sw.Elapsed.TotalSeconds:F0}, \"mean\": {mean:R}}}");
