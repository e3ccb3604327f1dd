using ScottPlot;

namespace TTScale.Reporting.Figures;

/// <summary>Renders <see cref="FigureSpec"/>s with ScottPlot: log2 x axis with ticks at powers of two, accuracy in percent.</summary>
public sealed class ScottPlotFigureRenderer : IFigureRenderer
{
    /// <inheritdoc/>
    public byte[] RenderPng(FigureSpec figure)
    {
        EmbeddedFonts.EnsureRegistered();
        var plot = new Plot();
        var xs = new List<double>();
        foreach (var series in figure.Series)
        {
            var points = series.Points.Where(p => p.X > 0 && double.IsFinite(p.X)).OrderBy(p => p.X).ToList();
            if (points.Count == 0) continue;
            double[] x = [.. points.Select(p => Math.Log2(p.X))], y = [.. points.Select(p => 100 * p.Y)];
            xs.AddRange(x);
            var color = Color.FromHex(series.Color);
            if (series.Band && points.All(p => p.Low is not null && p.High is not null))
            {
                if (points.Count == 1)
                {
                    // A band has no width at one point: show the interval as a whisker instead.
                    var whisker = plot.Add.Line(x[0], 100 * points[0].Low!.Value, x[0], 100 * points[0].High!.Value);
                    whisker.LineColor = color.WithAlpha(0.6);
                    whisker.LineWidth = 2;
                    whisker.MarkerSize = 0;
                    whisker.LegendText = "";
                }
                else
                {
                    var band = plot.Add.FillY(x, [.. points.Select(p => 100 * p.Low!.Value)], [.. points.Select(p => 100 * p.High!.Value)]);
                    band.FillStyle.Color = color.WithAlpha(0.14);
                    band.LineStyle.Width = 0;
                }
            }
            var line = plot.Add.Scatter(x, y, color);
            line.LegendText = series.Label;
            line.LineWidth = series.Dashed ? 1.8f : 2.2f;
            line.LinePattern = series.Dashed ? LinePattern.Dashed : LinePattern.Solid;
            // A lone point (the pool at its K, say) has no line to show it: draw it larger.
            line.MarkerSize = !series.Markers ? 0 : points.Count == 1 ? 11 : 7;
        }
        foreach (var marker in figure.Markers.Where(m => m.X > 0))
        {
            double x = Math.Log2(marker.X);
            xs.Add(x);
            var color = Color.FromHex(marker.Color);
            var rule = plot.Add.VerticalLine(x, 1, color.WithAlpha(0.6), LinePattern.Dotted);
            rule.LegendText = "";
            var point = plot.Add.Marker(x, 100 * marker.Y, MarkerShape.FilledDiamond, 11, color);
            point.LegendText = marker.Label;
        }

        plot.Font.Set(EmbeddedFonts.Family);
        plot.Title(figure.Title, 15);
        plot.XLabel(figure.XLabel, 13);
        plot.YLabel(figure.YLabel, 13);
        plot.Axes.Bottom.TickGenerator = Log2Ticks(xs, figure.FormatX);
        var (bottom, top) = figure.ZoomY ? DataRange(figure) : (0, 100);
        plot.Axes.SetLimitsY(bottom - 3, top + 3);
        if (xs.Count > 0)
        {
            double low = xs.Min(), high = xs.Max(), pad = Math.Max(0.35, 0.06 * (high - low));
            plot.Axes.SetLimitsX(low - pad, high + pad);
        }
        if (figure.Legend)
        {
            plot.Legend.FontName = EmbeddedFonts.Family;
            plot.Legend.FontSize = 12;
            plot.ShowLegend(Edge.Right); // beside the axes, so a long legend never hides the curves
        }
        else plot.HideLegend();

        return plot.GetImageBytes(figure.Width, figure.Height, ImageFormat.Png);
    }

    /// <summary>The percentages the figure's points and bands span, widened to whole tens.</summary>
    private static (double Bottom, double Top) DataRange(FigureSpec figure)
    {
        var ys = figure.Series.SelectMany(s => s.Points).SelectMany(p => new[] { p.Y, p.Low ?? p.Y, p.High ?? p.Y })
            .Concat(figure.Markers.Select(m => m.Y)).Select(y => 100 * y).ToList();
        if (ys.Count == 0) return (0, 100);
        double bottom = Math.Max(0, 10 * Math.Floor(ys.Min() / 10)), top = Math.Min(100, 10 * Math.Ceiling(ys.Max() / 10));
        return top > bottom ? (bottom, top) : (Math.Max(0, bottom - 10), Math.Min(100, top + 10));
    }

    /// <summary>Ticks at whole powers of two across the data, thinned to at most 9, labelled with the real values.</summary>
    private static ScottPlot.TickGenerators.NumericManual Log2Ticks(IReadOnlyList<double> xs, Func<double, string> format)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        if (xs.Count == 0) return ticks;
        int first = (int)Math.Floor(xs.Min()), last = (int)Math.Ceiling(xs.Max());
        int step = Math.Max(1, (int)Math.Ceiling((last - first + 1) / 9.0));
        for (int k = first; k <= last; k += step) ticks.AddMajor(k, format(Math.Pow(2, k)));
        return ticks;
    }
}
