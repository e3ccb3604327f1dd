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
    /// gives at that cost, then reduced to their own concave hull so greedy stays optimal.
    /// </summary>
    public static PromptPlan ForMixture(BinCurve[] curves, int bin, ReadOnlySpan<double> probabilities, double maxCost)
    {
        BinCurve own = curves[bin];
        double total = 0;
        foreach (double p in probabilities) total += p;
        var values = new double[own.Costs.Length];
        for (int j = 0; j < values.Length; j++)
        {
            double value = 0;
            for (int b = 0; b < curves.Length; b++) value += probabilities[b] * curves[b].AccuracyAt(own.Costs[j]);
            values[j] = value / total;
        }
        int[] hull = ConcaveHull.Upper(own.Costs, values);
        double[] costs = hull.Select(h => own.Costs[h]).ToArray();
        double[] accuracies = hull.Select(h => values[h]).ToArray();
        return new PromptPlan(own.Points, costs, accuracies, LastWithin(costs, costs.Length, maxCost), hull, accuracies);
    }

    private static int LastWithin(double[] costs, int count, double maxCost)
    {
        int last = 0;
        while (last + 1 < count && costs[last + 1] <= maxCost) last++;
        return last;
    }
}
