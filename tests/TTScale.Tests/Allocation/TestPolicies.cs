using System.Text.Json;
using TTScale.Allocation;
using TTScale.Randomness;

namespace TTScale.Tests.Allocation;

/// <summary>Policies and sweeps built from plain numbers for the allocation tests.</summary>
internal static class TestPolicies
{
    /// <summary>A policy whose bin b offers points (costs[b][i], accuracies[b][i]), best-of-n at budget level i + 1.</summary>
    public static Policy FromMenus(double[][] costs, double[][] accuracies, double[]? saturation = null, DifficultyModel? model = null)
    {
        var bins = new List<PolicyBin>();
        for (int b = 0; b < costs.Length; b++)
        {
            var points = costs[b].Select((c, i) => new PolicyPoint(i + 1, i % 2 == 0 ? "best-of-n" : "beam",
                new Dictionary<string, JsonElement> { ["select"] = JsonSerializer.SerializeToElement("weighted"), ["n"] = JsonSerializer.SerializeToElement(i + 1) },
                c, accuracies[b][i], accuracies[b][i], 100)).ToList();
            bins.Add(new PolicyBin(b, saturation?[b] ?? costs[b].Max(), points));
        }
        return new Policy(Policy.CurrentSchema, CostUnit.Samples, costs.Length, bins, model?.ToData(), null);
    }

    /// <summary>A random concave menu: increasing costs (unit steps where asked) and positive, decreasing gains per unit cost.</summary>
    public static (double[] Costs, double[] Accuracies) ConcaveMenu(ref SplitMix64 random, int points, bool unitSteps)
    {
        var costs = new double[points];
        var accuracies = new double[points];
        costs[0] = unitSteps ? 1 : 0.5 + random.NextDouble();
        accuracies[0] = 0.05 + 0.3 * random.NextDouble();
        double slope = (unitSteps ? 0.15 : 0.1) * (0.5 + random.NextDouble());
        for (int i = 1; i < points; i++)
        {
            double step = unitSteps ? 1 : 0.2 + 2 * random.NextDouble();
            costs[i] = costs[i - 1] + step;
            accuracies[i] = accuracies[i - 1] + slope * step;
            slope *= 0.3 + 0.6 * random.NextDouble();
        }
        double top = accuracies[^1];
        if (top > 0.95) for (int i = 0; i < points; i++) accuracies[i] *= 0.95 / top; // scaling keeps the menu concave
        return (costs, accuracies);
    }

    /// <summary>Synthetic probe features for a bin: agreement and PRM scores fall with difficulty, lengths rise.</summary>
    public static DifficultyFeatures Features(int bin, ref SplitMix64 random, double noise)
    {
        Span<double> n = stackalloc double[DifficultyFeatures.Count];
        for (int j = 0; j < n.Length; j++) n[j] = noise * (random.NextDouble() - 0.5);
        return new DifficultyFeatures(0.95 - 0.2 * bin + n[0], 1 + bin + 4 * n[1], 0.9 - 0.15 * bin + n[2], 0.05 + 0.04 * bin + n[3],
            -0.1 - 0.1 * bin + n[4], 40 + 12 * bin + 40 * n[5], 15 + 6 * bin + 20 * n[6]);
    }
}
