namespace TTScale.Reporting.Tables;

/// <summary>
/// A table of text cells, ready for HTML or Markdown. <see cref="StrategyColumn"/>, where set, names a column whose cells
/// are strategy names (the HTML writer gives them their colour).
/// </summary>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, int? StrategyColumn = null)
{
    /// <summary>Column indexes whose cells are numbers, so writers right-align them.</summary>
    public IReadOnlySet<int> NumericColumns { get; init; } = new HashSet<int>();
}
