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
        Assert.Equal(["best-of-n", "beam", "adaptive"], data.StrategyNames);
        var palette = new StrategyPalette(data.StrategyNames);
        Assert.Equal(3, data.StrategyNames.Select(name => palette[name]).Distinct().Count());
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
