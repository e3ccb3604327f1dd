namespace TTScale.Reporting.Model;

/// <summary>Where a point's accuracy comes from.</summary>
public enum PointSource
{
    /// <summary>The strategy run directly at this budget.</summary>
    Run,

    /// <summary>The best-of-n pool's own records, at its size K.</summary>
    Pool,

    /// <summary>Replayed from the pool at a budget below K, without new generation.</summary>
    Replay,

    /// <summary>Predicted by a policy from its cross-validated curves, not run.</summary>
    Predicted,
}

/// <summary>
/// One strategy at one budget: accuracy with its 95% interval and what it cost per problem. <see cref="Compute"/> is the
/// position on the report's axis (see <see cref="ComputeAxes.Of"/>). <see cref="Target"/> is the per-problem budget an
/// adaptive run was given, with its unit ("4G flops"), where the point is one.
/// </summary>
public sealed record ScalingPoint(
    int Budget, double Compute, int Problems, int Correct, double Accuracy, double Low, double High,
    double MeanTokens, double MeanFlops, double MeanEFlops, double PeakLogicalKvBytes, PointSource Source = PointSource.Run, string? Target = null);

/// <summary>A fitted curve sampled for drawing: compute on the report's axis, predicted accuracy.</summary>
public sealed record CurvePoint(double Compute, double Accuracy);

/// <summary>A fitted parameter with its error, where the fit gives one: the bootstrap error over problems, else the standard error.</summary>
public sealed record FitParameter(string Name, double Value, double? StandardError = null);

/// <summary>A budget left out of the fit, and how far the curve's prediction there is from what was measured.</summary>
public sealed record HeldOutPoint(int Budget, double Compute, double Observed, double Predicted)
{
    /// <summary>Predicted minus observed accuracy.</summary>
    public double Error => Predicted - Observed;
}

/// <summary>A curve fitted to a strategy's points: its form (e.g. "ttspm", "power", "logistic"), samples, parameters and held-out errors.</summary>
public sealed record FittedCurve(string Model, IReadOnlyList<CurvePoint> Samples, IReadOnlyList<FitParameter> Parameters, IReadOnlyList<HeldOutPoint> HeldOut)
{
    /// <summary>Mean absolute held-out error, or null with no held-out budgets.</summary>
    public double? MeanAbsoluteHeldOutError => HeldOut.Count == 0 ? null : HeldOut.Average(h => Math.Abs(h.Error));
}

/// <summary>
/// Where a strategy saturates: the smallest budget N* whose marginal gain falls below epsilon, its compute C* on the
/// report's axis, and the curve's accuracy there; <paramref name="Extrapolated"/> where N* lies past the measured budgets.
/// </summary>
public sealed record SaturationPoint(double Budget, double Compute, double Accuracy, bool Extrapolated = false);

/// <summary>A strategy's all-problems accuracy at held-out budgets predicted from its difficulty bins' curves, weighted by their problems.</summary>
public sealed record ByBinPrediction(string Strategy, IReadOnlyList<HeldOutPoint> HeldOut);

/// <summary>One strategy's points in budget order, with its fit and saturation point where a fit was made.</summary>
public sealed record StrategySeries(string Strategy, IReadOnlyList<ScalingPoint> Points, FittedCurve? Fit = null, SaturationPoint? Saturation = null);
