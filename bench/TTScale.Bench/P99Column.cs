using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace TTScale.Bench;

/// <summary>The 99th percentile of the measured iteration times (per operation), next to BenchmarkDotNet's P95.</summary>
public sealed class P99Column : IColumn
{
    public string Id => nameof(P99Column);
    public string ColumnName => "P99";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Statistics;
    public int PriorityInCategory => 100;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Time;
    public string Legend => "Percentile 99 of the per-operation iteration times";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null) return "-";
        double nanoseconds = statistics.Percentiles.Percentile(99);
        return nanoseconds < 1000
            ? nanoseconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + " ns"
            : nanoseconds < 1e6 ? (nanoseconds / 1e3).ToString("F3", System.Globalization.CultureInfo.InvariantCulture) + " us"
            : (nanoseconds / 1e6).ToString("F3", System.Globalization.CultureInfo.InvariantCulture) + " ms";
    }
}
