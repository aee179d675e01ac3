using LoopedIcl.Numerics.Models;

namespace LoopedIcl.Numerics.Engine;

/// <summary>
/// The batched engine of the column-layout transformer with a score activation (X-SOFTMAX): softmax (each column normalised over the
/// n context keys, the query masked as a key, times n so the layer's (1/n) leaves column-stochastic weights) or ReLU (elementwise), and
/// identity (linear attention the literal way, a cross-check of <see cref="IclEngine"/>). Per layer Z ← Z ± (1/n)·P Z_ctx σ(Z_ctxᵀ Q Z).
/// There is no Gram state here: a non-linear σ does not factor through G = Σ z_i z_iᵀ, so each layer costs O(n²(d+1) + n(d+1)²) per
/// prompt (the linear engine's Gram path is O((d+1)³) per layer after an O(n(d+1)²) start): the gap is n/(d+1) per layer, large for the
/// papers' n ≫ d. The reverse pass keeps every Z_l, the weights A_l and the scores on a per-prompt tape:
/// Ū = ±Z̄′/n, V̄ = ŪAᵀ, Ā = VᵀŪ, S̄ = σ′(Ā) (softmax: S̄_ij = A_ij(Ā_ij − Σ_k A_kj Ā_kj/n)), P̄ += V̄Z_ctxᵀ, Q̄ += Z_ctx S̄ Zᵀ,
/// Z̄ = Z̄′ + [PᵀV̄, 0] + [(QZ)S̄ᵀ, 0] + QᵀZ_ctx S̄. Prompts are split into fixed chunks reduced in chunk order: the numbers never depend
/// on the thread count. θ is any <see cref="Parameterisation"/> (e.g. <see cref="Parameterisation.Full"/>, tied for looped models).
/// </summary>
public sealed class NonLinearAttentionEngine : IInContextModel
{
    /// <summary>Prompts per chunk of work (a fixed split, so the reduction order is fixed).</summary>
    public const int PromptsPerChunk = 64;

    public Parameterisation Family { get; }
    public ScoreActivation Activation { get; }
    public int Threads { get; }

    /// <summary>A deliberate error in the softmax adjoint (the centring term dropped), for the X-SOFTMAX gradient controls only.</summary>
    internal bool FaultDropSoftmaxCentring { get; set; }

    public NonLinearAttentionEngine(Parameterisation family, ScoreActivation activation, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(family);
        if (!Enum.IsDefined(activation)) throw new ArgumentException($"{nameof(activation)} must be a defined ScoreActivation (got {activation}).", nameof(activation));
        Guard.Positive(threads, nameof(threads));
        Family = family;
        Activation = activation;
        Threads = threads;
    }

    /// <summary>The batch-mean loss (1/B)Σ(ŷ − y_q)² at θ; when <paramref name="gradient"/> is not empty, also ∂/∂θ into it.</summary>
    public double Loss(ReadOnlySpan<double> theta, PromptBatch batch, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Check(batch);
        var layers = new double[Family.ExpandedLength];
        Family.Expand(theta, layers);
        bool wantGradient = !gradient.IsEmpty;
        if (wantGradient) Guard.Length(gradient.Length, Family.Dimension, nameof(gradient));
        int chunks = (batch.Count + PromptsPerChunk - 1) / PromptsPerChunk;
        var losses = new double[chunks];
        var adjoints = wantGradient ? new double[chunks][] : null;
        void Run(int c)
        {
            var work = new Workspace(Family.Width, batch.N, Family.Layers);
            var adj = wantGradient ? new double[layers.Length] : null;
            int lo = c * PromptsPerChunk, hi = Math.Min(batch.Count, lo + PromptsPerChunk);
            double sum = 0;
            for (int p = lo; p < hi; p++)
            {
                Load(batch, p, work.Z[0]);
                double yhat = Forward(layers, work), r = yhat - Target(batch, p);
                sum += r * r;
                if (adj is not null) Reverse(layers, work, 2 * r / batch.Count, adj);
            }
            losses[c] = sum;
            if (adjoints is not null) adjoints[c] = adj!;
        }
        if (Threads == 1 || chunks == 1) for (int c = 0; c < chunks; c++) Run(c);
        else Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Threads }, Run);
        if (wantGradient)
        {
            var total = new double[layers.Length];
            foreach (var a in adjoints!) for (int k = 0; k < total.Length; k++) total[k] += a[k];
            Family.Contract(total, gradient);
        }
        double loss = 0;
        foreach (var s in losses) loss += s;
        return loss / batch.Count;
    }

    /// <summary>Per-prompt predictions ŷ (length ≥ batch.Count).</summary>
    public void Predict(ReadOnlySpan<double> theta, PromptBatch batch, Span<double> predictions)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Check(batch);
        if (predictions.Length < batch.Count) throw new ArgumentException($"predictions must have length ≥ {batch.Count}.", nameof(predictions));
        var layers = new double[Family.ExpandedLength];
        Family.Expand(theta, layers);
        var result = new double[batch.Count];
        int chunks = (batch.Count + PromptsPerChunk - 1) / PromptsPerChunk;
        void Run(int c)
        {
            var work = new Workspace(Family.Width, batch.N, Family.Layers);
            for (int p = c * PromptsPerChunk; p < Math.Min(batch.Count, (c + 1) * PromptsPerChunk); p++)
            {
                Load(batch, p, work.Z[0]);
                result[p] = Forward(layers, work);
            }
        }
        if (Threads == 1 || chunks == 1) for (int c = 0; c < chunks; c++) Run(c);
        else Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Threads }, Run);
        result.CopyTo(predictions);
    }

    private void Check(PromptBatch batch)
    {
        if (batch.D != Family.D) throw new ArgumentException($"batch has d = {batch.D}, the engine d = {Family.D}.", nameof(batch));
    }

    private static double Target(PromptBatch batch, int p) => batch.Target[p / PromptBatch.Lanes * PromptBatch.Lanes + p % PromptBatch.Lanes];

    /// <summary>Z_0 = [[x_1 … x_n x_q], [y_1 … y_n 0]], row-major w×(n+1).</summary>
    private static void Load(PromptBatch batch, int p, double[] z)
    {
        int lanes = PromptBatch.Lanes; // not const: the lane count may become a runtime width
        int n = batch.N, d = batch.D, g = p / lanes, k = p % lanes, cols = n + 1;
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < d; a++) z[a * cols + i] = batch.X[((g * n + i) * d + a) * lanes + k];
            z[d * cols + i] = batch.Y[(g * n + i) * lanes + k];
        }
        for (int a = 0; a < d; a++) z[a * cols + n] = batch.Query[(g * d + a) * lanes + k];
        z[d * cols + n] = 0;
    }

    private sealed class Workspace
    {
        public readonly int W, N, L;
        public readonly double[][] Z, A, S, QZ, V;   // per layer: Z_l (w×(n+1)); weights and scores (n×(n+1)); QZ (w×(n+1)); V = PZ_ctx (w×n)
        public readonly double[] ZBar, ZBarNext, UBar, VBar, ABar, SBar, T;

        public Workspace(int w, int n, int layers)
        {
            W = w; N = n; L = layers;
            int cols = n + 1;
            Z = Enumerable.Range(0, layers + 1).Select(_ => new double[w * cols]).ToArray();
            A = Enumerable.Range(0, layers).Select(_ => new double[n * cols]).ToArray();
            S = Enumerable.Range(0, layers).Select(_ => new double[n * cols]).ToArray();
            QZ = Enumerable.Range(0, layers).Select(_ => new double[w * cols]).ToArray();
            V = Enumerable.Range(0, layers).Select(_ => new double[w * n]).ToArray();
            ZBar = new double[w * cols]; ZBarNext = new double[w * cols]; UBar = new double[w * cols];
            VBar = new double[w * n]; ABar = new double[n * cols]; SBar = new double[n * cols]; T = new double[w * cols];
        }
    }

    /// <summary>All layers from work.Z[0], keeping the tape; returns ŷ = −[Z_L]_{d+1,n+1}.</summary>
    private double Forward(double[] layers, Workspace work)
    {
        int w = work.W, n = work.N, cols = n + 1;
        double c = (Family.Sign == ResidualSign.Minus ? -1.0 : 1.0) / n;
        for (int l = 0; l < work.L; l++)
        {
            int pBase = l * 2 * w * w, qBase = pBase + w * w;
            double[] z = work.Z[l], zNext = work.Z[l + 1], qz = work.QZ[l], s = work.S[l], a = work.A[l], v = work.V[l];
            for (int r = 0; r < w; r++)
                for (int j = 0; j < cols; j++)
                {
                    double sum = 0;
                    for (int b = 0; b < w; b++) sum += layers[qBase + r * w + b] * z[b * cols + j];
                    qz[r * cols + j] = sum;
                }
            for (int i = 0; i < n; i++)
                for (int j = 0; j < cols; j++)
                {
                    double sum = 0;
                    for (int r = 0; r < w; r++) sum += z[r * cols + i] * qz[r * cols + j];
                    s[i * cols + j] = sum;
                }
            Activate(s, a, n);
            for (int r = 0; r < w; r++)
                for (int i = 0; i < n; i++)
                {
                    double sum = 0;
                    for (int b = 0; b < w; b++) sum += layers[pBase + r * w + b] * z[b * cols + i];
                    v[r * n + i] = sum;
                }
            for (int r = 0; r < w; r++)
                for (int j = 0; j < cols; j++)
                {
                    double sum = 0;
                    for (int i = 0; i < n; i++) sum += v[r * n + i] * a[i * cols + j];
                    zNext[r * cols + j] = z[r * cols + j] + c * sum;
                }
        }
        return -work.Z[work.L][(w - 1) * cols + n];
    }

    private void Activate(double[] s, double[] a, int n)
    {
        int cols = n + 1;
        switch (Activation)
        {
            case ScoreActivation.Identity:
                Array.Copy(s, a, s.Length);
                break;
            case ScoreActivation.Relu:
                for (int k = 0; k < s.Length; k++) a[k] = s[k] > 0 ? s[k] : 0;
                break;
            case ScoreActivation.Softmax:
                for (int j = 0; j < cols; j++)
                {
                    double max = double.NegativeInfinity, sum = 0;
                    for (int i = 0; i < n; i++) max = Math.Max(max, s[i * cols + j]);
                    for (int i = 0; i < n; i++) sum += a[i * cols + j] = Math.Exp(s[i * cols + j] - max);
                    double scale = n / sum;
                    for (int i = 0; i < n; i++) a[i * cols + j] *= scale;
                }
                break;
        }
    }

    /// <summary>Reverse pass from Z̄_L = −ȳ e_{d+1,n+1}, accumulating ∂f/∂(P_l, Q_l) into <paramref name="adjoints"/>.</summary>
    private void Reverse(double[] layers, Workspace work, double yBar, double[] adjoints)
    {
        int w = work.W, n = work.N, cols = n + 1;
        double c = (Family.Sign == ResidualSign.Minus ? -1.0 : 1.0) / n;
        var zBar = work.ZBar;
        Array.Clear(zBar);
        zBar[(w - 1) * cols + n] = -yBar;
        for (int l = work.L - 1; l >= 0; l--)
        {
            int pBase = l * 2 * w * w, qBase = pBase + w * w;
            double[] z = work.Z[l], qz = work.QZ[l], s = work.S[l], a = work.A[l], v = work.V[l];
            double[] uBar = work.UBar, vBar = work.VBar, aBar = work.ABar, sBar = work.SBar, t = work.T, next = work.ZBarNext;
            for (int k = 0; k < uBar.Length; k++) uBar[k] = c * zBar[k];
            for (int r = 0; r < w; r++)
                for (int i = 0; i < n; i++)
                {
                    double sum = 0;
                    for (int j = 0; j < cols; j++) sum += uBar[r * cols + j] * a[i * cols + j];
                    vBar[r * n + i] = sum;
                }
            for (int i = 0; i < n; i++)
                for (int j = 0; j < cols; j++)
                {
                    double sum = 0;
                    for (int r = 0; r < w; r++) sum += v[r * n + i] * uBar[r * cols + j];
                    aBar[i * cols + j] = sum;
                }
            switch (Activation)
            {
                case ScoreActivation.Identity:
                    Array.Copy(aBar, sBar, aBar.Length);
                    break;
                case ScoreActivation.Relu:
                    for (int k = 0; k < sBar.Length; k++) sBar[k] = s[k] > 0 ? aBar[k] : 0;
                    break;
                case ScoreActivation.Softmax:
                    for (int j = 0; j < cols; j++)
                    {
                        double dot = 0;
                        for (int i = 0; i < n; i++) dot += a[i * cols + j] * aBar[i * cols + j];
                        dot = FaultDropSoftmaxCentring ? 0 : dot / n;
                        for (int i = 0; i < n; i++) sBar[i * cols + j] = a[i * cols + j] * (aBar[i * cols + j] - dot);
                    }
                    break;
            }
            // P̄ += V̄ Z_ctxᵀ; Z̄ = Z̄′ + PᵀV̄ on the context columns.
            Array.Copy(zBar, next, zBar.Length);
            for (int r = 0; r < w; r++)
                for (int b = 0; b < w; b++)
                {
                    double sum = 0;
                    for (int i = 0; i < n; i++) sum += vBar[r * n + i] * z[b * cols + i];
                    adjoints[pBase + r * w + b] += sum;
                }
            for (int b = 0; b < w; b++)
                for (int i = 0; i < n; i++)
                {
                    double sum = 0;
                    for (int r = 0; r < w; r++) sum += layers[pBase + r * w + b] * vBar[r * n + i];
                    next[b * cols + i] += sum;
                }
            // T = Z_ctx S̄ (w×(n+1)); Q̄ += T Zᵀ; Z̄ += QᵀT; Z̄_ctx += (QZ) S̄ᵀ.
            for (int r = 0; r < w; r++)
                for (int j = 0; j < cols; j++)
                {
                    double sum = 0;
                    for (int i = 0; i < n; i++) sum += z[r * cols + i] * sBar[i * cols + j];
                    t[r * cols + j] = sum;
                }
            for (int r = 0; r < w; r++)
                for (int b = 0; b < w; b++)
                {
                    double sum = 0;
                    for (int j = 0; j < cols; j++) sum += t[r * cols + j] * z[b * cols + j];
                    adjoints[qBase + r * w + b] += sum;
                }
            for (int b = 0; b < w; b++)
                for (int j = 0; j < cols; j++)
                {
                    double sum = 0;
                    for (int r = 0; r < w; r++) sum += layers[qBase + r * w + b] * t[r * cols + j];
                    next[b * cols + j] += sum;
                }
            for (int r = 0; r < w; r++)
                for (int i = 0; i < n; i++)
                {
                    double sum = 0;
                    for (int j = 0; j < cols; j++) sum += qz[r * cols + j] * sBar[i * cols + j];
                    next[r * cols + i] += sum;
                }
            Array.Copy(next, zBar, next.Length);
        }
    }
}
