using TTScale.Reporting.Tables;
using TTScale.Reporting.Figures;
using TTScale.Reporting.Model;

namespace TTScale.Tests.Reporting;

public sealed class ScalingReportDataTests
{
    [Fact]
    public void WithPointsReplacesAStrategysPointsAndKeepsItsFit()
    {
        var data = ReportSamples.Full();
        var replayed = ReportSamples.Series("best-of-n", 0.7, [1, 2, 3, 4, 5, 6, 7, 8], PointSource.Replay).Points;
        var after = data.WithPoints("best-of-n", replayed);
        var series = after.Strategies.Single(s => s.Strategy == "best-of-n");
        Assert.Equal(8, series.Points.Count);
        Assert.NotNull(series.Fit);
        Assert.Equal(5, data.Strategies[0].Points.Count); // the original is untouched
    }

    [Fact]
    public void WithFitReachesIntoABinAndAddsStrategiesItHasNotSeen()
    {
        var fit = new FittedCurve("power", [new(1, 0.1)], [new("a", 1)], []);
        var after = ReportSamples.Full().WithFit("dvts", fit, new SaturationPoint(4, 4e6, 0.5), bin: 3);
        var added = after.Bins.Single(b => b.Bin == 3).Strategies.Single(s => s.Strategy == "dvts");
        Assert.Equal((fit, 4.0), (added.Fit, added.Saturation!.Budget));
        Assert.Throws<ArgumentException>(() => after.WithFit("beam", fit, null, bin: 9));
    }

    [Fact]
    public void EveryStrategyKeepsOneColourInFirstSeenOrder()
    {
        var data = ReportSamples.Full();
        Assert.Equal(["best-of-n", "beam", "adaptive", "adaptive (measured)"], data.StrategyNames);
        var palette = new StrategyPalette(data.StrategyNames);
        Assert.Equal(4, data.StrategyNames.Select(name => palette[name]).Distinct().Count());
    }

    [Fact]
    public void AdaptiveRunsJoinTheirSeriesByNameAndTheFirstSetsTheBaselines()
    {
        var data = ReportSamples.Full() with { Adaptive = null };
        var bestOfN = ReportSamples.Series(AdaptiveComparison.BestOfN, 0.85, [1, 4, 16], PointSource.Replay);
        data = data with { Strategies = [bestOfN, .. data.Strategies] };
        var after = data.WithAdaptive(ReportSamples.Series("adaptive (measured)", 0.9, [8]))
            .WithAdaptive(ReportSamples.Series("adaptive (measured)", 0.9, [2]));
        var comparison = after.Adaptive!;
        Assert.Equal([2, 8], comparison.Adaptive.Single().Points.Select(p => p.Budget)); // one series, in compute order
        // Weighted best-of-N, then the other strategy reaching the highest accuracy (best-of-n at 0.9 x ... beats beam at 0.8 x ...).
        Assert.Equal([AdaptiveComparison.BestOfN, "best-of-n"], comparison.Baselines.Select(b => b.Strategy));
    }

    [Fact]
    public void BaselinesAreReadAtMatchedComputeLinearlyInLogComputeAndNeverExtrapolated()
    {
        var series = new StrategySeries("best-of-n/weighted", [.. new[] { (1e6, 0.2), (4e6, 0.5) }.Select(x =>
            new ScalingPoint(1, x.Item1, 10, 0, x.Item2, 0, 1, 0, x.Item1, 0, 0))]);
        Assert.Equal(0.35, AdaptiveComparison.AccuracyAt(series, 2e6)!.Value, 9); // halfway in log2 compute
        Assert.Equal(0.5, AdaptiveComparison.AccuracyAt(series, 4e6));
        Assert.Null(AdaptiveComparison.AccuracyAt(series, 5e6));
        Assert.Null(AdaptiveComparison.AccuracyAt(series, 0.5e6));

        var comparison = new AdaptiveComparison([new StrategySeries("adaptive (measured)",
            [new ScalingPoint(3, 2e6, 10, 4, 0.4, 0.1, 0.7, 0, 2e6, 0, 0, Target: "2M flops")])], [series]);
        var table = ReportTables.AdaptiveAtMatchedCompute(comparison, ComputeAxis.Flops)!;
        Assert.Equal(["adaptive (measured)", "2M flops", "4/10", "40.0% [10.0, 70.0]", "2M", "35.0%", "+5.0 pts"], table.Rows.Single());
        Assert.Null(ReportTables.AdaptiveAtMatchedCompute(comparison with { Adaptive = [] }, ComputeAxis.Flops));
    }

    [Fact]
    public void HeldOutPredictionsListTheCurvesAndTheBinMixtureWithTheirErrors()
    {
        var table = ReportTables.HeldOutPredictions(ReportSamples.Full())!;
        Assert.Equal([
            ["best-of-n", "its curve (ttspm)", "16", "87.0%", "89.0%", "+2.0 pts", "2.3%"],
            ["best-of-n", "its bins' curves", "16", "87.0%", "87.5%", "+0.5 pts", "0.6%"]], table.Rows);
        Assert.Null(ReportTables.HeldOutPredictions(ReportSamples.Full() with { Strategies = [ReportSamples.Series("beam", 0.8, [1, 2])], ByBin = null }));
    }

    [Fact]
    public void TheFitsMeanHeldOutErrorIsInPointsAsTheHeldOutErrorsAre()
    {
        var row = ReportTables.Fits(ReportSamples.Full())!.Rows.First(r => r[0] == "best-of-n" && r[1] == "all");
        Assert.Equal("2.0 pts", row[5]); // was "2.0%", beside a relative error of 2.3% for the same prediction
    }

    [Fact]
    public void ALargeSaturationPointKeepsEveryDigit()
    {
        var full = ReportSamples.Full();
        var saturated = full with { Strategies = [.. full.Strategies.Select(s => s.Fit is null ? s : s with { Saturation = new SaturationPoint(12345, 4e9, 0.9) })] };
        var row = ReportTables.Fits(saturated)!.Rows.First(r => r[1] == "all");
        Assert.Equal("12345", row[6]); // was "1.234E+04"
    }

    [Fact]
    public void AnExtrapolatedSaturationPointSaysSo()
    {
        // Past the measured budgets the curve was never observed: the report must not print N* like a measured one.
        var full = ReportSamples.Full();
        var saturated = full with { Strategies = [.. full.Strategies.Select(s => s.Fit is null ? s : s with { Saturation = new SaturationPoint(67, 7e10, 0.9, Extrapolated: true) })] };
        Assert.Equal("67 (extrapolated)", ReportTables.Fits(saturated)!.Rows.First(r => r[1] == "all")[6]);
    }

    [Fact]
    public void AxisNamesParseAndUnknownOnesDoNot()
    {
        Assert.Equal(ComputeAxis.EFlops, ComputeAxes.Parse("EFLOPS"));
        Assert.Null(ComputeAxes.Parse("seconds"));
        var point = ReportSamples.Series("beam", 0.5, [4]).Points[0];
        Assert.Equal([4, 120, 4e6, 8e6], new[] { ComputeAxis.Samples, ComputeAxis.Tokens, ComputeAxis.Flops, ComputeAxis.EFlops }.Select(a => a.Of(point)));
    }
}
