using NUnit.Framework;

/// <summary>Assembly-wide set-up (outside any namespace, so it covers every fixture): see <see cref="LoopedIcl.TestSupport.SuiteSetup"/>.</summary>
[SetUpFixture]
public sealed class AssemblySetup : LoopedIcl.TestSupport.SuiteSetup;
