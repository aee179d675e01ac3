// A planted namespace cycle for the architecture self-test's control (ArchitectureSelfTests): A uses B and B uses A.
namespace LoopedIcl.Lemmas.ArchitectureFixture.A
{
    internal static class UsesB { public static int Value() => B.UsesA.One() + 1; }
}

namespace LoopedIcl.Lemmas.ArchitectureFixture.B
{
    internal static class UsesA
    {
        public static int One() => 1;
        public static int Value() => A.UsesB.Value();
    }
}
