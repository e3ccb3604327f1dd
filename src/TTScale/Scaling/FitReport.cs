using System.Globalization;

namespace TTScale.Scaling;

/// <summary>A model's prediction at one held-out budget.</summary>
/// <param name="Budget">N.</param>
/// <param name="Compute">Compute at N on the report's axis.</param>
/// <param name="Actual">Measured accuracy.</param>
/// <param name="Predicted">The curve fitted on the fit split, evaluated there.</param>
/// <param name="AbsoluteError">|predicted - actual|.</param>
/// <param name="RelativeError">|predicted - actual| / actual; null where actual is 0.</param>
public sealed record HeldOutPoint(int Budget, double Compute, double Actual, double Predicted, double AbsoluteError, double? RelativeError);

/// <summary>One model fitted on the fit split of a series and judged on its held-out budgets.</summary>
/// <param name="Model">The family.</param>
/// <param name="Curve">The curve fitted on budgets &lt;= the split.</param>
/// <param name="HeldOut">Predictions at budgets above the split.</param>
/// <param name="HeldOutMae">Mean absolute error over <paramref name="HeldOut"/>; null without held-out budgets.</param>
/// <param name="HeldOutAre">ARE: mean relative error over held-out budgets with non-zero accuracy; null without any.</param>
/// <param name="ValidationError">|error| at the split's largest budget of the model fitted on the smaller ones: what the
/// choice of model goes by; null where too few budgets lie under the split.</param>
public sealed record ModelFit(CurveModel Model, FittedCurve Curve, IReadOnlyList<HeldOutPoint> HeldOut, double? HeldOutMae, double? HeldOutAre,
    double? ValidationError = null);

/// <summary>Everything fitted for one strategy over one bin.</summary>
/// <param name="Strategy">The strategy (best-of-n/weighted, pass@k, beam, ...).</param>
/// <param name="Bin">Difficulty bin 1..5, or 0 for all problems.</param>
/// <param name="Source">replay or direct.</param>
/// <param name="Points">The measured points, by budget.</param>
/// <param name="Candidates">Each model tried, fitted on the split and judged on held-out budgets.</param>
/// <param name="Chosen">The model chosen: lowest validation error (never the held-out budgets); the one model validated
/// where the split has budgets to validate only one; else the lowest fit RMSE; null when no model could be fitted.</param>
/// <param name="ChosenBy">validation_error, only_validated or fit_rmse (no model could be validated).</param>
/// <param name="Curve">The chosen model refitted on every point: the curve to predict and simulate with.</param>
/// <param name="Saturation">N* and C* of <paramref name="Curve"/>.</param>
public sealed record SeriesFit(string Strategy, int Bin, string Source, IReadOnlyList<ScalingPoint> Points, IReadOnlyList<ModelFit> Candidates,
    CurveModel? Chosen, string? ChosenBy, FittedCurve? Curve, SaturationPoint? Saturation)
{
    /// <summary>The chosen model as fitted on the split, with its held-out predictions; null when none was chosen.</summary>
    public ModelFit? ChosenFit() => Candidates.FirstOrDefault(c => c.Model == Chosen);
}

/// <summary>A strategy's all-problems held-out accuracy predicted from its difficulty bins' curves, weighted by their problems.</summary>
/// <param name="Strategy">The replayed rule.</param>
/// <param name="HeldOut">Actual and predicted accuracy at each held-out budget.</param>
public sealed record ByBinPrediction(string Strategy, IReadOnlyList<HeldOutPoint> HeldOut);

/// <summary>One printable row of a fit report: a series, its chosen curve, held-out error and saturation point.</summary>
/// <param name="Strategy">The strategy.</param>
/// <param name="Bin">The bin (0 = all).</param>
/// <param name="Model">The chosen model's name, or "-" when none.</param>
/// <param name="Parameters">Parameters as name=value±error (the bootstrap error where there is one, else the standard error), space separated.</param>
/// <param name="HeldOutMae">The chosen model's held-out MAE.</param>
/// <param name="HeldOutAre">The chosen model's held-out ARE.</param>
/// <param name="SaturationBudget">N*.</param>
/// <param name="SaturationCompute">C*.</param>
/// <param name="SaturationExtrapolated">N* lies beyond the largest measured budget.</param>
public sealed record FitRow(string Strategy, int Bin, string Model, string Parameters, double? HeldOutMae, double? HeldOutAre, int? SaturationBudget,
    double? SaturationCompute, bool SaturationExtrapolated = false);

/// <summary>
/// The content of fit.json: fitted scaling curves per strategy and difficulty bin, with held-out errors and
/// saturation points. Serialised by <see cref="FitReportJson"/> (snake_case); the schema is documented in
/// docs/fit-json.md. Fields are only ever added; <see cref="SchemaVersion"/> changes when a meaning changes.
/// </summary>
/// <param name="SchemaVersion">3 (2: compute was a least-squares line in N; 1: the model was chosen by held-out error).</param>
/// <param name="Axis">The compute axis of every compute figure (samples, tokens, flops, eflops, kv).</param>
/// <param name="Epsilon">Saturation threshold: marginal gain per extra candidate, in accuracy (0.005 = 0.5 points).</param>
/// <param name="FitMaxBudget">The split: curves are judged by fitting budgets &lt;= this and predicting the larger ones.</param>
/// <param name="Seed">Seed of the Monte-Carlo replay.</param>
/// <param name="Problems">Problems in the pool (0 without a pool).</param>
/// <param name="SamplesPerProblem">K (0 without a pool).</param>
/// <param name="Budgets">Budgets replayed from the pool.</param>
/// <param name="Bins">The difficulty bins (empty without a pool).</param>
/// <param name="Series">One entry per strategy and bin.</param>
/// <param name="ByBin">Per replayed rule, the held-out accuracy predicted from its bins' curves (empty without bins or held-out budgets).</param>
public sealed record FitReport(int SchemaVersion, ComputeAxis Axis, double Epsilon, int FitMaxBudget, long Seed, int Problems, int SamplesPerProblem,
    IReadOnlyList<int> Budgets, IReadOnlyList<DifficultyBin> Bins, IReadOnlyList<SeriesFit> Series, IReadOnlyList<ByBinPrediction>? ByBin = null)
{
    /// <summary>
    /// The current schema version: 3 since a curve's compute line runs through the measured points (2: an affine line in N,
    /// which priced some budgets below zero), 2 since the model is chosen by validation inside the split.
    /// </summary>
    public const int CurrentSchemaVersion = 3;

    /// <summary>The series of a strategy and bin, or null.</summary>
    public SeriesFit? Find(string strategy, int bin = 0) =>
        Series.FirstOrDefault(s => string.Equals(s.Strategy, strategy, StringComparison.OrdinalIgnoreCase) && s.Bin == bin);

    /// <summary>One row per series, in report order: the table <c>ttscale fit</c> prints.</summary>
    public IEnumerable<FitRow> Rows()
    {
        foreach (var s in Series)
        {
            var chosen = s.ChosenFit();
            // The bootstrap error where there is one (the sampling uncertainty over problems), else the fit's standard error.
            string parameters = s.Curve is null ? "" : string.Join(" ", s.Curve.Parameters.Select(p => (p.BootstrapError ?? p.StandardError) is { } se
                ? string.Create(CultureInfo.InvariantCulture, $"{p.Name}={p.Value:G4}±{se:G2}")
                : string.Create(CultureInfo.InvariantCulture, $"{p.Name}={p.Value:G4}")));
            yield return new FitRow(s.Strategy, s.Bin, s.Chosen?.Name() ?? "-", parameters, chosen?.HeldOutMae, chosen?.HeldOutAre,
                s.Saturation?.Budget, s.Saturation?.Compute, s.Saturation?.Extrapolated == true);
        }
    }
}
