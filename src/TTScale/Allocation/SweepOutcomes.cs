using TTScale.Evaluation;
using TTScale.Scaling;

namespace TTScale.Allocation;

/// <summary>
/// A sweep as the policy builder's rows, costed as the adaptive strategy pays: every option carries the probe (the
/// first k samples of the best-of-n pool, verifier-scored or not), except that best-of-n keeps the probe's samples and
/// so costs max(N, k) samples rather than N + k, of which the verifier scores the probe's (a scored probe) and the
/// N that a scoring rule selects from. A probe of 0 samples reads the prompt alone and costs nothing.
/// </summary>
public sealed class SweepOutcomes
{
    private readonly SamplePool _pool;
    private readonly CostUnit _unit;
    private readonly int _probe;
    private readonly bool _scoredProbe;
    private readonly Dictionary<string, int> _index;

    /// <summary>Reads a pool for a policy in <paramref name="unit"/> with a probe of <paramref name="probeSamples"/> samples.</summary>
    /// <param name="pool">The sweep's best-of-n pool.</param>
    /// <param name="bins">The oracle bins.</param>
    /// <param name="unit">The policy's cost unit.</param>
    /// <param name="probeSamples">k: samples in the probe; 0: the prompt alone.</param>
    /// <param name="scoredProbe">Whether the verifier scores the probe (its features then include the scores, and every option pays for them).</param>
    /// <exception cref="ArgumentException">A probe outside [0, K].</exception>
    public SweepOutcomes(SamplePool pool, DifficultyBins bins, CostUnit unit, int probeSamples, bool scoredProbe = true)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(bins);
        if (probeSamples < 0 || probeSamples > pool.K) throw new ArgumentException($"--probe {probeSamples} must be in [0, {pool.K}] (the pool's K)", nameof(probeSamples));
        _pool = pool;
        _unit = unit;
        _probe = probeSamples;
        _scoredProbe = scoredProbe;
        Bins = bins;
        _index = pool.Problems.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
    }

    /// <summary>The oracle bins (1-based in <see cref="DifficultyBins"/>; a policy's bins are 0-based).</summary>
    public DifficultyBins Bins { get; }

    /// <summary>Mean probe cost per problem over the pool, in the policy's unit.</summary>
    public double MeanProbeCost => _pool.ExpectedCost(_probe, scored: _scoredProbe).On(_unit.Axis());

    /// <summary>Samples of the probe the verifier scores.</summary>
    private int ScoredProbeSamples => _scoredProbe ? _probe : 0;

    /// <summary>Best-of-N with each selection rule at each budget, per problem: the replayed expected accuracy and the expected cost.</summary>
    public IEnumerable<SweepOutcome> FromPool(PoolReplay replay, IEnumerable<ReplayRule> rules)
    {
        ArgumentNullException.ThrowIfNull(replay);
        var ruleList = rules.ToList();
        for (int i = 0; i < _pool.Problems.Count; i++)
        {
            var problem = _pool.Problems[i];
            int bin = Bins.BinOf(problem.Id) - 1;
            foreach (int n in replay.Budgets)
            {
                int drawn = Math.Max(n, _probe);
                foreach (var rule in ruleList)
                {
                    // A scoring rule scores the N it selects from, a scored probe its k.
                    double cost = problem.ExpectedCost(drawn, Math.Max(rule.Scores(n) ? n : 0, ScoredProbeSamples)).On(_unit.Axis());
                    var parameters = new Dictionary<string, object?> { ["n"] = n, ["select"] = rule.ToString().ToLowerInvariant() };
                    // Exact enumeration sums many terms: clamp the last ulp back into [0, 1].
                    yield return new SweepOutcome(problem.Id, bin, "best-of-n", parameters, n, cost, Math.Clamp(replay.ProblemAccuracy(rule, n, i), 0, 1));
                }
            }
        }
    }

    /// <summary>
    /// A directly-run strategy at one budget: each record's outcome and its own cost plus the problem's probe. Records of
    /// problems not in the pool are left out. In samples a run costs its budget N, as on a fitted curve's axis (a beam
    /// search may finish more or fewer than N candidates).
    /// </summary>
    public IEnumerable<SweepOutcome> FromRun(string strategy, IReadOnlyDictionary<string, object?> parameters, int budget, IEnumerable<EvalRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            if (!_index.TryGetValue(record.Id, out int i)) continue;
            double probe = _pool.Problems[i].ExpectedCost(_probe, ScoredProbeSamples).On(_unit.Axis());
            yield return new SweepOutcome(record.Id, Bins.BinOf(record.Id) - 1, strategy, parameters, budget,
                DirectSeries.Compute(record.Ledger, budget, _unit.Axis()) + probe, record.Correct ? 1 : 0);
        }
    }

    /// <summary>
    /// The difficulty model's training samples: each pool problem's first k samples as probe features, with its oracle
    /// bin. The prompt's length is the pool record's prompt tokens: its samples share one prefill of the prompt.
    /// </summary>
    public IReadOnlyList<DifficultySample> ProbeSamples(IReadOnlyList<EvalRecord> poolRecords) =>
        poolRecords.Where(r => _index.ContainsKey(r.Id)).OrderBy(r => r.Id, StringComparer.Ordinal) // folds by id, not by finishing order
            .Select(r => new DifficultySample(DifficultyFeatures.FromProbe(r.Candidates, _probe, checked((int)r.Ledger.PromptTokens), _scoredProbe),
                Bins.BinOf(r.Id) - 1)).ToList();
}
