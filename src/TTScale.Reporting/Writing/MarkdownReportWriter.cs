using System.Text;
using TTScale.Reporting.Tables;

namespace TTScale.Reporting.Writing;

/// <summary>The report as Markdown, its figures as PNG files in <see cref="FigureFolder"/> beside it.</summary>
public static class MarkdownReportWriter
{
    /// <summary>The folder (relative to report.md) the figures are written to.</summary>
    public const string FigureFolder = "figures";

    /// <summary>The Markdown text; figures are linked as <c>figures/NAME.png</c>.</summary>
    public static string Write(ReportDocument document)
    {
        var md = new StringBuilder();
        md.Append("# ").Append(Escape(document.Title)).Append("\n\n## Provenance\n\n");
        foreach (var (name, value) in document.Provenance) md.Append($"- **{Escape(name)}**: {Escape(value)}\n");
        foreach (var section in document.Sections)
        {
            md.Append($"\n## {section.Title}\n\n{section.Intro}\n\n");
            foreach (var figure in section.Figures) md.Append($"![{Escape(figure.Caption).Replace("[", "\\[").Replace("]", "\\]")}]({FigureFolder}/{figure.Name}.png)\n\n");
            foreach (var table in section.Tables) Table(md, table);
        }
        return md.ToString();
    }

    private static void Table(StringBuilder md, ReportTable table)
    {
        md.Append($"### {table.Title}\n\n| ").Append(string.Join(" | ", table.Columns.Select(Escape))).Append(" |\n|");
        for (int i = 0; i < table.Columns.Count; i++) md.Append(table.NumericColumns.Contains(i) ? " ---: |" : " --- |");
        md.Append('\n');
        foreach (var row in table.Rows) md.Append("| ").Append(string.Join(" | ", row.Select(Escape))).Append(" |\n");
        md.Append('\n');
    }

    // Table cells, provenance and the title (a dataset path) are one line each; a caption is also a link's text, which a bare ] would end.
    private static string Escape(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
