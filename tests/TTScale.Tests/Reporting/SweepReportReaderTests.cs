using TTScale.Cli;
using TTScale.Reporting.Model;

namespace TTScale.Tests.Reporting;

public sealed class SweepReportReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ASweepFolderGivesBestOfNReplayedAtEveryNRunPointsAndFiveBins()
    {
        string folder = ReportSamples.SweepFolder(_dir);
        var data = SweepReportReader.Read(SweepFolder.Read(folder), ComputeAxis.Tokens, "9.9.9", DateTimeOffset.UnixEpoch);

        Assert.Equal(["best-of-n/naive", "best-of-n/weighted", "best-of-n/majority", "beam"], data.Strategies.Select(s => s.Strategy));
        var weighted = data.Strategies[1].Points;
        Assert.Equal([1, 2, 4], weighted.Select(p => p.Budget));
        Assert.Equal([PointSource.Replay, PointSource.Replay, PointSource.Pool], weighted.Select(p => p.Source));
        var pool = weighted[^1];
        Assert.Equal(10, pool.Problems); // that the point at K equals the pool run is checked on real records in FitCommandTests
        Assert.Equal(80, pool.Compute, 6); // 4 candidates of 20 tokens
        Assert.Equal(20, weighted[0].Compute, 6);
        Assert.Equal([1, 4], data.Strategies[3].Points.Select(p => p.Budget));
        Assert.Equal(5, data.Strategies[3].Points[0].Correct);

        Assert.Equal([1, 2, 3, 4, 5], data.Bins.Select(b => b.Bin));
        Assert.All(data.Bins, b => Assert.Equal(2, b.Problems));
        Assert.Equal("pass@1 1.00–1.00", data.Bins[0].Label); // easiest first: problems with 4 of 4 right
        Assert.Equal(0, data.Bins[0].Strategies[0].Points[0].Problems - 2);
        Assert.Equal("pass@1 0.00–0.00", data.Bins[4].Label);

        Assert.Equal(7, data.Provenance.Seed);
        Assert.Equal(["policy", "prm"], data.Provenance.Models.Select(m => m.Role));
        Assert.Equal("9.9.9", data.Provenance.ReportVersion);
    }
}
