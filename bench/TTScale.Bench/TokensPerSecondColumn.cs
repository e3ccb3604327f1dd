using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TTScale.Bench;

/// <summary>Generated tokens per second: rows times tokens per row (from the benchmark's parameters), over the mean time.</summary>
public sealed class TokensPerSecondColumn : IColumn
{
    public string Id => nameof(TokensPerSecondColumn);
    public string ColumnName => "Tokens/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Generated tokens per second (rows x tokens per row / mean time)";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (mean is not double nanoseconds) return "-";
        double tokens = Parameter(benchmarkCase, "Batch") * Parameter(benchmarkCase, "Tokens");
        return (tokens / (nanoseconds / 1e9)).ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double Parameter(BenchmarkCase benchmarkCase, string name) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value is int value ? value : 1;
}
