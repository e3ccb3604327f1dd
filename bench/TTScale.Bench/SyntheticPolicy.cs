using System.Text.Json;
using TTScale.Allocation;
using TTScale.Randomness;

namespace TTScale.Bench;

/// <summary>
/// The allocator benchmarks' policy: 5 bins, 10 concave budget levels each (TTSPM-shaped), a difficulty model trained on
/// 1,000 synthetic probes, priced for 16 samples a prompt; and 10,000 requests of each signal kind.
/// </summary>
public sealed class SyntheticPolicy
{
    public BudgetAllocator Allocator { get; }
    public DifficultySignal[] BinSignals { get; }
    public DifficultySignal[] FeatureSignals { get; }
    public DifficultySignal[] MixtureSignals { get; }

    public SyntheticPolicy()
    {
        var random = new SplitMix64(7);
        var samples = new List<DifficultySample>();
        for (int i = 0; i < 1000; i++) samples.Add(new DifficultySample(Features(i % 5, ref random), i % 5));
        var model = DifficultyModel.Train(samples, new DifficultyTrainingOptions(Iterations: 300));

        var bins = new List<PolicyBin>();
        for (int b = 0; b < 5; b++)
        {
            double pSample = 0.6 / (b + 1); // F(N) = F_max (1 - (1 - p)^N)
            var points = Enumerable.Range(0, 10).Select(i =>
            {
                int n = 1 << i;
                double accuracy = (0.95 - 0.1 * b) * (1 - Math.Pow(1 - pSample, n));
                var parameters = new Dictionary<string, JsonElement> { ["select"] = JsonSerializer.SerializeToElement("weighted"), ["n"] = JsonSerializer.SerializeToElement(n) };
                return new PolicyPoint(n, "best-of-n", parameters, n, accuracy, accuracy, 200);
            }).ToList();
            bins.Add(new PolicyBin(b, 512, points));
        }
        var policy = new Policy(Policy.CurrentSchema, CostUnit.Samples, 5, bins, model.ToData(), null);
        Allocator = new BudgetAllocator(policy).WithPrice(new BudgetAllocator(policy).PriceForRate(16));

        BinSignals = [.. Enumerable.Range(0, 10_000).Select(_ => DifficultySignal.FromBin(random.NextInt(0, 4)))];
        FeatureSignals = [.. Enumerable.Range(0, 10_000).Select(_ => DifficultySignal.FromFeatures(Features(random.NextInt(0, 4), ref random)))];
        MixtureSignals = [.. Enumerable.Range(0, 10_000).Select(_ => DifficultySignal.FromProbabilities([.. Enumerable.Range(0, 5).Select(_ => random.NextDouble())]))];
    }

    private static DifficultyFeatures Features(int bin, ref SplitMix64 random)
    {
        double a = random.NextDouble() - 0.5, b = random.NextDouble() - 0.5, c = random.NextDouble() - 0.5;
        return new DifficultyFeatures(0.95 - 0.2 * bin + 0.2 * a, 1 + bin + b, 0.9 - 0.15 * bin + 0.2 * c, 0.05 + 0.04 * bin, -0.1 - 0.1 * bin, 40 + 12 * bin, 15 + 6 * bin);
    }
}
