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
        double[] sortedCosts = [.. order.Select(i => costs[i])], sortedAccuracies = [.. order.Select(i => accuracies[i])];
        var hull = new int[n];
        int count = UpperSorted(sortedCosts, sortedAccuracies, hull);
        return [.. hull[..count].Select(h => order[h])];
    }

    /// <summary>
    /// The same hull for costs already in order, equal costs most accurate first (the batch allocator's per-prompt
    /// mixtures, and <see cref="Upper"/> once sorted): no sort, no allocation; writes indices into
    /// <paramref name="hull"/> and returns how many. A later point of equal cost never raises accuracy, so it is skipped.
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
