using TTScale.Allocation;
using TTScale.Reporting.Model;

namespace TTScale.Cli;

/// <summary>
/// <c>--policy policy.json</c>: the compute-optimal table (bin x budget level: the option chosen by cross-validation, uncapped), and
/// the policy's own prediction of adaptive allocation (oracle bins weighted equally, one point per dual price), drawn
/// against best-of-N and the best other fixed strategy of the sweep.
/// </summary>
internal sealed class PolicyReportInput : IReportInput
{
    public ScalingReportData Apply(ScalingReportData data, string path)
    {
        var policy = Policy.Load(path); // a corrupt file's InvalidDataException names it, and the CLI reports it as any other
        // A level's last point is its uncapped pick (the ones before it are its picks under cheaper cost caps).
        var cells = policy.Bins.SelectMany(b => b.Curve.GroupBy(p => p.BudgetLevel).Select(level => level.Last()).Select(p => new ComputeOptimalCell(
            b.Bin + 1, (int)p.BudgetLevel, p.Strategy, PolicyCommand.Describe(p), p.CvAccuracy))).ToList();
        data = data.WithComputeOptimal(cells);

        string axis = data.Axis.ToString().ToLowerInvariant();
        if (policy.CostUnit.Name() != axis)
        {
            Console.Error.WriteLine($"note: --policy {path}: costs are in {policy.CostUnit.Name()}, the report's axis is {axis}; the adaptive figure is left out (pass --axis {policy.CostUnit.Name()})");
            return data;
        }
        return data.WithAdaptive(Predicted(policy, data.Axis));
    }

    /// <summary>Mean cost and cross-validated accuracy over the bins at every price where a bin's choice changes.</summary>
    private static StrategySeries Predicted(Policy policy, ComputeAxis axis)
    {
        var allocator = new BudgetAllocator(policy);
        var points = new List<ScalingPoint>();
        foreach (double price in allocator.PriceBreakpoints().Reverse())
        {
            var decisions = Enumerable.Range(0, allocator.Bins).Select(b => allocator.Decide(DifficultySignal.FromBin(b), price)).ToList();
            double cost = decisions.Average(d => d.Cost), accuracy = decisions.Average(d => d.PredictedAccuracy);
            int problems = policy.Build?.Problems ?? 0;
            var point = new ScalingPoint((int)Math.Round(decisions.Average(d => d.BudgetLevel)), 0, problems, (int)Math.Round(accuracy * problems), accuracy,
                accuracy, accuracy, axis == ComputeAxis.Tokens ? cost : double.NaN, axis == ComputeAxis.Flops ? cost : double.NaN,
                axis == ComputeAxis.EFlops ? cost : double.NaN, double.NaN, PointSource.Predicted);
            if (points.Count == 0 || points[^1].Compute != cost) points.Add(point with { Compute = cost });
        }
        return new StrategySeries("adaptive (policy, predicted)", points);
    }
}
