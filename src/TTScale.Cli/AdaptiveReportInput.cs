using System.Globalization;
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
/// problems, with the sweep's settings, so that it and the baselines are measured on the same set under the same conditions.
/// </summary>
internal sealed class AdaptiveReportInput(SweepFolder sweep) : IReportInput
{
    private readonly IReadOnlyDictionary<string, EvalRecord> _problems = sweep.Problems();

    public ScalingReportData Apply(ScalingReportData data, string path)
    {
        var records = EvalOutput.ReadRecords(path);
        if (records.Count == 0) throw new CliException($"--adaptive {path}: no records");
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        string runParameters = JsonSerializer.Serialize(records[0].Parameters, Jsonl.Options);
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i].Strategy != "adaptive")
                throw new CliException($"--adaptive {path}: record {i + 1} is a {records[i].Strategy} result; give the records of ttscale eval --strategy adaptive");
            // One point is one run: records of another budget or policy would be labelled with the first record's.
            if (JsonSerializer.Serialize(records[i].Parameters, Jsonl.Options) != runParameters)
                throw new CliException($"--adaptive {path}: record {i + 1} is from another run than record 1 (its parameters differ: another budget, policy or allocation); give one run per file");
            if (!_problems.TryGetValue(records[i].Id, out var problem))
                throw new CliException($"--adaptive {path}: problem {records[i].Id} (record {i + 1}) is not in the sweep; run the adaptive eval on the sweep's dataset");
            if (Mismatch(records[i], problem) is string mismatch)
                throw new CliException($"--adaptive {path}: record {i + 1} (problem {records[i].Id}) was run with other settings than the sweep ({mismatch}); " +
                    "run the adaptive eval with the sweep's settings");
            // A problem twice would count twice in the point's accuracy and compute, and pass the coverage check besides.
            if (!first.TryAdd(records[i].Id, i))
                throw new CliException($"--adaptive {path}: problem {records[i].Id} is recorded twice (records {first[records[i].Id] + 1} and {i + 1}); give one run's records, each problem once");
        }
        int covered = first.Count;
        if (covered != _problems.Count)
            throw new CliException($"--adaptive {path}: covers {covered} of the sweep's {_problems.Count} problems; the comparison needs the same problems (finish the run, or run it without --limit)");

        var parameters = records[0].Parameters;
        bool perPrompt = !parameters.TryGetValue("allocation", out var allocation) || allocation is JsonElement { ValueKind: JsonValueKind.String } a && a.GetString() == "prompt";
        string series = "adaptive (measured" + (parameters.ContainsKey("oracle_bins") ? ", oracle bins" : "") + (perPrompt ? ", per prompt" : "") + ")";
        // Samples drawn, probe included; the candidates kept are fewer (best-of-1 after a probe of 2 keeps 1).
        var drawn = records.Select(SamplesDrawn).ToList();
        if (data.Axis == ComputeAxis.Samples && drawn.IndexOf(null) is int old and >= 0)
            throw new CliException($"--adaptive {path}: record {old + 1} does not say how many samples it drew (written by an older TTScale); rerun the adaptive eval, or pass --axis flops");
        double samples = drawn.Contains(null) ? records.Average(r => r.Candidates.Count) : drawn.Average(d => d!.Value);
        var point = SweepReportReader.Point((int)Math.Round(samples), records, data.Axis);
        if (data.Axis == ComputeAxis.Samples) point = point with { Compute = samples };
        return data.WithAdaptive(new StrategySeries(series, [point with { Target = Target(parameters) }]));
    }

    /// <summary>
    /// The first setting of <paramref name="record"/>'s run that differs from the sweep's, as "--option: this file's, the
    /// sweep's", or null: the problem itself (ids repeat across datasets: arith's levels do not change them), its seed, the
    /// run settings the record keeps (a key it lacks was not kept yet, save verifier and prompt template, left out when
    /// none), and the temperature its option ran at (a greedy decision's is its own). The adaptive strategy's own
    /// parameters are its to choose.
    /// </summary>
    private string? Mismatch(EvalRecord record, EvalRecord problem)
    {
        var m = sweep.Manifest;
        if (record.GoldAnswer != problem.GoldAnswer || record.Level != problem.Level)
            return $"--dataset: answer {record.GoldAnswer} at level {record.Level?.ToString(CultureInfo.InvariantCulture) ?? "none"} in this file, " +
                $"{problem.GoldAnswer} at level {problem.Level?.ToString(CultureInfo.InvariantCulture) ?? "none"} in the sweep's {m.Dataset}";
        if (record.Seed != problem.Seed)
            return $"--seed: problem seed {record.Seed} in this file, {problem.Seed} in the sweep (--seed {m.Seed})";

        var settings = new List<(string Option, string Sweep, string? File)>();
        if (record.Run is not null)
        {
            var run = JsonSerializer.SerializeToElement(record.Run, Jsonl.Options);
            string? Stamped(string key) => run.TryGetProperty(key, out var v) ? EvalOutput.StampValue(v) : null;
            settings.AddRange([
                ("--model", ModelStamp.Shown(m.Policy.Sha256), Stamped("model")), ("--prompt-template", m.PromptTemplate ?? "none", Stamped("prompt_template") ?? "none"),
                ("--top-p", m.TopP.ToString(CultureInfo.InvariantCulture), Stamped("top_p")),
                ("--max-tokens", m.MaxTokens.ToString(CultureInfo.InvariantCulture), Stamped("max_tokens")),
                ("--hardware", m.Hardware, Stamped("hardware")), // the eFLOPs compared are on its profile
                ("--verifier", m.Verifier, Stamped("verifier") ?? "none"),
            ]);
            // A sweep that ran no PRM, or never scored, has no PRM or aggregation to compare.
            if (m.Prm is not null) settings.Add(("--prm", ModelStamp.Shown(m.Prm.Sha256), Stamped("prm")));
            if (m.Verifier != "none") settings.Add(("--agg", m.Aggregation, Stamped("agg")));
        }
        if (record.Details is not null)
        {
            var decision = JsonSerializer.SerializeToElement(record.Details, Jsonl.Options);
            if (decision.TryGetProperty("strategy", out var strategy) && strategy.GetString() != "greedy"
                && decision.TryGetProperty("parameters", out var parameters) && parameters.TryGetProperty("temperature", out var temperature))
                settings.Add(("--temperature", m.Temperature.ToString(CultureInfo.InvariantCulture), EvalOutput.StampValue(temperature)));
        }
        return settings.Where(s => s.File is not null && s.File != s.Sweep).Select(s => $"{s.Option}: {s.File} in this file, {s.Sweep} in the sweep").FirstOrDefault();
    }

    /// <summary>The samples a record's run drew, probe included, or null in records from before TTScale kept the figure.</summary>
    private static double? SamplesDrawn(EvalRecord record) =>
        record.Details is { } details && details.TryGetValue("samples_drawn", out var drawn) && drawn is JsonElement { ValueKind: JsonValueKind.Number } number
            ? number.GetDouble() : null;

    /// <summary>The per-problem budget the run was given, with its unit ("4G flops").</summary>
    private static string? Target(IReadOnlyDictionary<string, object> parameters) =>
        parameters.TryGetValue("budget", out var budget) && budget is JsonElement { ValueKind: JsonValueKind.Number } number
            ? ReportFormat.Amount(number.GetDouble()) + (parameters.TryGetValue("cost_unit", out var unit) ? $" {unit}" : "")
            : null;
}
