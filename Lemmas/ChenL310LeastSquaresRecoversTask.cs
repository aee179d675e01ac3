using LoopedIcl.Numerics.Spectra;

namespace LoopedIcl.Lemmas;

/// <summary>CHEN-L3.10: realizable labels and n &gt; d (X of full column rank a.s.): θ̃ = (XᵀX)⁻¹Xᵀy equals θ*.</summary>
[TestFixture, Category(ClaimIds.ChenL310), Category(CategoryLabels.Library)]
public sealed class ChenL310LeastSquaresRecoversTask
{
    /// <summary>CHEN-L3.10: least squares recovers θ* to a rounding budget that scales with κ(XᵀX).</summary>
    [Test]
    public void CHEN_L3_10_Least_squares_recovers_the_task_when_n_exceeds_d() =>
        Properties.ForAll(Cases.Overdetermined, s =>
        {
            var inst = Instance.Draw(s, TaskLaw.UnitSphere);
            var p = inst.Prompt;
            var theta = LeastSquares.Solve(p.X, p.Y);
            // Normal equations lose accuracy in proportion to κ(XᵀX); the sums have n terms.
            var kappa = Conditioning.GramConditionNumber(p.X);
            Agreement.Within(Agreement.Entries("θ̃ vs θ*", theta, p.Task), Tolerance.Accumulated(s.N * s.D, 1, 1, growth: kappa), $"least squares, {s}, κ(XᵀX)={kappa:G3}");
        });

    /// <summary>CHEN-L3.10 negative control: with n &lt; d the (minimum-norm) least-squares solution is not θ*.</summary>
    [Test]
    public void CHEN_L3_10_Negative_control_fewer_examples_than_dimensions() =>
        Properties.ExpectFailureOnEveryCase(Cases.Underdetermined, s =>
        {
            var inst = Instance.Draw(s, TaskLaw.UnitSphere);
            var p = inst.Prompt;
            var theta = RealMat.Column(LeastSquares.MinimumNorm(p.X, p.Y));
            // 1e-8 is far above rounding (~1e-13) yet far below a typical null-space component of a random unit θ* (~1/√d).
            Agreement.Within(Agreement.Entries("minimum-norm θ̃ vs θ*", theta, p.Task), 1e-8, $"n < d, {s}");
        }, "n < d");

    /// <summary>
    /// CHEN-L3.10 proved exactly: adj(XᵀX)Xᵀy = det(XᵀX)θ* has total degree ≤ 2d + 1. Negative control, exactly: with n = d − 1
    /// X has a null vector v, so θ* + v solves the normal equations as well and the least-squares solution is not θ* — the
    /// claim's own equality fails on exact values (not a solver's exception).
    /// </summary>
    [TestCase(1, 2)]
    [TestCase(3, 5)]
    [TestCase(4, 9)]
    public void CHEN_L3_10_Exact_rational_proof(int d, int n)
    {
        ExactProof.Run($"least squares recovers θ*, d={d} n={n}", degree: 2 * d + 1, pts =>
        {
            var p = pts.Prompt(n, d);
            return LeastSquares.Solve(p.X, p.Y).ExactlyEquals(p.Task);
        });
        if (d < 2) return;
        ExactProof.Refutes($"n = d − 1: least squares recovers θ*, d={d}", pts =>
        {
            var p = pts.Prompt(d - 1, d);
            var other = p.Task + NullVector(p.X);
            var xt = p.X.Transpose();
            Checks.True((xt * p.X * other).ExactlyEquals(xt * p.Y), $"θ* + v solves the normal equations exactly (d={d})", CheckKind.Sanity);
            return other.ExactlyEquals(p.Task);
        });
    }

    /// <summary>A non-zero v with Xv = 0 for X ∈ Q^{(d−1)×d}: v_d = 1 and the first d − 1 entries solve X[:, :d−1]v' = −X[:, d−1] (generic points).</summary>
    private static Mat<Rational> NullVector(Mat<Rational> x)
    {
        int m = x.Rows;
        var head = LinearSolve.Solve(x.Block(0, 0, m, m), -x.Block(0, m, m, 1));
        var v = Mat<Rational>.Zeros(m + 1, 1);
        v.SetBlock(0, 0, head);
        v[m, 0] = Rational.One;
        Checks.True((x * v).ExactlyEquals(Mat<Rational>.Zeros(m, 1)), "Xv = 0 exactly", CheckKind.Sanity);
        return v;
    }
}
