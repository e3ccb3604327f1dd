using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace TTScale.Scaling;

/// <summary>
/// Bounded nonlinear least squares (MathNet's Levenberg-Marquardt) from several deterministic starts, keeping the
/// best. Points are weighted by their problem counts; standard errors come from s^2 (J'WJ)^-1 at the optimum.
/// </summary>
public static class CurveFitter
{
    /// <summary>How far inside its box (a share of the box's width) every start is placed, and so where a bound begins.</summary>
    private const double BoundMargin = 1e-6;

    /// <summary>Fits one model to points (their budgets, computes and accuracies).</summary>
    /// <param name="model">The family.</param>
    /// <param name="points">At least as many points as the model has parameters.</param>
    /// <param name="line">Compute as a function of budget; <see cref="ComputeLine.Through"/> the points when null.</param>
    /// <param name="starts">How many starting points to try (1 to 6).</param>
    /// <exception cref="ArgumentException">Too few points, or a non-finite value.</exception>
    public static FittedCurve Fit(CurveModel model, IReadOnlyList<ScalingPoint> points, ComputeLine? line = null, int starts = 6) =>
        Fit(model, points, line, starts, null);

    /// <summary>
    /// Refits <paramref name="from"/>'s model to <paramref name="points"/> (a bootstrap's refits): from its parameters and
    /// the usual starts, as one start alone stays put where the curve is flat (a saturated logistic).
    /// </summary>
    internal static FittedCurve Refit(FittedCurve from, IReadOnlyList<ScalingPoint> points, int starts) =>
        Fit(from.Model, points, from.Line, starts, [.. from.Parameters.Select(p => p.Value)]);

    private static FittedCurve Fit(CurveModel model, IReadOnlyList<ScalingPoint> points, ComputeLine? line, int starts, double[]? first)
    {
        ArgumentNullException.ThrowIfNull(points);
        int parameters = model.ParameterNames().Count;
        if (points.Count < parameters)
            throw new ArgumentException($"{model.Name()} has {parameters} parameters but only {points.Count} points were given", nameof(points));
        if (points.Any(p => !double.IsFinite(p.Accuracy) || !double.IsFinite(p.Compute)))
            throw new ArgumentException("points must have finite accuracy and compute", nameof(points));
        if (starts < 1) throw new ArgumentException($"starts {starts} must be 1 or more", nameof(starts));
        line ??= ComputeLine.Through(points);
        double scale = points.Where(p => p.Compute > 0).Select(p => p.Compute).DefaultIfEmpty(1).Min();

        int m = points.Count;
        var n = new double[m];
        var x = new double[m];
        var y = Vector<double>.Build.Dense(m);
        var w = Vector<double>.Build.Dense(m);
        double meanProblems = Math.Max(1e-12, points.Average(p => (double)Math.Max(p.Problems, 1)));
        for (int i = 0; i < m; i++)
        {
            n[i] = points[i].Budget;
            x[i] = points[i].Compute / scale;
            y[i] = points[i].Accuracy;
            w[i] = Math.Max(points[i].Problems, 1) / meanProblems;
        }
        var index = Vector<double>.Build.Dense(m, i => i);
        Vector<double> Model(Vector<double> p, Vector<double> at)
        {
            var values = Vector<double>.Build.Dense(at.Count);
            double[] parameterValues = p.AsArray() ?? p.ToArray();
            for (int j = 0; j < at.Count; j++)
            {
                int i = (int)at[j];
                values[j] = CurveModels.Evaluate(model, parameterValues, n[i], x[i]);
            }
            return values;
        }

        var (lower, upper) = CurveModels.Bounds(model);
        var lowerBound = Vector<double>.Build.DenseOfArray(lower);
        var upperBound = Vector<double>.Build.DenseOfArray(upper);
        var ordered = points.OrderBy(p => p.Budget).ToList();
        double midLogX = Math.Log(Math.Max(1e-12, ordered[ordered.Count / 2].Compute / scale));
        double bestCost = double.PositiveInfinity;
        double[]? best = null;
        var startingPoints = CurveModels.Starts(model, ordered[0].Accuracy, ordered[^1].Accuracy, points.Max(p => p.Accuracy), midLogX).Take(starts);
        if (first is not null) startingPoints = startingPoints.Prepend(first);
        foreach (var start in startingPoints)
        {
            for (int j = 0; j < start.Length; j++) // LM with bounds needs a start strictly inside the box
                start[j] = Math.Clamp(start[j], lower[j] + BoundMargin * (upper[j] - lower[j]), upper[j] - BoundMargin * (upper[j] - lower[j]));
            double[] candidate;
            try
            {
                var objective = ObjectiveFunction.NonlinearModel(Model, index, y, w, accuracyOrder: 2);
                var result = new LevenbergMarquardtMinimizer(maximumIterations: 200)
                    .FindMinimum(objective, Vector<double>.Build.DenseOfArray(start), lowerBound, upperBound);
                candidate = result.MinimizingPoint.ToArray();
            }
            catch (Exception e) when (e is MaximumIterationsException or ArithmeticException or ArgumentException or InvalidOperationException)
            {
                continue; // another start may converge
            }
            double cost = WeightedCost(model, candidate, n, x, y, w);
            if (double.IsFinite(cost) && cost < bestCost)
            {
                bestCost = cost;
                best = candidate;
            }
        }
        best ??= CurveModels.Starts(model, ordered[0].Accuracy, ordered[^1].Accuracy, points.Max(p => p.Accuracy), midLogX).First();

        var errors = StandardErrors(model, best, n, x, y, w, lower, upper);
        var names = model.ParameterNames();
        var fitted = names.Select((name, j) => new CurveParameter(name, best[j], errors?[j])).ToList();
        double rmse = Math.Sqrt(Enumerable.Range(0, m).Average(i => Square(y[i] - CurveModels.Evaluate(model, best, n[i], x[i]))));
        return new FittedCurve(model, fitted, scale, line, m, rmse);
    }

    private static double WeightedCost(CurveModel model, double[] p, double[] n, double[] x, Vector<double> y, Vector<double> w)
    {
        double cost = 0;
        for (int i = 0; i < n.Length; i++) cost += w[i] * Square(y[i] - CurveModels.Evaluate(model, p, n[i], x[i]));
        return cost;
    }

    /// <summary>
    /// sqrt(diag(s^2 (J'WJ)^-1)) over the free parameters, with s^2 = weighted RSS / (m - k free); null without spare
    /// points or with a singular J'WJ. A parameter at its bound is held fixed there: it has no standard error (its
    /// curvature is one-sided), and the others' are those of a fit with it fixed.
    /// </summary>
    private static double?[]? StandardErrors(CurveModel model, double[] p, double[] n, double[] x, Vector<double> y, Vector<double> w,
        double[] lower, double[] upper)
    {
        int m = n.Length;
        // The fit's starts sit BoundMargin of the box inside it: a parameter nearer a bound than that was pressed onto it.
        var free = Enumerable.Range(0, p.Length)
            .Where(j => Math.Min(p[j] - lower[j], upper[j] - p[j]) > BoundMargin * (upper[j] - lower[j])).ToList();
        int k = free.Count;
        if (m <= k || k == 0) return null;
        var jacobian = Matrix<double>.Build.Dense(m, k);
        var shifted = (double[])p.Clone();
        for (int c = 0; c < k; c++)
        {
            int j = free[c];
            double h = 1e-6 * Math.Max(Math.Abs(p[j]), 1e-3);
            double up = Math.Min(p[j] + h, upper[j]), down = Math.Max(p[j] - h, lower[j]);
            for (int i = 0; i < m; i++)
            {
                shifted[j] = up;
                double fUp = CurveModels.Evaluate(model, shifted, n[i], x[i]);
                shifted[j] = down;
                double fDown = CurveModels.Evaluate(model, shifted, n[i], x[i]);
                jacobian[i, c] = (fUp - fDown) / (up - down);
            }
            shifted[j] = p[j];
        }
        var weighted = Matrix<double>.Build.Diagonal(w.ToArray());
        var information = jacobian.TransposeThisAndMultiply(weighted * jacobian);
        if (information.ConditionNumber() > 1e14) return null;
        double s2 = WeightedCost(model, p, n, x, y, w) / (m - k);
        var covariance = information.Inverse() * s2;
        var errors = new double?[p.Length];
        for (int c = 0; c < k; c++)
        {
            double error = Math.Sqrt(Math.Max(0, covariance[c, c]));
            if (!double.IsFinite(error)) return null;
            errors[free[c]] = error;
        }
        return errors;
    }

    private static double Square(double v) => v * v;
}
