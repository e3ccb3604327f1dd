using TTScale.Evaluation;
using TTScale.Scaling;
using TTScale.Strategies;

namespace TTScale.Tests.Scaling;

public class PoolReplayTests
{
    private static CandidateRecord C(string? answer, bool correct, float? score) => new("text", answer, correct, [], score, 10, 0, null, null);

    // Ties in scores and in vote totals, a missing answer with a high score, "7" and "7.0" as one answer, a missing score.
    private static readonly CandidateRecord[] HandBuilt =
    [
        C("7", false, 0.4f), C("9", true, 0.9f), C("7.0", false, 0.5f), C(null, false, 0.95f), C("9", true, 0.4f), C("8", false, 0.9f), C("7", false, null),
    ];

    private static PoolProblem Problem(IReadOnlyList<CandidateRecord> candidates) => SamplePool.FromRecord(new EvalRecord("hand", null, "best-of-n",
        new Dictionary<string, object>(), 0, "9", null, false, null, candidates, ScalingFixtures.Ledger(10, 70, 1, 0, 1, 1)));

    /// <summary>The mean over every N-subset of applying <see cref="Selection"/> to the subset's candidates.</summary>
    private static double BySelection(IReadOnlyList<CandidateRecord> candidates, SelectionRule rule, int n)
    {
        int k = candidates.Count, subsets = 0, right = 0;
        for (int mask = 0; mask < 1 << k; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) != n) continue;
            var chosen = Enumerable.Range(0, k).Where(i => (mask >> i & 1) == 1).ToList();
            var subset = chosen.Select(i => new Candidate(candidates[i].Text, candidates[i].Answer, [], candidates[i].Score, 10, 0)).ToList();
            int? pick = Selection.Choose(subset, rule);
            subsets++;
            if (pick is { } p && candidates[chosen[p]].Correct) right++;
        }
        return (double)right / subsets;
    }

    [Theory]
    [InlineData(SelectionRule.Naive)]
    [InlineData(SelectionRule.Weighted)]
    [InlineData(SelectionRule.Majority)]
    public void ReplayEqualsTheSelectionRuleOnEverySubset(SelectionRule rule)
    {
        var problem = Problem(HandBuilt);
        for (int n = 1; n <= HandBuilt.Length; n++)
        {
            var (mean, variance, exact) = PoolReplay.ProblemExpectation(problem, ReplayRules.From(rule), n);
            Assert.True(exact);
            Assert.Equal(0, variance);
            Assert.Equal(BySelection(HandBuilt, rule, n), mean, 12);
        }
    }

    [Fact]
    public void ReplayEqualsSelectionOnSyntheticProblems()
    {
        foreach (var record in ScalingFixtures.Records(6, 9, 11))
        {
            var problem = SamplePool.FromRecord(record);
            foreach (var rule in new[] { SelectionRule.Naive, SelectionRule.Weighted, SelectionRule.Majority })
                foreach (int n in new[] { 1, 3, 5, 9 })
                    Assert.Equal(BySelection(record.Candidates, rule, n), PoolReplay.ProblemExpectation(problem, ReplayRules.From(rule), n).Mean, 12);
        }
    }

    [Fact]
    public void CoverageIsPassAtK()
    {
        var problem = Problem(HandBuilt);
        Assert.Equal(PassAtK.Estimate(7, 2, 3), PoolReplay.ProblemExpectation(problem, ReplayRule.Coverage, 3).Mean, 12);
    }

    [Fact]
    public void MonteCarloAgreesWithExactEnumeration()
    {
        var records = ScalingFixtures.Records(8, 20, 5);
        var exactOptions = new ReplayOptions { ExactLimit = 200_000 };
        var sampledOptions = new ReplayOptions { ExactLimit = 0, MonteCarloDraws = 20_000, Seed = 3 };
        foreach (var record in records)
        {
            var problem = SamplePool.FromRecord(record);
            foreach (var rule in new[] { ReplayRule.Weighted, ReplayRule.Majority })
            {
                var exact = PoolReplay.ProblemExpectation(problem, rule, 6, exactOptions); // C(20, 6) = 38,760 subsets
                var sampled = PoolReplay.ProblemExpectation(problem, rule, 6, sampledOptions);
                Assert.True(exact.Exact);
                Assert.False(sampled.Exact);
                Assert.InRange(sampled.Mean, exact.Mean - 5 * Math.Sqrt(sampled.MonteCarloVariance) - 1e-3, exact.Mean + 5 * Math.Sqrt(sampled.MonteCarloVariance) + 1e-3);
            }
        }
    }

    [Fact]
    public void AMonteCarloReplayDoesNotDependOnTheOrderOfThePool()
    {
        // A sweep's pool.jsonl lists problems as they finished; each problem's draws are seeded by its id, not its place.
        var records = ScalingFixtures.Records(problems: 6, k: 32, seed: 4);
        var options = new ReplayOptions { ExactLimit = 0, Seed = 5 };
        var pool = PoolReplay.Run(SamplePool.FromRecords(records), [8], options);
        var reversed = PoolReplay.Run(SamplePool.FromRecords(records.AsEnumerable().Reverse()), [8], options);
        for (int i = 0; i < records.Count; i++)
            Assert.Equal(pool.ProblemAccuracy(ReplayRule.Majority, 8, i), reversed.ProblemAccuracy(ReplayRule.Majority, 8, records.Count - 1 - i));
    }

    [Fact]
    public void PoolAccuracyIsTheMeanOfProblemExpectationsAndCarriesAnInterval()
    {
        var pool = ScalingFixtures.Pool(40, 16, 2);
        var replay = PoolReplay.Run(pool, [1, 4, 16], new ReplayOptions { Seed = 9 });
        var estimate = replay.Accuracy(ReplayRule.Majority, 4);
        double mean = Enumerable.Range(0, 40).Average(i => replay.ProblemAccuracy(ReplayRule.Majority, 4, i));
        Assert.Equal(mean, estimate.Accuracy, 12);
        Assert.True(estimate.Low < estimate.Accuracy && estimate.Accuracy < estimate.High);
        Assert.True(estimate.Exact); // C(16, 4) = 1820 subsets: enumerated
    }

    [Fact]
    public void ResultsDoNotDependOnThreadsAndFollowTheSeed()
    {
        var pool = ScalingFixtures.Pool(30, 32, 4);
        int[] budgets = [1, 2, 8, 32];
        var parallel = PoolReplay.Run(pool, budgets, new ReplayOptions { Seed = 1, Parallel = true });
        var serial = PoolReplay.Run(pool, budgets, new ReplayOptions { Seed = 1, Parallel = false });
        var other = PoolReplay.Run(pool, budgets, new ReplayOptions { Seed = 2 });
        foreach (int n in budgets)
            Assert.Equal(serial.Accuracy(ReplayRule.Weighted, n).Accuracy, parallel.Accuracy(ReplayRule.Weighted, n).Accuracy);
        Assert.NotEqual(serial.Accuracy(ReplayRule.Weighted, 8).Accuracy, other.Accuracy(ReplayRule.Weighted, 8).Accuracy); // C(32, 8) > 20,000: sampled
        Assert.Equal(serial.Accuracy(ReplayRule.Naive, 8).Accuracy, other.Accuracy(ReplayRule.Naive, 8).Accuracy); // closed form
    }

    [Fact]
    public void BudgetsBeyondKAreRejected()
    {
        var pool = ScalingFixtures.Pool(3, 4, 1);
        var e = Assert.Throws<ArgumentException>(() => PoolReplay.Run(pool, [8]));
        Assert.Contains("--budgets 8", e.Message, StringComparison.Ordinal);
    }
}
