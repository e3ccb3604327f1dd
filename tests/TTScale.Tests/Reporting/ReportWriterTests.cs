using System.Text.RegularExpressions;
using SkiaSharp;
using TTScale.Reporting.Figures;
using TTScale.Reporting.Writing;

namespace TTScale.Tests.Reporting;

/// <summary>The written report, checked without a browser: figures decode, tables are filled, provenance is there.</summary>
public sealed class ReportWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteReport(TTScale.Reporting.Model.ScalingReportData data)
    {
        string folder = Path.Combine(_dir, "out");
        ReportOutput.Write(folder, new ReportComposer(new ScottPlotFigureRenderer()).Compose(data));
        return folder;
    }

    [Fact]
    public void FullReportEmbedsEveryFigureAsADecodableImageFillsEveryTableAndStatesProvenance()
    {
        string html = File.ReadAllText(Path.Combine(WriteReport(ReportSamples.Full()), ReportOutput.HtmlFile));

        var images = Regex.Matches(html, "<img [^>]*data-figure=\"([^\"]+)\" src=\"data:image/png;base64,([^\"]+)\"");
        Assert.Equal(["accuracy-vs-compute", "bin-1", "bin-2", "bin-3", "bin-4", "bin-5", "accuracy-vs-kv", "adaptive-vs-baselines"],
            images.Select(m => m.Groups[1].Value));
        Assert.Equal(images.Count, Regex.Matches(html, "<img ").Count); // no image outside the embedded ones
        foreach (Match image in images)
        {
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(image.Groups[2].Value));
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width >= 400 && bitmap.Height >= 300, $"{image.Groups[1].Value}: {bitmap.Width}x{bitmap.Height}");
        }

        Assert.Equal(["provenance", "compute", "fits", "difficulty", "memory", "compute-optimal", "adaptive"],
            Regex.Matches(html, "<section id=\"([^\"]+)\">").Select(m => m.Groups[1].Value));
        var tables = Regex.Matches(html, "<table>(.*?)</table>", RegexOptions.Singleline);
        Assert.Equal(7, tables.Count); // results, fits, held-out predictions, bins, compute-optimal, adaptive at matched compute, adaptive results
        foreach (Match table in tables)
        {
            int columns = Regex.Matches(table.Value, "<th>").Count;
            var rows = Regex.Matches(table.Value, "<tr>(.*?)</tr>", RegexOptions.Singleline).Skip(1).ToList();
            Assert.NotEmpty(rows);
            foreach (var row in rows)
            {
                var cells = Regex.Matches(row.Value, "<td[^>]*>(.*?)</td>").Select(c => Regex.Replace(c.Groups[1].Value, "<[^>]+>", "")).ToList();
                Assert.Equal(columns, cells.Count);
                Assert.All(cells, cell => Assert.False(string.IsNullOrWhiteSpace(cell)));
            }
        }
        Assert.Contains("sha256 " + new string('a', 64), html);
        Assert.Contains("<dt>Seed</dt><dd>1234</dd>", html);
        Assert.Contains("cpu-avx2", html);
        Assert.Contains("F_max = 0.9 ± 0.05", html);
        Assert.Contains("<span class=\"chip\" style=\"background:#0072b2\"></span>best-of-n", html); // one colour per strategy, first seen first
    }

    [Fact]
    public void SectionsWithoutDataAreLeftOut()
    {
        var full = ReportSamples.Full();
        var bare = full with { Bins = [], ComputeOptimal = null, Adaptive = null, Strategies = [ReportSamples.Series("beam", 0.8, [1, 2, 4])] };
        string html = File.ReadAllText(Path.Combine(WriteReport(bare), ReportOutput.HtmlFile));
        Assert.Equal(["provenance", "compute", "memory"], Regex.Matches(html, "<section id=\"([^\"]+)\">").Select(m => m.Groups[1].Value));
        Assert.Equal(2, Regex.Matches(html, "<img ").Count);
    }

    [Fact]
    public void ARewrittenReportLeavesNoFigureOfTheOldOneBehind()
    {
        string folder = WriteReport(ReportSamples.Full());
        Assert.Equal(8, Directory.GetFiles(Path.Combine(folder, MarkdownReportWriter.FigureFolder)).Length);
        var full = ReportSamples.Full();
        WriteReport(full with { Bins = [], ComputeOptimal = null, Adaptive = null });
        Assert.Equal(["accuracy-vs-compute.png", "accuracy-vs-kv.png"],
            Directory.GetFiles(Path.Combine(folder, MarkdownReportWriter.FigureFolder)).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void ARewrittenReportLeavesImagesItDidNotWrite()
    {
        // --out a folder of the user's, whose figures/ holds their own plots.
        string own = Path.Combine(_dir, "out", MarkdownReportWriter.FigureFolder, "my-plot.png");
        Directory.CreateDirectory(Path.GetDirectoryName(own)!);
        File.WriteAllBytes(own, [1, 2, 3]);
        WriteReport(ReportSamples.Full());
        WriteReport(ReportSamples.Full() with { Adaptive = null });
        Assert.Equal([1, 2, 3], File.ReadAllBytes(own)); // was deleted as a stale figure
    }

    [Fact]
    public void MarkdownLinksPngFiguresWrittenBesideIt()
    {
        string folder = WriteReport(ReportSamples.Full());
        string markdown = File.ReadAllText(Path.Combine(folder, ReportOutput.MarkdownFile));
        var links = Regex.Matches(markdown, @"!\[[^\]]*\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(8, links.Count);
        foreach (string link in links)
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(folder, link));
            Assert.NotNull(bitmap);
        }
        Assert.Contains("| Strategy | Budget | Source |", markdown);
        Assert.Contains("- **Seed**: 1234", markdown);
        Assert.Empty(Directory.GetDirectories(_dir, ".out.staging-*")); // the staging folder is gone
    }

    [Fact]
    public void MarkdownKeepsATitleOnItsLineAndACaptionInsideItsLink()
    {
        var document = new ReportDocument("report on data/odd\nname.jsonl", [], [new("s", "Section", "Intro.",
            [new ReportFigure("f", "accuracy [95% interval] of runs]", [1])], [])], new Dictionary<string, string>());
        string markdown = MarkdownReportWriter.Write(document);
        Assert.StartsWith("# report on data/odd name.jsonl\n", markdown);
        Assert.Contains("![accuracy \\[95% interval\\] of runs\\]](figures/f.png)", markdown);
    }

    [Fact]
    public void RewritingKeepsOtherFilesInTheFolder()
    {
        string folder = Path.Combine(_dir, "out");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");
        WriteReport(ReportSamples.Full() with { Adaptive = null });
        Assert.Equal("mine", File.ReadAllText(Path.Combine(folder, "notes.txt")));
        Assert.True(File.Exists(Path.Combine(folder, ReportOutput.HtmlFile)));
    }
}
