namespace TTScale.Reporting.Model;

/// <summary>One difficulty bin (1 = easiest of the 5 quantile bins) and its strategies' series over the bin's problems.</summary>
public sealed record DifficultyBin(int Bin, string Label, int Problems, IReadOnlyList<StrategySeries> Strategies);

/// <summary>The compute-optimal policy's choice for one difficulty bin at one budget.</summary>
public sealed record ComputeOptimalCell(int Bin, int Budget, string Strategy, string? Parameters = null, double? Accuracy = null);

/// <summary>
/// The adaptive policy against baselines at matched compute: each series (adaptive, best-of-n, the best fixed strategy)
/// gives accuracy at the same budgets.
/// </summary>
public sealed record AdaptiveComparison(StrategySeries Adaptive, IReadOnlyList<StrategySeries> Baselines);

/// <summary>
/// Everything a scaling report shows, as plain data: filled from a sweep's records, then from <c>fit.json</c> (replayed
/// points, fits, saturation points) and <c>policy.json</c> (compute-optimal table, adaptive comparison) through the
/// <c>With…</c> methods. Optional parts are null or empty and their sections are left out.
/// </summary>
public sealed record ScalingReportData(
    ReportProvenance Provenance, ComputeAxis Axis, IReadOnlyList<StrategySeries> Strategies, IReadOnlyList<DifficultyBin> Bins,
    IReadOnlyList<ComputeOptimalCell>? ComputeOptimal = null, AdaptiveComparison? Adaptive = null)
{
    /// <summary>Every strategy name in the report, in first-seen order: the order colours are given in.</summary>
    public IReadOnlyList<string> StrategyNames =>
        Strategies.Select(s => s.Strategy)
            .Concat(Bins.SelectMany(b => b.Strategies).Select(s => s.Strategy))
            .Concat(ComputeOptimal?.Select(c => c.Strategy) ?? [])
            .Concat(Adaptive is null ? [] : [Adaptive.Adaptive.Strategy, .. Adaptive.Baselines.Select(b => b.Strategy)])
            .Distinct().ToList();

    /// <summary>
    /// Replaces a strategy's points (overall, or in <paramref name="bin"/>), e.g. with best-of-N replayed at every N; adds
    /// the strategy when it is not there. Its fit and saturation point are kept.
    /// </summary>
    public ScalingReportData WithPoints(string strategy, IReadOnlyList<ScalingPoint> points, int? bin = null) =>
        Update(strategy, bin, existing => (existing ?? new StrategySeries(strategy, [])) with { Points = [.. points.OrderBy(p => p.Compute)] });

    /// <summary>Sets a strategy's fitted curve and saturation point (overall, or in <paramref name="bin"/>).</summary>
    public ScalingReportData WithFit(string strategy, FittedCurve fit, SaturationPoint? saturation, int? bin = null) =>
        Update(strategy, bin, existing => (existing ?? new StrategySeries(strategy, [])) with { Fit = fit, Saturation = saturation });

    /// <summary>Sets the compute-optimal table (bin × budget → strategy).</summary>
    public ScalingReportData WithComputeOptimal(IReadOnlyList<ComputeOptimalCell> cells) => this with { ComputeOptimal = cells };

    /// <summary>Sets the adaptive-versus-baselines comparison.</summary>
    public ScalingReportData WithAdaptive(AdaptiveComparison comparison) => this with { Adaptive = comparison };

    /// <summary>Adds a provenance line (e.g. "fit" and the fit file's path and hash).</summary>
    public ScalingReportData WithProvenance(string name, string value) =>
        this with { Provenance = Provenance with { Extra = [.. Provenance.Extra, new(name, value)] } };

    private ScalingReportData Update(string strategy, int? bin, Func<StrategySeries?, StrategySeries> change)
    {
        if (bin is null) return this with { Strategies = Replace(Strategies, strategy, change) };
        if (Bins.All(b => b.Bin != bin)) throw new ArgumentException($"no difficulty bin {bin} in this report", nameof(bin));
        return this with { Bins = [.. Bins.Select(b => b.Bin == bin ? b with { Strategies = Replace(b.Strategies, strategy, change) } : b)] };
    }

    private static List<StrategySeries> Replace(IReadOnlyList<StrategySeries> series, string strategy, Func<StrategySeries?, StrategySeries> change)
    {
        var list = series.ToList();
        int index = list.FindIndex(s => s.Strategy == strategy);
        if (index < 0) list.Add(change(null));
        else list[index] = change(list[index]);
        return list;
    }
}
