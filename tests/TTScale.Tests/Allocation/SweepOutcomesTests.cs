using TTScale.Allocation;
using TTScale.Evaluation;
using TTScale.Scaling;
using TTScale.Tests.Scaling;

namespace TTScale.Tests.Allocation;

public class SweepOutcomesTests
{
    private static readonly IReadOnlyList<EvalRecord> Records = ScalingFixtures.Records(problems: 10, k: 8, seed: 3);
    private static readonly SamplePool Pool = SamplePool.FromRecords(Records);
    private static readonly DifficultyBins Bins = DifficultyBins.FromPool(Pool, 2);

    [Fact]
    public void BestOfNCostsMaxOfNAndTheProbeAndOtherStrategiesPayTheProbeOnTop()
    {
        var outcomes = new SweepOutcomes(Pool, Bins, CostUnit.Samples, probeSamples: 4);
        var rows = outcomes.FromPool(PoolReplay.Run(Pool, [1, 2, 4, 8]), [ReplayRule.Weighted]).ToList();

        Assert.Equal(10 * 4, rows.Count);
        Assert.All(rows, r => Assert.Equal(Math.Max(r.BudgetLevel, 4), r.Cost)); // best-of-N keeps the probe's samples
        Assert.All(rows, r => Assert.Equal(Bins.BinOf(r.ProblemId) - 1, r.Bin));
        Assert.All(rows, r => Assert.InRange(r.Correct, 0, 1));

        var direct = outcomes.FromRun("beam", new Dictionary<string, object?> { ["n"] = 2 }, 2, Records).ToList();
        Assert.Equal(10, direct.Count);
        // Its budget N plus the probe: in samples a run costs N however many candidates it finished (these records have 8).
        Assert.All(direct, r => Assert.Equal(2 + 4, r.Cost));
        Assert.Equal(4, outcomes.MeanProbeCost);
        Assert.Throws<ArgumentException>(() => new SweepOutcomes(Pool, Bins, CostUnit.Samples, probeSamples: 9));
    }

    [Fact]
    public void AnUnscoredProbeChargesTheVerifierOnlyToTheSamplesARuleScoresAndReadsNoScores()
    {
        var scored = new SweepOutcomes(Pool, Bins, CostUnit.Flops, probeSamples: 4);
        var unscored = new SweepOutcomes(Pool, Bins, CostUnit.Flops, probeSamples: 4, scoredProbe: false);
        var replay = PoolReplay.Run(Pool, [2, 8]);
        double Cost(SweepOutcomes o, ReplayRule rule, int n, string id) =>
            o.FromPool(replay, [rule]).Single(r => r.ProblemId == id && r.BudgetLevel == n).Cost;

        var problem = Pool.Problems[0];
        double Flops(int drawn, int scoredSamples) => problem.ExpectedCost(drawn, scoredSamples).On(CostUnit.Flops.Axis());
        Assert.Equal(Flops(4, 0), Cost(unscored, ReplayRule.Majority, 2, problem.Id)); // majority never runs the verifier
        Assert.Equal(Flops(4, 4), Cost(scored, ReplayRule.Majority, 2, problem.Id)); // a scored probe always pays for its k
        Assert.Equal(Flops(4, 2), Cost(unscored, ReplayRule.Weighted, 2, problem.Id)); // weighted over 2 of the probe's 4 scores those 2
        Assert.Equal(Flops(8, 8), Cost(unscored, ReplayRule.Weighted, 8, problem.Id));
        Assert.True(unscored.MeanProbeCost < scored.MeanProbeCost);
        Assert.Equal(Pool.ExpectedCost(4, scored: false).On(CostUnit.Flops.Axis()), unscored.MeanProbeCost);

        Assert.All(unscored.ProbeSamples(Records), s => Assert.Equal((0.0, 0.0), (s.Features.MeanScore, s.Features.ScoreSpread)));
        Assert.Contains(scored.ProbeSamples(Records), s => s.Features.MeanScore > 0);
    }

    [Fact]
    public void AProbeOfNoSamplesCostsNothingAndReadsOnlyThePromptsLength()
    {
        var outcomes = new SweepOutcomes(Pool, Bins, CostUnit.Flops, probeSamples: 0);
        Assert.Equal(0, outcomes.MeanProbeCost);
        // A run costs its own ledger alone, not a prefill for a probe that never ran.
        var direct = outcomes.FromRun("beam", new Dictionary<string, object?> { ["n"] = 2 }, 2, Records).ToList();
        Assert.All(direct, r => Assert.Equal(DirectSeries.Compute(Records.Single(x => x.Id == r.ProblemId).Ledger, 2, CostUnit.Flops.Axis()), r.Cost));
        // Best-of-N pays for its N samples and their one prefill (weighted best-of-1 selects nothing, so scores nothing).
        var problem = Pool.Problems[0];
        var rows = outcomes.FromPool(PoolReplay.Run(Pool, [1, 4]), [ReplayRule.Weighted]).Where(r => r.ProblemId == problem.Id).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(problem.ExpectedCost((int)r.BudgetLevel, r.BudgetLevel > 1 ? (int)r.BudgetLevel : 0).On(CostUnit.Flops.Axis()), r.Cost));
        // The difficulty model's samples, in id order, carry each problem's prompt length and nothing else.
        var prompts = Records.OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => new DifficultyFeatures(0, 0, 0, 0, 0, 0, r.Ledger.PromptTokens));
        Assert.Equal(prompts, outcomes.ProbeSamples(Records).Select(s => s.Features));
    }
}
