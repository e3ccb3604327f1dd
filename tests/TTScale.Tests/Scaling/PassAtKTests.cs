using MathNet.Numerics;
using TTScale.Scaling;

namespace TTScale.Tests.Scaling;

public class PassAtKTests
{
    [Theory]
    [InlineData(5, 2, 1, 0.4)]
    [InlineData(5, 2, 2, 0.7)] // 1 - C(3,2)/C(5,2) = 1 - 3/10
    [InlineData(5, 0, 3, 0.0)]
    [InlineData(5, 3, 3, 1.0)] // n - c < k: every 3-subset holds a right sample
    [InlineData(10, 1, 10, 1.0)]
    public void MatchesClosedForm(int n, int c, int k, double expected) => Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void StaysStableWhereBinomialsOverflow()
    {
        // C(2000, 1000) overflows a double; the product form does not. Compare with log-binomials.
        double expected = 1 - Math.Exp(SpecialFunctions.BinomialLn(2000 - 7, 1000) - SpecialFunctions.BinomialLn(2000, 1000));
        Assert.Equal(expected, PassAtK.Estimate(2000, 7, 1000), 10);
    }

    [Fact]
    public void PassAt1IsTheFractionRight() => Assert.Equal(13.0 / 64, PassAtK.Estimate(64, 13, 1), 12);

    [Fact]
    public void PosteriorIsBetaOnePlusCountsWithACentralInterval()
    {
        var posterior = PassAtK.Posterior(3, 10);
        Assert.Equal(4, posterior.Alpha);
        Assert.Equal(8, posterior.Beta);
        Assert.Equal(4.0 / 12, posterior.Mean, 12);
        Assert.True(posterior.Low < posterior.Mean && posterior.Mean < posterior.High);
        Assert.Equal(0.025, MathNet.Numerics.Distributions.Beta.CDF(4, 8, posterior.Low), 6);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(5, 6, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(5, 1, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Posterior(3, 2));
    }
}
