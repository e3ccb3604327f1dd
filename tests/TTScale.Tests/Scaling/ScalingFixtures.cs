using TTScale.Compute;
using TTScale.Evaluation;
using TTScale.Randomness;
using TTScale.Scaling;

namespace TTScale.Tests.Scaling;

/// <summary>Seeded synthetic best-of-n records: problem i has success probability spread over [0, 1], verifier scores favour right answers.</summary>
internal static class ScalingFixtures
{
    public static LedgerReport Ledger(long prompt, long generated, double flops, double verifierFlops, double eflops, long logicalKv) =>
        new(prompt, generated, 1, generated, 1, flops, verifierFlops, flops + verifierFlops, 0, 0, 0, logicalKv, logicalKv, "test", eflops, 0);

    public static IReadOnlyList<EvalRecord> Records(int problems, int k, long seed)
    {
        var random = new SplitMix64((ulong)seed);
        var records = new List<EvalRecord>();
        for (int i = 0; i < problems; i++)
        {
            double p = Math.Pow(random.NextDouble(), 1.5); // a heavy share of hard problems, as in real pools
            var candidates = new List<CandidateRecord>();
            for (int j = 0; j < k; j++)
            {
                bool correct = random.NextDouble() < p;
                string answer = correct ? "42" : random.NextInt(1, 4).ToString(System.Globalization.CultureInfo.InvariantCulture);
                float score = (float)(correct ? 0.35 + 0.65 * random.NextDouble() : 0.7 * random.NextDouble());
                candidates.Add(new CandidateRecord("text", answer, correct, [score], score, 40 + random.NextInt(0, 80), 0, null, null));
            }
            long generated = candidates.Sum(c => c.Tokens);
            records.Add(new EvalRecord($"p{i:D4}", 1 + i % 3, "best-of-n", new Dictionary<string, object>(), seed, "42", null, false, null, candidates,
                Ledger(100, generated, 2e6 * (100 + generated), 1e6 * generated, 3e6 * (100 + generated), 1024 * (100 + generated))));
        }
        return records;
    }

    public static SamplePool Pool(int problems, int k, long seed) => SamplePool.FromRecords(Records(problems, k, seed));
}
