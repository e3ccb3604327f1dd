using TTScale.Reporting.Tables;

namespace TTScale.Reporting.Writing;

/// <summary>A rendered figure: its file name stem, a caption, and the PNG.</summary>
public sealed record ReportFigure(string Name, string Caption, byte[] Png);

/// <summary>A section of the report: a title, a line of explanation, figures (in a grid when <see cref="Grid"/>) and tables.</summary>
public sealed record ReportSection(string Id, string Title, string Intro, IReadOnlyList<ReportFigure> Figures, IReadOnlyList<ReportTable> Tables, bool Grid = false);

/// <summary>
/// The report laid out and rendered, independent of its output format: what the HTML and Markdown writers both print.
/// <see cref="Colors"/> gives each strategy its figure colour.
/// </summary>
public sealed record ReportDocument(
    string Title, IReadOnlyList<KeyValuePair<string, string>> Provenance, IReadOnlyList<ReportSection> Sections,
    IReadOnlyDictionary<string, string> Colors);
