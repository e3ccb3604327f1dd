using TTScale.Evaluation;
using TTScale.Scaling;

namespace TTScale.Tests.Scaling;

public class SamplePoolTests
{
    private static EvalRecord Record(params int[] tokens) => new("a", 2, "best-of-n", new Dictionary<string, object>(), 0, "1", null, false, null,
        tokens.Select(t => new CandidateRecord("x", "1", true, [], 0.5f, t, 0, null, null)).ToList(),
        ScalingFixtures.Ledger(prompt: 100, generated: tokens.Sum(), flops: 1000, verifierFlops: 300, eflops: 2000, logicalKv: 4000));

    [Fact]
    public void PrefillIsSharedAndTheRestApportionedByTokens()
    {
        var problem = SamplePool.FromRecord(Record(100, 200));
        // Policy tokens 400, prompt share 1/4: shared FLOPs 250, KV 1000; eFLOPs shares the prefill's FLOPs.
        Assert.Equal(250, problem.SharedCost.Flops, 9);
        Assert.Equal(250, problem.SharedCost.EFlops, 9);
        Assert.Equal(1000, problem.SharedCost.Kv, 9);
        Assert.Equal(0, problem.SharedCost.Samples);
        Assert.Equal((1300 - 250) / 3.0, problem.SampleCosts[0].Flops, 9);
        Assert.Equal(2 * (1300 - 250) / 3.0, problem.SampleCosts[1].Flops, 9);
        // All K samples cost exactly what the ledger says.
        var all = problem.ExpectedCost(2);
        Assert.Equal(1300, all.Flops, 9);
        Assert.Equal(2000, all.EFlops, 9);
        Assert.Equal(4000, all.Kv, 9);
        Assert.Equal(300, all.Tokens, 9);
        Assert.Equal(2, all.Samples, 9);
    }

    [Fact]
    public void ExpectedCostGrowsLinearlyFromTheSharedPrefill()
    {
        var problem = SamplePool.FromRecord(Record(100, 200, 300, 400));
        double perSample = problem.MeanSampleCost.Flops;
        Assert.Equal(problem.SharedCost.Flops + 3 * perSample, problem.ExpectedCost(3).On(ComputeAxis.Flops), 9);
    }

    [Fact]
    public void RecordsWithoutCandidatesAndRepeatedIdsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => SamplePool.FromRecords([Record()]));
        Assert.Throws<ArgumentException>(() => SamplePool.FromRecords([Record(1), Record(2)]));
    }

    [Fact]
    public void DefaultBudgetsArePowersOfTwoUpToK()
    {
        Assert.Equal([1, 2, 4, 8, 16, 32, 64], ScalingFixtures.Pool(2, 64, 1).DefaultBudgets());
        Assert.Equal([1, 2, 4, 8, 12], ScalingFixtures.Pool(2, 12, 1).DefaultBudgets());
    }

    [Theory]
    [InlineData("samples", ComputeAxis.Samples)]
    [InlineData("Tokens", ComputeAxis.Tokens)]
    [InlineData("flops", ComputeAxis.Flops)]
    [InlineData("eflops", ComputeAxis.EFlops)]
    [InlineData(" kv ", ComputeAxis.Kv)]
    public void AxesParseAndNameRoundTrip(string text, ComputeAxis axis)
    {
        Assert.Equal(axis, ComputeAxes.Parse(text));
        Assert.Equal(axis, ComputeAxes.Parse(axis.Name()));
    }

    [Fact]
    public void AnUnknownAxisNamesTheOption()
    {
        var e = Assert.Throws<ArgumentException>(() => ComputeAxes.Parse("x"));
        Assert.StartsWith("--axis 'x' is not an axis: use samples, tokens, flops, eflops or kv", e.Message, StringComparison.Ordinal);
    }
}
