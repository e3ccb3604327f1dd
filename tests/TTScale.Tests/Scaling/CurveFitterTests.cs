using TTScale.Randomness;
using TTScale.Scaling;

namespace TTScale.Tests.Scaling;

public class CurveFitterTests
{
    private static readonly int[] Budgets = [1, 2, 4, 8, 16, 32, 64, 128];

    /// <summary>Points from a known curve plus seeded Gaussian noise (Box-Muller over SplitMix64).</summary>
    private static List<ScalingPoint> Noisy(Func<int, double, double> truth, double noise, long seed, double computePerSample = 3e9, double shared = 1e9)
    {
        var random = SplitMix64.ForStream(seed, 0);
        return Budgets.Select(n =>
        {
            double c = shared + computePerSample * n;
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return new ScalingPoint(n, c, truth(n, c) + noise * gaussian, 500);
        }).ToList();
    }

    [Fact]
    public void RecoversTtspmParameters()
    {
        var points = Noisy((n, _) => 0.8 * (1 - Math.Pow(1 - 0.15, n)), 0.004, 1);
        var curve = CurveFitter.Fit(CurveModel.Ttspm, points);
        Assert.Equal(0.8, curve.Parameter("f_max"), 0.02);
        Assert.Equal(0.15, curve.Parameter("p"), 0.02);
        Assert.All(curve.Parameters, p => Assert.True(p.StandardError is > 0 and < 0.05));
        Assert.True(curve.Rmse < 0.01);
    }

    [Fact]
    public void AParameterAtItsBoundHasNoStandardError()
    {
        // Every point solved: f_max sits at its bound of 1, where a one-sided difference gave "1 +- 4E-09".
        var points = Budgets.Select(n => new ScalingPoint(n, 3e9 * n, n == 1 ? 0.9 : 1.0, 500)).ToList();
        var curve = CurveFitter.Fit(CurveModel.Ttspm, points);
        Assert.Equal(1.0, curve.Parameter("f_max"), 1e-4);
        Assert.Null(curve.Parameters.Single(p => p.Name == "f_max").StandardError);
        Assert.NotNull(curve.Parameters.Single(p => p.Name == "p").StandardError); // p stays free: its error is that of a fit with f_max fixed
    }

    [Fact]
    public void RecoversPowerLawParameters()
    {
        const double c0 = 4e9; // the smallest compute, which the fitter uses as its scale
        var points = Noisy((_, c) => 0.9 - 0.5 * Math.Pow(c / c0, -0.4), 0.003, 2);
        var curve = CurveFitter.Fit(CurveModel.PowerLaw, points);
        Assert.Equal(c0, curve.ComputeScale);
        Assert.Equal(0.9, curve.Parameter("a_max"), 0.03);
        Assert.Equal(0.5, curve.Parameter("b"), 0.03);
        Assert.Equal(0.4, curve.Parameter("alpha"), 0.06);
        // The fit also reads its compute line, exact at every measured budget.
        Assert.All(points, p => Assert.Equal(p.Compute, curve.Line.ComputeAt(p.Budget), p.Compute * 1e-12));
    }

    [Fact]
    public void RecoversLogisticParameters()
    {
        const double c0 = 4e9;
        var points = Noisy((_, c) => 0.7 / (1 + Math.Exp(-1.2 * (Math.Log(c / c0) - 2.0))), 0.003, 3);
        var curve = CurveFitter.Fit(CurveModel.Logistic, points);
        Assert.Equal(0.7, curve.Parameter("a_max"), 0.03);
        Assert.Equal(1.2, curve.Parameter("k"), 0.15);
        Assert.Equal(2.0, curve.Parameter("m"), 0.15);
    }

    [Fact]
    public void SeededNoiseGivesTheSameFit()
    {
        var a = CurveFitter.Fit(CurveModel.Ttspm, Noisy((n, _) => 0.6 * (1 - Math.Pow(0.7, n)), 0.01, 7));
        var b = CurveFitter.Fit(CurveModel.Ttspm, Noisy((n, _) => 0.6 * (1 - Math.Pow(0.7, n)), 0.01, 7));
        Assert.Equal(a.Parameters, b.Parameters);
    }

    [Fact]
    public void TooFewPointsAreRejected() =>
        Assert.Throws<ArgumentException>(() => CurveFitter.Fit(CurveModel.PowerLaw, [new ScalingPoint(1, 1, 0.5, 10), new ScalingPoint(2, 2, 0.6, 10)]));

    [Fact]
    public void ModelsParseAndName()
    {
        foreach (var model in CurveModels.All) Assert.Equal(model, CurveModels.Parse(model.Name()));
        Assert.Contains("'cubic' is not a curve model", Assert.Throws<ArgumentException>(() => CurveModels.Parse("cubic")).Message, StringComparison.Ordinal);
    }
}
