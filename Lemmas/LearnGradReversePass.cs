using LoopedIcl.Numerics.Engine;

namespace LoopedIcl.Lemmas;

/// <summary>
/// LEARN-GRAD: the engine's reverse-mode gradient of the batch-mean loss w.r.t. every trainable entry (untied, tied/looped,
/// sparse, GD++, symmetric) equals central finite differences of the engine's own loss.
/// </summary>
[TestFixture, Category(ClaimIds.LearnGrad), Category(CategoryLabels.Library)]
public sealed class LearnGradReversePass
{
    /// <summary>
    /// Central differences, Richardson-extrapolated: (4D(h/2) − D(h))/3 cancels the h²f‴/6 term, leaving O(h⁴f⁽⁵⁾) + O(u|f|/h);
    /// with h = 1e-4 both stay below 1e-6·(1 + |f| + ‖∇f‖∞) on these O(1)-scaled polynomials (plain D(1e-5) does not at κ = 100, L = 3).
    /// </summary>
    internal static double[] CentralDifferences(Func<double[], double> f, double[] x, double h = 1e-4)
    {
        var g = new double[x.Length];
        var y = (double[])x.Clone();
        for (int k = 0; k < x.Length; k++)
        {
            double Central(double step)
            {
                y[k] = x[k] + step;
                double up = f(y);
                y[k] = x[k] - step;
                double down = f(y);
                y[k] = x[k];
                return (up - down) / (2 * step);
            }
            g[k] = (4 * Central(h / 2) - Central(h)) / 3;
        }
        return g;
    }

    internal static void AssertGradientMatchesFd(IclEngine engine, double[] theta, PromptBatch batch, string what)
    {
        var grad = new double[theta.Length];
        double f = engine.Loss(theta, batch, grad);
        var fd = CentralDifferences(t => engine.Loss(t, batch, default), theta);
        double scale = 1 + Math.Abs(f) + grad.Max(Math.Abs);
        double worst = 0;
        int at = 0;
        for (int k = 0; k < grad.Length; k++)
        {
            double e = Math.Abs(grad[k] - fd[k]);
            if (!(e <= worst)) { worst = e; at = k; }
        }
        Checks.AtMost(worst, 1e-6 * scale, $"{what}: max |reverse − FD| (at θ[{at}]: {grad[at]:G8} vs {fd[at]:G8})");
    }

    /// <summary>LEARN-GRAD (b): reverse pass = central finite differences for every parameterisation, 9 prompts, d ≤ 4, n ≤ 12.</summary>
    [TestCase(EngineFamilies.Kind.FullUntied, DepthCaps.Dense)]
    [TestCase(EngineFamilies.Kind.FullTiedMinus, DepthCaps.Dense)]
    [TestCase(EngineFamilies.Kind.Sparse, DepthCaps.SparseGradient)]
    [TestCase(EngineFamilies.Kind.SparseTiedSymmetric, DepthCaps.SparseGradient)]
    [TestCase(EngineFamilies.Kind.GdPlusPlus, DepthCaps.Dense)]
    [TestCase(EngineFamilies.Kind.GatmiryLooped, DepthCaps.LoopedGradient)]
    [TestCase(EngineFamilies.Kind.GatmiryLoopedSymmetricNoU, DepthCaps.LoopedGradient)]
    [TestCase(EngineFamilies.Kind.GatmiryUntied, DepthCaps.Dense)]
    public void LEARN_GRAD_Reverse_pass_equals_central_differences(EngineFamilies.Kind kind, int maxLayers) =>
        Properties.ForAll(Cases.EngineGradient(maxLayers), s =>
        {
            var (family, theta, batch) = EngineFamilies.Draw(kind, s, 9);
            AssertGradientMatchesFd(new IclEngine(family), theta, batch, $"{family.Name}, {s}");
        }, trials: 30);

    /// <summary>LEARN-GRAD negative controls: a transposed P̄ (full family) or a wrong-sign Q̄ (sparse family) fails the same FD check.</summary>
    [TestCase(EngineFamilies.Kind.FullUntied, nameof(AdjointFault.TransposedP))]
    [TestCase(EngineFamilies.Kind.Sparse, nameof(AdjointFault.WrongSignQ))]
    public void LEARN_GRAD_Negative_control_wrong_adjoint_fails_the_check(EngineFamilies.Kind kind, string fault) =>
        Properties.ExpectFailureOnEveryCase(Cases.FiniteDifferencesNonScalar, s =>
        {
            var (family, theta, batch) = EngineFamilies.Draw(kind, s, 9);
            AssertGradientMatchesFd(new IclEngine(family) { Fault = Enum.Parse<AdjointFault>(fault) }, theta, batch, $"{family.Name} with {fault}, {s}");
        }, $"reverse pass with {fault}", trials: 30);
}
