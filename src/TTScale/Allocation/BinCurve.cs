using System.Collections.ObjectModel;
using System.Text.Json;

namespace TTScale.Allocation;

/// <summary>
/// One bin's precomputed decisions: its menu cut at saturation and reduced to its upper concave hull (what a prompt
/// known to be in the bin may run), or its whole menu (what a prompt only probably in it chooses from).
/// </summary>
internal sealed class BinCurve
{
    private BinCurve(AllocationDecision[] points, double[] costs, double[] accuracies, double[] slopes)
    {
        Points = points;
        Costs = costs;
        Accuracies = accuracies;
        Slopes = slopes;
    }

    /// <summary>Decisions by increasing cost; each one's parameters object is built once here and shared.</summary>
    public AllocationDecision[] Points { get; }

    public double[] Costs { get; }

    public double[] Accuracies { get; }

    /// <summary>Slopes[i] = accuracy gained per unit cost from point i - 1 to i (decreasing on a hull; Slopes[0] is +infinity).</summary>
    public double[] Slopes { get; }

    public static BinCurve From(PolicyBin bin)
    {
        // Past the saturation point is never allowed; the cheapest point stays so every prompt has an option.
        var menu = bin.Curve.ToList();
        double cheapest = menu.Min(p => p.Cost);
        menu = menu.Where(p => p.Cost <= bin.Saturation || p.Cost == cheapest).ToList();
        int[] hull = ConcaveHull.Upper(menu.Select(p => p.Cost).ToArray(), menu.Select(p => p.CvAccuracy).ToArray());
        return Of(bin.Bin, hull.Select(i => menu[i]).ToList());
    }

    /// <summary>
    /// The whole menu by increasing cost (the most accurate in this bin first among equal costs), with no cut and no hull:
    /// the options of a prompt whose bin is uncertain, valued by every bin it may be in (a point useless in its own bin
    /// can pay off in another, and of options that cost the same, as best-of-n up to the probe's k samples do, the one
    /// best in this bin need not be best in the mixture). Its slopes are not read.
    /// </summary>
    public static BinCurve Menu(PolicyBin bin) => Of(bin.Bin, [.. bin.Curve.OrderBy(p => p.Cost).ThenByDescending(p => p.CvAccuracy)]);

    private static BinCurve Of(int bin, List<PolicyPoint> chosen)
    {
        var points = new AllocationDecision[chosen.Count];
        for (int i = 0; i < chosen.Count; i++)
        {
            PolicyPoint p = chosen[i];
            var parameters = new ReadOnlyDictionary<string, JsonElement>(new Dictionary<string, JsonElement>(p.Parameters, StringComparer.Ordinal));
            points[i] = new AllocationDecision(bin, i, p, parameters, p.CvAccuracy);
        }
        double[] costs = points.Select(p => p.Cost).ToArray();
        double[] accuracies = points.Select(p => p.PredictedAccuracy).ToArray();
        var slopes = new double[points.Length];
        slopes[0] = double.PositiveInfinity;
        for (int i = 1; i < points.Length; i++) slopes[i] = (accuracies[i] - accuracies[i - 1]) / (costs[i] - costs[i - 1]);
        return new BinCurve(points, costs, accuracies, slopes);
    }

    /// <summary>
    /// The point maximising accuracy - price * cost with cost within <paramref name="maxCost"/>: walk up the hull while
    /// the next segment gains more than the price. Slopes decrease, so the first refusal is final.
    /// </summary>
    public int PointAt(double price, double maxCost)
    {
        int i = 0;
        while (i + 1 < Slopes.Length && Slopes[i + 1] > price && Costs[i + 1] <= maxCost) i++;
        return i;
    }
}
