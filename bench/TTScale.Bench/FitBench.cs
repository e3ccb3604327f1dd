using BenchmarkDotNet.Attributes;
using TTScale.Scaling;
using TTScale.Tests.Scaling;

namespace TTScale.Bench;

/// <summary>
/// Fitting every curve of a sweep: 3 selection rules x (all problems + 5 difficulty bins) = 18 series of 7 budgets,
/// each with 3 models on the split (budgets &lt;= 16), the chosen one refitted on all points, and its saturation point.
/// Target: under 1 s.
/// </summary>
[MemoryDiagnoser]
public class FitBench
{
    private List<ScalingSeries> _series = [];

    [GlobalSetup]
    public void Setup()
    {
        var pool = ScalingFixtures.Pool(1000, 64, 1);
        var replay = PoolReplay.Run(pool, [1, 2, 4, 8, 16, 32, 64], new ReplayOptions { Seed = 1 });
        var bins = DifficultyBins.FromPool(pool);
        foreach (var rule in ReplayRules.Selections)
        {
            _series.Add(replay.Series(rule, ComputeAxis.Flops));
            foreach (var bin in bins.Bins) _series.Add(replay.Series(rule, ComputeAxis.Flops, bin.Bin, bins.ProblemIndices(bin.Bin)));
        }
    }

    [Benchmark]
    public int FitAll()
    {
        int saturated = 0;
        foreach (var series in _series)
            if (ScalingStudy.FitSeries(series).Saturation?.Budget is not null) saturated++;
        return saturated;
    }
}
