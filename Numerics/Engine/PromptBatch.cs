using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LoopedIcl.Numerics.Algebra;
using LoopedIcl.Numerics.Prompts;
using MathNet.Numerics.LinearAlgebra;

namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// The law of a prompt: x_i, x_q ~ N(0, Σ) i.i.d. (x = Rg with RRᵀ = Σ; the product is skipped when Σ = I exactly),
/// w* from a <see cref="TaskLaw"/>, y_i = ⟨w*, x_i⟩ + σ ε_i, y_q = ⟨w*, x_q⟩ (noise-free target).
/// </summary>
public sealed class PromptLaw
{
    internal readonly double[]? Chol;      // R, lower triangular row-major; null when Σ = I
    internal readonly double[]? CholInvT;  // R⁻ᵀ, upper triangular row-major; null when Σ = I

    public int D { get; }
    public Matrix<double> Sigma { get; }
    public TaskLaw Task { get; }
    public double NoiseSigma { get; }
    public bool IsIdentity => Chol is null;

    public PromptLaw(Matrix<double> sigma, TaskLaw task, double noiseSigma = 0)
    {
        ArgumentNullException.ThrowIfNull(sigma);
        Guard.SymmetricPositiveDefinite(sigma, nameof(sigma));
        if (!(double.IsFinite(noiseSigma) && noiseSigma >= 0))
            throw new ArgumentException($"{nameof(noiseSigma)} must be finite and ≥ 0 (got {noiseSigma}).", nameof(noiseSigma));
        if (!Enum.IsDefined(task)) throw new ArgumentException($"{nameof(task)} must be a defined TaskLaw (got {task}).", nameof(task));
        D = sigma.RowCount;
        Sigma = sigma;
        Task = task;
        NoiseSigma = noiseSigma;
        if (!sigma.Equals(Matrix<double>.Build.DenseIdentity(D)))
        {
            var r = sigma.Cholesky().Factor;
            Chol = Flatten(r);
            CholInvT = Flatten(r.Inverse().Transpose());
        }
    }

    /// <summary>Σ = I (the shortcut: no Σ^{1/2} products).</summary>
    public static PromptLaw Isotropic(int d, TaskLaw task, double noiseSigma = 0)
    {
        Guard.Positive(d, nameof(d));
        return new PromptLaw(Matrix<double>.Build.DenseIdentity(d), task, noiseSigma);
    }

    private static double[] Flatten(Matrix<double> m) => Enumerable.Range(0, m.RowCount * m.ColumnCount).Select(k => m[k / m.ColumnCount, k % m.ColumnCount]).ToArray();

    /// <summary>
    /// <paramref name="count"/> prompts with <paramref name="n"/> context examples. Lane group g (prompts 8g … 8g+7) draws from its own
    /// stream seeded by (seed, g), so the batch is a function of (law, n, count, seed) only, whatever <paramref name="threads"/> is.
    /// </summary>
    public PromptBatch Draw(int n, int count, ulong seed, int threads = 1)
    {
        Guard.Positive(n, nameof(n));
        Guard.Positive(count, nameof(count));
        Guard.Positive(threads, nameof(threads));
        var batch = new PromptBatch(this, n, count, seed);
        batch.DrawAll(threads);
        return batch;
    }

    /// <summary>
    /// Refills <paramref name="batch"/> (same law, n and count) in place with the prompts Draw(n, count, <paramref name="seed"/>) gives:
    /// no allocation, for training loops and Monte Carlo chunks that reuse one buffer.
    /// </summary>
    public void Redraw(PromptBatch batch, ulong seed, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!ReferenceEquals(batch.Law, this)) throw new ArgumentException("batch must have been drawn from this law.", nameof(batch));
        Guard.Positive(threads, nameof(threads));
        batch.Seed = seed;
        batch.DrawAll(threads);
    }

    /// <summary>
    /// Refills <paramref name="batch"/> (same law) with a later window of the prompt sequence at <paramref name="seed"/>: prompt p of the batch
    /// becomes prompt 8·<paramref name="firstGroup"/> + p of Draw(n, ·, seed) (group g is drawn from stream firstGroup + g). Monte Carlo walks
    /// one long sequence a window at a time with it, without holding the whole sequence.
    /// </summary>
    public void RedrawAt(PromptBatch batch, ulong seed, int firstGroup)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!ReferenceEquals(batch.Law, this)) throw new ArgumentException("batch must have been drawn from this law.", nameof(batch));
        if (firstGroup < 0) throw new ArgumentException($"{nameof(firstGroup)} must be ≥ 0 (got {firstGroup}).", nameof(firstGroup));
        batch.Seed = seed;
        batch.DrawAll(1, firstGroup);
    }
}

/// <summary>
/// A batch of prompts in struct-of-arrays form, in lane groups of <see cref="Lanes"/> prompts (one prompt per SIMD lane):
/// X[((g·n + i)·d + a)·8 + k] is x_i[a] of prompt 8g + k; Y[(g·n + i)·8 + k], Query[(g·d + a)·8 + k], Task likewise,
/// Target[g·8 + k]. Lanes past <see cref="Count"/> are zero (they predict 0 for target 0 and add nothing to any sum).
/// </summary>
public sealed class PromptBatch
{
    public const int Lanes = 8;

    public PromptLaw Law { get; }
    public int N { get; }
    public int D { get; }
    public int Count { get; }
    public int Groups { get; }
    public ulong Seed { get; internal set; }
    public double[] X { get; }
    public double[] Y { get; }
    public double[] Query { get; }
    public double[] Target { get; }
    public double[] Task { get; }

    internal PromptBatch(PromptLaw law, int n, int count, ulong seed)
    {
        Law = law;
        N = n;
        D = law.D;
        Count = count;
        Seed = seed;
        Groups = (count + Lanes - 1) / Lanes;
        X = new double[Groups * n * D * Lanes];
        Y = new double[Groups * n * Lanes];
        Query = new double[Groups * D * Lanes];
        Target = new double[Groups * Lanes];
        Task = new double[Groups * D * Lanes];
    }

    /// <summary>Draws every group, group g from stream <paramref name="firstGroup"/> + g of the seed.</summary>
    internal void DrawAll(int threads, int firstGroup = 0)
    {
        if (threads == 1 || Groups < 16) for (int g = 0; g < Groups; g++) DrawGroup(g, (ulong)(firstGroup + g));
        else DrawAllInParallel(threads, firstGroup); // apart, so the serial path allocates no closure
    }

    private void DrawAllInParallel(int threads, int firstGroup) =>
        Parallel.For(0, Groups, new ParallelOptions { MaxDegreeOfParallelism = threads }, g => DrawGroup(g, (ulong)(firstGroup + g)));

    /// <summary>A batch holding the given prompts in order (same n and d; their law is recorded as <paramref name="law"/>). For held-out or exact test prompts.</summary>
    public static PromptBatch FromPrompts(PromptLaw law, IReadOnlyList<Prompt<Real>> prompts)
    {
        ArgumentNullException.ThrowIfNull(law);
        ArgumentNullException.ThrowIfNull(prompts);
        Guard.Positive(prompts.Count, "prompts.Count");
        int n = prompts[0].N, d = prompts[0].D;
        if (d != law.D) throw new ArgumentException($"prompts have d = {d}, the law d = {law.D}.", nameof(prompts));
        var batch = new PromptBatch(law, n, prompts.Count, 0);
        for (int p = 0; p < prompts.Count; p++)
        {
            var pr = prompts[p];
            Guard.Shape(pr.X.Rows, pr.X.Cols, n, d, $"{nameof(prompts)}[{p}].X");
            int g = p / Lanes, k = p % Lanes;
            for (int i = 0; i < n; i++)
            {
                for (int a = 0; a < d; a++) batch.X[((g * n + i) * d + a) * Lanes + k] = pr.X[i, a].Value;
                batch.Y[(g * n + i) * Lanes + k] = pr.Y[i, 0].Value;
            }
            for (int a = 0; a < d; a++)
            {
                batch.Query[(g * d + a) * Lanes + k] = pr.Query[a, 0].Value;
                batch.Task[(g * d + a) * Lanes + k] = pr.Task[a, 0].Value;
            }
            batch.Target[g * Lanes + k] = pr.QueryTarget.Value;
        }
        return batch;
    }

    /// <summary>
    /// Copies prompt <paramref name="index"/> into flat arrays, allocation-free: x (n×d, row-major), y (n), x_q (d); returns y_q. For
    /// one-prompt-at-a-time code (the engine's <see cref="IclEngine.Evaluator"/>, per-prompt solvers).
    /// </summary>
    public double CopyPrompt(int index, Span<double> x, Span<double> y, Span<double> query)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentException($"index must be in [0, {Count}) (got {index}).", nameof(index));
        int g = index / Lanes, k = index % Lanes, n = N, d = D;
        Guard.Length(x.Length, n * d, nameof(x));
        Guard.Length(y.Length, n, nameof(y));
        Guard.Length(query.Length, d, nameof(query));
        for (int m = 0; m < n * d; m++) x[m] = X[(g * n * d + m) * Lanes + k];
        for (int i = 0; i < n; i++) y[i] = Y[(g * n + i) * Lanes + k];
        for (int a = 0; a < d; a++) query[a] = Query[(g * d + a) * Lanes + k];
        return Target[g * Lanes + k];
    }

    /// <summary>Prompt <paramref name="index"/> as a <see cref="Prompt{T}"/> (allocates; for cross-checks against the literal model).</summary>
    public Prompt<Real> ToPrompt(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentException($"index must be in [0, {Count}) (got {index}).", nameof(index));
        int g = index / Lanes, k = index % Lanes, n = N, d = D;
        return new Prompt<Real>(
            Mat<Real>.Build(n, d, (i, a) => X[((g * n + i) * d + a) * Lanes + k]),
            Mat<Real>.Build(n, 1, (i, _) => Y[(g * n + i) * Lanes + k]),
            Mat<Real>.Build(d, 1, (a, _) => Query[(g * d + a) * Lanes + k]),
            Target[g * Lanes + k],
            Mat<Real>.Build(d, 1, (a, _) => Task[(g * d + a) * Lanes + k]));
    }

    /// <summary>
    /// Draws lane group g from stream <paramref name="stream"/> of the batch's seed (a batch uses stream g for group g; a window drawn by
    /// <see cref="PromptLaw.RedrawAt"/> continues the numbering, so it holds later prompts of the same sequence):
    /// the task, then each context example (covariates, noise), then the query — a fixed order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void DrawGroup(int g, ulong stream)
    {
        int n = N, d = D;
        var rng = new LaneNormals(Seed, stream);
        Span<double> z = stackalloc double[d * Lanes];
        Span<double> w = Task.AsSpan(g * d * Lanes, d * Lanes);
        rng.Fill(z);
        switch (Law.Task)
        {
            case TaskLaw.Isotropic:
                z.CopyTo(w);
                break;
            case TaskLaw.InverseCovariance:
                if (Law.CholInvT is null) z.CopyTo(w);
                else UpperTimes(Law.CholInvT, z, w, d);
                break;
            case TaskLaw.UnitSphere:
                for (int k = 0; k < Lanes; k++)
                {
                    double s = 0;
                    for (int a = 0; a < d; a++) s += z[a * Lanes + k] * z[a * Lanes + k];
                    s = 1 / Math.Sqrt(s);
                    for (int a = 0; a < d; a++) w[a * Lanes + k] = z[a * Lanes + k] * s;
                }
                break;
        }
        if (Law.NoiseSigma == 0)
        {
            // No noise draws between the examples: their covariates are one run of the stream, so one Fill for all n (the same numbers
            // as n fills: LaneNormals is a stream, its spare carried over) saves the per-call state loads and stores.
            var xs = X.AsSpan(g * n * d * Lanes, n * d * Lanes);
            rng.Fill(xs);
            CorrelateAndLabel(Law.Chol, xs, w, Y.AsSpan(g * n * Lanes, n * Lanes), n, d);
        }
        else
        {
            Span<double> noise = stackalloc double[Lanes];
            for (int i = 0; i < n; i++)
            {
                var x = X.AsSpan((g * n + i) * d * Lanes, d * Lanes);
                rng.Fill(x);
                var y = Y.AsSpan((g * n + i) * Lanes, Lanes);
                CorrelateAndLabel(Law.Chol, x, w, y, 1, d);
                rng.Fill(noise);
                for (int k = 0; k < Lanes; k++) y[k] += Law.NoiseSigma * noise[k];
            }
        }
        var q = Query.AsSpan(g * d * Lanes, d * Lanes);
        rng.Fill(q);
        CorrelateAndLabel(Law.Chol, q, w, Target.AsSpan(g * Lanes, Lanes), 1, d);
        int valid = Math.Min(Lanes, Count - g * Lanes);
        if (valid < Lanes) ZeroLanes(g, valid);
    }

    /// <summary>
    /// For <paramref name="count"/> vectors of a group (each d lane vectors): x ← Rx when R is given (x = Rg ~ N(0, Σ) from standard
    /// normals g; row a needs g[0..a] only, so the rows go from the last up), then label = ⟨w, x⟩. At the hardware's width, the same
    /// FMA chain per lane at every width.
    /// </summary>
    private static void CorrelateAndLabel(double[]? chol, Span<double> x, ReadOnlySpan<double> w, Span<double> label, int count, int d)
    {
        if (Vector512.IsHardwareAccelerated) CorrelateAndLabel<Lanes512, Vector512<double>, Vector512<ulong>>(chol, x, w, label, count, d);
        else if (Vector256.IsHardwareAccelerated) CorrelateAndLabel<Lanes256, Vector256<double>, Vector256<ulong>>(chol, x, w, label, count, d);
        else CorrelateAndLabel<Lanes128, Vector128<double>, Vector128<ulong>>(chol, x, w, label, count, d);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CorrelateAndLabel<W, TD, TU>(double[]? chol, Span<double> x, ReadOnlySpan<double> w, Span<double> label, int count, int d)
        where W : ILaneOps<TD, TU> where TD : struct where TU : struct
    {
        ref double x0 = ref MemoryMarshal.GetReference(x);
        ref double w0 = ref MemoryMarshal.GetReference(w);
        ref double y0 = ref MemoryMarshal.GetReference(label);
        for (int i = 0; i < count; i++)
        {
            ref double xi = ref Unsafe.Add(ref x0, i * d * Lanes);
            for (int part = 0; part < Lanes; part += W.Count)
            {
                if (chol is not null)
                    for (int a = d - 1; a >= 0; a--)
                    {
                        var s = W.Create(0.0);
                        for (int b = 0; b <= a; b++) s = W.FusedMultiplyAdd(W.Create(chol[a * d + b]), W.Load(ref Unsafe.Add(ref xi, b * Lanes + part)), s);
                        W.Store(s, ref Unsafe.Add(ref xi, a * Lanes + part));
                    }
                var t = W.Create(0.0);
                for (int a = 0; a < d; a++) t = W.FusedMultiplyAdd(W.Load(ref Unsafe.Add(ref xi, a * Lanes + part)), W.Load(ref Unsafe.Add(ref w0, a * Lanes + part)), t);
                W.Store(t, ref Unsafe.Add(ref y0, i * Lanes + part));
            }
        }
    }

    /// <summary>w = Uz for U upper triangular (w* = R⁻ᵀz), at the hardware's width.</summary>
    private static void UpperTimes(double[] u, Span<double> z, Span<double> w, int d)
    {
        if (Vector512.IsHardwareAccelerated) UpperTimes<Lanes512, Vector512<double>, Vector512<ulong>>(u, z, w, d);
        else if (Vector256.IsHardwareAccelerated) UpperTimes<Lanes256, Vector256<double>, Vector256<ulong>>(u, z, w, d);
        else UpperTimes<Lanes128, Vector128<double>, Vector128<ulong>>(u, z, w, d);
    }

    internal static void UpperTimes<W, TD, TU>(double[] u, Span<double> z, Span<double> w, int d) where W : ILaneOps<TD, TU> where TD : struct where TU : struct
    {
        ref double z0 = ref MemoryMarshal.GetReference(z);
        ref double w0 = ref MemoryMarshal.GetReference(w);
        for (int part = 0; part < Lanes; part += W.Count)
            for (int a = 0; a < d; a++)
            {
                var s = W.Create(0.0);
                for (int b = a; b < d; b++) s = W.FusedMultiplyAdd(W.Create(u[a * d + b]), W.Load(ref Unsafe.Add(ref z0, b * Lanes + part)), s);
                W.Store(s, ref Unsafe.Add(ref w0, a * Lanes + part));
            }
    }

    private void ZeroLanes(int g, int valid)
    {
        int n = N, d = D;
        for (int k = valid; k < Lanes; k++)
        {
            for (int i = 0; i < n; i++)
            {
                for (int a = 0; a < d; a++) X[((g * n + i) * d + a) * Lanes + k] = 0;
                Y[(g * n + i) * Lanes + k] = 0;
            }
            for (int a = 0; a < d; a++) { Query[(g * d + a) * Lanes + k] = 0; Task[(g * d + a) * Lanes + k] = 0; }
            Target[g * Lanes + k] = 0;
        }
    }
}
