using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TTScale.Allocation;
using TTScale.Scaling;

namespace TTScale.Cli;

/// <summary>
/// <c>ttscale policy build SWEEP</c>: the compute-optimal policy (policy.json) from a sweep: oracle difficulty bins from
/// the pool's pass@1; for every bin and budget level the option with the best cross-validated accuracy among best-of-N
/// (every selection rule, replayed from the pool) and the directly-run strategies; costs include the probe; a
/// difficulty model from the pool's first k samples and the prompt's length; the per-bin fitted curves beside them.
/// </summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var build = new Command("build", "Build policy.json from a sweep folder.");
        var sweep = new Argument<string>("sweep") { Description = "The sweep folder (made by ttscale sweep, with a best-of-n pool)." };
        var output = new Option<string?>("--out") { Description = "Where policy.json goes (default: SWEEP/policy.json)." };
        var unit = new Option<string>("--cost-unit") { Description = "Unit of costs and budgets: samples, tokens, flops or eflops.", DefaultValueFactory = _ => "flops" };
        var probe = new Option<int>("--probe") { Description = "k: samples in the difficulty probe (taken from the pool; charged to every prompt). 0: the prompt's length alone, at no cost.", DefaultValueFactory = _ => 4 };
        var scoredProbe = new Option<bool?>("--score-probe")
        {
            Description = "Whether the verifier scores the probe: its scores are difficulty features, and every prompt pays for them. " +
                "false: the features are answer agreement, log-probability and length, and only options that select by score pay the verifier. " +
                "Default: true where the sweep's pool was scored.",
        };
        var bins = new Option<int>("--bins") { Description = "Difficulty bins (quantiles of the pool's pass@1).", DefaultValueFactory = _ => 5 };
        var folds = new Option<int>("--folds") { Description = "Cross-validation folds over each bin's problems.", DefaultValueFactory = _ => 5 };
        var seed = new Option<long?>("--seed") { Description = "Seed of the folds and the replay (default: the sweep's seed)." };
        var tolerance = new Option<double>("--saturation-tolerance")
        {
            Description = "A bin saturates at its cheapest option within this much accuracy of its best (0.005 = half a point); the allocator never spends past it.",
            DefaultValueFactory = _ => PolicyBuildOptions.DefaultSaturationTolerance,
        };
        build.Arguments.Add(sweep);
        foreach (var option in new Option[] { output, unit, probe, scoredProbe, bins, folds, seed, tolerance }) build.Options.Add(option);
        build.SetAction(result =>
        {
            var folder = SweepFolder.Read(result.GetValue(sweep)!);
            var pool = folder.SamplePool() ?? throw new CliException($"{folder.Path}: the sweep has no best-of-n pool; policy build needs one (ttscale sweep --strategies best-of-n,...)");
            // A pool no verifier scored has no probe scores to learn from: a scored probe would train on zeros and then
            // read real scores at eval time.
            bool scoresProbe = result.GetValue(scoredProbe) ?? pool.Scored;
            if (scoresProbe && !pool.Scored)
                throw new CliException($"--score-probe true: the pool in {folder.Path} has no verifier scores (swept with --verifier {folder.Manifest.Verifier}); leave it out or pass false");
            var (policy, evaluation, probeCost) = CliErrors.Checked(() => Build(folder, pool,
                new PolicyBuildOptions(CostUnits.Parse(result.GetValue(unit)!), result.GetValue(bins), result.GetValue(folds),
                    result.GetValue(seed) ?? folder.Manifest.Seed, result.GetValue(tolerance)), result.GetValue(probe), scoresProbe));
            string path = result.GetValue(output) ?? Path.Combine(folder.Path, "policy.json");
            CliFiles.WriteAtomically(path, policy.ToJson());
            Print(policy, evaluation, probeCost, result.GetValue(folds), Console.Out);
            Console.Out.WriteLine($"policy written to {path}");
            return 0;
        });
        return new Command("policy", "Compute-optimal allocation policies.") { build };
    }

    private static (Policy Policy, DifficultyEvaluation Evaluation, double ProbeCost) Build(SweepFolder folder, SamplePool pool, PolicyBuildOptions options, int k, bool scoredProbe)
    {
        var (unit, binCount) = (options.CostUnit, options.Bins);
        var replayOptions = new ReplayOptions { Seed = options.Seed };
        var training = new DifficultyTrainingOptions(binCount);
        var bins = DifficultyBins.FromPool(pool, binCount);
        var outcomes = new SweepOutcomes(pool, bins, unit, k, scoredProbe);
        var levels = pool.DefaultBudgets().Union(folder.Runs.Select(r => r.Run.Budget).Where(b => b <= pool.K)).Order().ToList();
        var replay = PoolReplay.Run(pool, levels, replayOptions);
        var rows = outcomes.FromPool(replay, ReplayRules.SelectionsFor(pool)).ToList();
        foreach (var (run, records) in folder.Runs)
            rows.AddRange(outcomes.FromRun(run.Strategy, run.Parameters.ToDictionary(p => p.Key, p => (object?)p.Value), run.Budget, records));

        var samples = outcomes.ProbeSamples(folder.Pool);
        var evaluation = DifficultyModel.CrossValidate(samples, options.Folds, training, options.Seed);
        var fit = ScalingStudy.FitReplay(replay, folder.DirectSeries(unit.Axis(), bins).ToList(),
            new ScalingOptions { Axis = unit.Axis(), Bins = binCount, Replay = replayOptions });
        options = options with
        {
            DifficultyModel = DifficultyModel.Train(samples, training),
            CurveFits = Enumerable.Range(0, binCount).ToDictionary(b => b, b => CurveFits(fit, b + 1)),
        };
        var sweep = JsonSerializer.SerializeToElement(folder.Manifest.Settings, Jsonl.Options); // what the options were measured with
        return (PolicyBuilder.Build(rows, options) with { ProbeSamples = k, ProbeScored = scoredProbe, Sweep = sweep }, evaluation, outcomes.MeanProbeCost);
    }

    /// <summary>A bin's fitted curves (every strategy's chosen model, parameters and saturation point) as policy.json keeps them.</summary>
    private static JsonElement CurveFits(FitReport fit, int bin) => JsonSerializer.SerializeToElement(
        fit.Rows().Where(r => r.Bin == bin).Select(r => new
        {
            strategy = r.Strategy, model = r.Model, parameters = r.Parameters, held_out_mae = r.HeldOutMae,
            saturation_budget = r.SaturationBudget, saturation_cost = r.SaturationCompute, saturation_extrapolated = r.SaturationExtrapolated,
        }).ToList());

    private static string ProbeText(Policy policy, double probeCost) => policy.ProbeSamples == 0
        ? "no probe (the difficulty model reads the prompt's length)"
        : string.Create(CultureInfo.InvariantCulture, $"probe of {policy.ProbeSamples} {(policy.ScoresProbe ? "scored" : "unscored")} samples included ({probeCost:G3})");

    private static void Print(Policy policy, DifficultyEvaluation evaluation, double probeCost, int askedFolds, TextWriter o)
    {
        var c = CultureInfo.InvariantCulture;
        string unit = policy.CostUnit.Name();
        string fewer = policy.Build!.Folds < askedFolds ? $" (not --folds {askedFolds}: a bin has at most one fold per problem)" : "";
        o.WriteLine(string.Create(c, $"{policy.Build.Problems} problems, {policy.Build.Options} options, {policy.Build.Folds}-fold cross-validation{fewer}; costs in {unit} per prompt, {ProbeText(policy, probeCost)}"));
        o.WriteLine(string.Create(c, $"difficulty model (probe features -> oracle bin), held-out folds: {evaluation.Accuracy * 100:F1}% exact, {evaluation.WithinOne * 100:F1}% within one bin"));
        foreach (var bin in policy.Bins)
        {
            o.WriteLine();
            o.WriteLine(string.Create(c, $"bin {bin.Bin} (0 = easiest), saturation at {bin.Saturation:G3} {unit}"));
            o.WriteLine($"  {"N",4} {"strategy",-10} {"parameters",-36} {"cost",10} {"accuracy",8} {"cv acc",7}");
            foreach (var p in bin.Curve)
                o.WriteLine(string.Create(c, $"  {p.BudgetLevel,4:G} {p.Strategy,-10} {Describe(p),-36} {p.Cost,10:G3} {p.Accuracy * 100,7:F1}% {p.CvAccuracy * 100,6:F1}%"));
        }
    }

    /// <summary>A policy point's hyperparameters as "key=value ...", leaving out the sampling settings every option shares.</summary>
    public static string Describe(PolicyPoint point) =>
        string.Join(" ", point.Parameters.Where(x => x.Key is not ("temperature" or "agg")).Select(x => $"{x.Key}={x.Value}"));
}
