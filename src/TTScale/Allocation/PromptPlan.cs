namespace TTScale.Allocation;

/// <summary>One prompt's concave (cost, accuracy) steps during a batch allocation.</summary>
internal readonly struct PromptPlan
{
    private readonly AllocationDecision[] _points;
    private readonly int[]? _map; // hull index -> point index, for mixtures, whose accuracies are their own (null: identity)

    private PromptPlan(AllocationDecision[] points, double[] costs, double[] accuracies, int last, int[]? map)
    {
        _points = points;
        Costs = costs;
        Accuracies = accuracies;
        Last = last;
        _map = map;
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
        _map is null ? _points[step] : _points[_map[step]].WithAccuracy(Accuracies[step]);

    /// <summary>A known bin: its precomputed hull, shared, with no copying.</summary>
    public static PromptPlan ForBin(BinCurve curve, double maxCost) =>
        new(curve.Points, curve.Costs, curve.Accuracies, curve.PointAt(0, maxCost), null);

    /// <summary>
    /// Uncertain bin: the most likely bin's whole menu, each option valued at its probability-weighted accuracy over the
    /// bins (<paramref name="cross"/>[b][j]: what the j-th option reaches in bin b, precomputed), never past the latest
    /// <paramref name="saturation"/> point of the bins it may be in, cut where the mixture saturates (its cheapest option
    /// within <paramref name="tolerance"/> of its best, the rule a bin's own saturation point follows), then reduced to
    /// its concave hull so greedy stays optimal.
    /// </summary>
    public static PromptPlan ForMixture(BinCurve menu, double[][] cross, double[] saturation, ReadOnlySpan<double> probabilities, double tolerance,
        double maxCost)
    {
        int menuPoints = menu.Costs.Length;
        double total = 0;
        foreach (double p in probabilities) total += p;
        Span<double> values = stackalloc double[menuPoints];
        values.Clear();
        double saturatesBy = 0;
        for (int b = 0; b < cross.Length; b++)
        {
            double weight = probabilities[b] / total;
            if (weight == 0) continue;
            saturatesBy = Math.Max(saturatesBy, saturation[b]);
            double[] row = cross[b];
            for (int j = 0; j < menuPoints; j++) values[j] += weight * row[j];
        }
        int allowed = 1; // the cheapest option stays, as in a bin
        while (allowed < menuPoints && menu.Costs[allowed] <= saturatesBy) allowed++;
        // One option per cost: the one this mixture values most (the first of equals).
        Span<int> option = stackalloc int[allowed];
        Span<double> optionCosts = stackalloc double[allowed], optionValues = stackalloc double[allowed];
        int options = 0;
        for (int j = 0; j < allowed; j++)
        {
            if (options > 0 && menu.Costs[j] == optionCosts[options - 1])
            {
                if (values[j] > optionValues[options - 1]) (option[options - 1], optionValues[options - 1]) = (j, values[j]);
                continue;
            }
            (option[options], optionCosts[options], optionValues[options]) = (j, menu.Costs[j], values[j]);
            options++;
        }
        double best = double.NegativeInfinity;
        foreach (double v in optionValues[..options]) best = Math.Max(best, v);
        int points = 1;
        while (optionValues[points - 1] < best - tolerance) points++;
        Span<int> hull = stackalloc int[points];
        int count = ConcaveHull.UpperSorted(optionCosts[..points], optionValues[..points], hull);
        var map = new int[count];
        var costs = new double[count];
        var accuracies = new double[count];
        for (int j = 0; j < count; j++)
        {
            map[j] = option[hull[j]];
            costs[j] = optionCosts[hull[j]];
            accuracies[j] = optionValues[hull[j]];
        }
        return new PromptPlan(menu.Points, costs, accuracies, LastWithin(costs, maxCost), map);
    }

    private static int LastWithin(double[] costs, double maxCost)
    {
        int last = 0;
        while (last + 1 < costs.Length && costs[last + 1] <= maxCost) last++;
        return last;
    }
}
