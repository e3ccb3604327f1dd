using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TTScale.Scaling;

namespace TTScale.Cli;

/// <summary>
/// <c>ttscale simulate</c>: "what accuracy at budget B with strategy S", without running the model: replayed from a
/// sweep's best-of-n pool (with a 95% interval), or read off a fitted curve in fit.json (any budget, also beyond K).
/// </summary>
internal static class SimulateCommand
{
    private static readonly JsonSerializerOptions OneLine = new(FitReportJson.Options) { WriteIndented = false };

    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "A sweep folder (replay its pool) or a fit.json (read its curves)." };
        var strategy = new Option<string>("--strategy") { Description = "A replay rule (weighted, majority, naive, pass@k) or, for a fit, any strategy in it (best-of-n/weighted, beam, ...).", DefaultValueFactory = _ => "best-of-n/weighted" };
        var budget = new Option<string?>("--budget") { Description = "Comma-separated budgets N." };
        var compute = new Option<double?>("--compute") { Description = "Instead of --budget: compute per problem on --axis (a pool replays the largest N that fits)." };
        var axis = new Option<string>("--axis") { Description = "Compute axis for a pool: samples, tokens, flops, eflops or kv (a fit uses its own).", DefaultValueFactory = _ => "flops" };
        var bin = new Option<int>("--bin") { Description = "Difficulty bin 1..5, or 0 for all problems.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "One JSON object per line." };
        var command = new Command("simulate", "Accuracy at a budget from a sweep's pool or a fit, without running the model.") { source, strategy, budget, compute, axis, bin, json };
        command.SetAction(result =>
        {
            string path = result.GetValue(source)!, name = result.GetValue(strategy)!;
            int b = result.GetValue(bin);
            var budgets = result.GetValue(budget) is { } text ? SweepCommand.ParseBudgets(text, "--budget") : null;
            double? c = result.GetValue(compute);
            if ((budgets is null) == (c is null)) throw new CliException("give either --budget or --compute");
            if (c is { } given && !(given > 0 && double.IsFinite(given)))
                throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--compute {given:G4} must be a positive compute per problem"));
            if (b < 0) throw new CliException($"--bin {b}: use 0 for all problems or a difficulty bin from 1");

            var simulations = CliErrors.Checked(() => File.Exists(path)
                ? FromFit(FitCommand.ReadFile(path), name, budgets, c, b)
                : FromSweep(SweepFolder.Read(path), Rule(name), budgets, c, ComputeAxes.Parse(result.GetValue(axis)!), b));
            foreach (var s in simulations) Console.Out.WriteLine(result.GetValue(json) ? JsonSerializer.Serialize(s, OneLine) : Describe(s));
            return 0;
        });
        return command;
    }

    /// <summary>A sweep replays only its pool's selection rules; a strategy run directly is read off the sweep's fit.</summary>
    private static ReplayRule Rule(string strategy)
    {
        try
        {
            return ReplayRules.Parse(strategy);
        }
        catch (ArgumentException)
        {
            throw new CliException($"--strategy '{strategy}': a sweep folder replays its best-of-n pool (weighted, majority, naive or pass@k); " +
                "read other strategies off its fit (ttscale fit SWEEP, then ttscale simulate SWEEP/fit.json)");
        }
    }

    private static IEnumerable<Simulation> FromFit(FitReport fit, string strategy, IReadOnlyList<int>? budgets, double? compute, int bin)
    {
        if (bin > fit.Bins.Count)
            throw new CliException(fit.Bins.Count == 0 ? $"--bin {bin}: the fit has no difficulty bins (it had no best-of-n pool); use --bin 0"
                : $"--bin {bin}: the fit has bins 1 to {fit.Bins.Count} (0 for all problems)");
        if (compute is not { } c) return budgets!.Select(n => Simulator.FromFit(fit, strategy, n, bin)).ToList();
        var simulation = Simulator.FromFitAtCompute(fit, strategy, c, bin);
        if (double.IsNaN(simulation.Budget))
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--compute {c:G4}: no budget of {strategy} costs that much (its measured compute stops growing below it)"));
        return [simulation];
    }

    private static IEnumerable<Simulation> FromSweep(SweepFolder sweep, ReplayRule rule, IReadOnlyList<int>? budgets, double? compute, ComputeAxis axis, int bin)
    {
        var pool = sweep.SamplePool() ?? throw new CliException($"{sweep.Path}: the sweep has no best-of-n pool to replay; simulate from its fit.json instead");
        if (rule.ReadsScores() && !pool.Scored)
            throw new CliException($"--strategy {rule.StrategyName()}: the pool's samples have no verifier scores (the sweep ran --verifier none); use majority or pass@k");
        var difficulty = DifficultyBins.AtMost(pool); // as ttscale fit bins by default
        if (bin > difficulty.Bins.Count) throw new CliException($"--bin {bin}: the pool's problems fall in bins 1 to {difficulty.Bins.Count} (0 for all problems)");
        var bins = bin == 0 ? null : difficulty;
        if (compute is { } c)
        {
            var problems = bins is null ? null : bins.ProblemIndices(bin).Select(i => pool.Problems[i]).ToList(); // a bin's problems cost their own
            int n = Simulator.BudgetForCompute(pool, rule, c, axis, problems)
                ?? throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--compute {c:G4}: even N = 1 costs {pool.ExpectedCost(1, problems, scored: false).On(axis):G4} {axis.Name()} per problem"));
            budgets = [n];
        }
        foreach (int n in budgets!)
            if (n > pool.K) throw new CliException($"--budget {n}: the pool holds {pool.K} samples per problem; read larger budgets off a fit (ttscale fit)");
        var replay = new ReplayOptions { Seed = sweep.Manifest.Seed };
        return budgets.Select(n => Simulator.FromPool(pool, rule, n, axis, replay, bins, bin)).ToList();
    }

    private static string Describe(Simulation s)
    {
        var c = CultureInfo.InvariantCulture;
        string interval = s.Low is { } low && s.High is { } high ? string.Create(c, $" [{low * 100:F1}, {high * 100:F1}]") : "";
        return string.Create(c, $"{s.Strategy} {(s.Bin == 0 ? "all problems" : $"bin {s.Bin}")}, N = {s.Budget:G4}: {s.Accuracy * 100:F1}%{interval} at {s.Compute:G4} {s.Axis.Name()} per problem ({s.Source})");
    }
}
