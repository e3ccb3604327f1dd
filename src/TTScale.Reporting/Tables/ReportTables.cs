using TTScale.Reporting.Model;

namespace TTScale.Reporting.Tables;

/// <summary>The report's tables, built from the report model.</summary>
public static class ReportTables
{
    /// <summary>
    /// Per strategy and budget, in compute order: accuracy with its interval (none for a prediction), and the mean cost per
    /// problem. Problems show right/all for what ran, and the count alone for replays and predictions (expected accuracies).
    /// </summary>
    public static ReportTable Results(IReadOnlyList<StrategySeries> strategies, string title = "Accuracy and cost per strategy and budget") => new(
        title,
        ["Strategy", "Budget", "Source", "Problems", "Accuracy [95% CI]", "Tokens", "FLOPs", "eFLOPs", "Peak logical KV"],
        [.. strategies.SelectMany(s => s.Points.OrderBy(p => p.Compute).ThenBy(p => p.Budget).Select(p => (IReadOnlyList<string>)
        [
            // A policy's prediction mixes budget levels across bins; replays and predictions are expectations, not counts.
            s.Strategy, p.Source == PointSource.Predicted ? "–" : p.Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            p.Source.ToString().ToLowerInvariant(),
            p.Source is PointSource.Replay or PointSource.Predicted ? $"{p.Problems}" : $"{p.Correct}/{p.Problems}",
            p.Source == PointSource.Predicted ? ReportFormat.Percent(p.Accuracy) : ReportFormat.Interval(p.Accuracy, p.Low, p.High),
            ReportFormat.Amount(p.MeanTokens), ReportFormat.Amount(p.MeanFlops), ReportFormat.Amount(p.MeanEFlops), ReportFormat.Bytes(p.PeakLogicalKvBytes),
        ]))],
        StrategyColumn: 0) { NumericColumns = new HashSet<int> { 1, 3, 4, 5, 6, 7, 8 } };

    /// <summary>Fit parameters with held-out errors and saturation points, overall and per bin; null when nothing was fitted.</summary>
    public static ReportTable? Fits(ScalingReportData data)
    {
        var scoped = data.Strategies.Select(s => ("all", s)).Concat(data.Bins.SelectMany(b => b.Strategies.Select(s => ($"bin {b.Bin}", s))))
            .Where(x => x.s.Fit is not null).ToList();
        if (scoped.Count == 0) return null;
        return new ReportTable("Fitted curves: parameters (± bootstrap error over problems, else standard error), held-out error, saturation",
            ["Strategy", "Scope", "Model", "Parameters", "Held-out budgets", "Mean |error|", "N*", "C*"],
            [.. scoped.Select(x => (IReadOnlyList<string>)
            [
                x.s.Strategy, x.Item1, x.s.Fit!.Model,
                string.Join(", ", x.s.Fit.Parameters.Select(p => $"{p.Name} = {ReportFormat.Number(p.Value)}" +
                    (p.StandardError is double se ? $" ± {ReportFormat.Number(se)}" : ""))),
                x.s.Fit.HeldOut.Count == 0 ? "none" : string.Join(", ", x.s.Fit.HeldOut.Select(h => h.Budget)),
                x.s.Fit.MeanAbsoluteHeldOutError is double e ? Points(e).TrimStart('+') : "–", // points, as the held-out errors are: a % reads as relative
                x.s.Saturation is { } n ? ReportFormat.Budget(n.Budget) + (n.Extrapolated ? " (extrapolated)" : "") : "–",
                x.s.Saturation is { } c ? ReportFormat.Amount(c.Compute) : "–",
            ])],
            StrategyColumn: 0) { NumericColumns = new HashSet<int> { 5, 6, 7 } };
    }

    /// <summary>
    /// Every all-problems held-out prediction: from each strategy's own fitted curve, and from its bins' curves weighted by
    /// their problems; null when nothing was held out.
    /// </summary>
    public static ReportTable? HeldOutPredictions(ScalingReportData data)
    {
        var rows = data.Strategies.Where(s => s.Fit is { HeldOut.Count: > 0 }).Select(s => (s.Strategy, From: $"its curve ({s.Fit!.Model})", s.Fit.HeldOut))
            .Concat((data.ByBin ?? []).Select(b => (b.Strategy, From: "its bins' curves", b.HeldOut)))
            .OrderBy(r => r.Strategy, StringComparer.Ordinal)
            .SelectMany(r => r.HeldOut.Select(h => (IReadOnlyList<string>)
            [
                r.Strategy, r.From, h.Budget.ToString(System.Globalization.CultureInfo.InvariantCulture), ReportFormat.Percent(h.Observed),
                ReportFormat.Percent(h.Predicted), Points(h.Error), h.Observed > 0 ? ReportFormat.Percent(Math.Abs(h.Error) / h.Observed) : "–",
            ])).ToList();
        return rows.Count == 0 ? null : new ReportTable("Held-out predictions, all problems",
            ["Strategy", "Predicted from", "Budget", "Measured", "Predicted", "Error", "Relative error"], rows,
            StrategyColumn: 0) { NumericColumns = new HashSet<int> { 2, 3, 4, 5, 6 } };
    }

    /// <summary>Bins as rows, budgets as columns, the compute-optimal strategy in each cell; null when there is no policy.</summary>
    public static ReportTable? ComputeOptimal(ScalingReportData data)
    {
        if (data.ComputeOptimal is not { Count: > 0 } cells) return null;
        var budgets = cells.Select(c => c.Budget).Distinct().Order().ToList();
        // The policy's bins, not the report's: it may have another count, or come from another sweep.
        return new ReportTable("Compute-optimal strategy per difficulty bin and budget",
            ["Bin", .. budgets.Select(b => $"budget {b}")],
            [.. cells.Select(c => c.Bin).Distinct().Order().Select(bin => (IReadOnlyList<string>)
            [
                bin.ToString(System.Globalization.CultureInfo.InvariantCulture),
                .. budgets.Select(budget => cells.FirstOrDefault(c => c.Bin == bin && c.Budget == budget) is { } cell
                    ? cell.Strategy + (cell.Parameters is null ? "" : $" ({cell.Parameters})") + (cell.Accuracy is double a ? $", {ReportFormat.Percent(a)}" : "")
                    : "–"),
            ])]);
    }

    /// <summary>
    /// Each measured adaptive run against every baseline at the same compute (the baseline read off its curve, linear in
    /// log compute between its points); null when no adaptive run was measured.
    /// </summary>
    public static ReportTable? AdaptiveAtMatchedCompute(AdaptiveComparison comparison, ComputeAxis axis)
    {
        var runs = comparison.Adaptive.SelectMany(s => s.Points.Where(p => p.Source == PointSource.Run).Select(p => (s.Strategy, Point: p))).ToList();
        if (runs.Count == 0) return null;
        return new ReportTable("Adaptive runs against the baselines at matched compute",
            ["Adaptive", "Budget given", "Problems", "Accuracy [95% CI]", $"Spent ({axis.Unit()} per problem)",
                .. comparison.Baselines.SelectMany(b => new[] { $"{b.Strategy} at that compute", "Difference" })],
            [.. runs.Select(r => (IReadOnlyList<string>)
            [
                r.Strategy, r.Point.Target ?? "–", $"{r.Point.Correct}/{r.Point.Problems}",
                ReportFormat.Interval(r.Point.Accuracy, r.Point.Low, r.Point.High), ReportFormat.Amount(r.Point.Compute),
                .. comparison.Baselines.SelectMany(b => AdaptiveComparison.AccuracyAt(b, r.Point.Compute) is double a
                    ? new[] { ReportFormat.Percent(a), Points(r.Point.Accuracy - a) }
                    : ["outside its range", "–"]),
            ])],
            StrategyColumn: 0) { NumericColumns = new HashSet<int>(Enumerable.Range(1, 4 + 2 * comparison.Baselines.Count)) };
    }

    private static string Points(double difference) =>
        (difference >= 0 ? "+" : "−") + (100 * Math.Abs(difference)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " pts";

    /// <summary>Difficulty bins: their labels and sizes.</summary>
    public static ReportTable Bins(IReadOnlyList<DifficultyBin> bins) => new("Difficulty bins", ["Bin", "Difficulty", "Problems"],
        [.. bins.Select(b => (IReadOnlyList<string>)[b.Bin.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Label,
            b.Problems.ToString(System.Globalization.CultureInfo.InvariantCulture)])]) { NumericColumns = new HashSet<int> { 2 } };
}
