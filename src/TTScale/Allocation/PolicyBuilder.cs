using System.Text.Json;
using TTScale.Randomness;

namespace TTScale.Allocation;

/// <summary>How <see cref="PolicyBuilder.Build"/> turns a sweep into a policy.</summary>
/// <param name="CostUnit">The unit the sweep's costs are in.</param>
/// <param name="Bins">Number of difficulty bins.</param>
/// <param name="Folds">Cross-validation folds over each bin's problems (Snell et al. used 2); fewer where a bin has fewer problems.</param>
/// <param name="Seed">Seed of the fold split.</param>
/// <param name="SaturationTolerance">A bin's default saturation point is its cheapest point within this much accuracy of its best.</param>
public sealed record PolicyBuildOptions(CostUnit CostUnit, int Bins = Scaling.DifficultyBins.Default, int Folds = 5, long Seed = 0,
    double SaturationTolerance = PolicyBuildOptions.DefaultSaturationTolerance)
{
    /// <summary>Half a point of accuracy.</summary>
    public const double DefaultSaturationTolerance = 0.005;

    /// <summary>
    /// Saturation points per bin (in the policy's unit, on the options' cost basis, probe included), replacing the default
    /// where given. A fit's C* is a direct run's cost without the probe: add the probe's cost before passing it.
    /// </summary>
    public IReadOnlyDictionary<int, double>? Saturation { get; init; }

    /// <summary>Fitted-curve parameters per bin, stored as given in policy.json.</summary>
    public IReadOnlyDictionary<int, JsonElement>? CurveFits { get; init; }

    /// <summary>The difficulty model to ship with the policy.</summary>
    public DifficultyModel? DifficultyModel { get; init; }
}

/// <summary>
/// Builds the compute-optimal policy (Snell et al.): for each difficulty bin and budget level, the option (strategy and
/// hyperparameters) with the best held-out accuracy under K-fold cross-validation over problems, and the same pick under
/// each cheaper cost cap, so the menu also holds the level's cheaper options.
/// </summary>
public static class PolicyBuilder
{
    /// <summary>
    /// Builds a policy from sweep outcomes. In each fold the option with the best training-fold accuracy is picked and
    /// scored on the held-out fold; the point's <see cref="PolicyPoint.CvAccuracy"/> is that held-out accuracy, and the
    /// option kept is the one picked in most folds (ties to the better full-data accuracy, then the cheaper, then by name).
    /// Each level repeats this under every cost cap its options set, adding each option so picked once.
    /// </summary>
    public static Policy Build(IReadOnlyList<SweepOutcome> outcomes, PolicyBuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Bins < 1) throw new ArgumentException("--bins must be positive", nameof(options));
        if (options.Folds < 2) throw new ArgumentException("--folds must be at least 2", nameof(options));
        if (!(options.SaturationTolerance >= 0)) throw new ArgumentException("--saturation-tolerance must not be negative", nameof(options));
        if (outcomes.Count == 0) throw new ArgumentException("the sweep has no outcomes", nameof(outcomes));
        if (options.DifficultyModel is { } model && model.Bins != options.Bins)
            throw new ArgumentException($"the difficulty model predicts {model.Bins} bins, not --bins {options.Bins}", nameof(options));

        var problemBins = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var o in outcomes)
        {
            if (o.Bin < 0 || o.Bin >= options.Bins) throw new ArgumentException($"problem {o.ProblemId}: bin {o.Bin} is outside [0, {options.Bins - 1}]", nameof(outcomes));
            if (!(o.Cost >= 0) || double.IsInfinity(o.Cost)) throw new ArgumentException($"problem {o.ProblemId}: cost must be a non-negative number", nameof(outcomes));
            if (!(o.Correct >= 0 && o.Correct <= 1)) throw new ArgumentException($"problem {o.ProblemId}: correct must be in [0, 1]", nameof(outcomes));
            if (problemBins.TryGetValue(o.ProblemId, out int bin) && bin != o.Bin)
                throw new ArgumentException($"problem {o.ProblemId} appears in bins {bin} and {o.Bin}", nameof(outcomes));
            problemBins[o.ProblemId] = o.Bin;
        }

        var bins = new List<PolicyBin>(options.Bins);
        for (int b = 0; b < options.Bins; b++)
        {
            var rows = outcomes.Where(o => o.Bin == b).ToList();
            if (rows.Count == 0) throw new ArgumentException($"bin {b} has no outcomes in the sweep", nameof(outcomes));
            bins.Add(BuildBin(b, rows, options));
        }
        // A bin has at most one fold per problem: the record says how many the largest bin used, not how many were asked for.
        int folds = Math.Min(options.Folds, problemBins.Values.CountBy(b => b).Max(c => c.Value));
        var build = new PolicyBuildInfo(folds, options.Seed, problemBins.Count, outcomes.Select(o => o.OptionKey).Distinct().Count(),
            options.SaturationTolerance);
        var policy = new Policy(Policy.CurrentSchema, options.CostUnit, options.Bins, bins, options.DifficultyModel?.ToData(), build);
        policy.Validate("built policy");
        return policy;
    }

    private static PolicyBin BuildBin(int bin, List<SweepOutcome> rows, PolicyBuildOptions options)
    {
        // Problems by id, folds by a seeded shuffle: they depend on the seed and the data only, not on the order of the
        // rows (a sweep's records are written as problems finish).
        var problems = rows.Select(r => r.ProblemId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (problems.Length < 2) throw new ArgumentException($"bin {bin} has {problems.Length} problem; cross-validation needs at least 2 a bin: give fewer --bins, or sweep more problems", "outcomes");
        int folds = Math.Min(options.Folds, problems.Length);
        int[] foldOf = CrossValidationFolds.Assign(problems.Length, folds, SplitMix64.ForStream(options.Seed, bin));
        var fold = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < problems.Length; i++) fold[problems[i]] = foldOf[i];

        var points = new List<PolicyPoint>();
        foreach (var level in rows.GroupBy(r => r.BudgetLevel).OrderBy(g => g.Key))
        {
            // The pick at a level under every cost cap the level's options set: the uncapped pick is the level's
            // compute-optimal choice, the capped ones keep cheaper options on the menu (at one N, best-of-N and a
            // PRM-scored beam can differ several-fold in FLOPs), so the allocator's hull is not stuck with the dearest.
            var table = OptionTable.From(level, fold, folds);
            var chosenAtLevel = new HashSet<int>();
            foreach (double cap in table.Options.Select(o => o.MeanCost).Distinct().Order())
            {
                var (chosen, cv) = table.Pick(folds, o => table.Options[o].MeanCost <= cap);
                if (chosen < 0 || !chosenAtLevel.Add(chosen)) continue;
                var option = table.Options[chosen];
                points.Add(new PolicyPoint(level.Key, option.First.Strategy, ToJson(option.First.Parameters), option.MeanCost, table.Mean(chosen),
                    Math.Clamp(cv, 0, 1), option.Problems));
            }
        }
        if (points.Count == 0)
            throw new ArgumentException($"bin {bin}: no option was run on problems in two folds, so none has a held-out accuracy", "outcomes");

        double saturation = options.Saturation?.TryGetValue(bin, out double given) == true
            ? given
            : DefaultSaturation(points, options.SaturationTolerance);
        if (!(saturation >= 0)) throw new ArgumentException($"saturation of bin {bin} must be non-negative", nameof(options));
        JsonElement? fit = options.CurveFits?.TryGetValue(bin, out var f2) == true ? f2 : null;
        return new PolicyBin(bin, saturation, points, fit);
    }

    /// <summary>The cheapest point within <paramref name="tolerance"/> of the bin's best held-out accuracy.</summary>
    private static double DefaultSaturation(List<PolicyPoint> points, double tolerance)
    {
        double best = points.Max(p => p.CvAccuracy);
        return points.Where(p => p.CvAccuracy >= best - tolerance).Min(p => p.Cost);
    }

    private static IReadOnlyDictionary<string, JsonElement> ToJson(IReadOnlyDictionary<string, object?> parameters) =>
        new SortedDictionary<string, JsonElement>(parameters.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)), StringComparer.Ordinal)
            .AsReadOnly();

    /// <summary>One level's options with each problem's mean outcome, split by fold.</summary>
    private sealed class OptionTable
    {
        public required List<OptionStats> Options { get; init; }

        public static OptionTable From(IEnumerable<SweepOutcome> rows, Dictionary<string, int> fold, int folds)
        {
            var options = rows.GroupBy(r => r.OptionKey, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => OptionStats.From(g.ToList(), fold, folds)).ToList();
            return new OptionTable { Options = options };
        }

        /// <summary>
        /// Cross-validated pick among the options <paramref name="allowed"/> lets in: in each fold the best on the other
        /// folds is scored on this one. Returns the option picked in most folds (full-data accuracy breaks ties) and the
        /// held-out accuracy of the per-fold picks; -1 where nothing is allowed, or where no pick has a problem in the fold it
        /// is scored on (its accuracy would be in-sample).
        /// </summary>
        public (int Chosen, double CvAccuracy) Pick(int folds, Func<int, bool> allowed)
        {
            var wins = new int[Options.Count];
            double heldOutSum = 0;
            int heldOutCount = 0;
            for (int f = 0; f < folds; f++)
            {
                int pick = Best(o => allowed(o) ? MeanExcluding(o, f) : double.NaN);
                if (pick < 0) continue;
                wins[pick]++;
                var (sum, count) = Options[pick].ByFold[f];
                heldOutSum += sum;
                heldOutCount += count;
            }
            int chosen = Best(o => allowed(o) ? wins[o] + Mean(o) * 1e-9 : double.NaN);
            return chosen < 0 || heldOutCount == 0 ? (-1, 0) : (chosen, heldOutSum / heldOutCount);
        }

        public double Mean(int option) => Options[option].Total.Count == 0 ? 0 : Options[option].Total.Sum / Options[option].Total.Count;

        /// <summary>Mean over every fold but <paramref name="heldOut"/>; NaN where the option has no problem there.</summary>
        public double MeanExcluding(int option, int heldOut)
        {
            var o = Options[option];
            double sum = o.Total.Sum - o.ByFold[heldOut].Sum;
            int count = o.Total.Count - o.ByFold[heldOut].Count;
            return count == 0 ? double.NaN : sum / count;
        }

        /// <summary>Index of the best option by <paramref name="score"/> (NaN never wins); ties to the cheaper, then the first by key.</summary>
        public int Best(Func<int, double> score)
        {
            int best = -1;
            double bestScore = double.NegativeInfinity;
            for (int o = 0; o < Options.Count; o++)
            {
                double s = score(o);
                if (double.IsNaN(s)) continue;
                if (best < 0 || s > bestScore || (s == bestScore && Options[o].MeanCost < Options[best].MeanCost))
                {
                    best = o;
                    bestScore = s;
                }
            }
            return best;
        }
    }

    private sealed class OptionStats
    {
        public required SweepOutcome First { get; init; }
        public required (double Sum, int Count)[] ByFold { get; init; }
        public required (double Sum, int Count) Total { get; init; }
        public required double MeanCost { get; init; }
        public required int Problems { get; init; }

        public static OptionStats From(List<SweepOutcome> rows, Dictionary<string, int> fold, int folds)
        {
            var byFold = new (double Sum, int Count)[folds];
            double cost = 0;
            int problems = 0;
            // Repeated rows of one problem (several seeds) count as that problem's mean, so each problem weighs the same.
            foreach (var problem in rows.GroupBy(r => r.ProblemId, StringComparer.Ordinal))
            {
                int f = fold[problem.Key];
                byFold[f] = (byFold[f].Sum + problem.Average(r => r.Correct), byFold[f].Count + 1);
                cost += problem.Average(r => r.Cost);
                problems++;
            }
            return new OptionStats
            {
                First = rows[0],
                ByFold = byFold,
                Total = (byFold.Sum(x => x.Sum), byFold.Sum(x => x.Count)),
                MeanCost = cost / problems,
                Problems = problems,
            };
        }
    }
}
