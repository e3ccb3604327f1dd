using TTScale.Compute;
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
    public void ReplayedTokensCountTheEndOfSequenceTokensTheLedgerDoes()
    {
        // Candidates of 9 and 19 tokens, each ended by an end-of-sequence token: the ledger generated 30.
        var problem = SamplePool.FromRecord(Record(9, 19) with { Ledger = ScalingFixtures.Ledger(prompt: 10, generated: 30, flops: 1000, verifierFlops: 0, eflops: 2000, logicalKv: 400) });
        Assert.Equal((10, 20), (problem.SampleCosts[0].Tokens, problem.SampleCosts[1].Tokens));
        Assert.Equal(30, problem.ExpectedCost(2).Tokens, 9);
        Assert.Equal(15, problem.ExpectedCost(1).Tokens, 9);
    }

    [Fact]
    public void ExpectedCostGrowsLinearlyFromTheSharedPrefill()
    {
        var problem = SamplePool.FromRecord(Record(100, 200, 300, 400));
        double perSample = problem.MeanSampleCost.Flops;
        Assert.Equal(problem.SharedCost.Flops + 3 * perSample, problem.ExpectedCost(3).On(ComputeAxis.Flops), 9);
    }

    [Fact]
    public void WeightReadsArePaidPerPassForTheLongestOfTheNNotPerSample()
    {
        // 4 samples of 10 to 40 tokens: 41 passes read 1E+6 weight bytes (the rows of a pass share one read) and 1E+5 KV
        // bytes, at 1 FLOP a byte. Split per sample, best-of-1 would pay a quarter of the weight reads; it pays 26 passes' worth.
        var ledger = new LedgerReport(10, 100, 41, 0, 0, 1000, 0, 1000, 1e6, 1e5, 1.1e6, 4000, 4000, "test", 1000 + 1.1e6, 0);
        var problem = SamplePool.FromRecord(Record(10, 20, 30, 40) with { Ledger = ledger });
        Assert.Equal(1e6 / 41, problem.StepEFlops, 6);
        Assert.Equal(ledger.EFlops, problem.ExpectedCost(4).EFlops, 6); // all K: what the run paid
        Assert.Equal(25, problem.ExpectedLongest(1), 9);
        Assert.Equal(problem.SharedCost.EFlops + problem.MeanSampleCost.EFlops + 1e6 / 41 * 26, problem.ExpectedCost(1).EFlops, 6);
        Assert.Equal(ledger.TotalFlops, problem.ExpectedCost(4).Flops, 6); // FLOPs are per token, as before

        // Unscored (majority), the samples shed the verifier's FLOPs and, on eFLOPs, the bytes its calls read too.
        var scored = ledger with { VerifierFlops = 300, TotalFlops = 1300, EFlops = 1300 + 1.1e6, VerifierBytesRead = 5e4 };
        var withVerifier = SamplePool.FromRecord(Record(10, 20, 30, 40) with { Ledger = scored });
        Assert.Equal(scored.EFlops - 300 - 5e4, withVerifier.ExpectedCost(4, 0).EFlops, 6);
        Assert.Equal(1000, withVerifier.ExpectedCost(4, 0).Flops, 6);
    }

    [Fact]
    public void TheExpectedLongestOfNIsTheMeanOverEverySubset()
    {
        int[] tokens = [12, 7, 30, 7, 19, 41, 3];
        var problem = SamplePool.FromRecord(Record(tokens));
        for (int n = 1; n <= tokens.Length; n++)
        {
            var maxima = Enumerable.Range(0, 1 << tokens.Length).Where(mask => System.Numerics.BitOperations.PopCount((uint)mask) == n)
                .Select(mask => Enumerable.Range(0, tokens.Length).Where(i => (mask >> i & 1) == 1).Max(i => tokens[i])).ToList();
            Assert.Equal(maxima.Average(), problem.ExpectedLongest(n), 9);
        }
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
