using System.Globalization;
using System.Text.Json;
using TTScale.Evaluation;
using TTScale.Reporting.Model;

namespace TTScale.Cli;

/// <summary>
/// Builds a report model from a sweep folder's records: a point per direct run, the pool's own point at its K, and the
/// same per difficulty bin (5 quantile bins of each problem's pass@1 in the pool). Replay at every N and fits are added
/// afterwards through <see cref="ScalingReportData"/>'s <c>With…</c> methods.
/// </summary>
internal static class SweepReportReader
{
    public const int BinCount = 5;

    public static ScalingReportData Read(string folder, ComputeAxis axis, string reportVersion, DateTimeOffset now)
    {
        if (!Directory.Exists(folder)) throw new CliException($"{folder}: sweep folder not found");
        var manifest = SweepManifest.Read(folder);
        var runs = new List<(SweepRun Run, PointSource Source, List<EvalRecord> Records)>();
        foreach (var run in manifest.AllRuns)
        {
            var records = ReadRecords(Path.Combine(folder, run.File));
            if (records.Count > 0) runs.Add((run, run == manifest.Pool ? PointSource.Pool : PointSource.Run, records));
        }
        if (runs.Count == 0) throw new CliException($"{Path.Combine(folder, SweepManifest.FileName)}: the sweep has no records yet; run ttscale sweep first");

        var bins = new List<DifficultyBin>();
        var poolRecords = runs.FirstOrDefault(r => r.Source == PointSource.Pool).Records;
        if (poolRecords is { Count: >= BinCount })
            foreach (var (bin, label, ids) in PassAtOneBins(poolRecords))
                bins.Add(new DifficultyBin(bin, label, ids.Count, Series(runs, axis, r => ids.Contains(r.Id))));

        return new ScalingReportData(Provenance(folder, manifest, reportVersion, now), axis, Series(runs, axis, _ => true), bins);
    }

    /// <summary>One series per strategy, points in budget order, over the records <paramref name="include"/> keeps.</summary>
    private static List<StrategySeries> Series(List<(SweepRun Run, PointSource Source, List<EvalRecord> Records)> runs, ComputeAxis axis, Func<EvalRecord, bool> include) =>
        [.. runs.GroupBy(r => r.Run.Strategy).Select(g => new StrategySeries(g.Key,
            [.. g.Select(r => Point(r.Run.Budget, r.Source, r.Records.Where(include).ToList(), axis)).Where(p => p.Problems > 0).OrderBy(p => p.Budget)]))];

    private static ScalingPoint Point(int budget, PointSource source, List<EvalRecord> records, ComputeAxis axis)
    {
        var summary = EvalSummary.From(records, 0);
        var accuracy = summary.Overall;
        var point = new ScalingPoint(budget, 0, accuracy.Problems, accuracy.Correct, accuracy.Accuracy, accuracy.Low, accuracy.High,
            summary.MeanGeneratedTokens, summary.MeanTotalFlops, summary.MeanEFlops, summary.MeanPeakLogicalKvBytes, source);
        return point with { Compute = axis.Of(point) };
    }

    /// <summary>
    /// Oracle difficulty: each problem's pass@1 is the share of its K pool samples that are right; problems sorted from
    /// easiest to hardest (ties by id) are cut into <see cref="BinCount"/> bins of near-equal size.
    /// </summary>
    internal static IEnumerable<(int Bin, string Label, HashSet<string> Ids)> PassAtOneBins(IReadOnlyList<EvalRecord> pool)
    {
        var ranked = pool.Select(r => (r.Id, Pass: r.Candidates.Count == 0 ? 0 : (double)r.Candidates.Count(c => c.Correct) / r.Candidates.Count))
            .OrderByDescending(p => p.Pass).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
        for (int bin = 0; bin < BinCount; bin++)
        {
            var members = ranked.Skip(bin * ranked.Count / BinCount).Take((bin + 1) * ranked.Count / BinCount - bin * ranked.Count / BinCount).ToList();
            string label = string.Create(CultureInfo.InvariantCulture, $"pass@1 {members.Min(m => m.Pass):F2}–{members.Max(m => m.Pass):F2}");
            yield return (bin + 1, label, members.Select(m => m.Id).ToHashSet());
        }
    }

    /// <summary>
    /// A run's records. A missing file (a run the sweep has planned but not started) has none; a torn last line (a sweep
    /// still writing, or killed) is left out; any other bad line is an error naming file and line.
    /// </summary>
    internal static List<EvalRecord> ReadRecords(string path)
    {
        if (!File.Exists(path)) return [];
        string text = File.ReadAllText(path);
        string[] lines = text.Split('\n');
        var records = new List<EvalRecord>();
        for (int i = 0; i < lines.Length - 1; i++) // the last piece follows the last newline: empty, or torn
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            try
            {
                records.Add(JsonSerializer.Deserialize<EvalRecord>(lines[i], Jsonl.Options) ?? throw new JsonException("null record"));
            }
            catch (JsonException e)
            {
                throw new CliException($"{path}:{i + 1}: not an eval record ({e.Message})");
            }
        }
        return records;
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
