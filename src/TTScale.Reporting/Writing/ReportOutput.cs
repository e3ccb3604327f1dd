using System.Text.RegularExpressions;

namespace TTScale.Reporting.Writing;

/// <summary>
/// Writes <c>index.html</c>, <c>report.md</c> and <c>figures/*.png</c> into a folder. Everything is written into a
/// staging folder beside it first and only then moved in, file by file with replacement, so a failure part-way leaves
/// the folder's previous report as it was; figures of the previous report that this one lacks are then removed.
/// </summary>
public static class ReportOutput
{
    /// <summary>The HTML page's file name.</summary>
    public const string HtmlFile = "index.html";

    /// <summary>The Markdown file's name.</summary>
    public const string MarkdownFile = "report.md";

    /// <summary>Writes the report; returns the paths written, the HTML page first.</summary>
    public static IReadOnlyList<string> Write(string folder, ReportDocument document)
    {
        string target = Path.GetFullPath(folder);
        string parent = Path.GetDirectoryName(target) ?? throw new ArgumentException($"{folder}: cannot write a report to a root folder", nameof(folder));
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(target)}.staging-{Guid.NewGuid():N}");
        try
        {
            var files = new List<string> { HtmlFile, MarkdownFile };
            Directory.CreateDirectory(Path.Combine(staging, MarkdownReportWriter.FigureFolder));
            File.WriteAllText(Path.Combine(staging, HtmlFile), HtmlReportWriter.Write(document));
            File.WriteAllText(Path.Combine(staging, MarkdownFile), MarkdownReportWriter.Write(document));
            foreach (var figure in document.Sections.SelectMany(s => s.Figures))
            {
                string file = Path.Combine(MarkdownReportWriter.FigureFolder, figure.Name + ".png");
                File.WriteAllBytes(Path.Combine(staging, file), figure.Png);
                files.Add(file);
            }
            Directory.CreateDirectory(Path.Combine(target, MarkdownReportWriter.FigureFolder));
            var earlier = EarlierFigures(target);
            // Figures first: the pages that link them move in last.
            foreach (string file in files.Skip(2).Concat(files.Take(2).Reverse()))
                File.Move(Path.Combine(staging, file), Path.Combine(target, file), overwrite: true);
            // An earlier report's figures that this one does not draw (its --policy figures, say) would linger beside it.
            var written = files.Select(f => Path.Combine(target, f)).ToList();
            foreach (string stale in earlier.Except(written)) File.Delete(stale);
            return written;
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// The figures the folder's earlier report.md links, where they still exist: only those are a report's to remove, since
    /// other images in figures/ (the user's own, where --out is a folder of theirs) are not.
    /// </summary>
    private static List<string> EarlierFigures(string target)
    {
        string markdown = Path.Combine(target, MarkdownFile);
        if (!File.Exists(markdown)) return [];
        return [.. Regex.Matches(File.ReadAllText(markdown), $@"\]\({MarkdownReportWriter.FigureFolder}/([A-Za-z0-9_.-]+\.png)\)")
            .Select(m => Path.Combine(target, MarkdownReportWriter.FigureFolder, m.Groups[1].Value)).Where(File.Exists).Distinct()];
    }
}
