global using FsCheck;
global using FsCheck.Fluent;
global using LoopedIcl.Numerics.Statistics;
global using LoopedIcl.Numerics.Spectra;
global using LoopedIcl.Numerics.Losses;
global using LoopedIcl.Numerics.Moments;
global using MathNet.Numerics.LinearAlgebra;
global using LoopedIcl.Numerics.Training;
