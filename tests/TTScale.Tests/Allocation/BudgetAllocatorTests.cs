using TTScale.Allocation;
using TTScale.Randomness;

namespace TTScale.Tests.Allocation;

public class BudgetAllocatorTests
{
    private static (BudgetAllocator Allocator, DifficultySignal[] Batch) Instance(ulong seed, bool unitSteps, int bins = 3, int prompts = 4, int points = 4)
    {
        var random = new SplitMix64(seed);
        var costs = new double[bins][];
        var accuracies = new double[bins][];
        for (int b = 0; b < bins; b++) (costs[b], accuracies[b]) = TestPolicies.ConcaveMenu(ref random, points, unitSteps);
        var batch = Enumerable.Range(0, prompts).Select(_ => DifficultySignal.FromBin(random.NextInt(0, bins - 1))).ToArray();
        return (new BudgetAllocator(TestPolicies.FromMenus(costs, accuracies)), batch);
    }

    /// <summary>The best expected total over every combination of points within the budget.</summary>
    private static double BruteForce(BudgetAllocator allocator, DifficultySignal[] batch, double budget)
    {
        double best = double.NegativeInfinity;
        void Search(int prompt, double cost, double value)
        {
            if (cost > budget + 1e-12) return;
            if (prompt == batch.Length)
            {
                best = Math.Max(best, value);
                return;
            }
            foreach (var point in allocator.Curve(batch[prompt].Bin).ToArray()) Search(prompt + 1, cost + point.Cost, value + point.PredictedAccuracy);
        }
        Search(0, 0, 0);
        return best;
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    [InlineData(5UL)]
    public void GreedyMatchesBruteForceOnUnitStepConcaveCurves(ulong seed)
    {
        var (allocator, batch) = Instance(seed, unitSteps: true);
        for (int budget = batch.Length; budget <= batch.Length * 4; budget++)
        {
            var result = allocator.Allocate(batch, budget);
            Assert.Equal(BruteForce(allocator, batch, budget), result.ExpectedCorrect, 9);
            Assert.True(result.TotalCost <= budget);
        }
    }

    [Theory]
    [InlineData(11UL)]
    [InlineData(12UL)]
    [InlineData(13UL)]
    [InlineData(14UL)]
    public void GreedyIsWithinOneStepOfBruteForceOnGeneralConcaveCurves(ulong seed)
    {
        var (allocator, batch) = Instance(seed, unitSteps: false);
        double maxStep = Enumerable.Range(0, allocator.Bins).Max(b =>
        {
            var c = allocator.Curve(b).ToArray();
            return Enumerable.Range(1, c.Length - 1).Select(i => c[i].PredictedAccuracy - c[i - 1].PredictedAccuracy).DefaultIfEmpty(0).Max();
        });
        double floor = batch.Sum(s => allocator.Curve(s.Bin)[0].Cost);
        for (int k = 0; k <= 20; k++)
        {
            double budget = floor + k * 1.1;
            var result = allocator.Allocate(batch, budget);
            double best = BruteForce(allocator, batch, budget);
            Assert.True(result.TotalCost <= budget + 1e-9, $"spent {result.TotalCost} of {budget}");
            Assert.True(result.ExpectedCorrect <= best + 1e-9);
            Assert.True(result.ExpectedCorrect >= best - maxStep - 1e-9, $"greedy {result.ExpectedCorrect} vs best {best}");
        }
    }

    [Fact]
    public void BudgetIsNeverExceededOnLargeRandomBatches()
    {
        var (allocator, _) = Instance(21, unitSteps: false, bins: 5, points: 8);
        var random = new SplitMix64(22);
        var batch = Enumerable.Range(0, 500).Select(_ => DifficultySignal.FromBin(random.NextInt(0, 4))).ToArray();
        double floor = batch.Sum(s => allocator.Curve(s.Bin)[0].Cost);
        for (int k = 0; k < 30; k++)
        {
            double budget = floor + random.NextDouble() * floor * 5;
            Assert.True(allocator.Allocate(batch, budget).Decisions.Sum(d => d.Cost) <= budget * (1 + 1e-12));
        }
    }

    [Fact]
    public void TheReportedTotalNeverExceedsTheBudgetEvenByRounding()
    {
        // Spend summed step by step (0.2 + 0.7) and the total summed by prompt (0.9) differ in the last bit.
        var allocator = new BudgetAllocator(TestPolicies.FromMenus([[0.2, 0.9]], [[0.5, 0.6]]));
        double budget = 0.2 + (0.9 - 0.2);
        var result = allocator.Allocate([DifficultySignal.FromBin(0)], budget);
        Assert.True(result.TotalCost <= budget, $"{result.TotalCost:R} > {budget:R}");
        Assert.Equal(0.9, allocator.Allocate([DifficultySignal.FromBin(0)], 0.9).TotalCost);
    }

    [Fact]
    public void NoPromptGoesPastItsBinsSaturationPoint()
    {
        double[][] costs = [[1, 2, 4, 8, 16], [1, 2, 4, 8, 16]];
        double[][] accuracies = [[0.5, 0.7, 0.8, 0.85, 0.87], [0.1, 0.2, 0.3, 0.4, 0.5]];
        var allocator = new BudgetAllocator(TestPolicies.FromMenus(costs, accuracies, saturation: [4, 8]));
        var batch = Enumerable.Range(0, 10).Select(i => DifficultySignal.FromBin(i % 2)).ToArray();
        foreach (var d in allocator.Allocate(batch, 1e6).Decisions) Assert.True(d.Cost <= (d.Bin == 0 ? 4 : 8));
        Assert.Equal(4, allocator.Decide(DifficultySignal.FromBin(0), 0).Cost);
        Assert.Equal(8, allocator.Decide(DifficultySignal.FromBin(1), 0).Cost);
    }

    [Fact]
    public void PointsUnderTheConcaveHullAreNeverChosen()
    {
        // (2, 0.3) lies under the chord from (1, 0.2) to (3, 0.6).
        var allocator = new BudgetAllocator(TestPolicies.FromMenus([[1, 2, 3]], [[0.2, 0.3, 0.6]]));
        Assert.Equal([1.0, 3.0], allocator.Curve(0).ToArray().Select(p => p.Cost));
    }

    [Fact]
    public void DecideRespectsThePriceAndTheCap()
    {
        var allocator = new BudgetAllocator(TestPolicies.FromMenus([[1, 2, 4, 8]], [[0.2, 0.5, 0.6, 0.65]]));
        Assert.Equal(8, allocator.Decide(DifficultySignal.FromBin(0)).Cost); // price 0: up to saturation
        Assert.Equal(2, allocator.Decide(DifficultySignal.FromBin(0), 0.1).Cost); // 0.05 per unit from 2 to 4 is below 0.1
        Assert.Equal(4, allocator.Decide(DifficultySignal.FromBin(0, maxCost: 5), 0).Cost);
        Assert.Equal(1, allocator.DecideWithin(DifficultySignal.FromBin(0), 0.5).Cost); // the cheapest is the floor
    }

    [Fact]
    public void DecideIsDeterministicAndThreadSafe()
    {
        var (allocator, _) = Instance(31, unitSteps: false, bins: 5, points: 8);
        var random = new SplitMix64(32);
        var signals = Enumerable.Range(0, 20_000).Select(_ => DifficultySignal.FromBin(random.NextInt(0, 4))).ToArray();
        var prices = Enumerable.Range(0, signals.Length).Select(i => (i % 7) * 0.01).ToArray();
        var sequential = signals.Select((s, i) => allocator.Decide(s, prices[i])).ToArray();
        var parallel = new AllocationDecision[signals.Length];
        Parallel.For(0, signals.Length, i => parallel[i] = allocator.Decide(signals[i], prices[i]));
        for (int i = 0; i < signals.Length; i++)
        {
            Assert.Equal(sequential[i].Cost, parallel[i].Cost);
            Assert.Same(sequential[i].Parameters, parallel[i].Parameters);
        }
        Assert.Equal(allocator.Allocate(signals, 60_000).Decisions.Select(d => d.Cost), allocator.Allocate(signals, 60_000).Decisions.Select(d => d.Cost));
    }

    [Fact]
    public void DecideDoesNotAllocate()
    {
        var random = new SplitMix64(41);
        var samples = Enumerable.Range(0, 200).Select(i => new DifficultySample(TestPolicies.Features(i % 5, ref random, 0.1), i % 5)).ToList();
        var model = DifficultyModel.Train(samples, new DifficultyTrainingOptions(Iterations: 200));
        var allocator = new BudgetAllocator(TestPolicies.FromMenus(Enumerable.Repeat(new double[] { 1, 2, 4 }, 5).ToArray(),
            Enumerable.Repeat(new double[] { 0.2, 0.4, 0.5 }, 5).ToArray(), model: model), price: 0.06);
        var byBin = DifficultySignal.FromBin(3);
        var byFeatures = DifficultySignal.FromFeatures(TestPolicies.Features(2, ref random, 0.1));
        double sum = allocator.Decide(byBin).Cost + allocator.Decide(byFeatures).Cost;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) sum += allocator.Decide(byBin).Cost + allocator.Decide(byFeatures).Cost;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    [Fact]
    public void MixturesPlanWithTheMostLikelyBinsOptions()
    {
        var allocator = new BudgetAllocator(TestPolicies.FromMenus([[1, 2, 4], [1, 2, 4]], [[0.6, 0.9, 0.95], [0.1, 0.2, 0.4]]));
        var result = allocator.Allocate([DifficultySignal.FromProbabilities([0.8, 0.2]), DifficultySignal.FromProbabilities([0.1, 0.9])], 100);
        Assert.Equal([0, 1], result.Decisions.Select(d => d.Bin));
        Assert.Equal(0.8 * 0.95 + 0.2 * 0.4, result.Decisions[0].PredictedAccuracy, 12);
    }

    [Fact]
    public void AnUncertainPromptBuysWhatPaysInTheBinsItMayBeIn()
    {
        // Bin 1 gains nothing past its first option, bin 0 up to cost 4; bin 1 alone has an option at cost 8.
        var allocator = new BudgetAllocator(TestPolicies.FromMenus([[1, 2, 4], [1, 2, 4, 8]], [[0.5, 0.7, 0.9], [0.1, 0.1, 0.1, 0.15]], saturation: [4, 1]));
        var uncertain = allocator.Allocate([DifficultySignal.FromProbabilities([0.4, 0.6])], 100).Decisions[0];
        // Past bin 1's saturation, for what the same option reaches in bin 0; not to cost 8, which bin 0's menu lacks and
        // so is credited there with bin 0's cheapest accuracy (0.4 x 0.5 + 0.6 x 0.15 < 0.4 x 0.9 + 0.6 x 0.1).
        Assert.Equal(1, uncertain.Bin);
        Assert.Equal(4, uncertain.Cost);
        Assert.Equal(0.4 * 0.9 + 0.6 * 0.1, uncertain.PredictedAccuracy, 12);
        // A prompt known to be in bin 1 stays at its saturation point, and so does one sure to be in it.
        Assert.Equal(1, allocator.Allocate([DifficultySignal.FromBin(1)], 100).Decisions[0].Cost);
        Assert.Equal(1, allocator.Allocate([DifficultySignal.FromProbabilities([0, 1])], 100).Decisions[0].Cost);
    }

    [Fact]
    public void OfOptionsThatCostTheSameAnUncertainPromptTakesTheOneItsMixtureValuesMost()
    {
        // Best-of-n up to the probe's k samples all cost the probe: here n = 1 and n = 2 tie in bin 0, and n = 2 is far
        // better in bin 1. The menu kept only the first of equal costs, so a prompt that may be in bin 1 got n = 1.
        var allocator = new BudgetAllocator(TestPolicies.FromMenus([[1, 1, 2], [1, 1, 2]], [[0.9, 0.9, 0.95], [0.2, 0.5, 0.6]]));
        var decision = allocator.Allocate([DifficultySignal.FromProbabilities([0.6, 0.4])], 1).Decisions[0];
        Assert.Equal((0, 1.0), (decision.Bin, decision.Cost));
        Assert.Equal(2, decision.Parameters["n"].GetInt32());
        Assert.Equal(0.6 * 0.9 + 0.4 * 0.5, decision.PredictedAccuracy, 12);
        // Sure of bin 0, the tie stays with the first, as in the bin's own hull.
        Assert.Equal(1, allocator.Allocate([DifficultySignal.FromProbabilities([1, 0])], 1).Decisions[0].Parameters["n"].GetInt32());
    }

    [Fact]
    public void AnUncertainPromptNeverGoesPastTheSaturationOfEveryBinItMayBeIn()
    {
        var allocator = new BudgetAllocator(TestPolicies.FromMenus([[1, 2, 4], [1, 2, 4]], [[0.5, 0.7, 0.9], [0.1, 0.2, 0.3]], saturation: [1, 2]));
        Assert.Equal(2, allocator.Allocate([DifficultySignal.FromProbabilities([0.5, 0.5])], 100).Decisions[0].Cost);
        Assert.Equal(1, allocator.Allocate([DifficultySignal.FromProbabilities([1, 0])], 100).Decisions[0].Cost);
    }

    [Fact]
    public void PriceForARateKeepsTheMeanSpendWithinIt()
    {
        var (allocator, _) = Instance(51, unitSteps: false, bins: 5, points: 8);
        double floor = Enumerable.Range(0, 5).Average(b => allocator.Curve(b)[0].Cost);
        foreach (double rate in new[] { floor, floor * 1.5, floor * 3, floor * 100 })
        {
            var priced = allocator.WithPrice(allocator.PriceForRate(rate));
            Assert.True(Enumerable.Range(0, 5).Average(b => priced.Decide(DifficultySignal.FromBin(b)).Cost) <= rate + 1e-9);
        }
    }

    [Fact]
    public void OnlineSpendStaysWithinTheRate()
    {
        var (allocator, _) = Instance(61, unitSteps: false, bins: 5, points: 8);
        double rate = Enumerable.Range(0, 5).Max(b => allocator.Curve(b)[0].Cost) * 2;
        var online = new OnlineBudgetController(allocator, rate, initialBank: rate * 4);
        var random = new SplitMix64(62);
        for (int i = 1; i <= 5000; i++)
        {
            online.Decide(DifficultySignal.FromBin(random.NextInt(0, 4)));
            Assert.True(online.Spent <= rate * (i + 4) + 1e-6);
        }
        Assert.True(online.Spent / online.Requests > rate * 0.8, $"mean spend {online.Spent / online.Requests} against rate {rate}");
    }

    [Fact]
    public void OnlineRequestsAfterAnOverrunGetTheCheapestOptionUntilTheBankRecovers()
    {
        var allocator = new BudgetAllocator(TestPolicies.FromMenus([[1, 2, 4]], [[0.5, 0.7, 0.9]]));
        var online = new OnlineBudgetController(allocator, rate: 2);
        var first = online.Decide(DifficultySignal.FromBin(0));
        online.Settle(first, first.Cost + 3); // it cost 3 more than expected: the bank is overdrawn
        Assert.True(online.Bank < 0);
        Assert.Equal(1, online.Decide(DifficultySignal.FromBin(0)).Cost);
    }

    [Fact]
    public void AnOnlineRequestForABinOutsideThePolicyLeavesTheBankAlone()
    {
        var online = new OnlineBudgetController(new BudgetAllocator(TestPolicies.FromMenus([[1, 2, 4]], [[0.5, 0.7, 0.9]])), rate: 2);
        Assert.Contains("--bin", Assert.Throws<ArgumentException>(() => online.Decide(DifficultySignal.FromBin(3))).Message);
        Assert.Equal((0L, 0.0), (online.Requests, online.Bank));
    }

    [Fact]
    public void BadArgumentsNameTheOption()
    {
        var allocator = new BudgetAllocator(TestPolicies.FromMenus([[1, 2]], [[0.5, 0.6]]));
        Assert.Contains("--budget", Assert.Throws<ArgumentException>(() => allocator.Allocate([DifficultySignal.FromBin(0), DifficultySignal.FromBin(0)], 1)).Message);
        Assert.Contains("--budget", Assert.Throws<ArgumentException>(() => allocator.Allocate([], -1)).Message);
        Assert.Contains("--bin", Assert.Throws<ArgumentException>(() => allocator.Decide(DifficultySignal.FromBin(3))).Message);
        Assert.Contains("--budget-rate", Assert.Throws<ArgumentException>(() => new OnlineBudgetController(allocator, 0.5)).Message);
        Assert.Throws<InvalidOperationException>(() => allocator.Decide(DifficultySignal.FromFeatures(default)));
    }

    [Fact]
    public void SignalsThatAreNotFiniteAreRefused()
    {
        // An infinite probability made the allocation's expected accuracy NaN; a NaN feature was read as the easiest bin.
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => DifficultySignal.FromProbabilities([double.PositiveInfinity, 1])).Message);
        Assert.Throws<ArgumentException>(() => DifficultySignal.FromProbabilities([double.MaxValue, double.MaxValue])); // sums to infinity
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => DifficultySignal.FromFeatures(default(DifficultyFeatures) with { MeanScore = double.NaN })).Message);
        Assert.Throws<ArgumentException>(() => DifficultySignal.FromFeatures(default(DifficultyFeatures) with { PromptTokens = double.PositiveInfinity }));
    }
}
