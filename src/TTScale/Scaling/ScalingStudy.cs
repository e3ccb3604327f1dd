using TTScale.Randomness;

namespace TTScale.Scaling;

/// <summary>
/// The whole fit: replay the pool's rules at every budget, for all problems and per difficulty bin; add directly-run
/// series; fit every curve model on the budgets up to the split, choose one by its validation error inside the split,
/// judge it on the larger budgets, refit it on every point and find its saturation point. Each replayed rule also gets a
/// by-bin prediction: its bins' curves, weighted by their problems.
/// </summary>
public static class ScalingStudy
{
    /// <summary>Fits a pool and/or direct series into a <see cref="FitReport"/> (the content of fit.json).</summary>
    /// <param name="pool">A best-of-n pool to replay at <see cref="ScalingOptions.Budgets"/>, or null to fit direct series only.</param>
    /// <param name="direct">Directly-run series (see <see cref="DirectSeries.FromRuns"/>), on <see cref="ScalingOptions.Axis"/>.</param>
    /// <param name="options">What to replay and fit; defaults when null.</param>
    /// <exception cref="ArgumentException">Bad options, neither pool nor series, or a series on another axis.</exception>
    public static FitReport Fit(SamplePool? pool, IEnumerable<ScalingSeries>? direct = null, ScalingOptions? options = null)
    {
        options ??= new ScalingOptions();
        options.Validate();
        var directList = DirectOnAxis(direct, options);
        if (pool is null && directList.Count == 0) throw new ArgumentException("nothing to fit: give a sample pool or directly-run series", nameof(pool));
        return FitCore(pool is null ? null : PoolReplay.Run(pool, options.Budgets ?? pool.DefaultBudgets(), options.Replay), directList, options);
    }

    /// <summary>
    /// <see cref="Fit(SamplePool?, IEnumerable{ScalingSeries}?, ScalingOptions?)"/> from a replay already run (its budgets
    /// are the fit's; <see cref="ScalingOptions.Budgets"/> is not read), so a caller that needs the replay too runs it once.
    /// </summary>
    /// <exception cref="ArgumentException">Bad options, or a series on another axis.</exception>
    public static FitReport FitReplay(PoolReplay replay, IEnumerable<ScalingSeries>? direct = null, ScalingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(replay);
        options ??= new ScalingOptions();
        options.Validate();
        return FitCore(replay, DirectOnAxis(direct, options), options);
    }

    private static List<ScalingSeries> DirectOnAxis(IEnumerable<ScalingSeries>? direct, ScalingOptions options)
    {
        var list = direct?.ToList() ?? [];
        foreach (var s in list)
            if (s.Axis != options.Axis)
                throw new ArgumentException($"series {s.Strategy} (bin {s.Bin}) is on the {s.Axis.Name()} axis, not {options.Axis.Name()}", nameof(direct));
        return list;
    }

    private static FitReport FitCore(PoolReplay? replay, List<ScalingSeries> direct, ScalingOptions options)
    {
        var series = new List<ScalingSeries>();
        IReadOnlyList<DifficultyBin> binList = [];
        if (replay is not null)
        {
            var bins = Bins(replay.Pool, options);
            binList = bins.Bins;
            foreach (var rule in options.Rules)
            {
                series.Add(replay.Series(rule, options.Axis));
                foreach (var bin in bins.Bins) series.Add(replay.Series(rule, options.Axis, bin.Bin, bins.ProblemIndices(bin.Bin)));
            }
        }
        series.AddRange(direct);
        var fits = series.Select(s => FitSeries(s, options)).ToList();
        var byBin = binList.Count == 0 ? [] : options.Rules.Select(r => ByBin(r.StrategyName(), fits, binList)).OfType<ByBinPrediction>().ToList();
        return new FitReport(FitReport.CurrentSchemaVersion, options.Axis, options.Epsilon, options.FitMaxBudget, options.Replay.Seed,
            replay?.Pool.Problems.Count ?? 0, replay?.Pool.K ?? 0, replay?.Budgets ?? [], binList, fits, byBin);
    }

    /// <summary>The difficulty bins a fit of <paramref name="pool"/> uses (no more bins than problems); direct series are binned with them too.</summary>
    public static DifficultyBins Bins(SamplePool pool, ScalingOptions options) => DifficultyBins.AtMost(pool, options.Bins);

    /// <summary>
    /// A strategy's all-problems accuracy at each held-out budget predicted as the problem-weighted mean of its bins'
    /// chosen curves (each fitted on the split): a mixture of bins that saturate at different budgets is not one curve's
    /// shape. Null where a bin has no chosen curve.
    /// </summary>
    private static ByBinPrediction? ByBin(string strategy, IReadOnlyList<SeriesFit> fits, IReadOnlyList<DifficultyBin> bins)
    {
        var overall = fits.FirstOrDefault(f => f.Strategy == strategy && f.Bin == 0);
        var perBin = bins.Select(b => fits.FirstOrDefault(f => f.Strategy == strategy && f.Bin == b.Bin)?.ChosenFit()).ToList();
        if (overall?.ChosenFit() is not { } all || perBin.Any(f => f is null)) return null;
        int problems = bins.Sum(b => b.Problems);
        var points = all.HeldOut.Select(h =>
        {
            double predicted = 0;
            for (int i = 0; i < bins.Count; i++)
                predicted += (double)bins[i].Problems / problems * perBin[i]!.HeldOut.First(b => b.Budget == h.Budget).Predicted;
            double error = Math.Abs(predicted - h.Actual);
            return new HeldOutPoint(h.Budget, h.Compute, h.Actual, predicted, error, h.Actual > 0 ? error / h.Actual : null);
        }).ToList();
        return new ByBinPrediction(strategy, points);
    }

    /// <summary>
    /// The curve with each parameter's bootstrap error: the standard deviation of its value over refits to the series'
    /// points recomputed on problems drawn with replacement (the compute line kept), seeded by the replay seed, the
    /// strategy and the bin. Unchanged where the series has no per-problem outcomes or fewer than two problems.
    /// </summary>
    private static FittedCurve WithBootstrapErrors(FittedCurve curve, ScalingSeries series, ScalingOptions options)
    {
        if (options.BootstrapSamples == 0 || series.ProblemOutcomes is not { Count: >= 2 } outcomes) return curve;
        if (outcomes.Any(o => o.Count != series.Points.Count))
            throw new ArgumentException($"{series.Strategy}: each problem's outcomes must have one value per point ({series.Points.Count})", nameof(series));
        int problems = outcomes.Count, k = curve.Parameters.Count;
        var random = SplitMix64.ForStream(SplitMix64.Derive(options.Replay.Seed, series.Strategy), series.Bin);
        var values = new double[k][];
        for (int j = 0; j < k; j++) values[j] = new double[options.BootstrapSamples];
        var sums = new double[series.Points.Count];
        for (int b = 0; b < options.BootstrapSamples; b++)
        {
            Array.Clear(sums);
            for (int draw = 0; draw < problems; draw++)
            {
                var outcome = outcomes[random.NextInt(0, problems - 1)]; // both bounds inclusive
                for (int i = 0; i < sums.Length; i++) sums[i] += outcome[i];
            }
            var resampled = series.Points.Select((p, i) => p with { Accuracy = sums[i] / problems }).ToList();
            var refit = CurveFitter.Refit(curve, resampled, options.Starts);
            for (int j = 0; j < k; j++) values[j][b] = refit.Parameters[j].Value;
        }
        var (lower, upper) = CurveModels.Bounds(curve.Model);
        return curve with
        {
            Parameters = [.. curve.Parameters.Select((p, j) =>
            {
                double mean = values[j].Average();
                double spread = Math.Sqrt(values[j].Sum(v => (v - mean) * (v - mean)) / (values[j].Length - 1));
                // A spread below the fitter's own resolution (every resample solved: f_max pinned at 1) is no error bar.
                return p with { BootstrapError = spread > 1e-9 * (upper[j] - lower[j]) ? spread : null };
            })],
        };
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

        // The model is chosen without looking past the split: each is also fitted on the split's budgets but the largest
        // and judged there (validation). The held-out budgets above the split only report how well the choice predicts.
        var validation = train.Count >= 2 ? train[^1] : null;
        var inner = train.Take(train.Count - 1).ToList();
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
            double? validationError = validation is not null && inner.Count >= model.ParameterNames().Count
                ? Math.Abs(CurveFitter.Fit(model, inner, line, options.Starts).Evaluate(validation.Budget, validation.Compute) - validation.Accuracy)
                : null;
            candidates.Add(new ModelFit(model, curve, predictions, predictions.Count > 0 ? predictions.Average(h => h.AbsoluteError) : null,
                relative.Count > 0 ? relative.Average() : null, validationError));
        }
        if (candidates.Count == 0) return new SeriesFit(series.Strategy, series.Bin, series.Source, points, candidates, null, null, null, null);

        // Validation chooses where it compares models. Where it judged one (a short split validates only the 2-parameter
        // model: a model is validated exactly when it has a point to spare), that one is kept: the others pass through
        // the split's points exactly, so their RMSE of about 0 would always win. With none, the RMSE chooses.
        var validated = candidates.Where(c => c.ValidationError is not null).ToList();
        var (best, chosenBy) = validated.Count >= 2 ? (validated.MinBy(c => c.ValidationError!.Value)!, "validation_error")
            : validated.Count == 1 ? (validated[0], "only_validated")
            : (candidates.MinBy(c => c.Curve.Rmse)!, "fit_rmse");
        var final = heldOut.Count > 0 ? CurveFitter.Fit(best.Model, points, line, options.Starts) : best.Curve;
        var saturation = Saturation.Find(final, options.Epsilon, options.MaxSaturationBudget, points[^1].Budget);
        final = WithBootstrapErrors(final, series, options);
        return new SeriesFit(series.Strategy, series.Bin, series.Source, points, candidates, best.Model, chosenBy, final, saturation);
    }
}
