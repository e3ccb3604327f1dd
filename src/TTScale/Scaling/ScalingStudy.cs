namespace TTScale.Scaling;

/// <summary>
/// The whole fit: replay the pool's rules at every budget, for all problems and per difficulty bin; add directly-run
/// series; fit every curve model on the budgets up to the split, judge it on the rest, choose the model with the lowest
/// held-out error, refit it on every point and find its saturation point.
/// </summary>
public static class ScalingStudy
{
    /// <summary>Fits a pool and/or direct series into a <see cref="FitReport"/> (the content of fit.json).</summary>
    /// <param name="pool">A best-of-n pool to replay, or null to fit direct series only.</param>
    /// <param name="direct">Directly-run series (see <see cref="DirectSeries.FromRuns"/>), on <see cref="ScalingOptions.Axis"/>.</param>
    /// <param name="options">What to replay and fit; defaults when null.</param>
    /// <exception cref="ArgumentException">Bad options, neither pool nor series, or a series on another axis.</exception>
    public static FitReport Fit(SamplePool? pool, IEnumerable<ScalingSeries>? direct = null, ScalingOptions? options = null)
    {
        options ??= new ScalingOptions();
        options.Validate();
        var directList = direct?.ToList() ?? [];
        if (pool is null && directList.Count == 0) throw new ArgumentException("nothing to fit: give a sample pool or directly-run series", nameof(pool));
        foreach (var s in directList)
            if (s.Axis != options.Axis)
                throw new ArgumentException($"series {s.Strategy} (bin {s.Bin}) is on the {s.Axis.Name()} axis, not {options.Axis.Name()}", nameof(direct));

        var series = new List<ScalingSeries>();
        IReadOnlyList<int> budgets = [];
        IReadOnlyList<DifficultyBin> binList = [];
        if (pool is not null)
        {
            budgets = options.Budgets ?? pool.DefaultBudgets();
            var replay = PoolReplay.Run(pool, budgets, options.Replay);
            var bins = DifficultyBins.FromPool(pool, Math.Min(options.Bins, pool.Problems.Count));
            binList = bins.Bins;
            foreach (var rule in options.Rules)
            {
                series.Add(replay.Series(rule, options.Axis));
                foreach (var bin in bins.Bins) series.Add(replay.Series(rule, options.Axis, bin.Bin, bins.ProblemIndices(bin.Bin)));
            }
        }
        series.AddRange(directList);
        var fits = series.Select(s => FitSeries(s, options)).ToList();
        return new FitReport(FitReport.CurrentSchemaVersion, options.Axis, options.Epsilon, options.FitMaxBudget, options.Replay.Seed,
            pool?.Problems.Count ?? 0, pool?.K ?? 0, budgets, binList, fits);
    }

    /// <summary>Fits one series: every model on the split, the chosen one refitted on all points, and its saturation point.</summary>
    public static SeriesFit FitSeries(ScalingSeries series, ScalingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        options ??= new ScalingOptions();
        options.Validate();
        var points = series.Points.OrderBy(p => p.Budget).ToList();
        var train = points.Where(p => p.Budget <= options.FitMaxBudget).ToList();
        var heldOut = points.Where(p => p.Budget > options.FitMaxBudget).ToList();
        var line = ComputeLine.Through(points); // compute is measured, not predicted: every point may place the line

        var candidates = new List<ModelFit>();
        foreach (var model in options.Models)
        {
            if (train.Count < model.ParameterNames().Count) continue; // too few budgets under the split for this model
            var curve = CurveFitter.Fit(model, train, line, options.Starts);
            var predictions = heldOut.Select(p =>
            {
                double predicted = curve.Evaluate(p.Budget, p.Compute), error = Math.Abs(predicted - p.Accuracy);
                return new HeldOutPoint(p.Budget, p.Compute, p.Accuracy, predicted, error, p.Accuracy > 0 ? error / p.Accuracy : null);
            }).ToList();
            var relative = predictions.Where(h => h.RelativeError is not null).Select(h => h.RelativeError!.Value).ToList();
            candidates.Add(new ModelFit(model, curve, predictions, predictions.Count > 0 ? predictions.Average(h => h.AbsoluteError) : null,
                relative.Count > 0 ? relative.Average() : null));
        }
        if (candidates.Count == 0) return new SeriesFit(series.Strategy, series.Bin, series.Source, points, candidates, null, null, null, null);

        bool judged = heldOut.Count > 0;
        var best = judged ? candidates.MinBy(c => c.HeldOutMae!.Value)! : candidates.MinBy(c => c.Curve.Rmse)!;
        var final = heldOut.Count > 0 ? CurveFitter.Fit(best.Model, points, line, options.Starts) : best.Curve;
        var saturation = Saturation.Find(final, options.Epsilon, options.MaxSaturationBudget);
        return new SeriesFit(series.Strategy, series.Bin, series.Source, points, candidates, best.Model, judged ? "held_out_mae" : "fit_rmse", final, saturation);
    }
}
