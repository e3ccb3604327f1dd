namespace TTScale.Evaluation;

/// <summary>The Wilson score interval at 95% for a share of successes: its centre and half-width (clamp to [0, 1] when reporting).</summary>
public static class WilsonInterval
{
    /// <summary>z for a two-sided 95% interval.</summary>
    public const double Z = 1.959963984540054;

    /// <summary>Centre and half-width for success share <paramref name="p"/> over <paramref name="n"/> trials (n &gt; 0).</summary>
    public static (double Centre, double HalfWidth) Of(double p, double n)
    {
        double denominator = 1 + Z * Z / n;
        double centre = (p + Z * Z / (2 * n)) / denominator;
        double half = Z * Math.Sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denominator;
        return (centre, half);
    }
}
