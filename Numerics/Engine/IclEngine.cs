using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LoopedIcl.Numerics.Models;

namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// The fast double engine of the column-layout linear transformer (linear attention, query-excluded mask): batched over
/// prompts in SIMD lane groups of 8, through the Gram state G = (1/n)Σ_{i≤n} z_i z_iᵀ and the query column z_q:
/// per layer T = I ± P G Q, z_q ← T z_q, G ← T G Tᵀ; ŷ = −[z_q]_{d+1}. With a tape it runs the reverse pass
/// (z̄ ← Tᵀz̄, T̄ = z̄′zᵀ + 2Ḡ′TG, P̄ = ±T̄(GQ)ᵀ, Q̄ = ±(PG)ᵀT̄, Ḡ ← sym(TᵀḠ′T ± PᵀT̄Qᵀ)) and contracts the layer adjoints to ∂/∂θ.
/// When the parameterisation says P touches only the label row (P = e_{d+1}πᵀ), the label-row recursion is used: r = QᵀGπ,
/// z_q[d] += ±rᵀz_q, only G's last row and column change — O((d+1)²) per layer, forward and reverse. When P = [[B,0],[0,1]] and
/// Q = [[A,0],[0,0]] with the + residual (GD++), the block layer works on G's covariate block and label column only (IclEngine.BlockLayer.cs).
/// Work is split into fixed chunks of lane groups, reduced in chunk order: the numbers never depend on the thread count.
/// </summary>
/// <example>
/// <code>
/// var family = Parameterisation.Sparse(d: 5, layers: 3);                 // θ = (A_1, A_2, A_3)
/// var engine = new IclEngine(family, threads: 2);
/// var law = PromptLaw.Isotropic(5, TaskLaw.Isotropic);
/// var batch = law.Draw(n: 20, count: 2000, seed: 7);
/// var theta = new double[family.Dimension];
/// var grad = new double[family.Dimension];
/// double loss = engine.Loss(theta, batch, grad);                         // batch-mean (ŷ − y_q)² and its gradient
/// var yhat = new double[batch.Count];
/// engine.Predict(theta, batch, yhat);                                    // per-prompt predictions
/// // As an IBatchObjective: var objective = new InContextLoss(engine, law, n: 20);
/// </code>
/// </example>
public sealed partial class IclEngine : IInContextModel
{
    /// <summary>Lane groups per chunk of work (a fixed split, so the reduction order is fixed).</summary>
    public const int GroupsPerChunk = 16;

    private const int Lanes = PromptBatch.Lanes;

    public Parameterisation Family { get; }
    public int Threads { get; }
    private readonly double _sign;

    public IclEngine(Parameterisation family, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(family);
        Guard.Positive(threads, nameof(threads));
        Family = family;
        Threads = threads;
        _sign = family.Sign == ResidualSign.Plus ? 1 : -1;
        // K = HAᵀ costs d³ once and saves ~2(d+1)² per layer: worth it from L ≈ d/2 layers on.
        _preconditioned = family.Tied && family.LabelRowOnlyP && family.CovariateBlockQ && 2 * family.Layers >= family.D;
        _block = !family.LabelRowOnlyP && family.BlockDiagonalP && family.CovariateBlockQ && family.Sign == ResidualSign.Plus;
    }

    private readonly bool _preconditioned;
    /// <summary>P = [[B,0],[0,1]], Q = [[A,0],[0,0]], + residual (GD++): the block layer (IclEngine.BlockLayer.cs) works on H and g, d×d.</summary>
    private readonly bool _block;

    /// <summary>The batch-mean loss (1/B)Σ(ŷ − y_q)² at θ; when <paramref name="gradient"/> is not empty, also ∂/∂θ into it.</summary>
    public double Loss(ReadOnlySpan<double> theta, PromptBatch batch, Span<double> gradient)
    {
        var layers = ExpandChecked(theta, batch);
        bool grad = !gradient.IsEmpty;
        if (grad && gradient.Length != Family.Dimension)
            throw new ArgumentException($"gradient must be empty or of length {Family.Dimension} (got {gradient.Length}).", nameof(gradient));
        int chunks = (batch.Groups + GroupsPerChunk - 1) / GroupsPerChunk;
        var losses = new double[chunks];
        var adjoints = grad ? new double[chunks][] : null;
        double scale = 1.0 / batch.Count;
        RunChunks(chunks, grad, (c, work) =>
        {
            var acc = Vector512<double>.Zero;
            if (grad) Array.Clear(work.Adjoint);
            foreach (int g in work.GroupsOf(c, batch))
            {
                var yhat = Forward(layers, batch, g, work, tape: grad);
                var e = yhat - Vector512.LoadUnsafe(ref batch.Target[g * PromptBatch.Lanes]);
                acc = Vector512.FusedMultiplyAdd(e, e, acc);
                if (grad) Backward(layers, work, Vector512.Create(2 * scale) * e, parameters: true);
            }
            losses[c] = Vector512.Sum(acc);
            if (grad)
            {
                var sum = new double[layers.Length];
                for (int k = 0; k < sum.Length; k++) sum[k] = Vector512.Sum(work.Adjoint[k]);
                adjoints![c] = sum;
            }
        });
        double total = 0;
        for (int c = 0; c < chunks; c++) total += losses[c];
        if (grad)
        {
            var layerAdjoint = new double[layers.Length];
            for (int c = 0; c < chunks; c++)
                for (int k = 0; k < layerAdjoint.Length; k++) layerAdjoint[k] += adjoints![c][k];
            InjectFault(layerAdjoint);
            Family.Contract(layerAdjoint, gradient);
        }
        return total * scale;
    }

    /// <summary>A deliberate error in the layer adjoints, for the negative controls of LEARN-GRAD only.</summary>
    internal AdjointFault Fault { get; set; }

    private void InjectFault(double[] adjoint)
    {
        int w = Family.Width, w2 = w * w;
        for (int l = 0; l < Family.Layers; l++)
        {
            var p = adjoint.AsSpan(l * 2 * w2, w2);
            var q = adjoint.AsSpan(l * 2 * w2 + w2, w2);
            switch (Fault)
            {
                case AdjointFault.TransposedP:
                    for (int a = 0; a < w; a++) for (int b = 0; b < a; b++) (p[a * w + b], p[b * w + a]) = (p[b * w + a], p[a * w + b]);
                    break;
                case AdjointFault.WrongSignQ:
                    for (int k = 0; k < w2; k++) q[k] = -q[k];
                    break;
            }
        }
    }

    /// <summary>Per-prompt predictions ŷ (length ≥ batch.Count).</summary>
    public void Predict(ReadOnlySpan<double> theta, PromptBatch batch, Span<double> predictions) =>
        PredictCore(theta, batch, predictions, default);

    /// <summary>
    /// Per-prompt predictions and their gradients with respect to the query x_q (ŷ is linear in x_q: ŷ = βᵀx_q, so this is the
    /// prompt's effective weight vector β); <paramref name="queryGradients"/>[p·d + a] = ∂ŷ_p/∂x_q[a].
    /// </summary>
    public void PredictWithQueryGradient(ReadOnlySpan<double> theta, PromptBatch batch, Span<double> predictions, Span<double> queryGradients)
    {
        if (queryGradients.Length < batch.Count * batch.D)
            throw new ArgumentException($"queryGradients must have length ≥ count·d = {batch.Count * batch.D}.", nameof(queryGradients));
        PredictCore(theta, batch, predictions, queryGradients);
    }

    private void PredictCore(ReadOnlySpan<double> theta, PromptBatch batch, Span<double> predictions, Span<double> queryGradients)
    {
        var layers = ExpandChecked(theta, batch);
        if (predictions.Length < batch.Count) throw new ArgumentException($"predictions must have length ≥ {batch.Count}.", nameof(predictions));
        bool wantGrad = !queryGradients.IsEmpty;
        int chunks = (batch.Groups + GroupsPerChunk - 1) / GroupsPerChunk;
        var yhat = new double[batch.Groups * PromptBatch.Lanes];
        var qgrad = wantGrad ? new double[batch.Groups * PromptBatch.Lanes * batch.D] : null;
        int d = batch.D;
        RunChunks(chunks, wantGrad, (c, work) =>
        {
            foreach (int g in work.GroupsOf(c, batch))
            {
                Forward(layers, batch, g, work, tape: wantGrad).StoreUnsafe(ref yhat[g * PromptBatch.Lanes]);
                if (!wantGrad) continue;
                Backward(layers, work, Vector512<double>.One, parameters: false);
                for (int a = 0; a < d; a++)
                    for (int k = 0; k < PromptBatch.Lanes; k++) qgrad![(g * PromptBatch.Lanes + k) * d + a] = work.ZBar[a][k];
            }
        });
        yhat.AsSpan(0, batch.Count).CopyTo(predictions);
        if (wantGrad) qgrad.AsSpan(0, batch.Count * d).CopyTo(queryGradients);
    }

    private double[] ExpandChecked(ReadOnlySpan<double> theta, PromptBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.D != Family.D) throw new ArgumentException($"batch has d = {batch.D}, the parameterisation d = {Family.D}.", nameof(batch));
        var layers = new double[Family.ExpandedLength];
        Family.Expand(theta, layers);   // refuses a θ of the wrong length, naming theta and the parameterisation
        return layers;
    }

    private void RunChunks(int chunks, bool tape, Action<int, Workspace> body)
    {
        if (Threads == 1 || chunks == 1)
        {
            var work = new Workspace(Family, tape);
            for (int c = 0; c < chunks; c++) body(c, work);
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Threads },
            () => new Workspace(Family, tape), (c, _, work) => { body(c, work); return work; }, _ => { });
    }

    /// <summary>An evaluator of one prompt at a time at a fixed θ (allocation-free per prompt), for per-prompt callers.</summary>
    public Evaluator CreateEvaluator(ReadOnlySpan<double> theta)
    {
        var layers = new double[Family.ExpandedLength];
        Family.Expand(theta, layers);   // refuses a θ of the wrong length
        return new Evaluator(this, layers);
    }

    /// <summary>
    /// ŷ of single prompts through the engine (lane 0 of a lane group; the other lanes stay zero). Not thread-safe: one per thread.
    /// </summary>
    public sealed class Evaluator
    {
        private readonly IclEngine _engine;
        private readonly double[] _layers;
        private readonly Workspace _work;
        private readonly PromptLaw _shape;
        private PromptBatch? _one;

        internal Evaluator(IclEngine engine, double[] layers)
        {
            _engine = engine;
            _layers = layers;
            _work = new Workspace(engine.Family, tape: false);
            _shape = PromptLaw.Isotropic(engine.Family.D, Prompts.TaskLaw.Isotropic);
        }

        /// <summary>ŷ for x (n×d row-major), y (n), x_q (d), with the query's label slot set to <paramref name="querySlot"/>.</summary>
        public double Predict(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> query, double querySlot = 0)
        {
            int d = _engine.Family.D, n = y.Length;
            if (n < 1 || x.Length != n * d) throw new ArgumentException($"x must hold n·d = {n}·{d} entries (got {x.Length}) with n ≥ 1.", nameof(x));
            if (query.Length != d) throw new ArgumentException($"query must have length d = {d} (got {query.Length}).", nameof(query));
            if (_one is null || _one.N != n) _one = new PromptBatch(_shape, n, 1, 0);
            var b = _one;
            const int lanes = PromptBatch.Lanes;
            for (int k = 0; k < n * d; k++) b.X[k * lanes] = x[k];
            for (int i = 0; i < n; i++) b.Y[i * lanes] = y[i];
            for (int a = 0; a < d; a++) b.Query[a * lanes] = query[a];
            return _engine.Forward(_layers, b, 0, _work, tape: false, querySlot)[0];
        }
    }

    /// <summary>Per-thread scratch and tape, all in lane vectors.</summary>
    private sealed class Workspace
    {
        public readonly int W, L;
        public readonly Vector512<double>[] G;      // (L+1) Gram states, w² each
        public readonly Vector512<double>[] Z;      // (L+1) query columns, w each
        public readonly Vector512<double>[] T;      // L transition matrices (general path; the block path's M = I + BHA), w² each
        public readonly Vector512<double>[] GQ;     // L products G_l·Q_l (general path; the reverse pass reuses them; block path: HA), w² each
        public readonly Vector512<double>[] R;      // L vectors r = QᵀGπ (label-row path; block path: m = Aᵀg)
        public readonly Vector512<double>[] U;      // L vectors u = Hm + g (block path)
        public readonly Vector512<double>[] GColumnBar;   // block path: ḡ
        public readonly Vector512<double>[] Adjoint;
        public readonly Vector512<double>[] GBar, GBarNext, TBar, Tmp, Tmp2, Tmp3;
        public readonly Vector512<double>[] ZBar, ZBarNext, V, H, VBar, A;

        /// <summary>Without a tape only one state slot is kept (the forward pass overwrites it).</summary>
        public Workspace(Parameterisation f, bool tape)
        {
            W = f.Width;
            L = f.Layers;
            int w2 = W * W, slots = tape ? L : 0;
            G = new Vector512<double>[(slots + 1) * w2];
            Z = new Vector512<double>[(slots + 1) * W];
            T = new Vector512<double>[Math.Max(1, slots) * w2];
            GQ = new Vector512<double>[Math.Max(1, slots) * w2];
            R = new Vector512<double>[Math.Max(1, slots) * W];
            U = new Vector512<double>[Math.Max(1, slots) * W];
            GColumnBar = new Vector512<double>[W];
            Adjoint = new Vector512<double>[tape ? f.ExpandedLength : 0];
            GBar = new Vector512<double>[w2];
            GBarNext = new Vector512<double>[w2];
            TBar = new Vector512<double>[w2];
            Tmp = new Vector512<double>[w2];
            Tmp2 = new Vector512<double>[w2];
            Tmp3 = new Vector512<double>[w2];
            ZBar = new Vector512<double>[W];
            ZBarNext = new Vector512<double>[W];
            V = new Vector512<double>[W];
            H = new Vector512<double>[W];
            VBar = new Vector512<double>[W];
            A = new Vector512<double>[W];
        }

        public IEnumerable<int> GroupsOf(int chunk, PromptBatch batch)
        {
            int end = Math.Min(batch.Groups, (chunk + 1) * GroupsPerChunk);
            for (int g = chunk * GroupsPerChunk; g < end; g++) yield return g;
        }
    }

    private static Vector512<double> B(double v) => Vector512.Create(v);

    /// <summary>G_0 = (1/n)[[XᵀX, Xᵀy], [yᵀX, yᵀy]] and z_q = (x_q, 0) for lane group g, into the tape's slot 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Initialise(PromptBatch batch, int g, Workspace work, double querySlot = 0)
    {
        int n = batch.N, d = batch.D, w = d + 1;
        var x = MemoryMarshal.Cast<double, Vector512<double>>(batch.X.AsSpan(g * n * d * PromptBatch.Lanes, n * d * PromptBatch.Lanes));
        var y = MemoryMarshal.Cast<double, Vector512<double>>(batch.Y.AsSpan(g * n * PromptBatch.Lanes, n * PromptBatch.Lanes));
        var q = MemoryMarshal.Cast<double, Vector512<double>>(batch.Query.AsSpan(g * d * PromptBatch.Lanes, d * PromptBatch.Lanes));
        var gram = work.G.AsSpan(0, w * w);
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var y0 = ref MemoryMarshal.GetReference(y);
        // Entry by entry, summed over i in registers; four (then two) entries at a time share the x_i[a] load and are independent
        // FMA chains, which hide the FMA latency (each entry's sum keeps its order, so the numbers do not change).
        for (int a = 0; a < w; a++)
        {
            ref var ra = ref a < d ? ref Unsafe.Add(ref x0, a) : ref y0;
            int strideA = a < d ? d : 1;
            int b = 0;
            for (; b + 3 <= a && b + 3 < d; b += 4)
            {
                Vector512<double> s0 = default, s1 = default, s2 = default, s3 = default;
                for (int i = 0; i < n; i++)
                {
                    var za = Unsafe.Add(ref ra, i * strideA);
                    ref var xb = ref Unsafe.Add(ref x0, i * d + b);
                    s0 = Vector512.FusedMultiplyAdd(za, xb, s0);
                    s1 = Vector512.FusedMultiplyAdd(za, Unsafe.Add(ref xb, 1), s1);
                    s2 = Vector512.FusedMultiplyAdd(za, Unsafe.Add(ref xb, 2), s2);
                    s3 = Vector512.FusedMultiplyAdd(za, Unsafe.Add(ref xb, 3), s3);
                }
                gram[a * w + b] = s0;
                gram[a * w + b + 1] = s1;
                gram[a * w + b + 2] = s2;
                gram[a * w + b + 3] = s3;
            }
            for (; b + 1 <= a && b + 1 < d; b += 2)
            {
                Vector512<double> s0 = default, s1 = default;
                for (int i = 0; i < n; i++)
                {
                    var za = Unsafe.Add(ref ra, i * strideA);
                    s0 = Vector512.FusedMultiplyAdd(za, Unsafe.Add(ref x0, i * d + b), s0);
                    s1 = Vector512.FusedMultiplyAdd(za, Unsafe.Add(ref x0, i * d + b + 1), s1);
                }
                gram[a * w + b] = s0;
                gram[a * w + b + 1] = s1;
            }
            for (; b <= a; b++)
            {
                ref var rb = ref b < d ? ref Unsafe.Add(ref x0, b) : ref y0;
                int strideB = b < d ? d : 1;
                var s0 = Vector512<double>.Zero;
                for (int i = 0; i < n; i++) s0 = Vector512.FusedMultiplyAdd(Unsafe.Add(ref ra, i * strideA), Unsafe.Add(ref rb, i * strideB), s0);
                gram[a * w + b] = s0;
            }
        }
        var inv = B(1.0 / n);
        for (int a = 0; a < w; a++)
            for (int b = 0; b <= a; b++)
            {
                var v = gram[a * w + b] * inv;
                gram[a * w + b] = v;
                gram[b * w + a] = v;
            }
        for (int a = 0; a < d; a++) work.Z[a] = q[a];
        work.Z[d] = B(querySlot);
    }

    /// <summary>Runs all layers on lane group g (keeping G_l, z_l and T_l or r_l on the tape); returns ŷ per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Vector512<double> Forward(double[] layers, PromptBatch batch, int g, Workspace work, bool tape, double querySlot = 0)
    {
        Initialise(batch, g, work, querySlot);
        if (!tape && _preconditioned) return PreconditionedForward(layers, work);
        int w = work.W, w2 = w * w, L = work.L;
        bool labelRow = Family.LabelRowOnlyP;
        for (int l = 0; l < L; l++)
        {
            var p = layers.AsSpan(l * 2 * w2, w2);
            var qm = layers.AsSpan(l * 2 * w2 + w2, w2);
            // Without a tape the states are overwritten in slot 0. The last layer's G is never needed, tape or not: the reverse pass
            // reads each layer's input state.
            int src = tape ? l : 0, dst = tape ? l + 1 : 0;
            var gs = work.G.AsSpan(src * w2, w2);
            var zs = work.Z.AsSpan(src * w, w);
            var gd = work.G.AsSpan(dst * w2, w2);
            var zd = work.Z.AsSpan(dst * w, w);
            bool needG = l + 1 < L;
            int slot = tape ? l : 0;
            if (labelRow) LabelRowLayer(p, qm, gs, zs, gd, zd, work.R.AsSpan(slot * w, w), work, needG);
            else if (_block) BlockLayer(p, qm, gs, zs, gd, zd, work.GQ.AsSpan(slot * w2, w2), work.T.AsSpan(slot * w2, w2), work.R.AsSpan(slot * w, w), work.U.AsSpan(slot * w, w), work, needG);
            else GeneralLayer(p, qm, gs, zs, gd, zd, work.T.AsSpan(slot * w2, w2), work.GQ.AsSpan(slot * w2, w2), work, needG);
        }
        return -work.Z[(tape ? L : 0) * w + w - 1];
    }

    /// <summary>
    /// Looped, P = e_{d+1}(uᵀ, p)ᵀ and Q = [[A,0],[0,0]] (the sparse and Gatmiry families): only v = Hu + p·g (g = G[0..d−1, d]) reaches
    /// the output, and one loop is z_d += ±vᵀ(Ax_q), v += ±p·K v with the per-prompt K = HAᵀ (H = XᵀX/n) — d² per loop, formed once in d³.
    /// The same algebra as the label-row layer (FAST-PATH tests both against the literal model).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Vector512<double> PreconditionedForward(double[] layers, Workspace work)
    {
        int w = work.W, d = w - 1, L = work.L;
        var p = layers.AsSpan(0, w * w);
        var q = layers.AsSpan(w * w, w * w);
        ref var G = ref MemoryMarshal.GetArrayDataReference(work.G);
        ref var K = ref MemoryMarshal.GetArrayDataReference(work.Tmp);
        ref var v = ref MemoryMarshal.GetArrayDataReference(work.V);
        ref var b = ref MemoryMarshal.GetArrayDataReference(work.H);
        ref var kv = ref MemoryMarshal.GetArrayDataReference(work.A);
        double pd = p[d * w + d];
        for (int a = 0; a < d; a++)           // K = H Aᵀ: K[a,c] = Σ_e H[a,e] A[c,e]
            for (int c = 0; c < d; c++)
            {
                var s = Vector512<double>.Zero;
                for (int e = 0; e < d; e++) s = Vector512.FusedMultiplyAdd(Unsafe.Add(ref G, a * w + e), B(q[c * w + e]), s);
                Unsafe.Add(ref K, a * d + c) = s;
            }
        for (int a = 0; a < d; a++)           // v = Hu + p·g, b = A x_q
        {
            var s = Unsafe.Add(ref G, a * w + d) * B(pd);
            for (int e = 0; e < d; e++) if (p[d * w + e] != 0) s = Vector512.FusedMultiplyAdd(Unsafe.Add(ref G, a * w + e), B(p[d * w + e]), s);
            Unsafe.Add(ref v, a) = s;
            var t = Vector512<double>.Zero;
            for (int e = 0; e < d; e++) t = Vector512.FusedMultiplyAdd(B(q[a * w + e]), work.Z[e], t);
            Unsafe.Add(ref b, a) = t;
        }
        var sign = B(_sign);
        var step = B(_sign * pd);
        var zd = work.Z[d];  // the query's label slot: it never feeds back (Q's last row is zero)
        for (int l = 0; l < L; l++)
        {
            var dot = Vector512<double>.Zero;
            for (int a = 0; a < d; a++) dot = Vector512.FusedMultiplyAdd(Unsafe.Add(ref v, a), Unsafe.Add(ref b, a), dot);
            zd = Vector512.FusedMultiplyAdd(sign, dot, zd);
            if (l + 1 == L) break;
            int a4 = 0;
            for (; a4 + 4 <= d; a4 += 4)       // four output rows at a time: independent accumulators
            {
                ref var k0 = ref Unsafe.Add(ref K, a4 * d);
                Vector512<double> s0 = default, s1 = default, s2 = default, s3 = default;
                for (int c = 0; c < d; c++)
                {
                    var vc = Unsafe.Add(ref v, c);
                    s0 = Vector512.FusedMultiplyAdd(Unsafe.Add(ref k0, c), vc, s0);
                    s1 = Vector512.FusedMultiplyAdd(Unsafe.Add(ref k0, d + c), vc, s1);
                    s2 = Vector512.FusedMultiplyAdd(Unsafe.Add(ref k0, 2 * d + c), vc, s2);
                    s3 = Vector512.FusedMultiplyAdd(Unsafe.Add(ref k0, 3 * d + c), vc, s3);
                }
                Unsafe.Add(ref kv, a4) = s0;
                Unsafe.Add(ref kv, a4 + 1) = s1;
                Unsafe.Add(ref kv, a4 + 2) = s2;
                Unsafe.Add(ref kv, a4 + 3) = s3;
            }
            for (; a4 < d; a4++)
            {
                ref var k0 = ref Unsafe.Add(ref K, a4 * d);
                var s0 = Vector512<double>.Zero;
                for (int c = 0; c < d; c++) s0 = Vector512.FusedMultiplyAdd(Unsafe.Add(ref k0, c), Unsafe.Add(ref v, c), s0);
                Unsafe.Add(ref kv, a4) = s0;
            }
            for (int a = 0; a < d; a++) Unsafe.Add(ref v, a) = Vector512.FusedMultiplyAdd(step, Unsafe.Add(ref kv, a), Unsafe.Add(ref v, a));
        }
        return -zd;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GeneralLayer(Span<double> p, Span<double> q, Span<Vector512<double>> g, Span<Vector512<double>> z,
        Span<Vector512<double>> gOut, Span<Vector512<double>> zOut, Span<Vector512<double>> t, Span<Vector512<double>> gq, Workspace work, bool needG)
    {
        int w = work.W;
        Product(g, q, transposeB: false, gq, w);               // GQ
        Product(p, transposeA: false, gq, t, w);               // P(GQ)
        var sign = B(_sign);
        for (int k = 0; k < w * w; k++) t[k] = sign * t[k];
        for (int a = 0; a < w; a++) t[a * w + a] += Vector512<double>.One;   // T = I ± PGQ
        var zNew = work.A.AsSpan(0, w);
        MatVec(t, z, zNew, w, transposed: false);
        zNew.CopyTo(zOut);
        if (!needG) return;
        var tg = work.Tmp2.AsSpan(0, w * w);
        Product(t, false, g, false, tg, w);
        for (int a = 0; a < w; a++)           // G ← (TG)Tᵀ, symmetric: the lower half, mirrored
            for (int b = 0; b <= a; b++)
            {
                var s = Vector512<double>.Zero;
                for (int c = 0; c < w; c++) s = Vector512.FusedMultiplyAdd(tg[a * w + c], t[b * w + c], s);
                gOut[a * w + b] = s;
                gOut[b * w + a] = s;
            }
    }

    /// <summary>P = e_{d+1}πᵀ: r = Qᵀ(Gπ), z[d] += ±rᵀz; G' = G ± e_d hᵀ ± h e_dᵀ + (rᵀh) e_d e_dᵀ with h = Gr.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void LabelRowLayer(Span<double> p, Span<double> q, Span<Vector512<double>> g, Span<Vector512<double>> z,
        Span<Vector512<double>> gOut, Span<Vector512<double>> zOut, Span<Vector512<double>> r, Workspace work, bool needG)
    {
        int w = work.W, d = w - 1;
        var pi = p.Slice(d * w, w);
        var v = work.V.AsSpan(0, w);
        GramTimes(g, pi, v, w);
        for (int j = 0; j < w; j++)
        {
            var s = Vector512<double>.Zero;
            for (int i = 0; i < w; i++) s = Vector512.FusedMultiplyAdd(B(q[i * w + j]), v[i], s);
            r[j] = s;
        }
        var rz = Vector512<double>.Zero;
        for (int j = 0; j < w; j++) rz = Vector512.FusedMultiplyAdd(r[j], z[j], rz);
        if (zOut != z) z.CopyTo(zOut);
        zOut[d] = Vector512.FusedMultiplyAdd(B(_sign), rz, z[d]);
        if (!needG) return;
        if (gOut != g) g.CopyTo(gOut);
        var h = work.H.AsSpan(0, w);
        var c = Vector512<double>.Zero;
        for (int a = 0; a < w; a++)
        {
            var s = Vector512<double>.Zero;
            for (int b = 0; b < w; b++) s = Vector512.FusedMultiplyAdd(g[a * w + b], r[b], s);
            h[a] = s;
            c = Vector512.FusedMultiplyAdd(r[a], s, c);
        }
        var sign = B(_sign);
        var corner = gOut[d * w + d] + Vector512.FusedMultiplyAdd(sign, h[d], sign * h[d]) + c;
        for (int a = 0; a < d; a++)
        {
            var e = Vector512.FusedMultiplyAdd(sign, h[a], gOut[d * w + a]);
            gOut[d * w + a] = e;
            gOut[a * w + d] = e;
        }
        gOut[d * w + d] = corner;
    }

    /// <summary>
    /// Reverse pass over the tape from z̄_L = −ȳ e_{d+1} (ȳ = ∂f/∂ŷ per lane). With <paramref name="parameters"/> the layer adjoints
    /// are accumulated into work.Adjoint; at the end work.ZBar holds ∂f/∂z_q(0) (its first d entries: ∂f/∂x_q).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Backward(double[] layers, Workspace work, Vector512<double> yBar, bool parameters)
    {
        int w = work.W, w2 = w * w, d = w - 1, L = work.L;
        var zBar = work.ZBar.AsSpan(0, w);
        zBar.Clear();
        zBar[d] = -yBar;
        var gBar = work.GBar.AsSpan(0, w2);   // Ḡ: written by each layer before the one below reads it (the last layer's is zero, never read)
        bool labelRow = Family.LabelRowOnlyP;
        for (int l = L - 1; l >= 0; l--)
        {
            var p = layers.AsSpan(l * 2 * w2, w2);
            var q = layers.AsSpan(l * 2 * w2 + w2, w2);
            var g = work.G.AsSpan(l * w2, w2);
            var z = work.Z.AsSpan(l * w, w);
            var adjP = work.Adjoint.AsSpan(l * 2 * w2, w2);
            var adjQ = work.Adjoint.AsSpan(l * 2 * w2 + w2, w2);
            bool gBarZero = l == L - 1;
            if (labelRow) LabelRowBackward(p, q, g, z, work.R.AsSpan(l * w, w), zBar, gBar, adjP, adjQ, work, gBarZero, parameters, l > 0);
            else if (_block) BlockBackward(p, q, g, z, work.GQ.AsSpan(l * w2, w2), work.T.AsSpan(l * w2, w2), work.R.AsSpan(l * w, w), work.U.AsSpan(l * w, w), zBar, gBar, adjP, adjQ, work, l == L - 1, l == L - 2, parameters, l > 0);
            else GeneralBackward(p, q, g, z, work.T.AsSpan(l * w2, w2), work.GQ.AsSpan(l * w2, w2), zBar, gBar, adjP, adjQ, work, gBarZero, parameters, l > 0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GeneralBackward(Span<double> p, Span<double> q, Span<Vector512<double>> g, Span<Vector512<double>> z,
        Span<Vector512<double>> t, Span<Vector512<double>> gq, Span<Vector512<double>> zBar, Span<Vector512<double>> gBar,
        Span<Vector512<double>> adjP, Span<Vector512<double>> adjQ, Workspace work, bool gBarZero, bool parameters, bool propagateG)
    {
        int w = work.W, w2 = w * w;
        var tBar = work.TBar.AsSpan(0, w2);
        var tmp = work.Tmp.AsSpan(0, w2);
        var tmp2 = work.Tmp2.AsSpan(0, w2);
        var gbt = work.Tmp3.AsSpan(0, w2);
        var two = B(2);
        if (parameters)
        {
            for (int a = 0; a < w; a++)       // T̄ = z̄′zᵀ + 2Ḡ′TG
                for (int b = 0; b < w; b++) tBar[a * w + b] = zBar[a] * z[b];
            if (!gBarZero)
            {
                Product(gBar, false, t, false, gbt, w);     // Ḡ′T (kept for Ḡ below)
                Product(gbt, false, g, false, tmp2, w);
                AddScaled(tBar, two, tmp2);
            }
        }
        var zNew = work.ZBarNext.AsSpan(0, w);      // z̄ ← Tᵀz̄′
        MatVec(t, zBar, zNew, w, transposed: true);
        zNew.CopyTo(zBar);
        if (!parameters) return;
        var sign = B(_sign);
        Product(tBar, false, gq, true, tmp2, w);    // P̄ += ±T̄(GQ)ᵀ, GQ from the forward pass
        AddScaled(adjP, sign, tmp2);
        Product(p, transposeA: true, tBar, tmp2, w); // PᵀT̄
        Product(g, false, tmp2, false, tmp, w);     // Q̄ += ±G(PᵀT̄) = ±(PG)ᵀT̄
        AddScaled(adjQ, sign, tmp);
        if (!propagateG) return;
        var next = work.GBarNext.AsSpan(0, w2);     // Ḡ ← sym(TᵀḠ′T ± (PᵀT̄)Qᵀ)
        Product(tmp2, q, transposeB: true, next, w);
        for (int k = 0; k < w2; k++) next[k] = sign * next[k];
        if (!gBarZero)
        {
            Product(t, true, gbt, false, tmp, w);
            AddScaled(next, Vector512<double>.One, tmp);
        }
        Symmetrise(next, gBar, w);
    }


    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void LabelRowBackward(Span<double> p, Span<double> q, Span<Vector512<double>> g, Span<Vector512<double>> z,
        Span<Vector512<double>> r, Span<Vector512<double>> zBar, Span<Vector512<double>> gBar,
        Span<Vector512<double>> adjP, Span<Vector512<double>> adjQ, Workspace work, bool gBarZero, bool parameters, bool propagateG)
    {
        int w = work.W, d = w - 1;
        var sign = B(_sign);
        var zBarD = zBar[d];
        if (parameters)
        {
            var pi = p.Slice(d * w, w);
            // r̄ = ±T̄[d,:] with T̄[d,:] = z̄′_d zᵀ + 2(Ḡ′[d,:] T) G and Ḡ′[d,:]T = Ḡ′[d,:] ± Ḡ′[d,d] rᵀ.
            var a = work.A.AsSpan(0, w);
            var rBar = work.H.AsSpan(0, w);
            if (gBarZero) for (int j = 0; j < w; j++) rBar[j] = sign * (zBarD * z[j]);
            else
            {
                for (int j = 0; j < w; j++) a[j] = Vector512.FusedMultiplyAdd(sign * gBar[d * w + d], r[j], gBar[d * w + j]);
                for (int j = 0; j < w; j++)
                {
                    var s = Vector512<double>.Zero;
                    for (int i = 0; i < w; i++) s = Vector512.FusedMultiplyAdd(a[i], g[i * w + j], s);
                    rBar[j] = sign * Vector512.FusedMultiplyAdd(B(2), s, zBarD * z[j]);
                }
            }
            // r = Qᵀv, v = Gπ: Q̄[i,j] += v_i r̄_j; v̄ = Q r̄; π̄ = G v̄ (P̄[d,:] += π̄); Ḡ += v̄ πᵀ (symmetrised below).
            var v = work.V.AsSpan(0, w);
            GramTimes(g, pi, v, w);
            for (int i = 0; i < w; i++)
                for (int j = 0; j < w; j++) adjQ[i * w + j] = Vector512.FusedMultiplyAdd(v[i], rBar[j], adjQ[i * w + j]);
            var vBar = work.VBar.AsSpan(0, w);
            for (int i = 0; i < w; i++)
            {
                var s = Vector512<double>.Zero;
                for (int j = 0; j < w; j++) s = Vector512.FusedMultiplyAdd(B(q[i * w + j]), rBar[j], s);
                vBar[i] = s;
            }
            for (int b = 0; b < w; b++)
            {
                var s = Vector512<double>.Zero;
                for (int i = 0; i < w; i++) s = Vector512.FusedMultiplyAdd(g[b * w + i], vBar[i], s);
                adjP[d * w + b] += s;
            }
            if (propagateG)
            {
                // Ḡ ← sym(TᵀḠ′T + v̄πᵀ), TᵀḠ′T = Ḡ′ ± r Ḡ′[d,:] ± Ḡ′[:,d] rᵀ + Ḡ′[d,d] r rᵀ (Ḡ′ symmetric).
                var next = work.GBarNext.AsSpan(0, w * w);
                for (int i = 0; i < w; i++)
                    for (int j = 0; j < w; j++)
                    {
                        var s = vBar[i] * B(pi[j]);
                        if (!gBarZero)
                        {
                            s += gBar[i * w + j] + sign * (r[i] * gBar[d * w + j] + gBar[i * w + d] * r[j]) + gBar[d * w + d] * r[i] * r[j];
                        }
                        next[i * w + j] = s;
                    }
                Symmetrise(next, gBar, w);
            }
        }
        // z̄ ← Tᵀz̄′ = z̄′ ± z̄′_d r
        for (int j = 0; j < w; j++) zBar[j] = Vector512.FusedMultiplyAdd(sign * zBarD, r[j], zBar[j]);
        zBar[d] = Vector512.FusedMultiplyAdd(sign * zBarD, r[d], zBarD);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Symmetrise(Span<Vector512<double>> m, Span<Vector512<double>> target, int w)
    {
        var half = B(0.5);
        for (int a = 0; a < w; a++)
            for (int b = 0; b <= a; b++)
            {
                var s = (m[a * w + b] + m[b * w + a]) * half;
                target[a * w + b] = s;
                target[b * w + a] = s;
            }
    }

    // The lane-matrix kernels below run at the hardware's width (SimdWidth): a lane vector (8 prompts) is 1, 2 or 4 physical vectors,
    // and each physical part runs the whole loop nest in turn, with the 8-lane code's operations in the same order, so every lane gets
    // the same numbers at every width. Vector512 emulated on AVX2 loads each operand twice and copies a register per FMA; this does not.
    // Entry k of a lane array is at double offset k·8 + part. The width-generic kernels are internal so that the library tests run
    // every width's code in one process (a wider host runs the narrower lanes natively) against a scalar FMA chain.

    private static ref double Doubles(Span<Vector512<double>> m) => ref Unsafe.As<Vector512<double>, double>(ref MemoryMarshal.GetReference(m));

    /// <summary>result = m v (or mᵀv), m a w×w matrix of lane vectors.</summary>
    private static void MatVec(Span<Vector512<double>> m, Span<Vector512<double>> v, Span<Vector512<double>> result, int w, bool transposed)
    {
        nint row = w * Lanes;
        MatVec<LaneOperand>(ref Doubles(m), transposed ? Lanes : row, transposed ? row : Lanes, ref Doubles(v), Lanes, ref Doubles(result), w);
    }

    /// <summary>m v (or mᵀv) for a w×w lane matrix at one width (the library tests' entry to every width's kernel).</summary>
    internal static void MatVec<W, TD, TU>(ref double m, ref double v, ref double result, int w, bool transposed) where W : ILaneOps<TD, TU> where TD : struct where TU : struct
    {
        nint row = w * Lanes;
        MatVec<W, TD, TU, LaneOperand>(ref m, transposed ? Lanes : row, transposed ? row : Lanes, ref v, Lanes, ref result, w);
    }

    /// <summary>result[a] = Σ_b m[a, b]·v[b] (n entries, result contiguous) for m of kind TM at offsets ma, mb and v at offset vb, in doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MatVec<W, TD, TU, TM>(ref double m, nint ma, nint mb, ref double v, nint vb, ref double result, int n)
        where W : ILaneOps<TD, TU> where TD : struct where TU : struct where TM : IOperand
    {
        // Two rows (and below 512 bits two physical parts) per pass: independent FMA chains, each entry's chain unchanged (see Product).
        bool two = W.Count < Lanes;
        nint half = W.Count;
        for (nint part = 0; part < Lanes; part += two ? 2 * half : half)
        {
            nint a = 0;
            for (; a + 1 < n; a += 2)
            {
                ref double pm0 = ref Unsafe.Add(ref m, a * ma);
                ref double pm1 = ref Unsafe.Add(ref pm0, ma);
                TD s0 = W.Create(0.0), s1 = s0, t0 = s0, t1 = s0;
                for (nint b = 0; b < n; b++)
                {
                    var x = W.Load(ref Unsafe.Add(ref v, b * vb + part));
                    s0 = W.FusedMultiplyAdd(TM.Entry<W, TD, TU>(ref Unsafe.Add(ref pm0, b * mb), part), x, s0);
                    s1 = W.FusedMultiplyAdd(TM.Entry<W, TD, TU>(ref Unsafe.Add(ref pm1, b * mb), part), x, s1);
                    if (!two) continue;
                    var y = W.Load(ref Unsafe.Add(ref v, b * vb + part + half));
                    t0 = W.FusedMultiplyAdd(TM.Entry<W, TD, TU>(ref Unsafe.Add(ref pm0, b * mb), part + half), y, t0);
                    t1 = W.FusedMultiplyAdd(TM.Entry<W, TD, TU>(ref Unsafe.Add(ref pm1, b * mb), part + half), y, t1);
                }
                ref double r0 = ref Unsafe.Add(ref result, a * Lanes + part);
                W.Store(s0, ref r0);
                W.Store(s1, ref Unsafe.Add(ref r0, Lanes));
                if (!two) continue;
                W.Store(t0, ref Unsafe.Add(ref r0, half));
                W.Store(t1, ref Unsafe.Add(ref r0, Lanes + half));
            }
            if (a < n)
            {
                ref double pm = ref Unsafe.Add(ref m, a * ma);
                TD s = W.Create(0.0), t = s;
                for (nint b = 0; b < n; b++)
                {
                    s = W.FusedMultiplyAdd(TM.Entry<W, TD, TU>(ref Unsafe.Add(ref pm, b * mb), part), W.Load(ref Unsafe.Add(ref v, b * vb + part)), s);
                    if (two) t = W.FusedMultiplyAdd(TM.Entry<W, TD, TU>(ref Unsafe.Add(ref pm, b * mb), part + half), W.Load(ref Unsafe.Add(ref v, b * vb + part + half)), t);
                }
                ref double r0 = ref Unsafe.Add(ref result, a * Lanes + part);
                W.Store(s, ref r0);
                if (two) W.Store(t, ref Unsafe.Add(ref r0, half));
            }
        }
    }

    /// <summary>result = m′v at the hardware's width (m of kind TM, offsets in doubles).</summary>
    private static void MatVec<TM>(ref double m, nint ma, nint mb, ref double v, nint vb, ref double result, int n) where TM : IOperand
    {
        if (Vector512.IsHardwareAccelerated) MatVec<Lanes512, Vector512<double>, Vector512<ulong>, TM>(ref m, ma, mb, ref v, vb, ref result, n);
        else if (Vector256.IsHardwareAccelerated) MatVec<Lanes256, Vector256<double>, Vector256<ulong>, TM>(ref m, ma, mb, ref v, vb, ref result, n);
        else MatVec<Lanes128, Vector128<double>, Vector128<ulong>, TM>(ref m, ma, mb, ref v, vb, ref result, n);
    }

    /// <summary>v = Gπ for a lane-vector G and a scalar row π (its zeros skipped: π is often e_{d+1}).</summary>
    private static void GramTimes(Span<Vector512<double>> g, Span<double> pi, Span<Vector512<double>> v, int w)
    {
        for (int a = 0; a < w; a++)
        {
            var s = Vector512<double>.Zero;
            for (int b = 0; b < w; b++) if (pi[b] != 0) s = Vector512.FusedMultiplyAdd(g[a * w + b], B(pi[b]), s);
            v[a] = s;
        }
    }

    /// <summary>c = a′b′ (n×n) at the hardware's width: a lane matrix a′ and b′ of kind TB, every operand by its offsets in doubles.</summary>
    private static void Product<TB>(ref double a, nint ai, nint ak, ref double b, nint bk, nint bj, ref double c, nint ci, nint cj, int n) where TB : IOperand
    {
        if (Vector512.IsHardwareAccelerated) Product<Lanes512, Vector512<double>, Vector512<ulong>, TB>(ref a, ai, ak, ref b, bk, bj, ref c, ci, cj, n);
        else if (Vector256.IsHardwareAccelerated) Product<Lanes256, Vector256<double>, Vector256<ulong>, TB>(ref a, ai, ak, ref b, bk, bj, ref c, ci, cj, n);
        else Product<Lanes128, Vector128<double>, Vector128<ulong>, TB>(ref a, ai, ak, ref b, bk, bj, ref c, ci, cj, n);
    }

    /// <summary>c = a′b′ for lane-vector w×w matrices, a′ = a or aᵀ, b′ = b or bᵀ.</summary>
    private static void Product(Span<Vector512<double>> a, bool transposeA, Span<Vector512<double>> b, bool transposeB, Span<Vector512<double>> c, int w)
    {
        nint row = w * Lanes;
        Product<LaneOperand>(ref Doubles(a), transposeA ? Lanes : row, transposeA ? row : Lanes, ref Doubles(b), transposeB ? Lanes : row, transposeB ? row : Lanes, ref Doubles(c), row, Lanes, w);
    }

    /// <summary>a′b′ for w×w lane matrices at one width (the library tests' entry to every width's kernel).</summary>
    internal static void Product<W, TD, TU>(ref double a, bool transposeA, ref double b, bool transposeB, ref double c, int w) where W : ILaneOps<TD, TU> where TD : struct where TU : struct
    {
        // Double offsets of one step in a′'s row index i and column index k, and in b′'s k and j.
        nint row = w * Lanes;
        Product<W, TD, TU, LaneOperand>(ref a, transposeA ? Lanes : row, transposeA ? row : Lanes, ref b, transposeB ? Lanes : row, transposeB ? row : Lanes, ref c, row, Lanes, w);
    }

    /// <summary>How an entry of b′ becomes a lane vector: its own lanes (a lane matrix) or one value for every lane (a scalar matrix).</summary>
    internal interface IOperand
    {
        static abstract TD Entry<W, TD, TU>(ref double entry, nint part) where W : ILaneOps<TD, TU> where TD : struct where TU : struct;
    }

    internal readonly struct LaneOperand : IOperand
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Entry<W, TD, TU>(ref double entry, nint part) where W : ILaneOps<TD, TU> where TD : struct where TU : struct => W.Load(ref Unsafe.Add(ref entry, part));
    }

    internal readonly struct ScalarOperand : IOperand
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Entry<W, TD, TU>(ref double entry, nint part) where W : ILaneOps<TD, TU> where TD : struct where TU : struct => W.Create(entry);
    }

    /// <summary>
    /// c = a′b′ (n×n) for a lane matrix a′ (offsets ai, ak of a step in i and k, in doubles), b′ of kind TB (offsets bk, bj) and c
    /// (offsets ci, cj; a transposed c gives a scalar-first product with a lane operand on the right). Entry by entry
    /// over k in one FMA chain, so the numbers do not depend on the blocking: 2×2 blocks of c take four independent sums from four operand
    /// loads per k (a 1×2 form needs three loads for two FMAs and was load-bound), then the odd row and column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Product<W, TD, TU, TB>(ref double a, nint ai, nint ak, ref double b, nint bk, nint bj, ref double c, nint ci, nint cj, int w)
        where W : ILaneOps<TD, TU> where TD : struct where TU : struct where TB : IOperand
    {
        // Below 512 bits two physical parts go through the k loop together: eight independent FMA chains instead of four, as the FMA
        // latency (4 cycles) otherwise bounds a 2×2 block to one FMA per cycle. Each lane's chain is unchanged (same bits at every width).
        bool two = W.Count < Lanes;
        nint half = W.Count;
        for (nint part = 0; part < Lanes; part += two ? 2 * half : half)
        {
            nint i = 0;
            for (; i + 1 < w; i += 2)
            {
                ref double pa0 = ref Unsafe.Add(ref a, i * ai + part);
                ref double pa1 = ref Unsafe.Add(ref pa0, ai);
                nint j = 0;
                for (; j + 1 < w; j += 2)
                {
                    ref double pb = ref Unsafe.Add(ref b, j * bj);
                    TD s00 = W.Create(0.0), s01 = s00, s10 = s00, s11 = s00, t00 = s00, t01 = s00, t10 = s00, t11 = s00;
                    for (nint k = 0; k < w; k++)
                    {
                        var x0 = W.Load(ref Unsafe.Add(ref pa0, k * ak));
                        var x1 = W.Load(ref Unsafe.Add(ref pa1, k * ak));
                        var y0 = TB.Entry<W, TD, TU>(ref Unsafe.Add(ref pb, k * bk), part);
                        var y1 = TB.Entry<W, TD, TU>(ref Unsafe.Add(ref pb, k * bk + bj), part);
                        s00 = W.FusedMultiplyAdd(x0, y0, s00);
                        s01 = W.FusedMultiplyAdd(x0, y1, s01);
                        s10 = W.FusedMultiplyAdd(x1, y0, s10);
                        s11 = W.FusedMultiplyAdd(x1, y1, s11);
                        if (!two) continue;
                        var u0 = W.Load(ref Unsafe.Add(ref pa0, k * ak + half));
                        var u1 = W.Load(ref Unsafe.Add(ref pa1, k * ak + half));
                        var v0 = TB.Entry<W, TD, TU>(ref Unsafe.Add(ref pb, k * bk), part + half);
                        var v1 = TB.Entry<W, TD, TU>(ref Unsafe.Add(ref pb, k * bk + bj), part + half);
                        t00 = W.FusedMultiplyAdd(u0, v0, t00);
                        t01 = W.FusedMultiplyAdd(u0, v1, t01);
                        t10 = W.FusedMultiplyAdd(u1, v0, t10);
                        t11 = W.FusedMultiplyAdd(u1, v1, t11);
                    }
                    ref double c0 = ref Unsafe.Add(ref c, i * ci + j * cj + part);
                    W.Store(s00, ref c0);
                    W.Store(s01, ref Unsafe.Add(ref c0, cj));
                    W.Store(s10, ref Unsafe.Add(ref c0, ci));
                    W.Store(s11, ref Unsafe.Add(ref c0, ci + cj));
                    if (!two) continue;
                    W.Store(t00, ref Unsafe.Add(ref c0, half));
                    W.Store(t01, ref Unsafe.Add(ref c0, cj + half));
                    W.Store(t10, ref Unsafe.Add(ref c0, ci + half));
                    W.Store(t11, ref Unsafe.Add(ref c0, ci + cj + half));
                }
                if (j < w)   // the odd column
                {
                    ref double pb = ref Unsafe.Add(ref b, j * bj);
                    TD s0 = W.Create(0.0), s1 = s0, t0 = s0, t1 = s0;
                    for (nint k = 0; k < w; k++)
                    {
                        var y = TB.Entry<W, TD, TU>(ref Unsafe.Add(ref pb, k * bk), part);
                        s0 = W.FusedMultiplyAdd(W.Load(ref Unsafe.Add(ref pa0, k * ak)), y, s0);
                        s1 = W.FusedMultiplyAdd(W.Load(ref Unsafe.Add(ref pa1, k * ak)), y, s1);
                        if (!two) continue;
                        var v = TB.Entry<W, TD, TU>(ref Unsafe.Add(ref pb, k * bk), part + half);
                        t0 = W.FusedMultiplyAdd(W.Load(ref Unsafe.Add(ref pa0, k * ak + half)), v, t0);
                        t1 = W.FusedMultiplyAdd(W.Load(ref Unsafe.Add(ref pa1, k * ak + half)), v, t1);
                    }
                    ref double c0 = ref Unsafe.Add(ref c, i * ci + j * cj + part);
                    W.Store(s0, ref c0);
                    W.Store(s1, ref Unsafe.Add(ref c0, ci));
                    if (!two) continue;
                    W.Store(t0, ref Unsafe.Add(ref c0, half));
                    W.Store(t1, ref Unsafe.Add(ref c0, ci + half));
                }
            }
            if (i < w)   // the odd row
            {
                ref double pa = ref Unsafe.Add(ref a, i * ai + part);
                for (nint j = 0; j < w; j++)
                {
                    ref double pb = ref Unsafe.Add(ref b, j * bj);
                    TD s = W.Create(0.0), t = s;
                    for (nint k = 0; k < w; k++)
                    {
                        s = W.FusedMultiplyAdd(W.Load(ref Unsafe.Add(ref pa, k * ak)), TB.Entry<W, TD, TU>(ref Unsafe.Add(ref pb, k * bk), part), s);
                        if (two) t = W.FusedMultiplyAdd(W.Load(ref Unsafe.Add(ref pa, k * ak + half)), TB.Entry<W, TD, TU>(ref Unsafe.Add(ref pb, k * bk), part + half), t);
                    }
                    ref double c0 = ref Unsafe.Add(ref c, i * ci + j * cj + part);
                    W.Store(s, ref c0);
                    if (two) W.Store(t, ref Unsafe.Add(ref c0, half));
                }
            }
        }
    }

    /// <summary>c = a b′ for a lane-vector a and a scalar (same for all lanes) b′ = b or bᵀ.</summary>
    private static void Product(Span<Vector512<double>> a, Span<double> b, bool transposeB, Span<Vector512<double>> c, int w)
    {
        Product<ScalarOperand>(ref Doubles(a), w * Lanes, Lanes, ref MemoryMarshal.GetReference(b), transposeB ? 1 : w, transposeB ? w : 1, ref Doubles(c), w * Lanes, Lanes, w);
    }

    /// <summary>c = a′b for a scalar a′ = a or aᵀ (its zeros skipped: P is often sparse) and a lane-vector b.</summary>
    private static void Product(Span<double> a, bool transposeA, Span<Vector512<double>> b, Span<Vector512<double>> c, int w)
    {
        if (Vector512.IsHardwareAccelerated) Product<Lanes512, Vector512<double>, Vector512<ulong>>(a, transposeA, ref Doubles(b), ref Doubles(c), w);
        else if (Vector256.IsHardwareAccelerated) Product<Lanes256, Vector256<double>, Vector256<ulong>>(a, transposeA, ref Doubles(b), ref Doubles(c), w);
        else Product<Lanes128, Vector128<double>, Vector128<ulong>>(a, transposeA, ref Doubles(b), ref Doubles(c), w);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Product<W, TD, TU>(Span<double> a, bool transposeA, ref double b, ref double c, int w) where W : ILaneOps<TD, TU> where TD : struct where TU : struct
    {
        ref double a0 = ref MemoryMarshal.GetReference(a);
        nint ai = transposeA ? 1 : w, ak = transposeA ? w : 1;
        nint row = w * Lanes;
        for (nint part = 0; part < Lanes; part += W.Count)
            for (nint i = 0; i < w; i++)
            {
                ref double pa = ref Unsafe.Add(ref a0, i * ai);
                nint j = 0;
                for (; j + 1 < w; j += 2)
                {
                    ref double pb = ref Unsafe.Add(ref b, j * Lanes + part);
                    TD s0 = W.Create(0.0), s1 = s0;
                    for (nint k = 0; k < w; k++)
                    {
                        double x = Unsafe.Add(ref pa, k * ak);
                        if (x == 0) continue;
                        var xv = W.Create(x);
                        s0 = W.FusedMultiplyAdd(xv, W.Load(ref Unsafe.Add(ref pb, k * row)), s0);
                        s1 = W.FusedMultiplyAdd(xv, W.Load(ref Unsafe.Add(ref pb, k * row + Lanes)), s1);
                    }
                    W.Store(s0, ref Unsafe.Add(ref c, (i * w + j) * Lanes + part));
                    W.Store(s1, ref Unsafe.Add(ref c, (i * w + j + 1) * Lanes + part));
                }
                for (; j < w; j++)
                {
                    ref double pb = ref Unsafe.Add(ref b, j * Lanes + part);
                    var s = W.Create(0.0);
                    for (nint k = 0; k < w; k++)
                    {
                        double x = Unsafe.Add(ref pa, k * ak);
                        if (x != 0) s = W.FusedMultiplyAdd(W.Create(x), W.Load(ref Unsafe.Add(ref pb, k * row)), s);
                    }
                    W.Store(s, ref Unsafe.Add(ref c, (i * w + j) * Lanes + part));
                }
            }
    }

    /// <summary>target += scale·source.</summary>
    private static void AddScaled(Span<Vector512<double>> target, Vector512<double> scale, Span<Vector512<double>> source)
    {
        for (int k = 0; k < target.Length; k++) target[k] = Vector512.FusedMultiplyAdd(scale, source[k], target[k]);
    }
}

/// <summary>Deliberate adjoint errors (negative controls): P̄_l transposed, or Q̄_l with the wrong sign.</summary>
internal enum AdjointFault { None, TransposedP, WrongSignQ }
