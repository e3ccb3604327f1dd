using ScottPlot;
using SkiaSharp;

namespace TTScale.Reporting.Figures;

/// <summary>
/// DejaVu Sans, embedded in this assembly and registered with ScottPlot under its own family name, so figures have text
/// on a machine with no fonts at all (a bare CI image) and look the same everywhere.
/// </summary>
internal static class EmbeddedFonts
{
    /// <summary>The family name figures ask for; unlike "DejaVu Sans" it never resolves to a system font by accident.</summary>
    public const string Family = "TTScale DejaVu Sans";

    private static readonly Lazy<bool> Registered = new(() =>
    {
        Fonts.FontResolvers.Add(new Resolver(Load("DejaVuSans.ttf"), Load("DejaVuSans-Bold.ttf")));
        return true;
    });

    /// <summary>Registers the font with ScottPlot once per process (ScottPlot's resolver list is process-wide).</summary>
    public static void EnsureRegistered() => _ = Registered.Value;

    private static byte[] Load(string file)
    {
        using var stream = typeof(EmbeddedFonts).Assembly.GetManifestResourceStream($"TTScale.Reporting.Fonts.{file}")
            ?? throw new InvalidOperationException($"embedded font {file} is missing from {typeof(EmbeddedFonts).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Answers requests for <see cref="Family"/> only, with the bold face for bold weights.</summary>
    internal sealed class Resolver(byte[] regular, byte[] bold) : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            CreateTypeface(fontName, weight >= FontWeight.SemiBold, slant != FontSlant.Upright);

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == Family ? SKTypeface.FromData(SKData.CreateCopy(bold ? boldBytes : regularBytes)) : null;

        private readonly byte[] regularBytes = regular, boldBytes = bold;
    }
}
