namespace TTScale.Reporting.Model;

/// <summary>One difficulty bin (1 = easiest of the 5 quantile bins) and its strategies' series over the bin's problems.</summary>
public sealed record DifficultyBin(int Bin, string Label, int Problems, IReadOnlyList<StrategySeries> Strategies);

/// <summary>The compute-optimal policy's choice for one difficulty bin at one budget.</summary>
public sealed record ComputeOptimalCell(int Bin, int Budget, string Strategy, string? Parameters = null, double? Accuracy = null);

/// <summary>
/// The adaptive policy against baselines at matched compute: adaptive series (the policy's predicted curve, measured
/// adaptive runs) and the baselines they are compared with (best-of-N and the best other fixed strategy).
/// </summary>
public sealed record AdaptiveComparison(IReadOnlyList<StrategySeries> Adaptive, IReadOnlyList<StrategySeries> Baselines)
{
    /// <summary>The name of weighted best-of-N's series, the first baseline.</summary>
    public const string BestOfN = "best-of-n/weighted";

    /// <summary>Weighted best-of-N and the other strategy that reaches the highest accuracy, of a report's overall series.</summary>
    public static IReadOnlyList<StrategySeries> BaselinesOf(IReadOnlyList<StrategySeries> strategies)
    {
        var bestOfN = strategies.FirstOrDefault(s => s.Strategy == BestOfN);
        var other = strategies.Where(s => s != bestOfN && s.Points.Count > 0).MaxBy(s => s.Points.Max(p => p.Accuracy));
        return new[] { bestOfN, other }.OfType<StrategySeries>().ToList();
    }

    /// <summary>
    /// A series' accuracy at a compute: linear in log2 compute between its two nearest points, exact at a point, and
    /// null outside its range (no extrapolation).
    /// </summary>
    public static double? AccuracyAt(StrategySeries series, double compute)
    {
        var points = series.Points.Where(p => p.Compute > 0 && double.IsFinite(p.Compute)).OrderBy(p => p.Compute).ToList();
        if (points.Count == 0 || !(compute >= points[0].Compute) || compute > points[^1].Compute) return null;
        int hi = points.FindIndex(p => p.Compute >= compute);
        if (points[hi].Compute == compute || hi == 0) return points[hi].Accuracy;
        ScalingPoint a = points[hi - 1], b = points[hi];
        double t = Math.Log2(compute / a.Compute) / Math.Log2(b.Compute / a.Compute);
        return a.Accuracy + t * (b.Accuracy - a.Accuracy);
    }
}

/// <summary>
/// Everything a scaling report shows, as plain data: filled from a sweep's records, then from <c>fit.json</c> (replayed
/// points, fits, saturation points) and <c>policy.json</c> (compute-optimal table, adaptive comparison) through the
/// <c>With…</c> methods. Optional parts are null or empty and their sections are left out.
/// </summary>
public sealed record ScalingReportData(
    ReportProvenance Provenance, ComputeAxis Axis, IReadOnlyList<StrategySeries> Strategies, IReadOnlyList<DifficultyBin> Bins,
    IReadOnlyList<ComputeOptimalCell>? ComputeOptimal = null, AdaptiveComparison? Adaptive = null, IReadOnlyList<ByBinPrediction>? ByBin = null)
{
    /// <summary>Every strategy name in the report, in first-seen order: the order colours are given in.</summary>
    public IReadOnlyList<string> StrategyNames =>
        Strategies.Select(s => s.Strategy)
            .Concat(Bins.SelectMany(b => b.Strategies).Select(s => s.Strategy))
            .Concat(ComputeOptimal?.Select(c => c.Strategy) ?? [])
            .Concat(Adaptive is null ? [] : [.. Adaptive.Adaptive.Select(a => a.Strategy), .. Adaptive.Baselines.Select(b => b.Strategy)])
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

    /// <summary>Adds a held-out prediction made from a strategy's bins' curves.</summary>
    public ScalingReportData WithByBin(ByBinPrediction prediction) => this with { ByBin = [.. ByBin ?? [], prediction] };

    /// <summary>Sets the compute-optimal table (bin × budget → strategy).</summary>
    public ScalingReportData WithComputeOptimal(IReadOnlyList<ComputeOptimalCell> cells) => this with { ComputeOptimal = cells };

    /// <summary>
    /// Adds an adaptive series to the comparison, or its points to the adaptive series of the same name; the first one
    /// sets the baselines (<see cref="AdaptiveComparison.BaselinesOf"/> of the overall series).
    /// </summary>
    public ScalingReportData WithAdaptive(StrategySeries adaptive)
    {
        var comparison = Adaptive ?? new AdaptiveComparison([], AdaptiveComparison.BaselinesOf(Strategies));
        var series = comparison.Adaptive.ToList();
        int index = series.FindIndex(s => s.Strategy == adaptive.Strategy);
        if (index < 0) series.Add(adaptive with { Points = [.. adaptive.Points.OrderBy(p => p.Compute)] });
        else series[index] = series[index] with { Points = [.. series[index].Points.Concat(adaptive.Points).OrderBy(p => p.Compute)] };
        return this with { Adaptive = comparison with { Adaptive = series } };
    }

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
