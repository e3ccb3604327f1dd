using System.Text.Json;
using TTScale.Evaluation;
using TTScale.Reporting;
using TTScale.Reporting.Model;

namespace TTScale.Cli;

/// <summary>
/// <c>--adaptive RECORDS.jsonl</c>: a measured adaptive run (<c>ttscale eval --strategy adaptive</c>) as one point of the
/// adaptive figure: its accuracy with the 95% interval, at the compute it actually spent. Runs with oracle bins
/// (<c>--oracle-bins</c>) and with probe-predicted bins are separate series, and so are runs decided prompt by prompt
/// (<c>--allocation prompt</c>, and runs recorded before batch allocation). A run must cover exactly the sweep's
/// problems, so that it and the baselines are measured on the same set.
/// </summary>
internal sealed class AdaptiveReportInput(IReadOnlySet<string> sweepProblems) : IReportInput
{
    public ScalingReportData Apply(ScalingReportData data, string path)
    {
        var records = EvalOutput.ReadRecords(path);
        if (records.Count == 0) throw new CliException($"--adaptive {path}: no records");
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i].Strategy != "adaptive")
                throw new CliException($"--adaptive {path}: record {i + 1} is a {records[i].Strategy} result; give the records of ttscale eval --strategy adaptive");
            if (!sweepProblems.Contains(records[i].Id))
                throw new CliException($"--adaptive {path}: problem {records[i].Id} (record {i + 1}) is not in the sweep; run the adaptive eval on the sweep's dataset");
            // A problem twice would count twice in the point's accuracy and compute, and pass the coverage check besides.
            if (!first.TryAdd(records[i].Id, i))
                throw new CliException($"--adaptive {path}: problem {records[i].Id} is recorded twice (records {first[records[i].Id] + 1} and {i + 1}); give one run's records, each problem once");
        }
        int covered = first.Count;
        if (covered != sweepProblems.Count)
            throw new CliException($"--adaptive {path}: covers {covered} of the sweep's {sweepProblems.Count} problems; the comparison needs the same problems (finish the run, or run it without --limit)");

        var parameters = records[0].Parameters;
        bool perPrompt = !parameters.TryGetValue("allocation", out var allocation) || allocation is JsonElement { ValueKind: JsonValueKind.String } a && a.GetString() == "prompt";
        string series = "adaptive (measured" + (parameters.ContainsKey("oracle_bins") ? ", oracle bins" : "") + (perPrompt ? ", per prompt" : "") + ")";
        var point = SweepReportReader.Point((int)Math.Round(records.Average(r => r.Candidates.Count)), records, data.Axis);
        if (data.Axis == ComputeAxis.Samples) point = point with { Compute = records.Average(r => r.Candidates.Count) };
        return data.WithAdaptive(new StrategySeries(series, [point with { Target = Target(parameters) }]));
    }

    /// <summary>The per-problem budget the run was given, with its unit ("4G flops").</summary>
    private static string? Target(IReadOnlyDictionary<string, object> parameters) =>
        parameters.TryGetValue("budget", out var budget) && budget is JsonElement { ValueKind: JsonValueKind.Number } number
            ? ReportFormat.Amount(number.GetDouble()) + (parameters.TryGetValue("cost_unit", out var unit) ? $" {unit}" : "")
            : null;
}
