using System.Numerics;
using System.Runtime.Intrinsics;
using LoopedIcl.Numerics.Engine;

namespace LoopedIcl.Lemmas;

/// <summary>
/// PERF (library level): every width's lane code in one process. A host runs the narrower lanes natively (AVX-512 has AVX2 and SSE;
/// AVX2 has SSE), so the engine's width-generic kernels — the lane-matrix products, the matrix–vector product and the sampler — run
/// here at 512, 256 and 128 bits on the same inputs and must give the same bits, and those bits are checked against a second,
/// scalar computation of what each kernel is defined to compute: an FMA chain over k in order (the kernels' documented reduction
/// order), and xoshiro256** + Box–Muller written from their definitions. The child-process probe (<see cref="WidthIndependence"/>)
/// checks the whole pipeline under each runtime's own width; this checks the kernels directly, fast enough for mutation testing.
/// </summary>
[TestFixture, Category(ClaimIds.Perf), Category(CategoryLabels.Library)]
public sealed class LibraryLaneWidths
{
    private const int Lanes = PromptBatch.Lanes;

    /// <summary>The widths this host can run in-process: every one at or below its own.</summary>
    private static IEnumerable<int> Widths => SimdWidth.All.Where(b => b <= SimdWidth.Bits);

    /// <summary>A lane matrix (w×w entries of 8 lanes, entry (i, j) lane l at (i·w + j)·8 + l) of distinct, irregular values.</summary>
    private static double[] LaneMatrix(int w, Random rng) =>
        Enumerable.Range(0, w * w * Lanes).Select(_ => Math.Round(rng.NextDouble() * 4 - 2, 3) + rng.NextDouble() * 1e-7).ToArray();

    private static string FirstDifference(double[] actual, double[] expected)
    {
        int k = Enumerable.Range(0, expected.Length).FirstOrDefault(i => !Checks.SameBits(actual[i], expected[i]), -1);
        return k < 0 ? "none" : $"entry {k / Lanes} lane {k % Lanes}: {actual[k]:R} vs {expected[k]:R}";
    }

    /// <summary>c = a′b′ at one width (a′, b′ lane matrices, each transposed or not).</summary>
    private static double[] LaneProduct(int bits, double[] a, bool ta, double[] b, bool tb, int w)
    {
        var c = new double[w * w * Lanes];
        ref double ra = ref a[0], rb = ref b[0], rc = ref c[0];
        switch (bits)
        {
            case 512: IclEngine.Product<Lanes512, Vector512<double>, Vector512<ulong>>(ref ra, ta, ref rb, tb, ref rc, w); break;
            case 256: IclEngine.Product<Lanes256, Vector256<double>, Vector256<ulong>>(ref ra, ta, ref rb, tb, ref rc, w); break;
            default: IclEngine.Product<Lanes128, Vector128<double>, Vector128<ulong>>(ref ra, ta, ref rb, tb, ref rc, w); break;
        }
        return c;
    }

    /// <summary>c = a b′ for a lane matrix a and a scalar matrix b (the same for every lane), b′ = b or bᵀ.</summary>
    private static double[] LaneTimesScalar(int bits, double[] a, double[] b, bool tb, int w)
    {
        var c = new double[w * w * Lanes];
        ref double ra = ref a[0], rb = ref b[0], rc = ref c[0];
        nint bk = tb ? 1 : w, bj = tb ? w : 1;
        switch (bits)
        {
            case 512: IclEngine.Product<Lanes512, Vector512<double>, Vector512<ulong>, IclEngine.ScalarOperand>(ref ra, w * Lanes, Lanes, ref rb, bk, bj, ref rc, w * Lanes, Lanes, w); break;
            case 256: IclEngine.Product<Lanes256, Vector256<double>, Vector256<ulong>, IclEngine.ScalarOperand>(ref ra, w * Lanes, Lanes, ref rb, bk, bj, ref rc, w * Lanes, Lanes, w); break;
            default: IclEngine.Product<Lanes128, Vector128<double>, Vector128<ulong>, IclEngine.ScalarOperand>(ref ra, w * Lanes, Lanes, ref rb, bk, bj, ref rc, w * Lanes, Lanes, w); break;
        }
        return c;
    }

    /// <summary>c = a′b for a scalar matrix a′ = a or aᵀ (its zero entries skipped) and a lane matrix b.</summary>
    private static double[] ScalarTimesLane(int bits, double[] a, bool ta, double[] b, int w)
    {
        var c = new double[w * w * Lanes];
        ref double rb = ref b[0], rc = ref c[0];
        switch (bits)
        {
            case 512: IclEngine.Product<Lanes512, Vector512<double>, Vector512<ulong>>(a, ta, ref rb, ref rc, w); break;
            case 256: IclEngine.Product<Lanes256, Vector256<double>, Vector256<ulong>>(a, ta, ref rb, ref rc, w); break;
            default: IclEngine.Product<Lanes128, Vector128<double>, Vector128<ulong>>(a, ta, ref rb, ref rc, w); break;
        }
        return c;
    }

    private static double[] MatVec(int bits, double[] m, double[] v, bool transposed, int w)
    {
        var r = new double[w * Lanes];
        ref double rm = ref m[0], rv = ref v[0], rr = ref r[0];
        switch (bits)
        {
            case 512: IclEngine.MatVec<Lanes512, Vector512<double>, Vector512<ulong>>(ref rm, ref rv, ref rr, w, transposed); break;
            case 256: IclEngine.MatVec<Lanes256, Vector256<double>, Vector256<ulong>>(ref rm, ref rv, ref rr, w, transposed); break;
            default: IclEngine.MatVec<Lanes128, Vector128<double>, Vector128<ulong>>(ref rm, ref rv, ref rr, w, transposed); break;
        }
        return r;
    }

    /// <summary>The scalar definition: entry (i, j) of lane l is s ← fma(x(i, k), y(k, j), s) over k = 0 … w−1 from s = 0, skipping x = 0 when asked.</summary>
    private static double[] Reference(int w, Func<int, int, int, double> x, Func<int, int, int, double> y, bool skipZeroX = false)
    {
        var c = new double[w * w * Lanes];
        for (int i = 0; i < w; i++)
            for (int j = 0; j < w; j++)
                for (int l = 0; l < Lanes; l++)
                {
                    double s = 0;
                    for (int k = 0; k < w; k++)
                    {
                        double xv = x(i, k, l);
                        if (skipZeroX && xv == 0) continue;
                        s = Math.FusedMultiplyAdd(xv, y(k, j, l), s);
                    }
                    c[(i * w + j) * Lanes + l] = s;
                }
        return c;
    }

    private static Func<int, int, int, double> Lane(double[] m, int w, bool transposed) =>
        (i, k, l) => transposed ? m[(k * w + i) * Lanes + l] : m[(i * w + k) * Lanes + l];

    private static Func<int, int, int, double> Scalar(double[] m, int w, bool transposed) =>
        (i, k, _) => transposed ? m[k * w + i] : m[i * w + k];

    /// <summary>
    /// PERF: the three lane-matrix products (lane × lane with either factor transposed, lane × scalar, scalar × lane with zeros skipped)
    /// give at every width exactly the scalar FMA chain over k — the 2×2 blocking, the odd row and column (w odd) and the parts of a
    /// lane vector at 256 and 128 bits included (w = 1 … 6).
    /// </summary>
    [Test]
    public void PERF_Lane_products_equal_the_scalar_fma_chain_at_every_width()
    {
        var rng = Rng.Create(TestSettings.SeedFor(nameof(PERF_Lane_products_equal_the_scalar_fma_chain_at_every_width)));
        int compared = 0;
        foreach (int w in new[] { 1, 2, 3, 4, 5, 6 })
        {
            var a = LaneMatrix(w, rng);
            var b = LaneMatrix(w, rng);
            var s = Enumerable.Range(0, w * w).Select(k => k % 3 == 1 ? 0.0 : Math.Round(rng.NextDouble() * 2 - 1, 4)).ToArray();  // zeros to skip
            foreach (int bits in Widths)
            {
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                    {
                        var expected = Reference(w, Lane(a, w, ta), Lane(b, w, tb));
                        var actual = LaneProduct(bits, a, ta, b, tb, w);
                        Checks.True(Checks.SameBits(actual, expected), $"{bits} bits, w={w}, a{(ta ? "ᵀ" : "")}b{(tb ? "ᵀ" : "")}: first difference {FirstDifference(actual, expected)}", CheckKind.Identity);
                        compared++;
                    }
                foreach (bool t in new[] { false, true })
                {
                    var expected = Reference(w, Lane(a, w, false), Scalar(s, w, t));
                    var actual = LaneTimesScalar(bits, a, s, t, w);
                    Checks.True(Checks.SameBits(actual, expected), $"{bits} bits, w={w}, lane × scalar{(t ? "ᵀ" : "")}: first difference {FirstDifference(actual, expected)}", CheckKind.Identity);
                    expected = Reference(w, Scalar(s, w, t), Lane(b, w, false), skipZeroX: true);
                    actual = ScalarTimesLane(bits, s, t, b, w);
                    Checks.True(Checks.SameBits(actual, expected), $"{bits} bits, w={w}, scalar{(t ? "ᵀ" : "")} × lane: first difference {FirstDifference(actual, expected)}", CheckKind.Identity);
                    compared += 2;
                }
            }
        }
        ClaimLedger.Count("lane products compared bit for bit", compared);
    }

    /// <summary>PERF negative control: the comparison sees a one-ulp change of one factor entry (the check can fail on finite values).</summary>
    [Test]
    public void PERF_Negative_control_a_one_ulp_change_fails_the_product_comparison()
    {
        var rng = Rng.Create(TestSettings.SeedFor(nameof(PERF_Negative_control_a_one_ulp_change_fails_the_product_comparison)));
        const int w = 3;
        var a = LaneMatrix(w, rng);
        var b = LaneMatrix(w, rng);
        var expected = Reference(w, Lane(a, w, false), Lane(b, w, false));
        a[(1 * w + 2) * Lanes + 5] = Math.BitIncrement(a[(1 * w + 2) * Lanes + 5]);
        var actual = LaneProduct(SimdWidth.Bits, a, false, b, false, w);
        Checks.True(!Checks.SameBits(actual, expected), $"a one-ulp change of a(1, 2) in lane 5 changes the product ({FirstDifference(actual, expected)})", CheckKind.NegativeControl);
        ClaimLedger.RecordNegativeControl("a one-ulp change of one factor entry fails the bit-for-bit product comparison");
    }

    /// <summary>
    /// PERF: the sampler's transforms at every width are their scalar FMA chains — x ← Rx for each of <c>count</c> vectors (row a over
    /// b ≤ a in order, rows from the last up), then the label ⟨w, x⟩ over a in order (and the label alone when R is absent); w = Uz for
    /// upper-triangular U over b ≥ a in order. Each writes its own slice only: the guard values after it keep their bits.
    /// </summary>
    [Test]
    public void PERF_Sampler_transforms_equal_the_scalar_fma_chain_at_every_width()
    {
        var rng = Rng.Create(TestSettings.SeedFor(nameof(PERF_Sampler_transforms_equal_the_scalar_fma_chain_at_every_width)));
        const double guard = -7.25;
        foreach (var (d, count) in new[] { (1, 1), (3, 1), (4, 3) })
        {
            var factor = LaneMatrix(d, rng).Where((_, k) => k % Lanes == 0).ToArray();   // d×d scalars
            var lower = factor.Select((v, k) => k % d <= k / d ? v : 0).ToArray();
            var upper = factor.Select((v, k) => k % d >= k / d ? v : 0).ToArray();
            var x0 = Enumerable.Range(0, count * d * Lanes).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var w = Enumerable.Range(0, d * Lanes).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            foreach (var chol in new[] { lower, null })
            {
                var xExpected = (double[])x0.Clone();
                var yExpected = new double[count * Lanes];
                for (int i = 0; i < count; i++)
                    for (int l = 0; l < Lanes; l++)
                    {
                        double At(int a) => xExpected[(i * d + a) * Lanes + l];
                        if (chol is not null)
                            for (int a = d - 1; a >= 0; a--)
                            {
                                double s = 0;
                                for (int b = 0; b <= a; b++) s = Math.FusedMultiplyAdd(chol[a * d + b], At(b), s);
                                xExpected[(i * d + a) * Lanes + l] = s;
                            }
                        double t = 0;
                        for (int a = 0; a < d; a++) t = Math.FusedMultiplyAdd(At(a), w[a * Lanes + l], t);
                        yExpected[i * Lanes + l] = t;
                    }
                foreach (int bits in Widths)
                {
                    var x = x0.Append(guard).ToArray();
                    var y = Enumerable.Repeat(guard, count * Lanes + Lanes).ToArray();
                    var xs = x.AsSpan(0, x0.Length);
                    var ys = y.AsSpan(0, count * Lanes);
                    switch (bits)
                    {
                        case 512: PromptBatch.CorrelateAndLabel<Lanes512, Vector512<double>, Vector512<ulong>>(chol, xs, w, ys, count, d); break;
                        case 256: PromptBatch.CorrelateAndLabel<Lanes256, Vector256<double>, Vector256<ulong>>(chol, xs, w, ys, count, d); break;
                        default: PromptBatch.CorrelateAndLabel<Lanes128, Vector128<double>, Vector128<ulong>>(chol, xs, w, ys, count, d); break;
                    }
                    string what = $"{bits} bits, d = {d}, {count} vector(s), {(chol is null ? "no R" : "x ← Rx")}";
                    Checks.True(Checks.SameBits(x[..x0.Length], xExpected), $"{what}: x, first difference {FirstDifference(x[..x0.Length], xExpected)}", CheckKind.Identity);
                    Checks.True(Checks.SameBits(y[..(count * Lanes)], yExpected), $"{what}: labels, first difference {FirstDifference(y[..(count * Lanes)], yExpected)}", CheckKind.Identity);
                    Checks.True(x[^1] == guard && y.Skip(count * Lanes).All(v => v == guard), $"{what}: nothing written past the slices", CheckKind.Identity);
                }
            }

            var z = Enumerable.Range(0, d * Lanes).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var uz = new double[d * Lanes];
            for (int a = 0; a < d; a++)
                for (int l = 0; l < Lanes; l++)
                {
                    double s = 0;
                    for (int b = a; b < d; b++) s = Math.FusedMultiplyAdd(upper[a * d + b], z[b * Lanes + l], s);
                    uz[a * Lanes + l] = s;
                }
            foreach (int bits in Widths)
            {
                var output = Enumerable.Repeat(guard, d * Lanes + Lanes).ToArray();
                var os = output.AsSpan(0, d * Lanes);
                switch (bits)
                {
                    case 512: PromptBatch.UpperTimes<Lanes512, Vector512<double>, Vector512<ulong>>(upper, z, os, d); break;
                    case 256: PromptBatch.UpperTimes<Lanes256, Vector256<double>, Vector256<ulong>>(upper, z, os, d); break;
                    default: PromptBatch.UpperTimes<Lanes128, Vector128<double>, Vector128<ulong>>(upper, z, os, d); break;
                }
                Checks.True(Checks.SameBits(output[..(d * Lanes)], uz), $"{bits} bits, d = {d}: Uz, first difference {FirstDifference(output[..(d * Lanes)], uz)}", CheckKind.Identity);
                Checks.True(output.Skip(d * Lanes).All(v => v == guard), $"{bits} bits, d = {d}: nothing written past w", CheckKind.Identity);
            }
        }
    }

    /// <summary>PERF: m v and mᵀv at every width are the scalar FMA chain over the column (row) index in order.</summary>
    [Test]
    public void PERF_Lane_matrix_vector_products_equal_the_scalar_fma_chain_at_every_width()
    {
        var rng = Rng.Create(TestSettings.SeedFor(nameof(PERF_Lane_matrix_vector_products_equal_the_scalar_fma_chain_at_every_width)));
        foreach (int w in new[] { 1, 2, 5 })
        {
            var m = LaneMatrix(w, rng);
            var v = LaneMatrix(w, rng)[..(w * Lanes)];
            foreach (bool t in new[] { false, true })
            {
                var expected = new double[w * Lanes];
                for (int i = 0; i < w; i++)
                    for (int l = 0; l < Lanes; l++)
                    {
                        double s = 0;
                        for (int k = 0; k < w; k++) s = Math.FusedMultiplyAdd(t ? m[(k * w + i) * Lanes + l] : m[(i * w + k) * Lanes + l], v[k * Lanes + l], s);
                        expected[i * Lanes + l] = s;
                    }
                foreach (int bits in Widths)
                {
                    var actual = MatVec(bits, m, v, t, w);
                    Checks.True(Checks.SameBits(actual, expected), $"{bits} bits, w={w}, m{(t ? "ᵀ" : "")}v: first difference {FirstDifference(actual, expected)}", CheckKind.Identity);
                }
            }
        }
    }

    private static double[] Normals(int bits, ulong seed, ulong stream, int[] calls)
    {
        var normals = new LaneNormals(seed, stream);
        var all = new List<double>();
        foreach (int vectors in calls)
        {
            var target = new double[vectors * Lanes];
            switch (bits)
            {
                case 512: normals.FillAtWidth<Lanes512, Vector512<double>, Vector512<ulong>>(target); break;
                case 256: normals.FillAtWidth<Lanes256, Vector256<double>, Vector256<ulong>>(target); break;
                default: normals.FillAtWidth<Lanes128, Vector128<double>, Vector128<ulong>>(target); break;
            }
            all.AddRange(target);
        }
        return all.ToArray();
    }

    /// <summary>SplitMix64 (Steele, Lea, Flood 2014; Vigna's reference code).</summary>
    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// One lane's normals from the sampler's definition (LaneNormals' summary): xoshiro256** (Blackman and Vigna's reference next())
    /// seeded by SplitMix64 of seed ⊕ γ·(8·stream + lane + 1); per pair, u₁ = (⌊r/2¹¹⌋ + 1)·2⁻⁵³ from one draw (the integer
    /// conversion this time), and from the next the quadrant q = r/2⁶² and ψ = (m·2⁻⁵² − ½)·π/2 with m bits 10…61, φ = qπ/2 + ψ;
    /// then √(−2 ln u₁)·(cos φ, sin φ) with Math.Log, Math.Cos and Math.Sin.
    /// </summary>
    private static double[] ReferenceLane(ulong seed, ulong stream, int lane, int count)
    {
        ulong x = seed ^ (0x9E3779B97F4A7C15UL * (stream * 8 + (ulong)lane + 1));
        ulong s0 = SplitMix64(ref x), s1 = SplitMix64(ref x), s2 = SplitMix64(ref x), s3 = SplitMix64(ref x);
        ulong Next()
        {
            ulong result = BitOperations.RotateLeft(s1 * 5, 7) * 9, t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
            s3 = BitOperations.RotateLeft(s3, 45);
            return result;
        }
        var z = new double[count];
        for (int k = 0; k < count; k += 2)
        {
            double u = ((Next() >> 11) + 1) * (1.0 / (1UL << 53));
            ulong bits = Next();
            double psi = (((bits >> 10) & ((1UL << 52) - 1)) * Math.Pow(2, -52) - 0.5) * (Math.PI / 2);
            double c = Math.Cos(psi), s = Math.Sin(psi);
            (double cos, double sin) = (bits >> 62) switch { 0 => (c, s), 1 => (-s, c), 2 => (-c, -s), _ => (s, -c) };
            double radius = Math.Sqrt(-2 * Math.Log(u));
            z[k] = radius * cos;
            if (k + 1 < count) z[k + 1] = radius * sin;
        }
        return z;
    }

    /// <summary>
    /// PERF: the sampler at every width gives the same bits, over calls that start and end on a spare normal (odd vector counts) and
    /// runs longer than one block of 32 pairs; and each lane's numbers are its own stream's definition within 8 units in the last
    /// place of the radius (the sampler's log is within one ulp of Math.Log, its cos/sin series within 1e-17 of the true values; any
    /// wrong shift, constant, rotation or lane/stream seed moves a normal by O(1)).
    /// </summary>
    [Test]
    public void PERF_Lane_normals_are_the_same_bits_at_every_width_and_follow_their_definition()
    {
        const ulong seed = 0x0123456789ABCDEFUL, stream = 3;
        int[] calls = [0, 1, 0, 2, 3, 70, 1, 4];   // 81 vectors: a spare carried in and out of odd calls and across an empty one, a call of 35 pairs (two blocks)
        var reference = Normals(SimdWidth.Bits, seed, stream, calls);
        foreach (int bits in Widths)
        {
            var actual = Normals(bits, seed, stream, calls);
            Checks.True(Checks.SameBits(actual, reference), $"{bits}-bit normals equal the {SimdWidth.Bits}-bit ones: first difference {FirstDifference(actual, reference)}", CheckKind.Identity);
        }
        int vectors = calls.Sum();
        double worst = 0;
        string where = "";
        for (int lane = 0; lane < Lanes; lane++)
        {
            var expected = ReferenceLane(seed, stream, lane, vectors + 1);   // even: every normal has its pair's partner for the radius
            for (int v = 0; v < vectors; v++)
            {
                double got = reference[v * Lanes + lane];
                double radius = Math.Sqrt(expected[v] * expected[v] + expected[v ^ 1] * expected[v ^ 1]);
                double error = Math.Abs(got - expected[v]) / (Math.Max(radius, 1e-300) * Math.Pow(2, -52));
                if (!(error <= worst)) { worst = error; where = $"lane {lane} normal {v}: {got:R} vs {expected[v]:R}"; }
            }
        }
        Checks.AtMost(worst, 8, $"normals vs their definition, in ulps of the radius (worst at {where})", CheckKind.Identity);
        // Negative control: lane 0's numbers against lane 1's definition fail the same check by far.
        var other = ReferenceLane(seed, stream, 1, 2);
        double swapped = Math.Abs(reference[0] - other[0]) / (Math.Sqrt(other[0] * other[0] + other[1] * other[1]) * Math.Pow(2, -52));
        Checks.Exceeds(swapped, 8, "lane 0's first normal vs lane 1's definition, in ulps of the radius");
        ClaimLedger.RecordNegativeControl("a lane compared with its neighbour's stream fails the definition check");
    }

    /// <summary>
    /// The width this process runs at is the widest accelerated one; its description names it with the ISA flags; the child-process
    /// knobs for each width are the ones .NET 10 honours (DOTNET_EnableAVX512; 128 also DOTNET_PreferredVectorBitWidth, keeping FMA).
    /// </summary>
    [Test]
    public void PERF_Width_is_the_widest_accelerated_and_the_knobs_select_each_width()
    {
        int expected = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;
        Checks.True(SimdWidth.Bits == expected, $"Bits = {SimdWidth.Bits}, the widest accelerated width {expected}", CheckKind.Identity);
        string describe = SimdWidth.Describe();
        Checks.True(describe.StartsWith($"{expected}-bit lanes (Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}; ", StringComparison.Ordinal)
                    && describe.EndsWith($", FMA {SimdWidth.FusedMultiplyAddInHardware})", StringComparison.Ordinal), $"the description names the width and the flags ({describe})");
        bool fma = System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported;
        Checks.True(SimdWidth.FusedMultiplyAddInHardware == fma, "FMA in hardware: x86 FMA3 or ARM64 AdvSimd", CheckKind.Identity);
        Checks.True(SimdWidth.RuntimeKnobs(512).Count == 0, "512: no knob");
        Checks.True(SimdWidth.RuntimeKnobs(256).SequenceEqual([("DOTNET_EnableAVX512", "0")]), "256: AVX-512 off", CheckKind.Identity);
        Checks.True(SimdWidth.RuntimeKnobs(128).SequenceEqual([("DOTNET_EnableAVX512", "0"), ("DOTNET_PreferredVectorBitWidth", "128")]), "128: AVX-512 off and 128-bit vectors preferred", CheckKind.Identity);
        foreach (int bad in new[] { 64, 0, 1024 }) TestSupport.Refusals.Rejects(() => SimdWidth.RuntimeKnobs(bad), "bits", "must be 512, 256 or 128");
        Checks.True(SimdWidth.All.SequenceEqual([512, 256, 128]), "the widths, widest first", CheckKind.Identity);
    }
}
