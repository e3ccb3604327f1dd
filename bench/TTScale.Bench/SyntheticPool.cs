using TTScale.Compute;
using TTScale.Evaluation;
using TTScale.Randomness;
using TTScale.Scaling;

namespace TTScale.Bench;

/// <summary>A seeded synthetic best-of-n pool (success probability spread over problems, scores favouring right answers).</summary>
internal static class SyntheticPool
{
    public static SamplePool Create(int problems, int k, long seed)
    {
        var random = new SplitMix64((ulong)seed);
        var records = new List<EvalRecord>(problems);
        for (int i = 0; i < problems; i++)
        {
            double p = Math.Pow(random.NextDouble(), 1.5);
            var candidates = new List<CandidateRecord>(k);
            for (int j = 0; j < k; j++)
            {
                bool correct = random.NextDouble() < p;
                string answer = correct ? "42" : random.NextInt(1, 6).ToString(System.Globalization.CultureInfo.InvariantCulture);
                float score = (float)(correct ? 0.35 + 0.65 * random.NextDouble() : 0.7 * random.NextDouble());
                candidates.Add(new CandidateRecord("", answer, correct, [score], score, 40 + random.NextInt(0, 80), 0, null, null));
            }
            long generated = candidates.Sum(c => c.Tokens);
            var ledger = new LedgerReport(100, generated, 1, generated, 1, 2e6 * (100 + generated), 1e6 * generated, 3e6 * generated + 2e8, 0, 0, 0,
                1024 * (100 + generated), 1024 * (100 + generated), "bench", 4e6 * (100 + generated), 0);
            records.Add(new EvalRecord($"p{i:D5}", null, "best-of-n", new Dictionary<string, object>(), seed, "42", null, false, null, candidates, ledger));
        }
        return SamplePool.FromRecords(records);
    }
}
