using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using TTScale.Compute;
using TTScale.Evaluation;
using TTScale.Generation;
using TTScale.Onnx;
using TTScale.Strategies;
using TTScale.Tasks;
using TTScale.Verifiers;

namespace TTScale.Cli;

/// <summary>
/// <c>ttscale eval</c>: a strategy over a dataset, one JSONL record per problem (resumable), then accuracy with its
/// interval and the compute and memory spent.
/// </summary>
internal static class EvalCommand
{
    private static readonly string[] SearchNames = ["beam", "dvts", "lookahead", "particle", "ets"];
    private static readonly string[] StrategyNames = ["greedy", "sample", "best-of-n", "revise", "hybrid", .. SearchNames];

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Policy model directory (default: models/arith-lm)." };
        var prm = new Option<string?>("--prm") { Description = "Process reward model directory (default: models/arith-prm)." };
        var verifier = new Option<string>("--verifier") { Description = "prm, oracle (the exact ArithChain checker) or none.", DefaultValueFactory = _ => "prm" };
        var dataset = new Option<string>("--dataset") { Description = "arith:count=N,levels=1-5,seed=S or a JSONL file (GSM8K, MATH or {id, prompt, answer}).", DefaultValueFactory = _ => "arith:count=100,levels=1-5,seed=1234" };
        var skipBad = new Option<bool>("--skip-bad") { Description = "Skip malformed dataset lines instead of failing." };
        var strategy = new Option<string>("--strategy") { Description = $"One of: {string.Join(", ", StrategyNames)}.", Required = true };
        var n = new Option<int>("--n") { Description = "Candidates for best-of-n; beams or particles for tree search (the width for ets).", DefaultValueFactory = _ => 16 };
        var select = new Option<string?>("--select") { Description = "naive, weighted or majority (best-of-n: weighted; revise: naive, i.e. by verifier; hybrid: weighted); last for revise." };
        var revisions = new Option<int>("--revisions") { Description = "Attempts per chain for revise and hybrid.", DefaultValueFactory = _ => 4 };
        var chains = new Option<int>("--chains") { Description = "Parallel chains for hybrid.", DefaultValueFactory = _ => 4 };
        var beamWidth = new Option<int>("--beam-width") { Description = "M for beam, dvts and lookahead: each survivor is expanded M times (ets sizes its own expansions).", DefaultValueFactory = _ => 4 };
        var iterations = new Option<int>("--iterations") { Description = "Most search rounds (steps) for tree search.", DefaultValueFactory = _ => 40 };
        var lookahead = new Option<int>("--lookahead") { Description = "Greedy rollout steps before scoring, for lookahead.", DefaultValueFactory = _ => 2 };
        var lambdaC = new Option<double>("--lambda-c") { Description = "ets: weight of the KV cost of retained nodes (their tokens over the tree's).", DefaultValueFactory = _ => 1.0 };
        var lambdaS = new Option<double>("--lambda-s") { Description = "ets: weight of semantic coverage (lambda_s / K per step cluster kept).", DefaultValueFactory = _ => 1.45 };
        var dedupe = new Option<bool>("--dedupe") { Description = "beam, dvts, lookahead and ets: drop proposals whose normalised text equals another live proposal's before selection." };
        var aggregation = new Option<string>("--agg") { Description = "Step-score aggregation: last, min, prod or mean.", DefaultValueFactory = _ => "last" };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 0.8 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling mass (1 = off).", DefaultValueFactory = _ => 1.0 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens per candidate.", DefaultValueFactory = _ => 160 };
        var limit = new Option<int?>("--limit") { Description = "Only the first L problems." };
        var seed = new Option<long>("--seed") { Description = "Run seed; each problem's seed derives from it and the problem id.", DefaultValueFactory = _ => 1234 };
        var concurrency = new Option<int>("--concurrency") { Description = "Problems solved at once (their sequences share batches).", DefaultValueFactory = _ => 8 };
        var output = new Option<string?>("--out") { Description = "Records JSONL; rerunning with the same file resumes." };
        var hardware = new Option<string>("--hardware") { Description = "Hardware profile for eFLOPs.", DefaultValueFactory = _ => "cpu-local" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object." };
        var command = new Command("eval", "Run a strategy over a dataset: accuracy with the compute and memory it cost.")
        {
            model, prm, verifier, dataset, skipBad, strategy, n, select, revisions, chains, beamWidth, iterations, lookahead, lambdaC, lambdaS, dedupe, aggregation, temperature, topP, maxTokens,
            limit, seed, concurrency, output, hardware, device, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            string name = result.GetValue(strategy)!.Trim().ToLowerInvariant();
            if (!StrategyNames.Contains(name)) throw new CliException($"--strategy '{name}' is not a strategy: use one of {string.Join(", ", StrategyNames)}");
            int? l = result.GetValue(limit);
            if (l < 1) throw new CliException("--limit must be 1 or more");
            int k = result.GetValue(concurrency);
            if (k < 1) throw new CliException("--concurrency must be 1 or more");
            var profile = GenerateCommand.Hardware(result.GetValue(hardware)!);
            var executionDevice = ExecutionDevice.Parse(result.GetValue(device)!);
            var agg = StepScores.Parse(result.GetValue(aggregation)!);
            bool search = SearchNames.Contains(name);
            var rule = Selection.Parse(result.GetValue(select) ?? (name == "revise" ? "naive" : search || name is "best-of-n" or "hybrid" ? "weighted" : "last"));
            var sampling = new SamplingOptions
            {
                Temperature = name == "greedy" ? 0 : result.GetValue(temperature), TopP = result.GetValue(topP), MaxTokens = result.GetValue(maxTokens),
            };
            GenerateCommand.ValidateSampling(sampling);

            var problems = ProblemSource.Load(result.GetValue(dataset)!, result.GetValue(skipBad), out int skipped);
            if (skipped > 0) Console.Error.WriteLine($"skipped {skipped} malformed line(s) in {result.GetValue(dataset)}");
            if (l is int count) problems = problems.Take(count).ToList();

            bool needsVerifier = search || name == "hybrid" || (Selection.NeedsScores(rule) && name is "best-of-n" or "revise");
            using var generator = OnnxGenerator.Load(result.GetValue(model) ?? ModelPaths.Demo("arith-lm"),
                new GeneratorOptions { Device = executionDevice, MaxBatchRows = 128 });
            using var prmVerifier = needsVerifier && result.GetValue(verifier) == "prm"
                ? PrmVerifier.Load(result.GetValue(prm) ?? ModelPaths.Demo("arith-prm"), executionDevice) : null;
            IProcessVerifier? processVerifier = result.GetValue(verifier) switch
            {
                "prm" => prmVerifier,
                "oracle" => new OracleStepVerifier(),
                "none" => null,
                var other => throw new CliException($"--verifier '{other}' is not a verifier: use prm, oracle or none"),
            };
            var context = new StrategyContext(generator, processVerifier, sampling, agg);
            IStrategy solver;
            try
            {
                solver = name switch
                {
                    "greedy" or "sample" => new BestOfN(context, 1, SelectionRule.Last),
                    "best-of-n" => new BestOfN(context, result.GetValue(n), rule),
                    "revise" => new Revision(context, 1, result.GetValue(revisions), rule),
                    _ when search => new TreeSearch(context, Enum.Parse<TreeSearch.Kind>(name, ignoreCase: true),
                        result.GetValue(n), result.GetValue(beamWidth), result.GetValue(iterations), rule, result.GetValue(lookahead),
                        result.GetValue(dedupe), new EtsOptions(result.GetValue(lambdaC), result.GetValue(lambdaS))),
                    _ => new Revision(context, result.GetValue(chains), result.GetValue(revisions), rule),
                };
            }
            catch (ArgumentException e)
            {
                throw CliErrors.FromArgument(e);
            }
            return await RunAsync(problems, solver, result.GetValue(seed), k, profile, result.GetValue(output), result.GetValue(json), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(IReadOnlyList<Problem> problems, IStrategy solver, long seed, int concurrency, HardwareProfile profile,
        string? outputPath, bool json, CancellationToken cancellationToken)
    {
        using var output = outputPath is null ? null : EvalOutput.Open(outputPath, solver.Name, solver.Parameters);
        var records = new List<EvalRecord>();
        var todo = new List<Problem>();
        foreach (var problem in problems)
        {
            if (output?.Existing.TryGetValue(problem.Id, out var done) == true) records.Add(done);
            else todo.Add(problem);
        }
        if (records.Count > 0) Console.Error.WriteLine($"resuming {outputPath}: {records.Count} of {problems.Count} problems already done");

        var started = System.Diagnostics.Stopwatch.StartNew();
        bool interrupted = false;
        try
        {
            await WithProgressAsync(todo.Count, records.Count(r => r.Correct), records.Count, async progress =>
                await EvalRunner.RunAsync(todo, solver, seed, concurrency, profile, record =>
                {
                    output?.Append(record);
                    records.Add(record);
                }, progress, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }
        var summary = EvalSummary.From(records, started.Elapsed.TotalSeconds);
        if (json) Console.Out.WriteLine(JsonSerializer.Serialize(new { strategy = solver.Name, parameters = solver.Parameters, hardware = profile.Name, summary },
            new JsonSerializerOptions(Jsonl.Options) { WriteIndented = true }));
        else PrintSummary(solver, summary, profile);
        if (!interrupted) return 0;
        Console.Error.WriteLine($"interrupted: {records.Count} of {problems.Count} problems done{(outputPath is null ? "" : $"; rerun with --out {outputPath} to resume")}");
        return 130;
    }

    /// <summary>A live progress bar on an interactive terminal; otherwise a plain line every tenth of the way.</summary>
    private static async Task WithProgressAsync(int total, int correctBefore, int doneBefore, Func<IProgress<EvalProgress>, Task> run)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        string Describe(EvalProgress p) => string.Create(CultureInfo.InvariantCulture,
            $"acc {(double)(p.Correct + correctBefore) / Math.Max(1, p.Done + doneBefore):P1}, {p.GeneratedTokens / Math.Max(p.Elapsed.TotalSeconds, 1e-9):F0} tok/s");
        if (!console.Profile.Capabilities.Interactive)
        {
            int step = Math.Max(1, total / 10);
            await run(new Progress(p =>
            {
                if (p.Done % step == 0 || p.Done == p.Total)
                    Console.Error.WriteLine($"{p.Done}/{p.Total} problems, {Describe(p)}, {p.Elapsed.TotalSeconds:F0} s");
            }));
            return;
        }
        await console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("problems", maxValue: Math.Max(total, 1));
                await run(new Progress(p =>
                {
                    task.Value = p.Done;
                    task.Description = $"{p.Done}/{p.Total} problems, {Describe(p)}";
                }));
            });
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
        if (s.MeanRoundLogicalKvBytes > 0)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"KV per round   mean {s.MeanRoundLogicalKvBytes / 1024.0:F0} KiB logical, {s.MeanRoundPhysicalKvBytes / 1024.0:F0} KiB physical; peak {s.MeanPeakRoundLogicalKvBytes / 1024.0:F0} KiB logical, {s.MeanPeakRoundPhysicalKvBytes / 1024.0:F0} KiB physical (means over problems)"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall time      {s.WallSeconds:F1} s, {s.GeneratedTokens / Math.Max(s.WallSeconds, 1e-9):F0} generated tokens/s"));
    }

    private sealed class Progress(Action<EvalProgress> report) : IProgress<EvalProgress>
    {
        public void Report(EvalProgress value) => report(value);
    }
}
