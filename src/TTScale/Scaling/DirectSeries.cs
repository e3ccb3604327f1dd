using TTScale.Compute;
using TTScale.Evaluation;

namespace TTScale.Scaling;

/// <summary>Series from strategies run directly at each budget (beam, revise, ...): one eval's records per budget.</summary>
public static class DirectSeries
{
    /// <summary>
    /// A series for all problems (bin 0) and, given bins, one per bin (records whose id is not in the pool are left out
    /// of the bin series). Compute is each record's own ledger, averaged over problems.
    /// </summary>
    /// <param name="strategy">The strategy's name in the report.</param>
    /// <param name="runs">Each budget with the records of its run.</param>
    /// <param name="axis">The compute axis.</param>
    /// <param name="bins">Difficulty bins from the pool, or null for the all-problems series only.</param>
    /// <exception cref="ArgumentException">A budget below 1 or repeated, or a run without records.</exception>
    public static IReadOnlyList<ScalingSeries> FromRuns(string strategy, IEnumerable<(int Budget, IReadOnlyList<EvalRecord> Records)> runs,
        ComputeAxis axis, DifficultyBins? bins = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(strategy);
        ArgumentNullException.ThrowIfNull(runs);
        var list = runs.OrderBy(r => r.Budget).ToList();
        foreach (var (budget, records) in list)
        {
            if (budget < 1) throw new ArgumentException($"--budgets {budget} must be 1 or more", nameof(runs));
            if (records.Count == 0) throw new ArgumentException($"the {strategy} run at budget {budget} has no records", nameof(runs));
        }
        if (list.Select(r => r.Budget).Distinct().Count() != list.Count) throw new ArgumentException($"{strategy}: a budget appears twice", nameof(runs));

        var series = new List<ScalingSeries> { Build(strategy, 0, axis, list) };
        if (bins is not null)
            foreach (var bin in bins.Bins)
            {
                var runsInBin = list.Select(r => (r.Budget, (IReadOnlyList<EvalRecord>)r.Records
                    .Where(x => bins.Assignment.TryGetValue(x.Id, out int b) && b == bin.Bin).ToList())).Where(r => r.Item2.Count > 0).ToList();
                if (runsInBin.Count > 0) series.Add(Build(strategy, bin.Bin, axis, runsInBin));
            }
        return series;
    }

    /// <summary>A record's compute on an axis: the budget, generated tokens, total FLOPs, eFLOPs or peak logical KV bytes.</summary>
    public static double Compute(LedgerReport ledger, int budget, ComputeAxis axis)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        return axis switch
        {
            ComputeAxis.Samples => budget,
            ComputeAxis.Tokens => ledger.GeneratedTokens,
            ComputeAxis.Flops => ledger.TotalFlops,
            ComputeAxis.EFlops => ledger.EFlops,
            ComputeAxis.Kv => ledger.PeakLogicalKvBytes,
            _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, null),
        };
    }

    private static ScalingSeries Build(string strategy, int bin, ComputeAxis axis, IEnumerable<(int Budget, IReadOnlyList<EvalRecord> Records)> runs)
    {
        var list = runs.ToList();
        var points = list.Select(r =>
        {
            var a = EvalSummary.Accuracy(r.Records);
            return new ScalingPoint(r.Budget, r.Records.Average(x => Compute(x.Ledger, r.Budget, axis)), a.Accuracy, a.Problems, a.Low, a.High);
        }).ToList();
        // Outcomes for a bootstrap only where every budget ran the same problems, each once.
        var correct = list.Select(r => r.Records.DistinctBy(x => x.Id).Count() == r.Records.Count
            ? r.Records.ToDictionary(x => x.Id, x => x.Correct ? 1.0 : 0.0, StringComparer.Ordinal) : null).ToList();
        var ids = correct[0]?.Keys.Order(StringComparer.Ordinal).ToList();
        var outcomes = ids is not null && correct.All(c => c is not null && c.Count == ids.Count && ids.All(c.ContainsKey))
            ? ids.Select(id => (IReadOnlyList<double>)[.. correct.Select(c => c![id])]).ToList() : null;
        return new ScalingSeries(strategy, bin, axis, "direct", points, outcomes);
    }
}
