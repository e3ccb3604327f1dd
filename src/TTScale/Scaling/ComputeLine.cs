namespace TTScale.Scaling;

/// <summary>
/// Compute as a function of budget, through the measured points: a power law between neighbouring budgets (straight in
/// log-log) and, past either end, the end segment's power law (flat where that segment falls). Compute is not affine in N: a revision re-reads its
/// growing context, and best-of-1 runs no verifier; a line fitted through such points prices some budgets below zero.
/// Exact at every measured budget, positive everywhere.
/// </summary>
/// <param name="Budgets">The measured budgets, ascending and distinct (at least one).</param>
/// <param name="Compute">Mean compute per problem at each budget, all positive.</param>
public sealed record ComputeLine(IReadOnlyList<double> Budgets, IReadOnlyList<double> Compute)
{
    /// <summary>
    /// The line through the points with positive budget and compute (computes at one budget averaged); compute = N when
    /// there are none.
    /// </summary>
    public static ComputeLine Through(IReadOnlyList<ScalingPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var measured = points.Where(p => p.Budget > 0 && p.Compute > 0 && double.IsFinite(p.Compute))
            .GroupBy(p => p.Budget).OrderBy(g => g.Key).ToList();
        if (measured.Count == 0) return new ComputeLine([1.0], [1.0]);
        return new ComputeLine([.. measured.Select(g => (double)g.Key)], [.. measured.Select(g => g.Average(p => p.Compute))]);
    }

    /// <summary>Compute at budget N (0 at N &lt;= 0).</summary>
    public double ComputeAt(double n)
    {
        if (!(n > 0)) return 0;
        if (Budgets.Count == 1) return Compute[0] * n / Budgets[0];
        int i = 0;
        while (i < Budgets.Count - 2 && n > Budgets[i + 1]) i++;
        double exponent = Exponent(i);
        if (exponent < 0 && (n < Budgets[0] || n > Budgets[^1])) exponent = 0; // measured compute may dip; none grows back from it
        return Compute[i] * Math.Pow(n / Budgets[i], exponent);
    }

    /// <summary>
    /// The smallest (real-valued) budget that costs <paramref name="compute"/>; NaN where no budget does (compute not
    /// positive, or beyond a series whose compute stops growing).
    /// </summary>
    public double BudgetAt(double compute)
    {
        if (!(compute > 0)) return double.NaN;
        if (Budgets.Count == 1) return Budgets[0] * compute / Compute[0];
        int last = Budgets.Count - 2;
        for (int i = 0; i <= last; i++)
        {
            double exponent = Exponent(i);
            double from = i == 0 && exponent > 0 ? 0 : Budgets[i], to = i == last && exponent > 0 ? double.PositiveInfinity : Budgets[i + 1];
            if (exponent == 0)
            {
                if (compute == Compute[i]) return Budgets[i];
                continue;
            }
            double n = Budgets[i] * Math.Pow(compute / Compute[i], 1 / exponent);
            // Rounding can put a point's own budget a hair outside its segment.
            if (n >= from * (1 - 1e-12) && n <= to * (1 + 1e-12)) return n;
        }
        return double.NaN;
    }

    /// <summary>The power of segment i (from budget i to i + 1): compute ~ N^exponent there.</summary>
    private double Exponent(int i) => Math.Log(Compute[i + 1] / Compute[i]) / Math.Log(Budgets[i + 1] / Budgets[i]);
}
