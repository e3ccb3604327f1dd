using TTScale.Reporting.Model;
using TTScale.Reporting.Tables;

namespace TTScale.Tests.Reporting;

public sealed class ReportTablesTests
{
    [Fact]
    public void ExpectedAccuraciesShowTheirProblemsNotARoundedCount()
    {
        // A replay's 71.4% of 40 problems printed as 29/40 (72.5%); a policy's prediction printed the mean of its bins' budget levels.
        var replay = new ScalingPoint(4, 1e6, 40, 29, 0.714, 0.56, 0.83, 100, 1e6, 2e6, 4096, PointSource.Replay);
        var table = ReportTables.Results([
            new StrategySeries("best-of-n/weighted", [replay, replay with { Budget = 8, Compute = 2e6, Correct = 30, Accuracy = 0.75, Source = PointSource.Pool }]),
            new StrategySeries("adaptive (policy, predicted)", [replay with { Budget = 3, Compute = 3e6, Source = PointSource.Predicted }]),
        ]);
        int budget = table.Columns.ToList().IndexOf("Budget"), problems = table.Columns.ToList().IndexOf("Problems");
        Assert.Equal(["40", "30/40", "40"], table.Rows.Select(r => r[problems]));
        Assert.Equal(["4", "8", "–"], table.Rows.Select(r => r[budget]));
    }
}
