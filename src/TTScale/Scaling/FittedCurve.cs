namespace TTScale.Scaling;

/// <summary>One fitted parameter.</summary>
/// <param name="Name">Its name (see <see cref="CurveModels.ParameterNames"/>).</param>
/// <param name="Value">The estimate.</param>
/// <param name="StandardError">Its standard error from the weighted least-squares covariance (how tightly the points pin it); null where the fit has no spare points, the covariance is singular, or it sits at its bound.</param>
/// <param name="BootstrapError">Its standard deviation over refits to problems resampled with replacement: the sampling
/// uncertainty over problems; null where not bootstrapped.</param>
public sealed record CurveParameter(string Name, double Value, double? StandardError, double? BootstrapError = null);

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
