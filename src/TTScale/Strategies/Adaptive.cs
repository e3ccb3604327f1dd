using TTScale.Allocation;
using TTScale.Compute;
using TTScale.Evaluation;
using TTScale.Tasks;

namespace TTScale.Strategies;

/// <summary>
/// Compute-optimal test-time scaling per prompt: a cheap probe (the first k samples of best-of-n, scored by the
/// verifier) gives difficulty features with no gold answer; the allocator turns them into a bin and, at its price,
/// a strategy and budget; that strategy then solves the problem. The probe's compute is charged to the problem, and a
/// best-of-n choice keeps the probe's samples (same seed, same streams), so they are not paid for twice.
/// </summary>
public sealed class Adaptive : IStrategy
{
    private readonly StrategyContext _context;
    private readonly BudgetAllocator _allocator;
    private readonly int _probe;
    private readonly Func<AllocationDecision, IStrategy> _create;
    private readonly IReadOnlyDictionary<string, int>? _oracleBins;

    /// <summary>Creates the strategy.</summary>
    /// <param name="context">What the probe runs on (its verifier scores the probe).</param>
    /// <param name="allocator">The policy and the price it decides at.</param>
    /// <param name="probeSamples">k: samples in the probe.</param>
    /// <param name="create">Builds the strategy a decision names, with its parameters and budget.</param>
    /// <param name="parameters">What identifies this run in records (policy, budget, price).</param>
    /// <param name="oracleBins">Problem id to oracle bin (0 easiest), replacing the probe's prediction: the oracle-difficulty comparison.</param>
    public Adaptive(StrategyContext context, BudgetAllocator allocator, int probeSamples, Func<AllocationDecision, IStrategy> create,
        IReadOnlyDictionary<string, object> parameters, IReadOnlyDictionary<string, int>? oracleBins = null)
    {
        if (probeSamples < 1) throw new ArgumentOutOfRangeException(nameof(probeSamples), probeSamples, "--probe must be 1 or more");
        _context = context;
        _allocator = allocator;
        _probe = probeSamples;
        _create = create;
        _oracleBins = oracleBins;
        Parameters = parameters;
    }

    /// <inheritdoc/>
    public string Name => "adaptive";

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object> Parameters { get; }

    /// <inheritdoc/>
    public async Task<StrategyResult> SolveAsync(Problem problem, long seed, CancellationToken cancellationToken = default)
    {
        var probe = await new BestOfN(_context, _probe, _context.Verifier is null ? SelectionRule.Majority : SelectionRule.Weighted)
            .SolveAsync(problem, seed, cancellationToken).ConfigureAwait(false);
        var features = DifficultyFeatures.FromProbe(probe.Candidates.Select(c =>
            new CandidateRecord(c.Text, c.Answer, false, c.StepScores, c.Score, c.Tokens, c.LogProb, c.Chain, c.Attempt)).ToList(), _probe);
        var signal = _oracleBins is null ? DifficultySignal.FromFeatures(features)
            : _oracleBins.TryGetValue(problem.Id, out int bin) ? DifficultySignal.FromBin(bin)
            : throw new ArgumentException($"problem '{problem.Id}' has no oracle bin", nameof(problem));
        var decision = _allocator.Decide(signal);
        var chosen = _create(decision);
        var result = chosen is BestOfN bestOfN
            ? await bestOfN.ContinueAsync(problem, seed, probe.Candidates, cancellationToken).ConfigureAwait(false)
            : await chosen.SolveAsync(problem, seed, cancellationToken).ConfigureAwait(false);
        var ledger = new ComputeLedger();
        ledger.Add(probe.Ledger);
        ledger.Add(result.Ledger);
        return result with
        {
            Ledger = ledger,
            Details = new Dictionary<string, object>
            {
                ["bin"] = decision.Bin, ["strategy"] = chosen.Name, ["parameters"] = chosen.Parameters, ["budget"] = decision.BudgetLevel,
                ["predicted_accuracy"] = Math.Round(decision.PredictedAccuracy, 4), ["probe_candidates"] = _probe,
            },
        };
    }
}
