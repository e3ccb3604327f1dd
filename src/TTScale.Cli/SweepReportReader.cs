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
    /// <param name="fit">The fit the report will draw (<c>--fit</c>), if any: the pool is binned and replayed as it was, so its
    /// curves sit on the same problems and points; a fit of another pool is refused.</param>
    public static ScalingReportData Read(SweepFolder sweep, ComputeAxis axis, string reportVersion, DateTimeOffset now, FitReport? fit = null, string? fitPath = null)
    {
        var pool = sweep.SamplePool();
        bool fitPool = fit is { SamplesPerProblem: > 0 };
        long seed = fitPool ? fit!.Seed : sweep.Manifest.Seed;
        var replay = pool is null ? null : PoolReplay.Run(pool, pool.DefaultBudgets(), new ReplayOptions { Seed = seed });

        var bins = new List<DifficultyBin>();
        if (pool is not null)
        {
            var difficulty = Scaling.DifficultyBins.AtMost(pool, fitPool ? fit!.Bins.Count : Scaling.DifficultyBins.Default);
            if (fitPool) CheckFitPool(fit!, fitPath, pool, difficulty);
            foreach (var bin in difficulty.Bins)
            {
                var indices = difficulty.ProblemIndices(bin.Bin);
                var ids = indices.Select(i => pool.Problems[i].Id).ToHashSet(StringComparer.Ordinal);
                string label = string.Create(CultureInfo.InvariantCulture, $"pass@1 {bin.MinPassAt1:F2}–{bin.MaxPassAt1:F2}");
                bins.Add(new DifficultyBin(bin.Bin, label, bin.Problems, [.. ReplaySeries(replay!, axis, indices), .. RunSeries(sweep, axis, r => ids.Contains(r.Id))]));
            }
        }
        var strategies = replay is null ? RunSeries(sweep, axis, _ => true) : [.. ReplaySeries(replay, axis, null), .. RunSeries(sweep, axis, _ => true)];
        var data = new ScalingReportData(Provenance(sweep.Path, sweep.Manifest, reportVersion, now), axis, strategies, bins);
        return seed == sweep.Manifest.Seed ? data : data.WithProvenance("Replay seed", $"{seed} (the fit's --seed)");
    }

    /// <summary>A fit's pool and bins must be this sweep's: its bin 3 drawn as this report's bin 3 would be another bin's curve.</summary>
    private static void CheckFitPool(FitReport fit, string? path, SamplePool pool, Scaling.DifficultyBins bins)
    {
        static string Describe(IEnumerable<Scaling.DifficultyBin> bins) => string.Join(", ", bins.Select(b =>
            string.Create(CultureInfo.InvariantCulture, $"bin {b.Bin}: {b.Problems} problems, pass@1 {b.MinPassAt1:F2}-{b.MaxPassAt1:F2}")));
        bool same = fit.Problems == pool.Problems.Count && fit.SamplesPerProblem == pool.K && fit.Bins.Count == bins.Bins.Count
            && fit.Bins.Zip(bins.Bins).All(p => p.First.Bin == p.Second.Bin && p.First.Problems == p.Second.Problems
                && Math.Abs(p.First.MinPassAt1 - p.Second.MinPassAt1) < 1e-9 && Math.Abs(p.First.MaxPassAt1 - p.Second.MaxPassAt1) < 1e-9);
        if (!same)
            throw new CliException($"--fit {path}: it was fitted on another pool ({fit.Problems} problems, K = {fit.SamplesPerProblem}; {Describe(fit.Bins)}) " +
                $"than this sweep's ({pool.Problems.Count} problems, K = {pool.K}; {Describe(bins.Bins)}); run ttscale fit on this sweep");
    }

    /// <summary>Best-of-N under each selection rule at every replayed budget, over the given problems (all where null).</summary>
    private static IEnumerable<StrategySeries> ReplaySeries(PoolReplay replay, ComputeAxis axis, IReadOnlyList<int>? problems)
    {
        var pool = replay.Pool;
        var subset = problems?.Select(i => pool.Problems[i]).ToList() ?? pool.Problems;
        foreach (var rule in ReplayRules.SelectionsFor(pool))
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
            string.Create(culture, $"temperature {m.Temperature}, top-p {m.TopP}, at most {m.MaxTokens} tokens") +
                (m.Pool is { } pool ? string.Create(culture, $"; best-of-n pool of {pool.Budget} samples per problem") : ""),
            m.Hardware, m.TtscaleVersion, reportVersion, m.Created, now, []);
    }
}
