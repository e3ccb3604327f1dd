using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using System.Text.Json;
using TTScale.Allocation;
using TTScale.Randomness;

namespace TTScale.Bench;

/// <summary>
/// The embedded allocator's hot path: one <c>Decide</c> per request (by known bin and by probe features through the
/// difficulty model; target p99 at most 5 us with no allocation), and a batch allocation of 10,000 prompts (target
/// under 50 ms). The policy is synthetic: 5 bins, 10 concave budget levels each.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Percentiles))]
public class AllocatorBench
{
    private BudgetAllocator _allocator = null!;
    private DifficultySignal[] _binSignals = [];
    private DifficultySignal[] _featureSignals = [];
    private DifficultySignal[] _mixtureSignals = [];
    private int _next;

    private sealed class Percentiles : ManualConfig
    {
        public Percentiles() => AddColumn(StatisticColumn.P95, new P99Column());
    }

    [GlobalSetup]
    public void Setup()
    {
        var random = new SplitMix64(7);
        var samples = new List<DifficultySample>();
        for (int i = 0; i < 1000; i++) samples.Add(new DifficultySample(Features(i % 5, ref random), i % 5));
        var model = DifficultyModel.Train(samples, new DifficultyTrainingOptions(Iterations: 300));

        var bins = new List<PolicyBin>();
        for (int b = 0; b < 5; b++)
        {
            double pSample = 0.6 / (b + 1); // TTSPM-shaped curves: F(N) = F_max (1 - (1 - p)^N)
            var points = Enumerable.Range(0, 10).Select(i =>
            {
                int n = 1 << i;
                double accuracy = (0.95 - 0.1 * b) * (1 - Math.Pow(1 - pSample, n));
                var parameters = new Dictionary<string, JsonElement> { ["select"] = JsonSerializer.SerializeToElement("weighted"), ["n"] = JsonSerializer.SerializeToElement(n) };
                return new PolicyPoint(n, "best-of-n", parameters, n, accuracy, accuracy, 200);
            }).ToList();
            bins.Add(new PolicyBin(b, 512, points));
        }
        var policy = new Policy(Policy.CurrentSchema, CostUnit.Samples, 5, bins, model.ToData(), null);
        _allocator = new BudgetAllocator(policy).WithPrice(new BudgetAllocator(policy).PriceForRate(16));

        _binSignals = Enumerable.Range(0, 10_000).Select(_ => DifficultySignal.FromBin(random.NextInt(0, 4))).ToArray();
        _featureSignals = Enumerable.Range(0, 10_000).Select(_ => DifficultySignal.FromFeatures(Features(random.NextInt(0, 4), ref random))).ToArray();
        _mixtureSignals = Enumerable.Range(0, 10_000).Select(_ =>
        {
            var p = Enumerable.Range(0, 5).Select(_ => random.NextDouble()).ToArray();
            return DifficultySignal.FromProbabilities(p);
        }).ToArray();
    }

    private static DifficultyFeatures Features(int bin, ref SplitMix64 random)
    {
        double a = random.NextDouble() - 0.5, b = random.NextDouble() - 0.5, c = random.NextDouble() - 0.5;
        return new DifficultyFeatures(0.95 - 0.2 * bin + 0.2 * a, 1 + bin + b, 0.9 - 0.15 * bin + 0.2 * c, 0.05 + 0.04 * bin, -0.1 - 0.1 * bin, 40 + 12 * bin);
    }

    [Benchmark(Baseline = true)]
    public double DecideByBin()
    {
        int i = _next = (_next + 1) % _binSignals.Length;
        return _allocator.Decide(_binSignals[i]).Cost;
    }

    [Benchmark]
    public double DecideByFeatures()
    {
        int i = _next = (_next + 1) % _featureSignals.Length;
        return _allocator.Decide(_featureSignals[i]).Cost;
    }

    [Benchmark]
    public double Allocate10kByBin() => _allocator.Allocate(_binSignals, 16 * 10_000).TotalCost;

    [Benchmark]
    public double Allocate10kByFeatures() => _allocator.Allocate(_featureSignals, 16 * 10_000).TotalCost;

    [Benchmark]
    public double Allocate10kByProbabilities() => _allocator.Allocate(_mixtureSignals, 16 * 10_000).TotalCost;
}
