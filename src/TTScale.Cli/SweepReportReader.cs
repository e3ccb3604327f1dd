using System.Globalization;
using TTScale.Evaluation;
using TTScale.Reporting.Model;
using TTScale.Scaling;
using ComputeAxis = TTScale.Reporting.Model.ComputeAxis;
using DifficultyBin = TTScale.Reporting.Model.DifficultyBin;
using ScalingPoint = TTScale.Reporting.Model.ScalingPoint;

namespace TTScale.Cli;

/// <summary>
/// Builds a report model from a sweep folder's records: best-of-N replayed from the pool at every power of two up to K
/// (one series per selection rule; the point at K is the pool run itself), a point per direct run, and the same per
/// difficulty bin (the quantile bins of each problem's pass@1 in the pool that ttscale fit and policy build use). Fits
/// and the policy are added afterwards through <see cref="ScalingReportData"/>'s <c>With…</c> methods.
/// </summary>
internal static class SweepReportReader
{
    public static ScalingReportData Read(SweepFolder sweep, ComputeAxis axis, string reportVersion, DateTimeOffset now)
    {
        var pool = sweep.SamplePool();
        var replay = pool is null ? null : PoolReplay.Run(pool, pool.DefaultBudgets(), new ReplayOptions { Seed = sweep.Manifest.Seed });

        var bins = new List<DifficultyBin>();
        if (pool is { Problems.Count: >= Scaling.DifficultyBins.Default })
        {
            var difficulty = Scaling.DifficultyBins.FromPool(pool);
            foreach (var bin in difficulty.Bins)
            {
                var indices = difficulty.ProblemIndices(bin.Bin);
                var ids = indices.Select(i => pool.Problems[i].Id).ToHashSet(StringComparer.Ordinal);
                string label = string.Create(CultureInfo.InvariantCulture, $"pass@1 {bin.MinPassAt1:F2}–{bin.MaxPassAt1:F2}");
                bins.Add(new DifficultyBin(bin.Bin, label, bin.Problems, [.. ReplaySeries(replay!, axis, indices), .. RunSeries(sweep, axis, r => ids.Contains(r.Id))]));
            }
        }
        var strategies = replay is null ? RunSeries(sweep, axis, _ => true) : [.. ReplaySeries(replay, axis, null), .. RunSeries(sweep, axis, _ => true)];
        return new ScalingReportData(Provenance(sweep.Path, sweep.Manifest, reportVersion, now), axis, strategies, bins);
    }

    /// <summary>Best-of-N under each selection rule at every replayed budget, over the given problems (all where null).</summary>
    private static IEnumerable<StrategySeries> ReplaySeries(PoolReplay replay, ComputeAxis axis, IReadOnlyList<int>? problems)
    {
        var pool = replay.Pool;
        var subset = problems?.Select(i => pool.Problems[i]).ToList() ?? pool.Problems;
        foreach (var rule in ReplayRules.Selections)
            yield return new StrategySeries(rule.StrategyName(), [.. replay.Budgets.Select(n =>
            {
                var estimate = replay.Accuracy(rule, n, problems);
                var cost = pool.ExpectedCost(n, subset, rule.Scores(n));
                var point = new ScalingPoint(n, 0, subset.Count, (int)Math.Round(estimate.Accuracy * subset.Count), estimate.Accuracy, estimate.Low, estimate.High,
                    cost.Tokens, cost.Flops, cost.EFlops, cost.Kv, n == pool.K ? PointSource.Pool : PointSource.Replay);
                return point with { Compute = axis.Of(point) };
            })]);
    }

    /// <summary>One series per directly-run strategy, points in budget order, over the records <paramref name="include"/> keeps.</summary>
    private static List<StrategySeries> RunSeries(SweepFolder sweep, ComputeAxis axis, Func<EvalRecord, bool> include) =>
        [.. sweep.Runs.GroupBy(r => r.Run.Strategy).Select(g => new StrategySeries(g.Key,
            [.. g.Select(r => Point(r.Run.Budget, r.Records.Where(include).ToList(), axis)).Where(p => p.Problems > 0).OrderBy(p => p.Budget)]))];

    /// <summary>A point from one run's records: accuracy with its interval and the mean ledger per problem.</summary>
    internal static ScalingPoint Point(int budget, List<EvalRecord> records, ComputeAxis axis)
    {
        var summary = EvalSummary.From(records, 0);
        var accuracy = summary.Overall;
        var point = new ScalingPoint(budget, 0, accuracy.Problems, accuracy.Correct, accuracy.Accuracy, accuracy.Low, accuracy.High,
            summary.MeanGeneratedTokens, summary.MeanTotalFlops, summary.MeanEFlops, summary.MeanPeakLogicalKvBytes);
        return point with { Compute = axis.Of(point) };
    }

    private static ReportProvenance Provenance(string folder, SweepManifest m, string reportVersion, DateTimeOffset now)
    {
        var culture = CultureInfo.InvariantCulture;
        List<ModelProvenance> models = [new("policy", m.Policy.Path, m.Policy.Sha256)];
        if (m.Prm is { } prm) models.Add(new("prm", prm.Path, prm.Sha256));
        return new ReportProvenance(Path.GetFullPath(folder), m.Dataset, m.Limit, m.Seed, models,
            m.Verifier == "none" ? "none" : $"{m.Verifier}, step scores aggregated by {m.Aggregation}",
            string.Create(culture, $"temperature {m.Temperature}, top-p {m.TopP}, at most {m.MaxTokens} tokens; best-of-n pool of {m.PoolSize} samples per problem"),
            m.Hardware, m.TtscaleVersion, reportVersion, m.Created, now, []);
    }
}
