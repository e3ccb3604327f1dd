using TTScale.Scaling;

namespace TTScale.Tests.Scaling;

public class SaturationTests
{
    private static FittedCurve Ttspm(double fMax, double p) =>
        new(CurveModel.Ttspm, [new("f_max", fMax, null), new("p", p, null)], 1, new ComputeLine([1, 27, 64], [12, 64, 138]), 0, 0);

    [Fact]
    public void TtspmClosedFormMatchesTheNotes()
    {
        // ln(0.005 / 0.08) / ln(0.9) = 26.3 -> 27
        Assert.Equal(27, Saturation.TtspmPoint(0.8, 0.1, 0.005));
        Assert.Equal(0, Saturation.TtspmPoint(0.5, 0.005, 0.005)); // f_max p < epsilon: not worth sampling
    }

    [Theory]
    [InlineData(0.8, 0.1, 0.005)]
    [InlineData(0.95, 0.6, 0.005)]
    [InlineData(0.3, 0.02, 0.001)]
    [InlineData(1.0, 0.5, 0.0625)] // lands exactly on epsilon: 1 * 0.5 * 0.5^3 = 0.0625, so N* = 4
    public void ClosedFormIsTheSmallestBudgetWithGainBelowEpsilon(double fMax, double p, double epsilon)
    {
        long n = Saturation.TtspmPoint(fMax, p, epsilon);
        var curve = Ttspm(fMax, p);
        Assert.True(curve.MarginalGain((int)n) < epsilon);
        if (n > 0) Assert.True(curve.MarginalGain((int)n - 1) >= epsilon - 1e-15);
    }

    [Fact]
    public void FindUsesTheClosedFormForTtspmAndPricesTheBudget()
    {
        var point = Saturation.Find(Ttspm(0.8, 0.1), 0.005);
        Assert.Equal(27, point.Budget);
        Assert.Equal(64, point.Compute!.Value, 1e-9); // the compute line at N* = 27, a measured budget
        Assert.Equal("closed_form", point.Method);
        Assert.False(point.Extrapolated); // 27 <= 64, the largest measured budget
    }

    [Fact]
    public void ASaturationPointPastTheMeasuredBudgetsIsMarkedExtrapolated()
    {
        // Measured up to N = 8, saturating at 27: read off a curve (and a compute line) past its data.
        var curve = new FittedCurve(CurveModel.Ttspm, [new("f_max", 0.8, null), new("p", 0.1, null)], 1, new ComputeLine([1, 2, 4, 8], [1, 2, 4, 8]), 4, 0);
        var point = Saturation.Find(curve, 0.005);
        Assert.Equal(27, point.Budget);
        Assert.True(point.Extrapolated);
    }

    [Fact]
    public void SearchFindsThePowerLawPointAndSkipsALogisticThatHasNotRisen()
    {
        var power = new FittedCurve(CurveModel.PowerLaw, [new("a_max", 0.9, null), new("b", 0.5, null), new("alpha", 0.5, null)], 1, new ComputeLine([1], [1]), 0, 0);
        var point = Saturation.Find(power, 0.005);
        Assert.NotNull(point.Budget);
        int n = point.Budget!.Value;
        Assert.True(power.MarginalGain(n) < 0.005 && power.MarginalGain(n - 1) >= 0.005);

        // Flat near zero at N = 1, steep around N = e^3 ~ 20: saturation comes after the rise.
        var logistic = new FittedCurve(CurveModel.Logistic, [new("a_max", 0.8, null), new("k", 3, null), new("m", 3, null)], 1, new ComputeLine([1], [1]), 0, 0);
        var late = Saturation.Find(logistic, 0.005);
        Assert.True(late.Budget > 20);
    }
}
