using TTScale.Allocation;
using TTScale.Scaling;
using TTScale.Tests.Scaling;

namespace TTScale.Tests.Allocation;

public class SweepOutcomesTests
{
    [Fact]
    public void BestOfNCostsMaxOfNAndTheProbeAndOtherStrategiesPayTheProbeOnTop()
    {
        var records = ScalingFixtures.Records(problems: 10, k: 8, seed: 3);
        var pool = SamplePool.FromRecords(records);
        var bins = DifficultyBins.FromPool(pool, 2);
        var outcomes = new SweepOutcomes(pool, bins, CostUnit.Samples, probeSamples: 4);
        var rows = outcomes.FromPool(PoolReplay.Run(pool, [1, 2, 4, 8]), [ReplayRule.Weighted]).ToList();

        Assert.Equal(10 * 4, rows.Count);
        Assert.All(rows, r => Assert.Equal(Math.Max(r.BudgetLevel, 4), r.Cost)); // best-of-N keeps the probe's samples
        Assert.All(rows, r => Assert.Equal(bins.BinOf(r.ProblemId) - 1, r.Bin));
        Assert.All(rows, r => Assert.InRange(r.Correct, 0, 1));

        var direct = outcomes.FromRun("beam", new Dictionary<string, object?> { ["n"] = 2 }, 2, records).ToList();
        Assert.Equal(10, direct.Count);
        Assert.All(direct, r => Assert.Equal(records.Single(x => x.Id == r.ProblemId).Candidates.Count + 4, r.Cost)); // its own cost plus the probe
        Assert.Equal(4, outcomes.MeanProbeCost);
        Assert.Throws<ArgumentException>(() => new SweepOutcomes(pool, bins, CostUnit.Samples, probeSamples: 9));
    }
}
