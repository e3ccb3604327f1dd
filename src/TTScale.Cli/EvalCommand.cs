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
        var output = new Option<string?>("--out") { Description = "Records JSONL; rerunning with the same file resumes." };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object." };
        var command = new Command("eval", "Run a strategy over a dataset: accuracy with the compute and memory it cost.") { strategy, n, chains };
        run.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(json);
        command.SetAction(async (result, cancellationToken) =>
        {
            string name = StrategyCatalog.Parse(result.GetValue(strategy)!);
            var settings = run.Read(result, greedy: name == "greedy");
            var strategySettings = settings.Strategy with { N = result.GetValue(n), Chains = result.GetValue(chains) };
            var problems = settings.LoadProblems();
            using var runtime = settings.Open(StrategyCatalog.NeedsVerifier(name, strategySettings.Select ?? StrategyCatalog.DefaultSelection(name)));
            var solver = StrategyCatalog.Create(name, runtime.Context, strategySettings);

            var outcome = await EvalSession.RunAsync(problems, solver, settings, result.GetValue(output), cancellationToken);
            var summary = EvalSummary.From(outcome.Records, outcome.WallSeconds);
            if (result.GetValue(json))
                Console.Out.WriteLine(JsonSerializer.Serialize(new { strategy = solver.Name, parameters = solver.Parameters, hardware = settings.Hardware.Name, summary },
                    new JsonSerializerOptions(Jsonl.Options) { WriteIndented = true }));
            else PrintSummary(solver, summary, settings.Hardware);
            return outcome.Interrupted ? 130 : 0;
        });
        return command;
    }

    private static void PrintSummary(IStrategy solver, EvalSummary s, HardwareProfile profile)
    {
        var o = Console.Out;
        string Pct(AccuracyFigure a) => string.Create(CultureInfo.InvariantCulture, $"{100 * a.Accuracy:F1}% [{100 * a.Low:F1}, {100 * a.High:F1}] ({a.Correct}/{a.Problems})");
        o.WriteLine($"{solver.Name} {JsonSerializer.Serialize(solver.Parameters, Jsonl.Options)}");
        o.WriteLine($"accuracy       {Pct(s.Overall)}  (95% Wilson interval)");
        foreach (var (level, figure) in s.ByLevel) o.WriteLine($"  level {level}      {Pct(figure)}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tokens         {s.PromptTokens} prompt, {s.GeneratedTokens} generated ({s.MeanGeneratedTokens:F0} per problem), {s.VerifierTokens} verifier"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FLOPs          {s.TotalFlops:E3} total ({s.VerifierFlops:E3} verifier), {s.MeanTotalFlops:E3} per problem"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eFLOPs         {s.EFlops:E3} on {profile.Name}, {s.MeanEFlops:E3} per problem"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"KV per problem peak {s.MeanPeakKvBytes / 1024.0:F0} KiB physical (max {s.MaxPeakKvBytes / 1024.0:F0}), {s.MeanPeakLogicalKvBytes / 1024.0:F0} KiB logical; mean over steps {s.MeanLogicalKvBytes / 1024.0:F0} KiB logical"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall time      {s.WallSeconds:F1} s"));
    }
}
