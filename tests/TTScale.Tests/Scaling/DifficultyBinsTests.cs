using TTScale.Scaling;

namespace TTScale.Tests.Scaling;

public class DifficultyBinsTests
{
    [Fact]
    public void BinsAreQuintilesOfPassAt1EasiestFirst()
    {
        var pool = ScalingFixtures.Pool(103, 16, 8);
        var bins = DifficultyBins.FromPool(pool);
        Assert.Equal([1, 2, 3, 4, 5], bins.Bins.Select(b => b.Bin));
        Assert.All(bins.Bins, b => Assert.InRange(b.Problems, 20, 21));
        Assert.Equal(103, bins.Bins.Sum(b => b.Problems));
        for (int b = 0; b < 4; b++) Assert.True(bins.Bins[b].MinPassAt1 >= bins.Bins[b + 1].MaxPassAt1);
        // Each problem's bin agrees with the bin's index list.
        foreach (var bin in bins.Bins)
            Assert.All(bins.ProblemIndices(bin.Bin), i => Assert.Equal(bin.Bin, bins.BinOf(pool.Problems[i].Id)));
    }

    [Fact]
    public void TiesAreSplitByIdSoTheAssignmentIsDeterministic()
    {
        // Every problem has the same pass@1: ranks then follow ids.
        var records = ScalingFixtures.Records(10, 4, 1).Select(r => r with
        {
            Candidates = r.Candidates.Select((c, j) => c with { Correct = j == 0 }).ToList(),
        }).Reverse().ToList();
        var bins = DifficultyBins.FromPool(SamplePool.FromRecords(records));
        Assert.Equal(1, bins.BinOf("p0000"));
        Assert.Equal(1, bins.BinOf("p0001"));
        Assert.Equal(5, bins.BinOf("p0009"));
    }

    [Fact]
    public void MoreBinsThanProblemsNamesTheOption() =>
        Assert.Contains("--bins 9", Assert.Throws<ArgumentException>(() => DifficultyBins.FromPool(ScalingFixtures.Pool(4, 2, 1), 9)).Message, StringComparison.Ordinal);
}
