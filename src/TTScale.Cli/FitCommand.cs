using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TTScale.Scaling;

namespace TTScale.Cli;

/// <summary>
/// <c>ttscale fit SWEEP</c>: replays the sweep's best-of-n pool at every budget, adds its directly-run strategies, fits
/// every curve model on budgets up to the split, judges them on the larger budgets, and writes fit.json with the
/// chosen curves, held-out errors and saturation points, for all problems and per difficulty bin.
/// </summary>
internal static class FitCommand
{
    public static Command Create()
    {
        var sweep = new Argument<string>("sweep") { Description = "The sweep folder (made by ttscale sweep)." };
        var output = new Option<string?>("--out") { Description = "Where fit.json goes (default: SWEEP/fit.json)." };
        var axis = new Option<string>("--axis") { Description = "Compute axis: samples, tokens, flops, eflops or kv.", DefaultValueFactory = _ => "flops" };
        var split = new Option<int>("--fit-max-budget") { Description = "Fit budgets up to this; the larger ones are held out to judge the curves.", DefaultValueFactory = _ => 16 };
        var epsilon = new Option<double>("--epsilon") { Description = "Saturation: the smallest N whose gain per extra candidate is below this (accuracy; 0.005 = 0.5 points).", DefaultValueFactory = _ => 0.005 };
        var bins = new Option<int>("--bins") { Description = "Difficulty bins (quantiles of the pool's pass@1).", DefaultValueFactory = _ => 5 };
        var coverage = new Option<bool>("--coverage") { Description = "Also fit pass@k, the ceiling of every selection rule." };
        var seed = new Option<long?>("--seed") { Description = "Seed of the Monte-Carlo replay and the bootstrap (default: the sweep's seed)." };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Resamples of the problems for each chosen curve's parameter errors (0: the fit's standard errors only).", DefaultValueFactory = _ => 100 };
        var command = new Command("fit", "Fit scaling curves to a sweep: held-out errors and saturation points, written to fit.json.")
        {
            sweep, output, axis, split, epsilon, bins, coverage, seed, bootstrap,
        };
        command.SetAction(result =>
        {
            var folder = SweepFolder.Read(result.GetValue(sweep)!);
            var pool = folder.SamplePool();
            if (pool is null)
                foreach (var option in new Option[] { bins, coverage, seed })
                    if (result.GetResult(option) is { Implicit: false })
                        Console.Error.WriteLine($"note: {option.Name} is read only with a best-of-n pool, which this sweep has not; ignored");
            var selections = pool is null ? [] : ReplayRules.SelectionsFor(pool);
            var options = new ScalingOptions
            {
                Axis = CliErrors.Checked(() => ComputeAxes.Parse(result.GetValue(axis)!)),
                FitMaxBudget = result.GetValue(split), Epsilon = result.GetValue(epsilon), Bins = result.GetValue(bins),
                Rules = result.GetValue(coverage) ? [ReplayRule.Coverage, .. selections] : selections,
                Replay = new ReplayOptions { Seed = result.GetValue(seed) ?? folder.Manifest.Seed },
                BootstrapSamples = result.GetValue(bootstrap),
            };
            if (pool is not null && options.Bins > pool.Problems.Count)
                Console.Error.WriteLine($"note: --bins {options.Bins}: the pool has {pool.Problems.Count} problems, so {pool.Problems.Count} bins");
            var report = CliErrors.Checked(() =>
            {
                options.Validate();
                var difficulty = pool is null ? null : ScalingStudy.Bins(pool, options);
                return ScalingStudy.Fit(pool, folder.DirectSeries(options.Axis, difficulty).ToList(), options);
            });

            string path = result.GetValue(output) ?? Path.Combine(folder.Path, "fit.json");
            CliFiles.WriteAtomically(path, FitReportJson.Serialize(report) + "\n");
            Print(report, Console.Out);
            Console.Out.WriteLine($"fit written to {path}");
            return 0;
        });
        return command;
    }

    /// <summary>The curve table: one row per strategy and bin, then the held-out predictions of the all-problems curves.</summary>
    public static void Print(FitReport report, TextWriter o)
    {
        var c = CultureInfo.InvariantCulture;
        string pool = report.SamplesPerProblem > 0 ? $"{report.Problems} problems, pool K = {report.SamplesPerProblem}" : "no best-of-n pool (direct runs only)";
        o.WriteLine(string.Create(c, $"{pool}; compute on {report.Axis.Name()}; fitted on N <= {report.FitMaxBudget}, judged on larger N; saturation at gain < {report.Epsilon * 100:G3} points per candidate"));
        foreach (var bin in report.Bins)
            o.WriteLine(string.Create(c, $"bin {bin.Bin}: {bin.Problems} problems, pass@1 {bin.MinPassAt1:F2}-{bin.MaxPassAt1:F2} (mean {bin.MeanPassAt1:F2})"));
        o.WriteLine();
        o.WriteLine($"{"strategy",-20} {"bin",3} {"model",-9} {"held-out MAE",12} {"ARE",7} {"N*",6} {"C*",10}  parameters (± bootstrap over problems, else the fit's standard error)");
        foreach (var row in report.Rows())
            o.WriteLine(string.Create(c, $"{row.Strategy,-20} {(row.Bin == 0 ? "all" : row.Bin.ToString(c)),3} {row.Model,-9} {Points(row.HeldOutMae),12} {Percent(row.HeldOutAre),7} {Saturation(row),6} {(row.SaturationCompute is { } cs ? cs.ToString("G3", c) : "-"),10}  {row.Parameters}"));
        if (report.Rows().Any(r => r.SaturationExtrapolated))
            o.WriteLine("* N* beyond the largest measured budget: extrapolated from the curve, C* from the compute line extended past its points");
        o.WriteLine();
        var rows = report.Series.Where(s => s.Bin == 0).SelectMany(s => (s.ChosenFit()?.HeldOut ?? []).Select(h => (s.Strategy, From: "curve", h)))
            .Concat((report.ByBin ?? []).SelectMany(b => b.HeldOut.Select(h => (b.Strategy, From: "bins", h))))
            .OrderBy(r => r.Strategy, StringComparer.Ordinal).ToList();
        if (rows.Count == 0)
        {
            // A header over nothing reads as a failed fit; say why there is nothing to judge.
            o.WriteLine(string.Create(c, $"held-out predictions: none (no fitted curve has a measured budget above --fit-max-budget {report.FitMaxBudget} to judge it on)"));
            return;
        }
        o.WriteLine("held-out predictions (all problems, chosen models fitted on the split): from the all-problems curve, and from the bins' curves weighted by their problems");
        o.WriteLine($"{"strategy",-20} {"from",-6} {"N",4} {"actual",7} {"predicted",9} {"error",7} {"ARE",7}");
        foreach (var (strategy, from, h) in rows)
            o.WriteLine(string.Create(c, $"{strategy,-20} {from,-6} {h.Budget,4} {h.Actual * 100,6:F1}% {h.Predicted * 100,8:F1}% {h.AbsoluteError * 100,6:F1} {Percent(h.RelativeError),7}"));
    }

    /// <summary>Reads a fit.json; a file that is not one is an error naming it.</summary>
    public static FitReport ReadFile(string path)
    {
        try
        {
            return FitReportJson.Deserialize(File.ReadAllText(path));
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            throw new CliException($"{path}: not a fit.json ({(e is JsonException json ? StrictJson.Describe(json) : e.Message)})");
        }
    }

    /// <summary>N* (starred where extrapolated); "&gt;max" where the curve does not saturate within the search, "-" where there is no curve.</summary>
    private static string Saturation(FitRow row) =>
        row.SaturationBudget is int n ? n.ToString(CultureInfo.InvariantCulture) + (row.SaturationExtrapolated ? "*" : "") : row.Model == "-" ? "-" : ">max";

    private static string Points(double? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v * 100:F2} pts") : "-";

    private static string Percent(double? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v * 100:F1}%") : "-";
}
