namespace TTScale.Reporting.Figures;

/// <summary>A point of a figure series; <see cref="Low"/> and <see cref="High"/> bound its band where it has one.</summary>
public sealed record FigurePoint(double X, double Y, double? Low = null, double? High = null);

/// <summary>A line on a figure: measured (markers, optional band) or fitted (dashed, no markers). Colour as "#rrggbb".</summary>
public sealed record FigureSeries(string Label, string Color, IReadOnlyList<FigurePoint> Points, bool Dashed = false, bool Band = false, bool Markers = true);

/// <summary>A marked point (a saturation point, say), drawn with a dotted line down to the x axis.</summary>
public sealed record FigureMarker(string Label, string Color, double X, double Y);

/// <summary>
/// A figure described without any plotting library: what the report wants drawn. X is drawn on a log2 scale with ticks
/// labelled by <see cref="FormatX"/>; Y is accuracy in [0, 1], drawn as a percentage from 0 to 100, or, with
/// <see cref="ZoomY"/>, over the data's own range in steps of 10 points (for comparisons whose gaps are a few points).
/// Without <see cref="Legend"/> the figure leans on another's legend (a grid panel drawn in the same palette).
/// </summary>
public sealed record FigureSpec(
    string Title, string XLabel, string YLabel, IReadOnlyList<FigureSeries> Series, IReadOnlyList<FigureMarker> Markers,
    Func<double, string> FormatX, int Width = 920, int Height = 460, bool ZoomY = false, bool Legend = true);

/// <summary>Draws figures; the report writers only know this, not the plotting library behind it.</summary>
public interface IFigureRenderer
{
    /// <summary>The figure as a PNG image.</summary>
    byte[] RenderPng(FigureSpec figure);
}
