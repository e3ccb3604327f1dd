using System.CommandLine;
using System.Globalization;
using TTScale.Evaluation;
using TTScale.Onnx;
using TTScale.Strategies;

namespace TTScale.Cli;

/// <summary>
/// <c>ttscale sweep</c>: strategies over a list of budgets on one dataset, every run's records under one folder. Best-of-N
/// is not rerun per budget: one pool of K samples per problem (K = the largest budget) serves every N &lt;= K, by replay.
/// Resumable: rerunning adds what is missing and keeps what is there.
/// </summary>
internal static class SweepCommand
{
    /// <summary>Strategies served by the sample pool rather than run per budget.</summary>
    private static readonly string[] PoolStrategies = ["best-of-n", "sample"];

    private const string Adaptive = "adaptive";

    public static Command Create()
    {
        var run = new RunOptions();
        var output = new Option<string>("--out") { Description = "The sweep folder (created; rerunning with it resumes).", Required = true };
        var strategies = new Option<string>("--strategies") { Description = $"Comma-separated, from: {string.Join(", ", StrategyCatalog.Names.Except([Adaptive]))}.", DefaultValueFactory = _ => "best-of-n,beam" };
        var budgets = new Option<string>("--budgets") { Description = "Comma-separated budgets: candidates, beams or attempts per problem.", DefaultValueFactory = _ => "1,2,4,8,16,32,64" };
        var poolSize = new Option<int?>("--pool-size") { Description = "Samples per problem in the best-of-n pool (default: the largest budget)." };
        var command = new Command("sweep", "Run strategies over a list of budgets: the data for scaling curves (ttscale fit).") { output, strategies, budgets, poolSize };
        run.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var names = result.GetValue(strategies)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => StrategyCatalog.Parse(s, "--strategies")).Distinct().ToList();
            if (names.Count == 0) throw new CliException("--strategies: name at least one strategy");
            // Adaptive spends a compute budget by a policy built from a sweep, not N candidates: it is run and drawn apart.
            if (names.Contains(Adaptive))
                throw new CliException("--strategies adaptive: the adaptive strategy is not swept over N; run eval --strategy adaptive --policy P --budget B " +
                    "for each budget, and draw the runs beside a sweep with report --policy P --adaptive FILES");
            var budgetList = ParseBudgets(result.GetValue(budgets)!);
            int k = result.GetValue(poolSize) ?? budgetList[^1];
            if (k < budgetList[^1]) throw new CliException($"--pool-size {k} is below the largest budget {budgetList[^1]}");
            var settings = run.Read(result);
            RunOptions.NoteUnread(result, names, run.StrategyOptions(sweep: true));
            string folder = result.GetValue(output)!;
            var problems = settings.LoadProblems();

            // The pool (for best-of-n and sample alike) is scored, so that fits and policies can replay weighted selection.
            bool anyVerifier = names.Any(name => StrategyCatalog.NeedsVerifier(name, settings.Strategy.Select ?? StrategyCatalog.DefaultSelection(name)))
                || names.Any(PoolStrategies.Contains);
            bool scorePool = settings.Verifier != "none";
            var manifest = OpenManifest(folder, settings, anyVerifier && settings.Verifier == "prm", k);
            using var runtime = settings.Open(anyVerifier);
            problems = runtime.Fitting(problems, settings.SkipBad);

            // Plan every run first, so bad budgets fail before any model time is spent.
            // Each run's records keep the settings it read (a verifier only where it scores), as eval's do.
            var plan = new List<(string Name, int Budget, IStrategy Solver, Dictionary<string, object> Stamp)>();
            if (names.Any(PoolStrategies.Contains))
                plan.Add(("pool", k, new BestOfN(runtime.Context, k, scorePool ? SelectionRule.Weighted : SelectionRule.Majority), settings.RunStamp(usesVerifier: true)));
            foreach (string name in names.Where(n => !PoolStrategies.Contains(n)))
            {
                var stamp = settings.RunStamp(StrategyCatalog.NeedsVerifier(name, settings.Strategy.Select ?? StrategyCatalog.DefaultSelection(name)));
                foreach (int budget in StrategyCatalog.HasBudget(name) ? budgetList : [1])
                {
                    IStrategy solver;
                    try
                    {
                        solver = StrategyCatalog.Create(name, runtime.Context, StrategyCatalog.AtBudget(name, budget, settings.Strategy));
                    }
                    catch (CliException e)
                    {
                        throw new CliException($"--budgets {budget} ({name} at N = {budget}): {e.Message}");
                    }
                    plan.Add((name, budget, solver, stamp));
                }
            }

            // A run file of other parameters (say another --beam-width) is refused before any model time and before the manifest names them.
            static string FileOf(string name, int budget) => name == "pool" ? "pool.jsonl" : Path.Combine("runs", $"{name}-{budget}.jsonl");
            foreach (var (name, budget, solver, stamp) in plan)
            {
                string path = Path.Combine(folder, FileOf(name, budget));
                if (File.Exists(path)) EvalOutput.Open(path, solver.Name, solver.Parameters, stamp).Dispose();
            }

            // Every run is named before the first starts, so a sweep killed at any point reads as unfinished.
            foreach (var (name, budget, solver, _) in plan)
            {
                string file = FileOf(name, budget);
                var entry = new SweepRun(name == "pool" ? "best-of-n" : name, budget, solver.Parameters, file);
                manifest = name == "pool"
                    ? manifest with { Pool = entry, PoolSize = budget } // a sweep that ran without a pool recorded the budgets' largest
                    : manifest with { Runs = [.. manifest.Runs.Where(r => r.File != file), entry] };
            }
            manifest = manifest with { Problems = Math.Max(manifest.Problems ?? 0, problems.Count) };
            manifest.Write(folder);

            foreach (var (name, budget, solver, stamp) in plan)
            {
                string file = FileOf(name, budget);
                var outcome = await EvalSession.RunAsync(problems, solver, settings, stamp, Path.Combine(folder, file), cancellationToken, label: $"{name} {budget}");
                var summary = EvalSummary.From(outcome.Records, outcome.WallSeconds);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name} {budget}: {100 * summary.Overall.Accuracy:F1}% of {summary.Overall.Problems}, {summary.MeanGeneratedTokens:F0} tokens and {summary.MeanTotalFlops:0.00E+00} FLOPs per problem, {outcome.WallSeconds:F0} s"));
                if (outcome.Interrupted) return CliErrors.Interrupted;
            }
            Console.Out.WriteLine($"sweep written to {folder}: {plan.Count} run(s) over {problems.Count} problems; next: ttscale fit {folder}");
            return 0;
        });
        return command;
    }

    /// <summary>Budgets: positive integers, given in any order; returned sorted and distinct.</summary>
    internal static List<int> ParseBudgets(string text, string option = "--budgets")
    {
        var budgets = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int budget) || budget < 1)
                throw new CliException($"{option} '{text}': '{part}' is not a positive integer");
            budgets.Add(budget);
        }
        if (budgets.Count == 0) throw new CliException($"{option}: give at least one budget");
        return budgets.Distinct().Order().ToList();
    }

    /// <summary>The folder's manifest: a new one, or the existing one after checking it was made with the same settings.</summary>
    private static SweepManifest OpenManifest(string folder, RunSettings settings, bool usesPrm, int poolSize)
    {
        var fresh = new SweepManifest(SweepManifest.CurrentVersion, settings.Dataset, settings.Limit, settings.Seed, ModelStamp.Of(settings.Model, "model"), settings.PolicyTemplate?.Text,
            usesPrm ? ModelStamp.Of(settings.PrmDirectory, "PRM") : null, settings.Verifier, settings.Sampling.Temperature,
            settings.Sampling.TopP, settings.Sampling.MaxTokens, settings.Aggregation.ToString().ToLowerInvariant(), settings.Hardware.Name, poolSize,
            null, [], CliFiles.Version, DateTimeOffset.UtcNow);
        // A new folder is made by the first write, once every run is planned: a refused option leaves nothing behind.
        if (!File.Exists(Path.Combine(folder, SweepManifest.FileName))) return fresh;
        var existing = SweepManifest.Read(folder);
        if (existing.Mismatch(fresh) is string mismatch)
            throw new CliException($"{Path.Combine(folder, SweepManifest.FileName)}: this sweep was made with other settings ({mismatch}); use another --out");
        if (existing.Pool is { } pool && pool.Budget != poolSize)
            throw new CliException($"{Path.Combine(folder, SweepManifest.FileName)}: its pool has {pool.Budget} samples per problem, not {poolSize}; pass --pool-size {pool.Budget} or use another --out");
        // The runs keep every problem an earlier, wider --limit ran, so the manifest names the widest (null: no limit).
        int? limit = existing.Limit is int there && settings.Limit is int now ? Math.Max(there, now) : null;
        return existing with { Prm = existing.Prm ?? fresh.Prm, Limit = limit };
    }
}
