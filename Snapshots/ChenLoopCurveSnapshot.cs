using LoopedIcl.Numerics.Spectra;
using LoopedIcl.Snapshots;

namespace LoopedIcl.SnapshotTests;

/// <summary>CHEN-L4.2 curve: the literal looped transformer's error |⟨TF_T, θ*⟩ − α| on one fixed-seed prompt, with the bound |α|e^(−T/2κ).</summary>
[TestFixture, Category("CHEN-L4.2"), Category("SNAPSHOT")]
public sealed class ChenLoopCurveSnapshot
{
    /// <summary>CHEN-L4.2: the error-vs-loops curve (log10) of one fixed prompt matches its committed snapshot.</summary>
    [Test]
    public void CHEN_L4_2_Error_versus_loops_matches_the_snapshot()
    {
        const int d = 4, n = 16, loops = 40, seed = 4242;
        const double alpha = 1.0;
        var rng = Rng.Create(seed);
        var prompt = PromptSampler.Isotropic(d, TaskLaw.UnitSphere).Sample(n, rng);
        var (min, max) = Conditioning.GramExtremes(prompt.X);
        var kappa = max / min;
        var model = new ChenLoopedTransformer<Real>(Families.ChenIdentity<Real>(d), 1.0 / max);
        var trajectory = model.Trajectory(Embedding.RowTokens(prompt.X, prompt.Y, Mat<Real>.Zeros(d, 1), (Real)alpha), loops);
        var error = trajectory.Select(z => Math.Log10(Math.Abs(Mat<Real>.Dot(ChenLoopedTransformer<Real>.Readout(z), prompt.Task).Value - alpha))).ToArray();
        var bound = Enumerable.Range(0, loops + 1).Select(t => Math.Log10(Math.Abs(alpha)) - t / (2 * kappa) / Math.Log(10)).ToArray();
        CurveSnapshot.Match("CHEN-L4.2.error-vs-loops.d4-n16-seed4242",
            new Dictionary<string, object> { ["d"] = d, ["n"] = n, ["seed"] = seed, ["alpha"] = alpha, ["kappa"] = CurveSnapshot.Round(kappa) },
            new Dictionary<string, IReadOnlyList<double>> { ["log10_error"] = error, ["log10_bound"] = bound });
    }
}
