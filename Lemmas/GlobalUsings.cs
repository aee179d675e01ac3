global using NUnit.Framework;
global using LoopedIcl.Numerics;
global using LoopedIcl.Numerics.Algebra;
global using LoopedIcl.Numerics.Models;
global using LoopedIcl.Numerics.Prompts;
global using LoopedIcl.Numerics.Algorithms;
global using LoopedIcl.TestSupport;
global using Property = FsCheck.NUnit.PropertyAttribute;
