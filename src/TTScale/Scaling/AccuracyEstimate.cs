using TTScale.Evaluation;

namespace TTScale.Scaling;

/// <summary>Expected accuracy at one budget over a set of problems.</summary>
/// <param name="Budget">N.</param>
/// <param name="Accuracy">Mean over problems of each problem's expected success at N.</param>
/// <param name="Low">Lower end of the 95% interval: Wilson over problems, widened by the Monte-Carlo error.</param>
/// <param name="High">Upper end of the 95% interval.</param>
/// <param name="MonteCarloError">Standard error of <paramref name="Accuracy"/> due to Monte-Carlo subsets; 0 when exact.</param>
/// <param name="Exact">True when every problem's expectation was computed exactly (closed form or enumeration).</param>
/// <param name="Problems">Problems averaged over.</param>
public sealed record AccuracyEstimate(int Budget, double Accuracy, double Low, double High, double MonteCarloError, bool Exact, int Problems)
{
    /// <summary>Builds the estimate and its interval from the mean, the problem count and the Monte-Carlo variance.</summary>
    internal static AccuracyEstimate Create(int budget, double accuracy, int problems, double monteCarloVariance, bool exact)
    {
        if (problems == 0) return new AccuracyEstimate(budget, 0, 0, 0, 0, exact, 0);
        double p = Math.Clamp(accuracy, 0, 1), mc = Math.Sqrt(Math.Max(0, monteCarloVariance));
        if (mc == 0)
        {
            var (low, high) = WilsonInterval.Bounds(p, problems);
            return new AccuracyEstimate(budget, accuracy, low, high, 0, exact, problems);
        }
        var (centre, half) = WilsonInterval.Of(p, problems);
        half = Math.Sqrt(half * half + WilsonInterval.Z * WilsonInterval.Z * mc * mc);
        return new AccuracyEstimate(budget, accuracy, Math.Max(0, centre - half), Math.Min(1, centre + half), mc, exact, problems);
    }
}
