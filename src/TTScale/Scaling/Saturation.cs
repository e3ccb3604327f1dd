namespace TTScale.Scaling;

/// <summary>Where a curve saturates.</summary>
/// <param name="Budget">N*: the smallest N whose marginal gain F(N+1) - F(N) is below epsilon; null when not reached by the search cap.</param>
/// <param name="Compute">C*: the compute N* costs (from the curve's compute line); null with N*.</param>
/// <param name="Method">closed_form (TTSPM) or search (other models).</param>
/// <param name="Extrapolated">N* lies beyond the largest measured budget: the curve's shape there was never observed, and C*
/// comes from the compute line extended past its points.</param>
public sealed record SaturationPoint(int? Budget, double? Compute, string Method, bool Extrapolated = false);

/// <summary>Saturation points of fitted curves (notes section 5).</summary>
public static class Saturation
{
    /// <summary>
    /// TTSPM's closed form: the smallest integer N &gt;= 0 with f_max * p * (1 - p)^N &lt; epsilon, i.e.
    /// N* = ceil(ln(epsilon / (f_max p)) / ln(1 - p)) (moved up one where that N lands exactly on epsilon);
    /// 0 when f_max p &lt; epsilon already: not worth sampling past the first.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">epsilon not positive, p outside (0, 1), or f_max outside [0, 1].</exception>
    public static long TtspmPoint(double fMax, double p, double epsilon)
    {
        if (epsilon <= 0) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "--epsilon must be positive");
        if (p is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be in (0, 1)");
        if (fMax is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(fMax), fMax, "f_max must be in [0, 1]");
        double first = fMax * p;
        if (first < epsilon) return 0;
        double bound = Math.Log(epsilon / first) / Math.Log(1 - p);
        long n = (long)Math.Ceiling(bound);
        while (first * Math.Pow(1 - p, n) >= epsilon) n++; // ceil lands on the boundary when bound is an integer
        return n;
    }

    /// <summary>
    /// N* and C* of a curve. TTSPM uses <see cref="TtspmPoint"/>. Other models are searched from N = 1: the first N
    /// whose gain is below epsilon and no longer rising (so a logistic that has not started to climb is not called
    /// saturated).
    /// </summary>
    /// <param name="curve">The fitted curve.</param>
    /// <param name="epsilon">Gain per extra candidate, in accuracy (0.005 = 0.5 points).</param>
    /// <param name="maxBudget">Search cap; beyond it the point is reported as not reached (null).</param>
    /// <param name="largestMeasured">The largest budget measured, past which N* is extrapolated (default: the compute line's last).</param>
    public static SaturationPoint Find(FittedCurve curve, double epsilon, int maxBudget = 1 << 16, int? largestMeasured = null)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (epsilon <= 0) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "--epsilon must be positive");
        if (curve.Model == CurveModel.Ttspm)
        {
            double fMax = curve.Parameter("f_max"), p = curve.Parameter("p");
            long n = TtspmPoint(Math.Clamp(fMax, 0, 1), Math.Clamp(p, 1e-12, 1 - 1e-12), epsilon);
            return n > maxBudget ? new SaturationPoint(null, null, "closed_form") : At((int)n, "closed_form");
        }
        double previous = curve.Predict(1), current = curve.Predict(2), next = curve.Predict(3);
        for (int n = 1; n <= maxBudget; n++)
        {
            double gain = current - previous, following = next - current;
            if (gain < epsilon && following <= gain) return At(n, "search");
            previous = current;
            current = next;
            next = curve.Predict(n + 3);
        }
        return new SaturationPoint(null, null, "search");

        SaturationPoint At(int n, string method) => new(n, curve.Line.ComputeAt(n), method, n > (largestMeasured ?? curve.Line.Budgets[^1]));
    }
}
