namespace TTScale.Scaling;

/// <summary>The scaling-curve families the fitter knows.</summary>
public enum CurveModel
{
    /// <summary>Saturating power law in compute: acc = a_max - b * (C / C0)^-alpha.</summary>
    PowerLaw,
    /// <summary>TTSPM (Wang et al. 2025) in budget: F(N) = f_max * (1 - (1 - p)^N).</summary>
    Ttspm,
    /// <summary>Logistic in log-compute: acc = a_max / (1 + exp(-k * (ln(C / C0) - m))).</summary>
    Logistic,
}

/// <summary>Formulas, parameter names, bounds and starting points of each <see cref="CurveModel"/>.</summary>
public static class CurveModels
{
    /// <summary>Every model, in the order the study tries them.</summary>
    public static IReadOnlyList<CurveModel> All { get; } = [CurveModel.PowerLaw, CurveModel.Ttspm, CurveModel.Logistic];

    /// <summary>power_law, ttspm or logistic (the names fit.json uses).</summary>
    public static string Name(this CurveModel model) => model switch
    {
        CurveModel.PowerLaw => "power_law",
        CurveModel.Ttspm => "ttspm",
        CurveModel.Logistic => "logistic",
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, null),
    };

    /// <summary>Parses power_law (or power-law, power), ttspm or logistic.</summary>
    /// <exception cref="ArgumentException">Any other text.</exception>
    public static CurveModel Parse(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "power_law" or "power-law" or "power" => CurveModel.PowerLaw,
        "ttspm" => CurveModel.Ttspm,
        "logistic" => CurveModel.Logistic,
        _ => throw new ArgumentException($"'{text}' is not a curve model: use power_law, ttspm or logistic", nameof(text)),
    };

    /// <summary>The model's parameter names, in the order of its parameter vector.</summary>
    public static IReadOnlyList<string> ParameterNames(this CurveModel model) => model switch
    {
        CurveModel.PowerLaw => ["a_max", "b", "alpha"],
        CurveModel.Ttspm => ["f_max", "p"],
        CurveModel.Logistic => ["a_max", "k", "m"],
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, null),
    };

    /// <summary>
    /// The model's value at budget <paramref name="n"/> and normalised compute <paramref name="x"/> = C / C0 (TTSPM
    /// reads N, the others read x).
    /// </summary>
    public static double Evaluate(CurveModel model, ReadOnlySpan<double> p, double n, double x)
    {
        x = Math.Max(x, 1e-12); // a compute model is undefined at zero compute
        return model switch
        {
            CurveModel.PowerLaw => p[0] - p[1] * Math.Pow(x, -p[2]),
            CurveModel.Ttspm => p[0] * (1 - Math.Pow(1 - p[1], n)),
            CurveModel.Logistic => p[0] / (1 + Math.Exp(-p[1] * (Math.Log(x) - p[2]))),
            _ => throw new ArgumentOutOfRangeException(nameof(model), model, null),
        };
    }

    /// <summary>Box bounds: accuracies live in [0, 1]; rates and exponents are kept positive and finite.</summary>
    internal static (double[] Lower, double[] Upper) Bounds(CurveModel model) => model switch
    {
        CurveModel.PowerLaw => ([0, 0, 1e-4], [1, 2, 5]),
        CurveModel.Ttspm => ([0, 1e-6], [1, 1 - 1e-9]),
        CurveModel.Logistic => ([0, 1e-3, -50], [1, 50, 50]),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, null),
    };

    /// <summary>Deterministic starting points from the data's shape: the first, last and best accuracies.</summary>
    internal static IEnumerable<double[]> Starts(CurveModel model, double first, double last, double best, double midLogX)
    {
        double top = Math.Clamp(best, 0.02, 1), higher = Math.Min(1, top + 0.5 * (1 - top) + 0.02);
        foreach (double aMax in new[] { top, higher })
            switch (model)
            {
                case CurveModel.PowerLaw:
                    foreach (double alpha in new[] { 0.5, 0.15, 1.5 })
                        yield return [aMax, Math.Clamp(aMax - first, 0.01, 1.9), alpha];
                    break;
                case CurveModel.Ttspm:
                    foreach (double scale in new[] { 1.0, 0.3, 3.0 })
                        yield return [aMax, Math.Clamp(scale * first / aMax, 1e-3, 0.99)];
                    break;
                case CurveModel.Logistic:
                    foreach (double k in new[] { 1.0, 0.3, 3.0 })
                        yield return [aMax, k, midLogX];
                    break;
            }
    }
}
