using MathNet.Numerics.Distributions;

namespace TTScale.Scaling;

/// <summary>A Beta posterior over a problem's single-sample success probability.</summary>
/// <param name="Alpha">1 + c.</param>
/// <param name="Beta">1 + K - c.</param>
/// <param name="Mean">Posterior mean.</param>
/// <param name="Low">Lower end of the central credible interval.</param>
/// <param name="High">Upper end of the central credible interval.</param>
public readonly record struct BetaPosterior(double Alpha, double Beta, double Mean, double Low, double High);

/// <summary>Unbiased pass@k and per-problem success posteriors from c correct out of n samples.</summary>
public static class PassAtK
{
    /// <summary>
    /// The unbiased pass@k estimator 1 - C(n-c, k) / C(n, k) (Chen et al. 2021), computed as the product
    /// 1 - prod_{i=n-c+1..n} (1 - k/i), which never forms a large binomial.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 0 &lt;= c &lt;= n, or not 1 &lt;= k &lt;= n.</exception>
    public static double Estimate(int n, int c, int k)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be 1 or more");
        if (c < 0 || c > n) throw new ArgumentOutOfRangeException(nameof(c), c, $"c must be in [0, {n}]");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {n}]");
        if (n - c < k) return 1.0;
        double failAll = 1.0;
        for (int i = n - c + 1; i <= n; i++) failAll *= 1.0 - (double)k / i;
        return 1.0 - failAll;
    }

    /// <summary>The posterior Beta(1 + c, 1 + n - c) over the success probability (uniform prior), with a central interval.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 0 &lt;= c &lt;= n, or a level outside (0, 1).</exception>
    public static BetaPosterior Posterior(int correct, int samples, double level = 0.95)
    {
        if (samples < 0) throw new ArgumentOutOfRangeException(nameof(samples), samples, "samples must be 0 or more");
        if (correct < 0 || correct > samples) throw new ArgumentOutOfRangeException(nameof(correct), correct, $"correct must be in [0, {samples}]");
        if (level is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(level), level, "level must be in (0, 1)");
        double a = 1 + correct, b = 1 + samples - correct, tail = (1 - level) / 2;
        return new BetaPosterior(a, b, a / (a + b), Beta.InvCDF(a, b, tail), Beta.InvCDF(a, b, 1 - tail));
    }
}
