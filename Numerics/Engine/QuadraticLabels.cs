using LoopedIcl.Numerics.Prompts;
using LoopedIcl.Numerics.Engine;
using LoopedIcl.Numerics.Optimization;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Engine;

/// <summary>Whether the symmetric M of the quadratic part is one matrix for the whole run or drawn afresh for every prompt.</summary>
public enum QuadraticFormLaw
{
    /// <summary>One M for every prompt (the exact population formulas assume this).</summary>
    Fixed,
    /// <summary>M = (G + Gᵀ)/2 with G a d×d matrix of N(0, 1) entries, drawn per prompt from the batch seed's own streams.</summary>
    PerPrompt,
}

/// <summary>
/// Quadratic labels (X-QUAD-*): y = ⟨w*, x⟩ + γ·q(x), q(x) = (xᵀMx − tr(MΣ))/√(2 tr((MΣ)²)), applied to both the context labels and
/// the query target. Convention: the centring and scale use the law's Σ, so under x ~ N(0, Σ) E q = 0, E q² = 1 and E[q(x)x] = 0
/// (q is even, x odd); at Σ = I this is CLAIMS.md's (xᵀMx − tr M)/√(2 tr M²). γ = 0 leaves the papers' linear task untouched.
/// Applied as a post-draw transform of a <see cref="PromptBatch"/> (in place, once per draw): a function of the batch's seed only,
/// with per-prompt M drawn by <see cref="LaneNormals"/> on streams disjoint from the prompt streams.
/// </summary>
public sealed class QuadraticLabels
{
    /// <summary>Stream offset of the per-prompt M draws (prompt groups use streams 0, 1, …; a batch has far fewer groups).</summary>
    private const ulong MatrixStreams = 1UL << 40;

    public double Gamma { get; }
    public int D { get; }
    public QuadraticFormLaw FormLaw { get; }
    public Matrix<double> Sigma { get; }
    /// <summary>The fixed M (null for <see cref="QuadraticFormLaw.PerPrompt"/>).</summary>
    public Matrix<double>? M { get; }

    private readonly double[]? _m;        // fixed M, row-major
    private readonly double _centre, _scale;

    private QuadraticLabels(double gamma, Matrix<double>? m, QuadraticFormLaw law, Matrix<double> sigma)
    {
        Guard.Finite(gamma, nameof(gamma));
        Guard.SymmetricPositiveDefinite(sigma, nameof(sigma));
        Gamma = gamma;
        D = sigma.RowCount;
        FormLaw = law;
        Sigma = sigma;
        if (m is not null)
        {
            Guard.Shape(m.RowCount, m.ColumnCount, D, D, nameof(m));
            Guard.AllFinite(m, nameof(m));
            if (!(m - m.Transpose()).Equals(Matrix<double>.Build.Dense(D, D)))
                throw new ArgumentException("m must be symmetric (M = Mᵀ exactly).", nameof(m));
            var ms = m * sigma;
            double tr2 = (ms * ms).Trace();
            if (!(tr2 > 0)) throw new ArgumentException("m must be non-zero (tr((MΣ)²) > 0).", nameof(m));
            M = m;
            _m = Enumerable.Range(0, D * D).Select(k => m[k / D, k % D]).ToArray();
            (_centre, _scale) = (ms.Trace(), 1 / Math.Sqrt(2 * tr2));
        }
    }

    /// <summary>One M for every prompt; Σ = I unless given.</summary>
    public static QuadraticLabels Fixed(double gamma, Matrix<double> m, Matrix<double>? sigma = null)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new QuadraticLabels(gamma, m, QuadraticFormLaw.Fixed, sigma ?? Matrix<double>.Build.DenseIdentity(m.RowCount));
    }

    /// <summary>M drawn per prompt (symmetric Gaussian); Σ = I unless given.</summary>
    public static QuadraticLabels PerPrompt(double gamma, int d, Matrix<double>? sigma = null)
    {
        Guard.Positive(d, nameof(d));
        return new QuadraticLabels(gamma, null, QuadraticFormLaw.PerPrompt, sigma ?? Matrix<double>.Build.DenseIdentity(d));
    }

    /// <summary>q(x) for the fixed M.</summary>
    public double Q(ReadOnlySpan<double> x)
    {
        if (_m is null) throw new InvalidOperationException("q(x) of a single x needs a fixed M (this law draws M per prompt).");
        Guard.Length(x.Length, D, nameof(x));
        return (Form(_m, x, 1, 0) - _centre) * _scale;
    }

    /// <summary>Adds γ·q(x) to every context label and to the query target of the valid prompts of <paramref name="batch"/> (in place).</summary>
    public PromptBatch Apply(PromptBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.D != D) throw new ArgumentException($"batch has d = {batch.D}, the quadratic labels d = {D}.", nameof(batch));
        if (!batch.Law.Sigma.Equals(Sigma)) throw new ArgumentException("batch must be drawn under the Σ the quadratic labels were centred for.", nameof(batch));
        if (Gamma == 0) return batch;
        int lanes = PromptBatch.Lanes; // not const: the lane count may become a runtime width
        int n = batch.N, d = D;
        var m = new double[d * d];
        var g = _m is null ? new double[d * d * lanes] : [];
        for (int grp = 0; grp < batch.Groups; grp++)
        {
            int valid = Math.Min(lanes, batch.Count - grp * lanes);
            LaneNormals rng = default;
            if (_m is null)
            {
                rng = new LaneNormals(batch.Seed, MatrixStreams + (ulong)grp);
                rng.Fill(g);
            }
            for (int k = 0; k < valid; k++)
            {
                double centre = _centre, scale = _scale;
                var mk = _m;
                if (mk is null)
                {
                    for (int a = 0; a < d; a++)
                        for (int b = 0; b < d; b++) m[a * d + b] = 0.5 * (g[(a * d + b) * lanes + k] + g[(b * d + a) * lanes + k]);
                    (centre, scale) = Normalisation(m);
                    mk = m;
                }
                for (int i = 0; i < n; i++)
                    batch.Y[(grp * n + i) * lanes + k] += Gamma * (Form(mk, batch.X.AsSpan(((grp * n + i) * d) * lanes), lanes, k) - centre) * scale;
                batch.Target[grp * lanes + k] += Gamma * (Form(mk, batch.Query.AsSpan(grp * d * lanes), lanes, k) - centre) * scale;
            }
        }
        return batch;
    }

    /// <summary>A batch of the law with quadratic labels: <paramref name="law"/>.Draw then <see cref="Apply"/>.</summary>
    public PromptBatch Draw(PromptLaw law, int n, int count, ulong seed, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(law);
        if (!law.Sigma.Equals(Sigma)) throw new ArgumentException("law.Sigma must be the Σ the quadratic labels were centred for.", nameof(law));
        return Apply(law.Draw(n, count, seed, threads));
    }

    /// <summary>(tr(MΣ), 1/√(2 tr((MΣ)²))) for a row-major M (plain loops: this runs once per prompt).</summary>
    private (double Centre, double Scale) Normalisation(double[] m)
    {
        int d = D;
        var ms = new double[d * d];
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
            {
                double s = 0;
                for (int k = 0; k < d; k++) s += m[a * d + k] * Sigma[k, b];
                ms[a * d + b] = s;
            }
        double trace = 0, trace2 = 0;
        for (int a = 0; a < d; a++)
        {
            trace += ms[a * d + a];
            for (int b = 0; b < d; b++) trace2 += ms[a * d + b] * ms[b * d + a];
        }
        return (trace, 1 / Math.Sqrt(2 * trace2));
    }

    /// <summary>xᵀMx with x[a] at x[a·stride + offset].</summary>
    private static double Form(double[] m, ReadOnlySpan<double> x, int stride, int offset)
    {
        int d = (int)Math.Sqrt(m.Length);
        double s = 0;
        for (int a = 0; a < d; a++)
        {
            double row = 0;
            for (int b = 0; b < d; b++) row += m[a * d + b] * x[b * stride + offset];
            s += x[a * stride + offset] * row;
        }
        return s;
    }
}

/// <summary>An in-context objective on quadratic labels: every batch the inner objective draws gets <see cref="QuadraticLabels.Apply"/>.</summary>
public sealed class QuadraticLabelObjective : IBatchObjective<PromptBatch>
{
    public IBatchObjective<PromptBatch> Inner { get; }
    public QuadraticLabels Labels { get; }

    public QuadraticLabelObjective(IBatchObjective<PromptBatch> inner, QuadraticLabels labels)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(labels);
        Inner = inner;
        Labels = labels;
    }

    public int Dimension => Inner.Dimension;

    public PromptBatch Draw(int prompts, ulong seed) => Labels.Apply(Inner.Draw(prompts, seed));

    public double Evaluate(ReadOnlySpan<double> x, PromptBatch batch, Span<double> gradient) => Inner.Evaluate(x, batch, gradient);
}
