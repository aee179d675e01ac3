using System.Runtime.CompilerServices;

// The LEARN-GRAD negative controls switch on a deliberate adjoint fault (IclEngine.Fault).
[assembly: InternalsVisibleTo("LoopedIcl.Lemmas")]
