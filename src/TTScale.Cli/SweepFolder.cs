using TTScale.Evaluation;
using TTScale.Scaling;

namespace TTScale.Cli;

/// <summary>A sweep folder read back: its manifest, the pool's records and each direct run's records (runs not started yet have none).</summary>
internal sealed record SweepFolder(string Path, SweepManifest Manifest, IReadOnlyList<EvalRecord> Pool, IReadOnlyList<(SweepRun Run, IReadOnlyList<EvalRecord> Records)> Runs)
{
    public static SweepFolder Read(string folder)
    {
        if (!Directory.Exists(folder)) throw new CliException($"{folder}: sweep folder not found");
        var manifest = SweepManifest.Read(folder);
        // In problem-id order, not the order problems finished in: sums over problems (a fit's points, a replay's
        // accuracy) then come out bit-identical whatever the sweep's concurrency was.
        IReadOnlyList<EvalRecord> Records(string file) =>
            [.. EvalOutput.ReadRecords(System.IO.Path.Combine(folder, file)).OrderBy(r => r.Id, StringComparer.Ordinal)];
        var pool = manifest.Pool is null ? [] : Records(manifest.Pool.File);
        // A run the manifest names but without records was stopped before its first problem finished: it is unfinished, not absent.
        var runs = manifest.Runs.Select(r => (r, Records(r.File))).ToList();
        if (pool.Count == 0 && runs.All(r => r.Item2.Count == 0))
            throw new CliException($"{System.IO.Path.Combine(folder, SweepManifest.FileName)}: the sweep has no records yet; run ttscale sweep first");
        var files = runs.Select(r => (r.r.File, Records: r.Item2)).ToList();
        if (manifest.Pool is not null) files.Insert(0, (manifest.Pool.File, pool));
        // A problem twice (files joined by hand) would count twice, and make every other run look unfinished.
        foreach (var (file, records) in files)
            if (records.GroupBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new CliException($"{System.IO.Path.Combine(folder, file)}: problem {twice.Key} is recorded {twice.Count()} times; each problem once");
        // Every run covers the same problems; one that stopped part-way holds those that finished first (the easy ones),
        // and fitting or building a policy on it would overstate what it reaches.
        int problems = Math.Max(files.Max(f => f.Records.Count), manifest.Problems ?? 0);
        var partial = files.FirstOrDefault(f => f.Records.Count < problems);
        if (partial.File is not null)
            throw new CliException($"{System.IO.Path.Combine(folder, partial.File)}: {partial.Records.Count} of {problems} problems; the sweep was stopped part-way: " +
                "rerun ttscale sweep with the same options to finish it");
        return new SweepFolder(folder, manifest, pool, runs);
    }

    /// <summary>
    /// The problems the sweep covers (the pool's, or every direct run's where it has no pool), each with one of its records:
    /// its gold answer, level and seed are every run's.
    /// </summary>
    public IReadOnlyDictionary<string, EvalRecord> Problems() =>
        (Pool.Count > 0 ? Pool : Runs.SelectMany(r => r.Records)).DistinctBy(r => r.Id, StringComparer.Ordinal).ToDictionary(r => r.Id, StringComparer.Ordinal);

    /// <summary>The best-of-n pool as a <see cref="SamplePool"/>, or null when the sweep has none.</summary>
    public SamplePool? SamplePool()
    {
        if (Pool.Count == 0) return null;
        try
        {
            return Scaling.SamplePool.FromRecords(Pool);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{System.IO.Path.Combine(Path, Manifest.Pool!.File)}: {CliErrors.FromArgument(e).Message}");
        }
    }

    /// <summary>One scaling series per directly-run strategy (all problems, and per bin where <paramref name="bins"/> is given).</summary>
    public IEnumerable<ScalingSeries> DirectSeries(ComputeAxis axis, DifficultyBins? bins) =>
        Runs.GroupBy(r => r.Run.Strategy).SelectMany(g => Scaling.DirectSeries.FromRuns(g.Key, g.Select(r => (r.Run.Budget, r.Records)), axis, bins));
}
