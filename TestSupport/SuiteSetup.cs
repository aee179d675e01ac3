using NUnit.Framework;
using NUnit.Framework.Interfaces;

namespace LoopedIcl.TestSupport;

/// <summary>
/// Per-assembly set-up: the run parameters validated once (one clear message, no test started on bad input), single-threaded
/// MathNet (faster for d ≤ 32 and a fixed summation order; NUnit parallelises across fixtures instead), a replay command
/// printed under every failing test, and the claim ledger written at the end with every test's outcome. Each test assembly
/// derives one [SetUpFixture] from this.
/// </summary>
[ReplayOnFailure]
public abstract class SuiteSetup
{
    [OneTimeSetUp]
    public void ValidateAndConfigure()
    {
        var problem = TestSettings.Validate();
        if (problem is not null)
        {
            // One message for the whole run instead of one failure per test: stop the test host before any test starts.
            Console.Error.WriteLine(problem);
            TestContext.Progress.WriteLine(problem);
            Environment.Exit(2);
        }
        MathNet.Numerics.Control.UseSingleThread();
    }

    [OneTimeTearDown]
    public void WriteLedger() => ClaimLedger.Write(GetType().Assembly.GetName().Name ?? "tests");
}

/// <summary>Prints a bash-pasteable replay command (claim, test filter, base seed) under every test that did not pass.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Assembly, Inherited = true)]
public sealed class ReplayOnFailureAttribute : Attribute, ITestAction
{
    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test) { }

    public void AfterTest(ITest test)
    {
        var status = TestContext.CurrentContext.Result.Outcome.Status;
        if (status is TestStatus.Failed or TestStatus.Warning)
            TestContext.Out.WriteLine($"replay: {LedgerFile.ReplayCommand(test)}");
    }
}
