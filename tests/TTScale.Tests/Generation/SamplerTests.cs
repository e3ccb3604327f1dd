using TTScale.Generation;
using TTScale.Randomness;

namespace TTScale.Tests.Generation;

public class SamplerTests
{
    private static readonly float[] Logits = [1.0f, 3.0f, 2.0f, 0.0f, 2.9f];

    private static int[] Counts(SamplingOptions options, int draws, long seed = 1)
    {
        var random = new SplitMix64((ulong)seed);
        var counts = new int[Logits.Length];
        for (int i = 0; i < draws; i++) counts[Sampler.Sample(Logits, options, ref random, out _)]++;
        return counts;
    }

    [Fact]
    public void GreedyTakesTheLargestLogitAndConsumesNoRandomness()
    {
        var random = new SplitMix64(5);
        Assert.Equal(1, Sampler.Sample(Logits, SamplingOptions.Greedy, ref random, out _));
        Assert.Equal(new SplitMix64(5).NextUInt64(), random.NextUInt64());
    }

    [Fact]
    public void ATemperatureTooSmallToInvertIsGreedy()
    {
        var random = new SplitMix64(5);
        Assert.Equal(1, Sampler.Sample(Logits, new SamplingOptions { Temperature = 1e-320 }, ref random, out _));
        Assert.Equal(new SplitMix64(5).NextUInt64(), random.NextUInt64());
    }

    [Fact]
    public void TopPReadsWhatTopKLeftRenormalised()
    {
        // p = [0.4, 0.3, 0.3]; top-k 2 leaves [0.571, 0.429], and top-p 0.5 of that is the first token alone.
        float[] logits = [MathF.Log(0.4f), MathF.Log(0.3f), MathF.Log(0.3f)];
        var random = new SplitMix64(3);
        for (int i = 0; i < 1_000; i++) Assert.Equal(0, Sampler.Sample(logits, new SamplingOptions { TopK = 2, TopP = 0.5 }, ref random, out _));
    }

    [Fact]
    public void TemperatureOneFollowsTheSoftmax()
    {
        var counts = Counts(new SamplingOptions { Temperature = 1 }, 200_000);
        double total = Logits.Sum(l => Math.Exp(l));
        for (int i = 0; i < Logits.Length; i++) Assert.Equal(Math.Exp(Logits[i]) / total, counts[i] / 200_000.0, tolerance: 0.005);
    }

    [Fact]
    public void LowTemperatureSharpensTowardTheMode()
    {
        Assert.True(Counts(new SamplingOptions { Temperature = 0.1 }, 10_000)[1] > Counts(new SamplingOptions { Temperature = 1 }, 10_000)[1]);
    }

    [Fact]
    public void TopKKeepsOnlyTheKMostLikely()
    {
        var counts = Counts(new SamplingOptions { TopK = 2 }, 20_000);
        Assert.Equal(20_000, counts[1] + counts[4]);
        Assert.True(counts[1] > counts[4]);
    }

    [Fact]
    public void TopPKeepsTheSmallestSetReachingTheMass()
    {
        // Probabilities: ~0.38 (token 1), ~0.34 (token 4), ~0.14 (token 2), ...; 0.5 needs tokens 1 and 4.
        var counts = Counts(new SamplingOptions { TopP = 0.5 }, 20_000);
        Assert.Equal(20_000, counts[1] + counts[4]);
        Assert.Equal(20_000, Counts(new SamplingOptions { TopP = 0.01 }, 20_000)[1]);
    }

    [Fact]
    public void MinPDropsTokensFarBelowTheTop()
    {
        // exp(2 - 3) = 0.37 of the top survives 0.3; exp(1 - 3) = 0.14 does not.
        var counts = Counts(new SamplingOptions { MinP = 0.3 }, 20_000);
        Assert.Equal(0, counts[0] + counts[3]);
        Assert.True(counts[2] > 0);
    }

    [Fact]
    public void TopKBreaksTiesByIndex()
    {
        float[] tied = [1f, 2f, 2f, 2f, 0f];
        var random = new SplitMix64(3);
        var seen = new HashSet<int>();
        for (int i = 0; i < 2_000; i++) seen.Add(Sampler.Sample(tied, new SamplingOptions { TopK = 2 }, ref random, out _));
        Assert.Equal([1, 2], seen.Order());
    }

    [Fact]
    public void SameSeedSameDraws() => Assert.Equal(Counts(new SamplingOptions(), 500, seed: 9), Counts(new SamplingOptions(), 500, seed: 9));

    [Fact]
    public void LogProbIsTheModelsLogSoftmax()
    {
        var random = new SplitMix64(1);
        int token = Sampler.Sample(Logits, new SamplingOptions { Temperature = 0.5, TopK = 2 }, ref random, out float logProb);
        Assert.Equal(Logits[token] - Math.Log(Logits.Sum(l => Math.Exp(l))), logProb, 5);
    }
}
