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

    /// <summary>
    /// The interval's ends in [0, 1]: exactly 0 below no successes and 1 above all (where the centre less the half-width
    /// leaves a rounding residue such as 2e-19).
    /// </summary>
    public static (double Low, double High) Bounds(double p, double n)
    {
        var (centre, half) = Of(p, n);
        return (p <= 0 ? 0 : Math.Max(0, centre - half), p >= 1 ? 1 : Math.Min(1, centre + half));
    }
}
