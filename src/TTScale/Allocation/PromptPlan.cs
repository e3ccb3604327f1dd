namespace TTScale.Allocation;

/// <summary>One prompt's concave (cost, accuracy) steps during a batch allocation.</summary>
internal readonly struct PromptPlan
{
    private readonly AllocationDecision[] _points;
    private readonly int[]? _map; // hull index -> point index, for mixtures (null: identity)
    private readonly double[]? _mixed; // mixture accuracies per hull index (null: the bin's own)

    private PromptPlan(AllocationDecision[] points, double[] costs, double[] accuracies, int last, int[]? map, double[]? mixed)
    {
        _points = points;
        Costs = costs;
        Accuracies = accuracies;
        Last = last;
        _map = map;
        _mixed = mixed;
    }

    public double[] Costs { get; }

    public double[] Accuracies { get; }

    /// <summary>The last usable step (the cost cap may stop short of the curve's end).</summary>
    public int Last { get; }

    public double Ratio(int step)
    {
        double gain = Accuracies[step] - Accuracies[step - 1];
        double cost = Costs[step] - Costs[step - 1];
        return cost > 0 ? gain / cost : double.PositiveInfinity;
    }

    public AllocationDecision Decision(int step) =>
        _map is null ? _points[step] : _points[_map[step]].WithAccuracy(_mixed![step]);

    /// <summary>A known bin: its precomputed hull, shared, with no copying.</summary>
    public static PromptPlan ForBin(BinCurve curve, double maxCost) =>
        new(curve.Points, curve.Costs, curve.Accuracies, LastWithin(curve.Costs, curve.Costs.Length, maxCost), null, null);

    /// <summary>
    /// Uncertain bin: the most likely bin's options, each valued at the probability-weighted accuracy every bin's hull
    /// gives at that cost (<paramref name="cross"/>[b][j]: bin b's hull accuracy at the j-th cost of this bin, precomputed),
    /// then reduced to their own concave hull so greedy stays optimal.
    /// </summary>
    public static PromptPlan ForMixture(BinCurve own, double[][] cross, ReadOnlySpan<double> probabilities, double maxCost)
    {
        int points = own.Costs.Length;
        double total = 0;
        foreach (double p in probabilities) total += p;
        Span<double> values = stackalloc double[points];
        values.Clear();
        for (int b = 0; b < cross.Length; b++)
        {
            double weight = probabilities[b] / total;
            if (weight == 0) continue;
            double[] row = cross[b];
            for (int j = 0; j < points; j++) values[j] += weight * row[j];
        }
        Span<int> hull = stackalloc int[points];
        int count = ConcaveHull.UpperSorted(own.Costs, values, hull);
        var map = hull[..count].ToArray();
        var costs = new double[count];
        var accuracies = new double[count];
        for (int j = 0; j < count; j++)
        {
            costs[j] = own.Costs[map[j]];
            accuracies[j] = values[map[j]];
        }
        return new PromptPlan(own.Points, costs, accuracies, LastWithin(costs, count, maxCost), map, accuracies);
    }

    private static int LastWithin(double[] costs, int count, double maxCost)
    {
        int last = 0;
        while (last + 1 < count && costs[last + 1] <= maxCost) last++;
        return last;
    }
}
