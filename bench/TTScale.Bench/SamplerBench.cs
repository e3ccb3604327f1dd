using BenchmarkDotNet.Attributes;
using TTScale.Generation;
using TTScale.Randomness;

namespace TTScale.Bench;

/// <summary>Cost of drawing one token, for the demo vocabulary (100) and a typical real one (32,000).</summary>
[MemoryDiagnoser]
public class SamplerBench
{
    private float[] _logits = [];
    private SplitMix64 _random = new(1);
    private readonly SamplingOptions _temperature = new() { Temperature = 0.8 };
    private readonly SamplingOptions _nucleus = new() { Temperature = 0.8, TopP = 0.95, TopK = 50 };

    [Params(100, 32000)]
    public int Vocabulary { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new SplitMix64(7);
        _logits = Enumerable.Range(0, Vocabulary).Select(_ => (float)(random.NextDouble() * 10 - 5)).ToArray();
    }

    [Benchmark(Baseline = true)]
    public int Greedy() => Sampler.Sample(_logits, SamplingOptions.Greedy, ref _random, out _);

    [Benchmark]
    public int Temperature() => Sampler.Sample(_logits, _temperature, ref _random, out _);

    [Benchmark]
    public int TopKTopP() => Sampler.Sample(_logits, _nucleus, ref _random, out _);
}
