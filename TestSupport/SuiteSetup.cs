using NUnit.Framework;

namespace LoopedIcl.TestSupport;

/// <summary>
/// Per-assembly set-up: single-threaded MathNet (faster for d ≤ 32 and a fixed summation order; NUnit
/// parallelises across fixtures instead), and the claim ledger written at the end. Each test assembly
/// derives one [SetUpFixture] from this.
/// </summary>
public abstract class SuiteSetup
{
    [OneTimeSetUp]
    public void ConfigureNumerics() => MathNet.Numerics.Control.UseSingleThread();

    [OneTimeTearDown]
    public void WriteLedger() => ClaimLedger.Write(GetType().Assembly.GetName().Name ?? "tests");
}
