namespace LoopedIcl.TestSupport;

/// <summary>
/// Samples closed under a group of data symmetries, so that sample averages inherit the population's symmetry exactly (Ahn notes §3.5):
/// for x ~ N(0, Σ), w* ~ N(0, Σ⁻¹) the law is invariant under V = RgR⁻¹ (RRᵀ = Σ, g a signed permutation); a base sample of
/// whitened S̃ mapped through every g gives S = R g S̃ gᵀ Rᵀ, and the sample loss is then exactly invariant.
/// </summary>
public static class AhnGroupSamples
{
    public static Matrix<double>[] Orbit(Matrix<double> sigma, int n, int baseCount, int seed, bool signsOnly = false)
    {
        int d = sigma.RowCount;
        var r = sigma.Cholesky().Factor;
        var whitened = SparseFamilyLoss.DrawSamples(Sigmas.Identity(d), n, baseCount, seed);
        var group = (signsOnly ? SignedPermutations.Signs(d) : SignedPermutations.All(d)).ToArray();
        return whitened.SelectMany(s => group.Select(g => r * g * s * g.Transpose() * r.Transpose())).ToArray();
    }

}
