using System.Text;
using TTScale.Reporting.Tables;

namespace TTScale.Reporting.Writing;

/// <summary>The report as one self-contained HTML page: styles inline, figures embedded as base64 PNG.</summary>
public static class HtmlReportWriter
{
    private const string Style = """
        :root { --ink: #1f2933; --muted: #616e7c; --rule: #e4e7eb; --panel: #f5f7fa; --accent: #0072b2; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
        header { padding: 28px 40px 18px; border-bottom: 1px solid var(--rule); background: var(--panel); }
        header h1 { margin: 0 0 6px; font-size: 24px; }
        nav a { color: var(--accent); margin-right: 16px; text-decoration: none; font-size: 14px; }
        main { max-width: 1180px; padding: 8px 40px 48px; }
        section { margin-top: 30px; }
        h2 { font-size: 19px; border-bottom: 2px solid var(--rule); padding-bottom: 4px; }
        h3 { font-size: 15px; margin: 18px 0 6px; }
        p.intro { color: var(--muted); margin-top: 0; }
        figure { margin: 12px 0; }
        figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 4px; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 12px; }
        table { border-collapse: collapse; margin: 6px 0 14px; font-size: 13.5px; }
        th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
        th { background: var(--panel); font-weight: 600; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tbody tr:hover { background: #fafbfc; }
        .chip { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
        dl.provenance { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; font-size: 13.5px; margin: 0; }
        dl.provenance dt { color: var(--muted); }
        dl.provenance dd { margin: 0; word-break: break-all; }
        """;

    /// <summary>The whole page.</summary>
    public static string Write(ReportDocument document)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(document.Title)).Append("</title>\n<style>\n").Append(Style).Append("\n</style>\n</head>\n<body>\n");
        html.Append("<header>\n<h1>").Append(Encode(document.Title)).Append("</h1>\n<nav>");
        html.Append("<a href=\"#provenance\">Provenance</a>");
        foreach (var section in document.Sections) html.Append($"<a href=\"#{section.Id}\">{Encode(section.Title)}</a>");
        html.Append("</nav>\n</header>\n<main>\n");

        html.Append("<section id=\"provenance\">\n<h2>Provenance</h2>\n<dl class=\"provenance\">\n");
        foreach (var (name, value) in document.Provenance) html.Append($"<dt>{Encode(name)}</dt><dd>{Encode(value)}</dd>\n");
        html.Append("</dl>\n</section>\n");

        foreach (var section in document.Sections)
        {
            html.Append($"<section id=\"{section.Id}\">\n<h2>{Encode(section.Title)}</h2>\n<p class=\"intro\">{Encode(section.Intro)}</p>\n");
            if (section.Grid) html.Append("<div class=\"grid\">\n");
            foreach (var figure in section.Figures)
                html.Append($"<figure><img alt=\"{Encode(figure.Caption)}\" data-figure=\"{figure.Name}\" src=\"data:image/png;base64,")
                    .Append(Convert.ToBase64String(figure.Png)).Append("\"></figure>\n"); // the title is in the image
            if (section.Grid) html.Append("</div>\n");
            foreach (var table in section.Tables) Table(html, table, document.Colors);
            html.Append("</section>\n");
        }
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Table(StringBuilder html, ReportTable table, IReadOnlyDictionary<string, string> colors)
    {
        html.Append($"<h3>{Encode(table.Title)}</h3>\n<table>\n<thead><tr>");
        foreach (string column in table.Columns) html.Append($"<th>{Encode(column)}</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            for (int i = 0; i < row.Count; i++)
            {
                string chip = i == table.StrategyColumn && colors.TryGetValue(row[i], out var color) ? $"<span class=\"chip\" style=\"background:{color}\"></span>" : "";
                html.Append(table.NumericColumns.Contains(i) ? "<td class=\"num\">" : "<td>").Append(chip).Append(Encode(row[i])).Append("</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    // Only the markup characters: the page is UTF-8, so "±" and "–" stay readable in the source.
    private static string Encode(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
