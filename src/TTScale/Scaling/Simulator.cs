namespace TTScale.Scaling;

/// <summary>A simulated answer to "what accuracy at budget B with strategy S".</summary>
/// <param name="Strategy">The strategy.</param>
/// <param name="Bin">The bin (0 = all problems).</param>
/// <param name="Budget">N (real-valued when read off a fit at a compute).</param>
/// <param name="Compute">Mean compute per problem at N on <paramref name="Axis"/>.</param>
/// <param name="Axis">The compute axis.</param>
/// <param name="Accuracy">Expected accuracy.</param>
/// <param name="Low">Lower end of the 95% interval (replay only).</param>
/// <param name="High">Upper end of the 95% interval (replay only).</param>
/// <param name="Source">replay or fit.</param>
public sealed record Simulation(string Strategy, int Bin, double Budget, double Compute, ComputeAxis Axis, double Accuracy, double? Low, double? High, string Source);

/// <summary>Accuracy at a budget without running the model: replayed from a pool, or read off a fitted curve.</summary>
public static class Simulator
{
    /// <summary>Replays one rule at budget N over the pool (or over one difficulty bin of it).</summary>
    /// <exception cref="ArgumentException">N outside [1, K], or a bin without <paramref name="bins"/>.</exception>
    public static Simulation FromPool(SamplePool pool, ReplayRule rule, int budget, ComputeAxis axis = ComputeAxis.Flops,
        ReplayOptions? options = null, DifficultyBins? bins = null, int bin = 0)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (bin != 0 && bins is null) throw new ArgumentException($"--bin {bin} needs difficulty bins", nameof(bins));
        var point = PoolReplay.Run(pool, [budget], options).Series(rule, axis, bin, bin == 0 ? null : bins!.ProblemIndices(bin)).Points[0];
        return new Simulation(rule.StrategyName(), bin, budget, point.Compute, axis, point.Accuracy, point.Low, point.High, "replay");
    }

    /// <summary>
    /// The largest N &lt;= K whose mean expected compute under <paramref name="rule"/> over <paramref name="problems"/>
    /// (all the pool's by default; a bin's cost its own) fits in <paramref name="compute"/>; null when even N = 1 does not.
    /// </summary>
    public static int? BudgetForCompute(SamplePool pool, ReplayRule rule, double compute, ComputeAxis axis, IReadOnlyList<PoolProblem>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        int? best = null;
        for (int n = 1; n <= pool.K && pool.ExpectedCost(n, problems, rule.Scores(n)).On(axis) <= compute; n++) best = n;
        return best;
    }

    /// <summary>Reads a fitted curve at budget N.</summary>
    /// <exception cref="ArgumentException">No fitted curve for the strategy and bin.</exception>
    public static Simulation FromFit(FitReport report, string strategy, double budget, int bin = 0)
    {
        var curve = CurveOf(report, strategy, bin);
        return new Simulation(strategy, bin, budget, curve.Line.ComputeAt(budget), report.Axis, Math.Clamp(curve.Predict(budget), 0, 1), null, null, "fit");
    }

    /// <summary>Reads a fitted curve at a compute on the report's axis.</summary>
    /// <exception cref="ArgumentException">No fitted curve for the strategy and bin.</exception>
    public static Simulation FromFitAtCompute(FitReport report, string strategy, double compute, int bin = 0)
    {
        var curve = CurveOf(report, strategy, bin);
        return new Simulation(strategy, bin, curve.Line.BudgetAt(compute), compute, report.Axis, Math.Clamp(curve.PredictAtCompute(compute), 0, 1), null, null, "fit");
    }

    private static FittedCurve CurveOf(FitReport report, string strategy, int bin)
    {
        ArgumentNullException.ThrowIfNull(report);
        var series = report.Find(strategy, bin) ?? throw new ArgumentException(
            $"--strategy '{strategy}' (bin {bin}) is not in the fit: it has {string.Join(", ", report.Series.Select(s => s.Strategy).Distinct())}", nameof(strategy));
        return series.Curve ?? throw new ArgumentException($"--strategy '{strategy}' (bin {bin}) has no fitted curve (too few budgets)", nameof(strategy));
    }
}
