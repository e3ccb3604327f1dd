namespace TTScale.Allocation;

/// <summary>
/// Oracle difficulty bins (Snell et al.): quantiles of each problem's pass@1. Bin 0 holds the easiest problems (highest
/// pass@1), bin <c>bins - 1</c> the hardest.
/// </summary>
public static class DifficultyBins
{
    /// <summary>The default number of bins: quintiles.</summary>
    public const int Default = 5;

    /// <summary>
    /// Bins problems by pass@1 rank into <paramref name="bins"/> equal-count bins. Ties keep input order, so the result is
    /// fixed by the input alone.
    /// </summary>
    public static int[] FromPassRates(IReadOnlyList<double> passAt1, int bins = Default)
    {
        ArgumentNullException.ThrowIfNull(passAt1);
        if (bins < 2) throw new ArgumentException("--bins must be at least 2", nameof(bins));
        int n = passAt1.Count;
        int[] order = Enumerable.Range(0, n).ToArray();
        // Stable sort: easiest first, ties by index.
        Array.Sort(order, (a, b) => passAt1[b].CompareTo(passAt1[a]) is var c && c != 0 ? c : a.CompareTo(b));
        var result = new int[n];
        for (int rank = 0; rank < n; rank++) result[order[rank]] = (int)((long)rank * bins / n);
        return result;
    }
}
