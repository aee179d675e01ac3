global using FsCheck;
global using FsCheck.Fluent;
global using LoopedIcl.Numerics.Statistics;
global using LoopedIcl.Numerics.Spectra;
