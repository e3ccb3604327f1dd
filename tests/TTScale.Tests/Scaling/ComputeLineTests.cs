using TTScale.Scaling;

namespace TTScale.Tests.Scaling;

public class ComputeLineTests
{
    private static ScalingPoint At(int budget, double compute) => new(budget, compute, 0.5, 10);

    [Fact]
    public void ARevisionChainsGrowingCostIsPricedAtEveryBudgetAndNeverBelowZero()
    {
        // Each revision re-reads the earlier attempts: compute grows faster than N. A line fitted in N priced N = 1 at -1.3E+09.
        var line = ComputeLine.Through([At(1, 2e8), At(2, 6e8), At(3, 1.2e9), At(4, 2e9)]);
        Assert.Equal(2e8, line.ComputeAt(1), 1e-3);
        Assert.Equal(1.2e9, line.ComputeAt(3), 1e-3);
        Assert.Equal(2e9, line.ComputeAt(4), 1e-3);
        // Between 1 and 2 it is the power law through both: 2E+08 * 1.5^log2(3).
        Assert.Equal(2e8 * Math.Pow(1.5, Math.Log2(3)), line.ComputeAt(1.5), 1e-3);
        Assert.All(new[] { 0.25, 0.5, 1, 1.5, 2.5, 8, 64 }, n => Assert.True(line.ComputeAt(n) > 0));
        // Past the last budget the last segment's power law goes on: (8 / 4)^(ln(2/1.2) / ln(4/3)).
        Assert.Equal(2e9 * Math.Pow(2, Math.Log(2 / 1.2) / Math.Log(4.0 / 3)), line.ComputeAt(8), 1e-2);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7.5)]
    [InlineData(16)]
    [InlineData(100)]
    public void BudgetAtInvertsComputeAt(double n)
    {
        var line = ComputeLine.Through([At(1, 3e8), At(2, 5e8), At(4, 9e8), At(16, 3.3e9)]);
        Assert.Equal(n, line.BudgetAt(line.ComputeAt(n)), n * 1e-9);
    }

    [Fact]
    public void OnePointIsProportionalToN()
    {
        var line = ComputeLine.Through([At(4, 8e9)]);
        Assert.Equal(2e9, line.ComputeAt(1), 1e-3);
        Assert.Equal(16, line.BudgetAt(3.2e10), 1e-9);
    }

    [Fact]
    public void TheBudgetForACostIsTheSmallestThatReachesIt()
    {
        // A width-2 search that finished sooner than width 1: compute dips before it grows.
        var line = ComputeLine.Through([At(1, 10), At(2, 8), At(4, 12)]);
        Assert.Equal(1, line.BudgetAt(10), 1e-12);
        Assert.InRange(line.BudgetAt(9), 1, 2);
        Assert.InRange(line.BudgetAt(11), 2, 4);
        Assert.True(double.IsNaN(line.BudgetAt(0)));
        // Compute that stops growing never reaches more.
        Assert.True(double.IsNaN(ComputeLine.Through([At(1, 5), At(2, 5)]).BudgetAt(6)));
    }

    [Fact]
    public void RepeatedBudgetsAreAveragedAndUnpricedPointsIgnored()
    {
        var line = ComputeLine.Through([At(2, 4), At(2, 6), At(4, 0), At(8, 20)]);
        Assert.Equal([2.0, 8.0], line.Budgets);
        Assert.Equal([5.0, 20.0], line.Compute);
    }
}
