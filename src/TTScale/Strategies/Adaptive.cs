using TTScale.Allocation;
using TTScale.Evaluation;
using TTScale.Tasks;

namespace TTScale.Strategies;

/// <summary>
/// Compute-optimal test-time scaling per prompt: a cheap probe (the first k samples of best-of-n, scored by the
/// verifier or not, as the policy was built, and the prompt's length; with k = 0 the length alone, and no model call)
/// gives difficulty features with no gold answer; the allocator turns them
/// into a bin and, at its price, a strategy and budget; that strategy then solves the problem. The probe's compute is
/// charged to the problem, and a best-of-n choice keeps the probe's samples (same seed, same streams), so they are not
/// paid for twice; it scores an unscored probe's samples only where its rule selects by score.
/// Decisions are made per prompt at the allocator's dual price (what a serving stack does), or, with a batch budget,
/// once for the whole problem set: every problem is probed first, then <see cref="BudgetAllocator.Allocate"/> spends
/// the budget across them, weighing each prompt's bin probabilities, so the set spends what it was given.
/// </summary>
public sealed class Adaptive : IPlannedStrategy
{
    private readonly StrategyContext _context;
    private readonly BudgetAllocator _allocator;
    private readonly int _probe;
    private readonly bool _scoredProbe;
    private readonly Func<AllocationDecision, IStrategy> _create;
    private readonly IReadOnlyDictionary<string, int>? _oracleBins;
    private readonly double? _batchBudget;
    private IReadOnlyDictionary<string, (StrategyResult? Probe, AllocationDecision Decision)>? _plan;

    /// <summary>Creates the strategy.</summary>
    /// <param name="context">What the probe runs on (its verifier scores a scored probe).</param>
    /// <param name="allocator">The policy and the price it decides at.</param>
    /// <param name="probeSamples">k: samples in the probe; 0: the prompt's length alone.</param>
    /// <param name="scoredProbe">Whether the verifier scores the probe (as the policy's difficulty model was trained).</param>
    /// <param name="create">Builds the strategy a decision names, with its parameters and budget.</param>
    /// <param name="parameters">What identifies this run in records (policy, budget, price).</param>
    /// <param name="oracleBins">Problem id to oracle bin (0 easiest), replacing the probe's prediction: the oracle-difficulty comparison.</param>
    /// <param name="batchBudget">Mean budget per problem, spent across the set <see cref="PlanAsync"/> is given (probe included);
    /// null: each prompt is decided alone at the allocator's price.</param>
    public Adaptive(StrategyContext context, BudgetAllocator allocator, int probeSamples, bool scoredProbe, Func<AllocationDecision, IStrategy> create,
        IReadOnlyDictionary<string, object> parameters, IReadOnlyDictionary<string, int>? oracleBins = null, double? batchBudget = null)
    {
        if (probeSamples < 0) throw new ArgumentOutOfRangeException(nameof(probeSamples), probeSamples, "--probe must not be negative");
        if (batchBudget is double b && !(b > 0 && double.IsFinite(b))) throw new ArgumentException("--budget must be positive", nameof(batchBudget));
        _context = context;
        _allocator = allocator;
        _probe = probeSamples;
        _scoredProbe = scoredProbe;
        _create = create;
        _oracleBins = oracleBins;
        _batchBudget = batchBudget;
        Parameters = parameters;
    }

    /// <inheritdoc/>
    public string Name => "adaptive";

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object> Parameters { get; }

    /// <inheritdoc/>
    public bool Plans => _batchBudget is not null;

    /// <summary>
    /// With a batch budget: probes every problem, then allocates the budget times the number of problems across them.
    /// Deterministic: the probes depend only on each problem's seed, and the allocation only on the probes.
    /// Without one there is nothing to plan.
    /// </summary>
    /// <exception cref="ArgumentException">The budget does not cover the cheapest option of every problem.</exception>
    public async Task PlanAsync(IReadOnlyList<Problem> problems, Func<Problem, long> seedOf, int concurrency, CancellationToken cancellationToken = default)
    {
        if (_batchBudget is not double budget) return;
        var probes = new StrategyResult?[problems.Count];
        var signals = new DifficultySignal[problems.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, problems.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, token) => (probes[i], signals[i]) = await ProbeAsync(problems[i], seedOf(problems[i]), token).ConfigureAwait(false)).ConfigureAwait(false);
        // A huge budget per problem can overflow over the set; spending all of double's range is spending without limit.
        var allocation = _allocator.Allocate(signals, Math.Min(budget * problems.Count, double.MaxValue));
        Planned = allocation;
        _plan = problems.Select((p, i) => (p.Id, Entry: (probes[i], allocation.Decisions[i]))).ToDictionary(e => e.Id, e => e.Entry);
    }

    /// <summary>The last plan's allocation (null before <see cref="PlanAsync"/>, or without a batch budget).</summary>
    public BatchAllocation? Planned { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">A batch budget was set and the problem was not in the plan.</exception>
    public async Task<StrategyResult> SolveAsync(Problem problem, long seed, CancellationToken cancellationToken = default)
    {
        StrategyResult? probe;
        AllocationDecision decision;
        if (_batchBudget is null)
        {
            (probe, var signal) = await ProbeAsync(problem, seed, cancellationToken).ConfigureAwait(false);
            decision = _allocator.Decide(signal);
        }
        else if (_plan is not null && _plan.TryGetValue(problem.Id, out var planned)) (probe, decision) = planned;
        else throw new InvalidOperationException($"problem '{problem.Id}' was not planned: a batch budget is spent by PlanAsync over the whole set first");

        var chosen = _create(decision);
        // The probe's samples are the chosen best-of-n's first ones only where it draws as the probe did (greedy does not).
        var continuing = probe is not null && chosen is BestOfN bestOfN && bestOfN.DrawsAs(_context) ? bestOfN : null;
        var result = continuing is not null
            ? await continuing.ContinueAsync(problem, seed, probe!.Candidates, cancellationToken).ConfigureAwait(false)
            : await chosen.SolveAsync(problem, seed, cancellationToken).ConfigureAwait(false);
        // Samples drawn, as the policy costs them: a best-of-n that continues the probe draws max(N, k), any other
        // option its budget after the probe's k. Not the candidates kept (best-of-1 after a probe of 2 keeps 1 of 2).
        double samplesDrawn = continuing is not null ? Math.Max(continuing.N, _probe) : decision.BudgetLevel + _probe;
        // The probe is charged to the run's own ledger, which keeps a search's per-round KV series.
        if (probe is not null) result.Ledger.Add(probe.Ledger);
        return result with
        {
            Details = new Dictionary<string, object>
            {
                ["bin"] = decision.Bin, ["strategy"] = chosen.Name, ["parameters"] = chosen.Parameters, ["budget"] = decision.BudgetLevel,
                ["predicted_accuracy"] = Math.Round(decision.PredictedAccuracy, 4), ["expected_cost"] = decision.Cost, ["probe_candidates"] = _probe,
                ["samples_drawn"] = samplesDrawn,
            },
        };
    }

    /// <summary>
    /// The probe: the first k samples of best-of-n (verifier-scored for a scored probe; none where k is 0) and the
    /// prompt's length, and the difficulty they signal (or the oracle bin).
    /// </summary>
    private async Task<(StrategyResult? Probe, DifficultySignal Signal)> ProbeAsync(Problem problem, long seed, CancellationToken cancellationToken)
    {
        int promptTokens;
        using (var prompt = _context.Generator.Start(problem.Prompt, seed)) promptTokens = prompt.Length; // as a pool's prefill counts it
        StrategyResult? probe = null;
        if (_probe > 0)
        {
            bool scored = _scoredProbe && _context.Verifier is not null;
            probe = await new BestOfN(_context, _probe, scored ? SelectionRule.Weighted : SelectionRule.Majority)
                .SolveAsync(problem, seed, cancellationToken).ConfigureAwait(false);
            // Best-of-1 selects nothing, so scores nothing; a scored probe's difficulty features read its score all the same.
            if (scored && probe.Candidates.Any(c => c.Score is null))
                probe = probe with { Candidates = await _context.WithScoresAsync(problem, [.. probe.Candidates], probe.Ledger, cancellationToken).ConfigureAwait(false) };
        }
        var features = DifficultyFeatures.FromProbe((probe?.Candidates ?? []).Select(c =>
            new CandidateRecord(c.Text, c.Answer, false, c.StepScores, c.Score, c.Tokens, c.LogProb, c.Chain, c.Attempt)).ToList(), _probe, promptTokens, _scoredProbe);
        var signal = _oracleBins is null ? DifficultySignal.FromFeatures(features)
            : _oracleBins.TryGetValue(problem.Id, out int bin) ? DifficultySignal.FromBin(bin)
            : throw new ArgumentException($"problem '{problem.Id}' has no oracle bin", nameof(problem));
        return (probe, signal);
    }
}
