namespace LoopedIcl.Experiments;

/// <summary>Data laws the experiments share (the tests and the report draw the same Σ from the same named stream).</summary>
public static class Laws
{
    /// <summary>Σ with d eigenvalues evenly spread over [lo, hi] in a random basis from the named stream (d ≥ 2).</summary>
    public static Matrix<double> SpreadCovariance(int d, double lo, double hi, SeedPlan seeds, string name)
    {
        if (d < 2) throw new ArgumentException($"{nameof(d)} must be ≥ 2 for a spread of eigenvalues (got {d}).", nameof(d));
        return Covariance.FromSpectrum(Enumerable.Range(0, d).Select(i => lo + (hi - lo) * i / (d - 1)).ToArray(), Rng.Create(seeds.Int(name)));
    }
}
