using NUnit.Framework;

// Fixtures run in parallel (each fixture's tests in sequence); MathNet stays single-threaded inside each test.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]

/// <summary>Assembly-wide set-up (outside any namespace, so it covers every fixture): see <see cref="LoopedIcl.TestSupport.SuiteSetup"/>.</summary>
[SetUpFixture]
public sealed class AssemblySetup : LoopedIcl.TestSupport.SuiteSetup;
