using TTScale.Reporting.Model;

namespace TTScale.Reporting.Figures;

/// <summary>The report's figures as <see cref="FigureSpec"/>s, built from the report model with one palette throughout.</summary>
public sealed class ReportFigures(ScalingReportData data, StrategyPalette palette)
{
    private const string AccuracyLabel = "accuracy (%), 95% interval shaded";

    /// <summary>Accuracy against compute per strategy: measured points with bands, fitted curves dashed, saturation points marked.</summary>
    public FigureSpec AccuracyVersusCompute() =>
        Curves($"Accuracy vs compute ({data.Provenance.Dataset})", data.Strategies, width: 760, height: 460);

    /// <summary>
    /// The same for one difficulty bin, sized as a panel of a grid. No legend: at panel size one as long as the main
    /// figure's took most of the width and ran off the edge; the panels use the main figure's palette and legend.
    /// </summary>
    public FigureSpec Bin(DifficultyBin bin) =>
        Curves($"Bin {bin.Bin}: {bin.Label} ({bin.Problems} problems)", bin.Strategies, width: 520, height: 360) with { Legend = false };

    /// <summary>Accuracy against mean peak logical KV bytes per problem: what each strategy's accuracy costs in memory.</summary>
    public FigureSpec AccuracyVersusMemory() => new(
        "Accuracy vs peak logical KV memory", "mean peak logical KV cache per problem", AccuracyLabel,
        [.. data.Strategies.Select(s => Measured(s, p => p.PeakLogicalKvBytes))], [], ReportFormat.Bytes);

    /// <summary>
    /// The adaptive policy against its baselines at matched compute: measured series with bands, a policy's predicted
    /// curve dashed; null when the report has no comparison.
    /// </summary>
    public FigureSpec? AdaptiveVersusBaselines() => data.Adaptive is not { } comparison ? null : new(
        "Adaptive policy vs baselines at matched compute", data.Axis.Label(), AccuracyLabel,
        [.. comparison.Adaptive.Concat(comparison.Baselines).Select(s => s.Points.All(p => p.Source == PointSource.Predicted)
            ? new FigureSeries(s.Strategy, palette[s.Strategy], [.. s.Points.Select(p => new FigurePoint(p.Compute, p.Accuracy))], Dashed: true)
            : Measured(s, p => p.Compute))], [], FormatAxis, ZoomY: true);

    private FigureSpec Curves(string title, IReadOnlyList<StrategySeries> strategies, int width, int height)
    {
        var series = new List<FigureSeries>();
        var markers = new List<FigureMarker>();
        foreach (var strategy in strategies)
        {
            series.Add(Measured(strategy, p => p.Compute));
            if (strategy.Fit is { } fit)
                series.Add(new FigureSeries($"{strategy.Strategy} fit ({fit.Model})", palette[strategy.Strategy],
                    [.. fit.Samples.Select(c => new FigurePoint(c.Compute, c.Accuracy))], Dashed: true, Markers: false));
            if (strategy.Saturation is { } saturation)
                markers.Add(new FigureMarker($"{strategy.Strategy} saturates (N*={ReportFormat.Budget(saturation.Budget)}{(saturation.Extrapolated ? ", extrapolated" : "")})",
                    palette[strategy.Strategy], saturation.Compute, saturation.Accuracy));
        }
        return new FigureSpec(title, data.Axis.Label(), AccuracyLabel, series, markers, FormatAxis, width, height);
    }

    private FigureSeries Measured(StrategySeries strategy, Func<ScalingPoint, double> x) => new(
        strategy.Strategy, palette[strategy.Strategy], [.. strategy.Points.Select(p => new FigurePoint(x(p), p.Accuracy, p.Low, p.High))], Band: true);

    private string FormatAxis(double value) => data.Axis == ComputeAxis.Samples ? ReportFormat.Number(value) : ReportFormat.Amount(value);
}
