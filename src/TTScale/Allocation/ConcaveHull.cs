namespace TTScale.Allocation;

/// <summary>
/// The upper concave hull of a (cost, accuracy) menu from its cheapest point: the only points a budget-optimal
/// allocation ever uses, and the ones on which greedy by marginal gain per cost is optimal.
/// </summary>
internal static class ConcaveHull
{
    /// <summary>
    /// Indices into the menu of its hull, by increasing cost: starts at the cheapest point (the most accurate among equal
    /// costs), keeps only points that raise accuracy, and drops any point under the chord of its neighbours.
    /// </summary>
    public static int[] Upper(IReadOnlyList<double> costs, IReadOnlyList<double> accuracies)
    {
        int n = costs.Count;
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => costs[a] != costs[b] ? costs[a].CompareTo(costs[b])
            : accuracies[a] != accuracies[b] ? accuracies[b].CompareTo(accuracies[a]) : a.CompareTo(b));
        var hull = new List<int>(n);
        foreach (int i in order)
        {
            if (hull.Count > 0)
            {
                int last = hull[^1];
                if (costs[i] == costs[last] || accuracies[i] <= accuracies[last]) continue; // costs more, gains nothing
            }
            // Pop while the last point lies on or under the chord from its predecessor to i (non-concave turn).
            while (hull.Count >= 2)
            {
                int a = hull[^2], b = hull[^1];
                double cross = (costs[b] - costs[a]) * (accuracies[i] - accuracies[a]) - (accuracies[b] - accuracies[a]) * (costs[i] - costs[a]);
                if (cross >= 0) hull.RemoveAt(hull.Count - 1);
                else break;
            }
            hull.Add(i);
        }
        return [.. hull];
    }

    /// <summary>
    /// The same hull for costs already strictly increasing (the batch allocator's per-prompt mixtures): no sort, no
    /// allocation; writes indices into <paramref name="hull"/> and returns how many.
    /// </summary>
    public static int UpperSorted(ReadOnlySpan<double> costs, ReadOnlySpan<double> accuracies, Span<int> hull)
    {
        int count = 0;
        for (int i = 0; i < costs.Length; i++)
        {
            if (count > 0 && accuracies[i] <= accuracies[hull[count - 1]]) continue;
            while (count >= 2)
            {
                int a = hull[count - 2], b = hull[count - 1];
                double cross = (costs[b] - costs[a]) * (accuracies[i] - accuracies[a]) - (accuracies[b] - accuracies[a]) * (costs[i] - costs[a]);
                if (cross >= 0) count--;
                else break;
            }
            hull[count++] = i;
        }
        return count;
    }
}
