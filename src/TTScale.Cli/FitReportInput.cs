using TTScale.Reporting.Model;
using TTScale.Scaling;
using ReportCurve = TTScale.Reporting.Model.FittedCurve;
using ReportByBin = TTScale.Reporting.Model.ByBinPrediction;
using ReportHeldOut = TTScale.Reporting.Model.HeldOutPoint;
using ReportSaturation = TTScale.Reporting.Model.SaturationPoint;

namespace TTScale.Cli;

/// <summary><c>--fit fit.json</c>: every fitted curve (sampled for drawing), its held-out predictions and saturation point, overall and per bin, and the by-bin predictions.</summary>
internal sealed class FitReportInput : IReportInput
{
    private const int CurveSamples = 48;

    public ScalingReportData Apply(ScalingReportData data, string path)
    {
        var fit = FitCommand.ReadFile(path);
        string axis = data.Axis.ToString().ToLowerInvariant();
        if (fit.Axis.Name() != axis)
            throw new CliException($"--fit {path}: its curves are on the {fit.Axis.Name()} axis, the report's on {axis}; pass --axis {fit.Axis.Name()} (or refit with ttscale fit --axis {axis})");

        foreach (var series in fit.Series)
        {
            if (series.Curve is not { } curve || series.Chosen is not { } model) continue;
            int? bin = series.Bin == 0 ? null : series.Bin;
            if (bin is not null && data.Bins.All(b => b.Bin != bin)) continue;
            double largest = Math.Max(2, series.Points.Max(p => p.Budget)) * 2; // a little past the data: where the fit predicts
            var samples = Enumerable.Range(0, CurveSamples).Select(i => Math.Pow(largest, i / (CurveSamples - 1.0)))
                .Select(n => new CurvePoint(curve.Line.ComputeAt(n), Math.Clamp(curve.Predict(n), 0, 1))).ToList();
            var heldOut = series.ChosenFit()?.HeldOut
                .Select(h => new ReportHeldOut(h.Budget, h.Compute, h.Actual, h.Predicted)).ToList() ?? [];
            var parameters = curve.Parameters.Select(p => new FitParameter(p.Name, p.Value, p.BootstrapError ?? p.StandardError)).ToList(); // as the fit table prints them
            ReportSaturation? saturation = series.Saturation is { Budget: int n } s
                ? new ReportSaturation(n, s.Compute ?? curve.Line.ComputeAt(n), Math.Clamp(curve.Predict(n), 0, 1), s.Extrapolated) : null;
            data = data.WithFit(series.Strategy, new ReportCurve(model.Name(), samples, parameters, heldOut), saturation, bin);
        }
        foreach (var byBin in fit.ByBin ?? [])
            if (byBin.HeldOut.Count > 0)
                data = data.WithByBin(new ReportByBin(byBin.Strategy, [.. byBin.HeldOut.Select(h => new ReportHeldOut(h.Budget, h.Compute, h.Actual, h.Predicted))]));
        return data;
    }
}
