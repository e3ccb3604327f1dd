using TTScale.Cli;
using TTScale.Compute;
using TTScale.Evaluation;
using TTScale.Reporting.Model;

namespace TTScale.Tests.Reporting;

/// <summary>Small report inputs made in memory: a full report model, and a sweep folder of synthetic records.</summary>
internal static class ReportSamples
{
    public static ReportProvenance Provenance() => new("/tmp/sweep", "arith:count=20,seed=1", 20, 1234,
        [new("policy", "/models/arith-lm", new string('a', 64)), new("prm", "/models/arith-prm", new string('b', 64))],
        "prm, step scores aggregated by last", "temperature 0.8, top-p 0.95, at most 64 tokens", "cpu-avx2", "0.1.0", "0.1.0",
        DateTimeOffset.Parse("2026-01-02T03:04:05Z"), DateTimeOffset.Parse("2026-01-03T00:00:00Z"), []);

    public static StrategySeries Series(string strategy, double scale, int[] budgets, PointSource source = PointSource.Run) =>
        new(strategy, [.. budgets.Select(n =>
        {
            double accuracy = Math.Min(0.95, scale * (1 - Math.Pow(0.7, n)));
            return new ScalingPoint(n, 1e6 * n, 20, (int)Math.Round(20 * accuracy), accuracy, Math.Max(0, accuracy - 0.15), Math.Min(1, accuracy + 0.15),
                30 * n, 1e6 * n, 2e6 * n, 4096 * n, source);
        })]);

    /// <summary>A model with every optional part: fits, saturation points, a by-bin prediction, bins, a compute-optimal table and an adaptive comparison (predicted and measured).</summary>
    public static ScalingReportData Full()
    {
        int[] budgets = [1, 2, 4, 8, 16];
        var data = new ScalingReportData(Provenance(), ComputeAxis.Flops,
            [Series("best-of-n", 0.9, budgets, PointSource.Replay), Series("beam", 0.8, budgets)],
            [.. Enumerable.Range(1, 5).Select(b => new DifficultyBin(b, $"pass@1 bin {b}", 4,
                [Series("best-of-n", 1.0 - 0.15 * b, budgets), Series("beam", 1.05 - 0.15 * b, budgets)]))]);
        var fit = new FittedCurve("ttspm", [.. Enumerable.Range(0, 30).Select(i => new CurvePoint(1e6 * Math.Pow(2, i * 4.0 / 29), 0.9 * (1 - Math.Pow(0.7, Math.Pow(2, i * 4.0 / 29)))))],
            [new("F_max", 0.9, 0.05), new("p", 0.3, 0.02)], [new(16, 16e6, 0.87, 0.89)]);
        data = data.WithFit("best-of-n", fit, new SaturationPoint(9, 9e6, 0.86)).WithFit("beam", fit, null, bin: 2)
            .WithByBin(new ByBinPrediction("best-of-n", [new(16, 16e6, 0.87, 0.875)]));
        data = data.WithComputeOptimal([.. from bin in Enumerable.Range(1, 5) from n in budgets select new ComputeOptimalCell(bin, n, bin < 3 ? "best-of-n" : "beam", null, 0.5)]);
        var measured = Series("adaptive (measured)", 0.93, [2, 8]);
        measured = measured with { Points = [.. measured.Points.Select(p => p with { Target = $"{p.Budget}M flops" })] };
        return data with { Adaptive = new AdaptiveComparison([Series("adaptive", 0.95, budgets, PointSource.Predicted), measured],
            [Series("best-of-n", 0.9, budgets), Series("beam", 0.8, budgets)]) };
    }

    public static EvalRecord Record(string id, string strategy, bool correct, int candidates = 1, int correctCandidates = 0, int tokens = 20) => new(
        id, 1, strategy, new Dictionary<string, object>(), 1, "5", correct ? "5" : "4", correct, 0,
        [.. Enumerable.Range(0, candidates).Select(i => new CandidateRecord("x", i < correctCandidates ? "5" : "4", i < correctCandidates, [], i < correctCandidates ? 0.8f : 0.4f, tokens, -1, null, null))],
        new LedgerReport(10, tokens * candidates, 10, 0, 0, 1e6 * candidates, 0, 1e6 * candidates, 0, 0, 0, 2048 * candidates, 1024 * candidates, "cpu", 2e6 * candidates, 0.1));

    /// <summary>
    /// A sweep folder as ttscale sweep leaves it: a pool of 4 samples for 10 problems (problem i has i % 5 of 4 right) and
    /// beam at budgets 1 and 4.
    /// </summary>
    public static string SweepFolder(string parent)
    {
        string folder = Path.Combine(parent, "sweep");
        Directory.CreateDirectory(Path.Combine(folder, "runs"));
        var pool = new SweepRun("best-of-n", 4, new Dictionary<string, object>(), "pool.jsonl");
        SweepRun[] runs = [new("beam", 1, new Dictionary<string, object>(), "runs/beam-1.jsonl"), new("beam", 4, new Dictionary<string, object>(), "runs/beam-4.jsonl")];
        new SweepManifest(1, "arith:count=10", 10, 7, new ModelStamp("/models/lm", new string('c', 64)), null, new ModelStamp("/models/prm", new string('d', 64)),
            "prm", 0.8, 0.95, 32, "last", "cpu-avx2", 4, pool, runs, "0.1.0", DateTimeOffset.Parse("2026-01-02T03:04:05Z")).Write(folder);
        var ids = Enumerable.Range(0, 10).Select(i => $"p{i}").ToList();
        Jsonl.Write(Path.Combine(folder, "pool.jsonl"), ids.Select((id, i) => Record(id, "best-of-n", i % 5 > 1, 4, i % 5)));
        Jsonl.Write(Path.Combine(folder, "runs", "beam-1.jsonl"), ids.Select((id, i) => Record(id, "beam", i % 2 == 0)));
        Jsonl.Write(Path.Combine(folder, "runs", "beam-4.jsonl"), ids.Select((id, i) => Record(id, "beam", i % 3 != 0, 4)));
        return folder;
    }
}
