namespace TTScale.Scaling;

/// <summary>One fitted parameter.</summary>
/// <param name="Name">Its name (see <see cref="CurveModels.ParameterNames"/>).</param>
/// <param name="Value">The estimate.</param>
/// <param name="StandardError">Its standard error from the weighted least-squares covariance; null where the fit has no spare points or the covariance is singular.</param>
public sealed record CurveParameter(string Name, double Value, double? StandardError);

/// <summary>Compute as an affine function of budget, compute ~ intercept + slope * N: how a curve in one variable reads the other.</summary>
/// <param name="Intercept">Compute paid whatever N (the shared prefill, for a pool).</param>
/// <param name="Slope">Compute per extra candidate.</param>
public sealed record ComputeLine(double Intercept, double Slope)
{
    /// <summary>Least-squares line through the points (exact for a pool replay); a line through the origin for one point.</summary>
    public static ComputeLine Through(IReadOnlyList<ScalingPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) return new ComputeLine(0, 1);
        double mn = points.Average(p => (double)p.Budget), mc = points.Average(p => p.Compute);
        double sxx = points.Sum(p => (p.Budget - mn) * (p.Budget - mn)), sxy = points.Sum(p => (p.Budget - mn) * (p.Compute - mc));
        if (sxx <= 0) return new ComputeLine(0, mn > 0 ? mc / mn : 1);
        double slope = sxy / sxx;
        return new ComputeLine(mc - slope * mn, slope);
    }

    /// <summary>Compute at budget N.</summary>
    public double ComputeAt(double n) => Intercept + Slope * n;

    /// <summary>The (real-valued) budget that costs <paramref name="compute"/>.</summary>
    public double BudgetAt(double compute) => Slope > 0 ? (compute - Intercept) / Slope : double.NaN;
}

/// <summary>A fitted scaling curve: the model, its parameters with standard errors, and how to read it at a budget or a compute.</summary>
/// <param name="Model">The family.</param>
/// <param name="Parameters">Parameters, in <see cref="CurveModels.ParameterNames"/> order.</param>
/// <param name="ComputeScale">C0: compute is divided by it before the model sees it (the smallest compute fitted), so parameters stay near 1 whatever the axis's units.</param>
/// <param name="Line">Compute as a function of budget, to evaluate compute models at a budget and TTSPM at a compute.</param>
/// <param name="Points">Points fitted.</param>
/// <param name="Rmse">Root mean squared error on the fitted points (accuracy units).</param>
public sealed record FittedCurve(CurveModel Model, IReadOnlyList<CurveParameter> Parameters, double ComputeScale, ComputeLine Line, int Points, double Rmse)
{
    /// <summary>A parameter's value by name.</summary>
    /// <exception cref="ArgumentException">A name the model does not have.</exception>
    public double Parameter(string name) =>
        Parameters.FirstOrDefault(p => p.Name == name)?.Value ?? throw new ArgumentException($"model {Model.Name()} has no parameter '{name}'", nameof(name));

    /// <summary>Predicted accuracy at budget N (compute models read the compute <see cref="Line"/> gives for N).</summary>
    public double Predict(double n) => Evaluate(n, Line.ComputeAt(n));

    /// <summary>Predicted accuracy at a compute (TTSPM reads the budget <see cref="Line"/> gives for it).</summary>
    public double PredictAtCompute(double compute) => Evaluate(Line.BudgetAt(compute), compute);

    /// <summary>Predicted accuracy at a measured (budget, compute) pair: TTSPM reads the budget, the others the compute.</summary>
    public double Evaluate(double n, double compute)
    {
        Span<double> p = stackalloc double[Parameters.Count];
        for (int i = 0; i < p.Length; i++) p[i] = Parameters[i].Value;
        return CurveModels.Evaluate(Model, p, n, compute / ComputeScale);
    }

    /// <summary>Marginal gain of one more candidate: F(N + 1) - F(N).</summary>
    public double MarginalGain(int n) => Predict(n + 1) - Predict(n);
}
