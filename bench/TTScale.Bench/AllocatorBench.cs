using BenchmarkDotNet.Attributes;

namespace TTScale.Bench;

/// <summary>
/// The embedded allocator's throughput: <c>Decide</c> per request (by known bin and by probe features through the
/// difficulty model; mean time and allocated bytes, target 0 B), and a batch allocation of 10,000 prompts (target under
/// 50 ms). Per-request latency percentiles are <see cref="DecideLatencyBench"/>'s.
/// </summary>
[MemoryDiagnoser]
public class AllocatorBench
{
    private SyntheticPolicy _policy = null!;
    private int _next;

    [GlobalSetup]
    public void Setup() => _policy = new SyntheticPolicy();

    [Benchmark(Baseline = true)]
    public double DecideByBin()
    {
        int i = _next = (_next + 1) % _policy.BinSignals.Length;
        return _policy.Allocator.Decide(_policy.BinSignals[i]).Cost;
    }

    [Benchmark]
    public double DecideByFeatures()
    {
        int i = _next = (_next + 1) % _policy.FeatureSignals.Length;
        return _policy.Allocator.Decide(_policy.FeatureSignals[i]).Cost;
    }

    [Benchmark]
    public double Allocate10kByBin() => _policy.Allocator.Allocate(_policy.BinSignals, 16 * 10_000).TotalCost;

    [Benchmark]
    public double Allocate10kByFeatures() => _policy.Allocator.Allocate(_policy.FeatureSignals, 16 * 10_000).TotalCost;

    [Benchmark]
    public double Allocate10kByProbabilities() => _policy.Allocator.Allocate(_policy.MixtureSignals, 16 * 10_000).TotalCost;
}
