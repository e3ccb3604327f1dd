using SkiaSharp;
using TTScale.Reporting.Figures;

namespace TTScale.Tests.Reporting;

public sealed class FigureRendererTests
{
    private static FigureSpec Figure(string title) => new(title, "FLOPs", "accuracy",
        [new FigureSeries("beam", "#0072b2", [new(1e6, 0.2, 0.1, 0.3), new(4e6, 0.5, 0.4, 0.6)], Band: true)], [], x => x.ToString("G3"), 600, 400);

    [Fact]
    public void TitleTextIsDrawnWithTheEmbeddedFont()
    {
        var renderer = new ScottPlotFigureRenderer();
        using var titled = SKBitmap.Decode(renderer.RenderPng(Figure("Accuracy vs compute WWW")));
        using var untitled = SKBitmap.Decode(renderer.RenderPng(Figure("")));
        // Compare the top band, where the title goes: text must put ink there (a missing font draws nothing).
        int differing = 0, ink = 0;
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < titled.Width; x++)
            {
                var pixel = titled.GetPixel(x, y);
                if (pixel.Red < 128) ink++;
                if (pixel != untitled.GetPixel(x, y)) differing++;
            }
        Assert.True(ink > 100, $"only {ink} dark pixels in the title band");
        Assert.True(differing > 100, $"only {differing} pixels differ from an untitled figure");
    }

    [Fact]
    public void EmbeddedFontResolvesOnlyItsOwnFamily()
    {
        EmbeddedFonts.EnsureRegistered();
        var resolver = ScottPlot.Fonts.FontResolvers.OfType<EmbeddedFonts.Resolver>().Single();
        using var regular = resolver.CreateTypeface(EmbeddedFonts.Family, bold: false, italic: false);
        using var bold = resolver.CreateTypeface(EmbeddedFonts.Family, bold: true, italic: false);
        Assert.NotNull(regular);
        Assert.Equal("DejaVu Sans", regular.FamilyName);
        Assert.True(regular.ContainsGlyphs("Accuracy 0123 ±"));
        Assert.True(bold!.IsBold);
        Assert.Null(resolver.CreateTypeface("Some Other Font", false, false));
    }
}
