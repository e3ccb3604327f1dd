using BenchmarkDotNet.Attributes;
using TTScale.Scaling;
using TTScale.Tests.Scaling;

namespace TTScale.Bench;

/// <summary>
/// Replaying a pool of 1,000 problems x 64 samples at 7 budgets (1..64) under every rule (pass@k, naive, weighted,
/// majority): exact where C(64, N) &lt;= 20,000, 256 seeded Monte-Carlo subsets otherwise. Target: under 1 s.
/// </summary>
[MemoryDiagnoser]
public class ReplayBench
{
    private static readonly int[] Budgets = [1, 2, 4, 8, 16, 32, 64];
    private SamplePool _pool = null!;

    [Params(true, false)]
    public bool Parallel { get; set; }

    [GlobalSetup]
    public void Setup() => _pool = ScalingFixtures.Pool(1000, 64, 1);

    [Benchmark]
    public double Replay()
    {
        var replay = PoolReplay.Run(_pool, Budgets, new ReplayOptions { Seed = 1, Parallel = Parallel });
        return replay.Accuracy(ReplayRule.Weighted, 64).Accuracy;
    }
}
