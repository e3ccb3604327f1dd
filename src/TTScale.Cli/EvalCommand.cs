using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TTScale.Compute;
using TTScale.Evaluation;
using TTScale.Strategies;

namespace TTScale.Cli;

/// <summary>
/// <c>ttscale eval</c>: a strategy over a dataset, one JSONL record per problem (resumable), then accuracy with its
/// interval and the compute and memory spent.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var run = new RunOptions();
        var strategy = new Option<string>("--strategy") { Description = $"One of: {string.Join(", ", StrategyCatalog.Names)}.", Required = true };
        var n = new Option<int>("--n") { Description = "Candidates for best-of-n; beams or particles for tree search.", DefaultValueFactory = _ => 16 };
        var chains = new Option<int>("--chains") { Description = "Parallel chains for hybrid.", DefaultValueFactory = _ => 4 };
        var policy = new Option<string?>("--policy") { Description = "adaptive: the policy (policy.json from ttscale policy build)." };
        var budget = new Option<double?>("--budget") { Description = "adaptive: average budget per prompt, in the policy's cost unit (probe included)." };
        var probe = new Option<int?>("--probe") { Description = "adaptive: samples in the difficulty probe (0: the prompt's length alone), for a policy that does not record its own (one that does runs with its own only)." };
        var allocation = new Option<string>("--allocation")
        {
            Description = "adaptive: 'batch' probes every problem, then spends budget x problems across them (the set spends its budget); " +
                "'prompt' decides each prompt alone at the price the budget sets on the policy's training bins (as a server does).",
            DefaultValueFactory = _ => "batch",
        };
        var oracleBins = new Option<string?>("--oracle-bins") { Description = "adaptive, for research: take each problem's bin from this sweep's pool (oracle pass@1) instead of predicting it from the probe." };
        var output = new Option<string?>("--out") { Description = "Records JSONL; rerunning with the same file resumes." };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object." };
        var command = new Command("eval", "Run a strategy over a dataset: accuracy with the compute and memory it cost.") { strategy, n, chains, policy, budget, probe, allocation, oracleBins };
        run.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(json);
        static bool Adaptive(string name) => name == "adaptive";
        (Option, Func<string, bool>)[] widthOptions =
            [(n, name => name is "best-of-n" or "adaptive" || StrategyCatalog.IsSearch(name)), (chains, name => name is "hybrid" or "adaptive")];
        (Option, Func<string, bool>)[] adaptiveOptions = [(policy, Adaptive), (budget, Adaptive), (probe, Adaptive), (allocation, Adaptive), (oracleBins, Adaptive)];
        command.SetAction(async (result, cancellationToken) =>
        {
            string name = StrategyCatalog.Parse(result.GetValue(strategy)!);
            var settings = run.Read(result);
            (Option, Func<string, bool>)[] hyperparameters = [.. run.StrategyOptions(), .. widthOptions];
            (Allocation.Policy Policy, int Probe)? adaptiveRun = Adaptive(name)
                ? StrategyCatalog.LoadAdaptivePolicy(result.GetValue(policy), result.GetValue(budget), result.GetValue(probe)) : null;
            if (adaptiveRun is { Policy: var adaptivePolicy })
            {
                SweepSettings.CheckPolicy(adaptivePolicy, result.GetValue(policy)!, settings); // before any model time
                hyperparameters = [.. hyperparameters.Select(o => PolicyReads(adaptivePolicy, o))];
            }
            RunOptions.NoteUnread(result, [name], [.. hyperparameters, .. adaptiveOptions]);
            var strategySettings = settings.Strategy with { N = result.GetValue(n), Chains = result.GetValue(chains) };
            var problems = settings.LoadProblems();
            bool usesVerifier = StrategyCatalog.NeedsVerifier(name, strategySettings.Select ?? StrategyCatalog.DefaultSelection(name));
            using var runtime = settings.Open(usesVerifier);
            problems = runtime.Fitting(problems, settings.SkipBad);
            var solver = adaptiveRun is { } a
                ? StrategyCatalog.CreateAdaptive(runtime.Context, result.GetValue(policy)!, a.Policy, result.GetValue(budget)!.Value,
                    a.Probe, strategySettings, result.GetValue(oracleBins), BatchAllocation(result.GetValue(allocation)!))
                : StrategyCatalog.Create(name, runtime.Context, strategySettings);

            var outcome = await EvalSession.RunAsync(problems, solver, settings, settings.RunStamp(usesVerifier), result.GetValue(output), cancellationToken);
            var summary = EvalSummary.From(outcome.Records, outcome.WallSeconds);
            if (result.GetValue(json))
                Console.Out.WriteLine(JsonSerializer.Serialize(new { strategy = solver.Name, parameters = solver.Parameters, hardware = settings.Hardware.Name, summary },
                    new JsonSerializerOptions(Jsonl.Options) { WriteIndented = true }));
            else
            {
                PrintSummary(solver, summary, settings.Hardware);
                if (solver is Adaptive adaptive) PrintDecisions(adaptive, outcome.Records);
            }
            return outcome.Interrupted ? CliErrors.Interrupted : 0;
        });
        return command;
    }

    /// <summary>
    /// Whether adaptive reads a strategy option: only where some option of the policy runs a strategy that reads it and
    /// does not set it itself (the policy's hyperparameters win, so --n beside a policy of best-of-n options changes nothing).
    /// </summary>
    private static (Option, Func<string, bool>) PolicyReads(Allocation.Policy policy, (Option Option, Func<string, bool> Reads) o)
    {
        string key = o.Option.Name.TrimStart('-').Replace('-', '_'); // --beam-width is beam_width in a policy's parameters
        bool read = o.Reads("adaptive") && policy.Bins.SelectMany(b => b.Curve).Any(p => o.Reads(p.Strategy) && !p.Parameters.ContainsKey(key));
        return (o.Option, name => name == "adaptive" ? read : o.Reads(name));
    }

    private static bool BatchAllocation(string allocation) => allocation switch
    {
        "batch" => true,
        "prompt" => false,
        _ => throw new CliException($"--allocation '{allocation}' is not an allocation: use batch or prompt"),
    };

    private static void PrintSummary(IStrategy solver, EvalSummary s, HardwareProfile profile)
    {
        var o = Console.Out;
        string Pct(AccuracyFigure a) => string.Create(CultureInfo.InvariantCulture, $"{100 * a.Accuracy:F1}% [{100 * a.Low:F1}, {100 * a.High:F1}] ({a.Correct}/{a.Problems})");
        o.WriteLine($"{solver.Name} {JsonSerializer.Serialize(solver.Parameters, Jsonl.Options)}");
        o.WriteLine($"accuracy       {Pct(s.Overall)}  (95% Wilson interval)");
        foreach (var (level, figure) in s.ByLevel) o.WriteLine($"  level {level}      {Pct(figure)}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tokens         {s.PromptTokens} prompt, {s.GeneratedTokens} generated ({s.MeanGeneratedTokens:F0} per problem), {s.VerifierTokens} verifier"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FLOPs          {s.TotalFlops:0.000E+00} total ({s.VerifierFlops:0.000E+00} verifier), {s.MeanTotalFlops:0.000E+00} per problem"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eFLOPs         {s.EFlops:0.000E+00} on {profile.Name}, {s.MeanEFlops:0.000E+00} per problem"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"KV per problem peak {s.MeanPeakKvBytes / 1024.0:F0} KiB physical (max {s.MaxPeakKvBytes / 1024.0:F0}), {s.MeanPeakLogicalKvBytes / 1024.0:F0} KiB logical; mean over steps {s.MeanLogicalKvBytes / 1024.0:F0} KiB logical"));
        if (s.MeanPeakVerifierKvBytes > 0)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"verifier KV    peak {s.MeanPeakVerifierKvBytes / 1024.0:F0} KiB per problem (its cached texts and a pass's copies; apart from the policy's)"));
        if (s.MeanRoundLogicalKvBytes > 0)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"KV per round   mean {s.MeanRoundLogicalKvBytes / 1024.0:F0} KiB logical, {s.MeanRoundPhysicalKvBytes / 1024.0:F0} KiB physical; peak {s.MeanPeakRoundLogicalKvBytes / 1024.0:F0} KiB logical, {s.MeanPeakRoundPhysicalKvBytes / 1024.0:F0} KiB physical (means over problems)"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall time      {s.WallSeconds:F1} s"));
    }

    /// <summary>What adaptive planned, and chose: per difficulty bin, how many prompts, and which option how often.</summary>
    private static void PrintDecisions(Adaptive adaptive, IReadOnlyList<EvalRecord> records)
    {
        var details = records.Where(r => r.Details is not null).Select(r => JsonSerializer.SerializeToElement(r.Details, Jsonl.Options)).ToList();
        // A rerun over a finished file plans nothing (no probe is run again): its records keep each decision's plan.
        var (cost, correct, n) = adaptive.Planned is { } plan ? (plan.TotalCost, plan.ExpectedCorrect, plan.Decisions.Length)
            : adaptive.Plans ? (details.Sum(d => d.GetProperty("expected_cost").GetDouble()), details.Sum(d => d.GetProperty("predicted_accuracy").GetDouble()), details.Count)
            : (0, 0, 0);
        if (n > 0)
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"plan           {cost / n:G4} {adaptive.Parameters["cost_unit"]} per prompt expected (budget {(double)adaptive.Parameters["budget"]:G4}), {100 * correct / n:F1}% expected accuracy over {n} prompts"));
        var decisions = details.Select(d =>
        {
            string option = d.GetProperty("strategy").GetString()!;
            if (d.GetProperty("parameters").TryGetProperty("n", out var n)) option += $" n={n}";
            if (d.GetProperty("parameters").TryGetProperty("select", out var select)) option += $" {select.GetString()}";
            return (Bin: d.GetProperty("bin").GetInt32(), Option: option);
        });
        foreach (var bin in decisions.GroupBy(d => d.Bin).OrderBy(g => g.Key))
            Console.Out.WriteLine($"decisions bin {bin.Key}: {bin.Count()} prompts, " +
                string.Join(", ", bin.GroupBy(d => d.Option).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x{g.Count()}")));
    }
}
