namespace TTScale.Scaling;

/// <summary>One measured point of a scaling curve.</summary>
/// <param name="Budget">N: candidates (or the strategy's budget parameter).</param>
/// <param name="Compute">Mean compute per problem at this budget, on the series' axis.</param>
/// <param name="Accuracy">Accuracy in [0, 1].</param>
/// <param name="Problems">Problems the accuracy is over (weights the fit).</param>
/// <param name="Low">Lower end of its 95% interval, where known.</param>
/// <param name="High">Upper end of its 95% interval, where known.</param>
public sealed record ScalingPoint(int Budget, double Compute, double Accuracy, int Problems, double? Low = null, double? High = null);

/// <summary>
/// Accuracy against budget for one strategy over one set of problems: a pool replay or directly-run budgets (beam,
/// revise). Both kinds go through the same fitter.
/// </summary>
/// <param name="Strategy">The strategy's name (e.g. best-of-n/weighted, beam).</param>
/// <param name="Bin">Difficulty bin 1..5 (1 = easiest), or 0 for all problems.</param>
/// <param name="Axis">The axis <see cref="ScalingPoint.Compute"/> is on.</param>
/// <param name="Source">replay (from a pool) or direct (one run per budget).</param>
/// <param name="Points">The points, any order.</param>
/// <param name="ProblemOutcomes">Per problem (one list each, the same problems at every point), its expected success at each
/// point in <paramref name="Points"/>' order: what a bootstrap over problems resamples. Null where the points do not share
/// their problems.</param>
public sealed record ScalingSeries(string Strategy, int Bin, ComputeAxis Axis, string Source, IReadOnlyList<ScalingPoint> Points,
    IReadOnlyList<IReadOnlyList<double>>? ProblemOutcomes = null);
