using TTScale.Compute;
using TTScale.Generation;
using TTScale.Randomness;
using TTScale.Tasks;

namespace TTScale.Strategies;

/// <summary>
/// N samples from one prefill of the prompt (forked N ways), then a selection rule. With N = 1 this is <c>sample</c>
/// (pass@1), or <c>greedy</c> at temperature 0.
/// </summary>
public sealed class BestOfN : IStrategy
{
    private readonly StrategyContext _context;
    private readonly int _n;
    private readonly SelectionRule _select;

    /// <summary>Creates the strategy.</summary>
    /// <exception cref="ArgumentException">N below 1, or a verifier-based rule without a verifier.</exception>
    public BestOfN(StrategyContext context, int n, SelectionRule select)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "--n must be 1 or more");
        if (n > 1 && Selection.NeedsScores(select) && context.Verifier is null)
            throw new ArgumentException($"--select {select.ToString().ToLowerInvariant()} needs a verifier (--prm DIR or --verifier oracle)", nameof(select));
        _context = context;
        _n = n;
        _select = n == 1 ? SelectionRule.Last : select;
    }

    /// <summary>Samples drawn per problem.</summary>
    public int N => _n;

    /// <inheritdoc/>
    public string Name => _n > 1 ? "best-of-n" : _context.Sampling.Temperature <= 0 ? "greedy" : "sample";

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object> Parameters => _n > 1
        ? new Dictionary<string, object> { ["n"] = _n, ["select"] = _select.ToString().ToLowerInvariant(), ["temperature"] = _context.Sampling.Temperature }
        : new Dictionary<string, object> { ["temperature"] = _context.Sampling.Temperature };

    /// <summary>
    /// Whether samples drawn under <paramref name="other"/> are this strategy's own (what <see cref="ContinueAsync"/> needs):
    /// the same policy, verifier, sampling and step aggregation. Greedy's are not a sampled probe's.
    /// </summary>
    public bool DrawsAs(StrategyContext other)
    {
        ArgumentNullException.ThrowIfNull(other);
        SamplingOptions mine = _context.Sampling, theirs = other.Sampling;
        return ReferenceEquals(_context.Generator, other.Generator) && ReferenceEquals(_context.Verifier, other.Verifier) && _context.Aggregation == other.Aggregation
            && mine with { StopStrings = theirs.StopStrings } == theirs && mine.StopStrings.SequenceEqual(theirs.StopStrings);
    }

    /// <inheritdoc/>
    public Task<StrategyResult> SolveAsync(Problem problem, long seed, CancellationToken cancellationToken = default) =>
        ContinueAsync(problem, seed, [], cancellationToken);

    /// <summary>
    /// Best-of-N that keeps candidates already drawn with the same seed (a probe's first k samples): sample i always
    /// comes from stream (seed, i), so the result equals <see cref="SolveAsync"/>'s while only samples k..N-1 are drawn.
    /// Where the rule selects by score, drawn candidates without scores (an unscored probe's) are scored here, into this
    /// result's ledger.
    /// </summary>
    public async Task<StrategyResult> ContinueAsync(Problem problem, long seed, IReadOnlyList<Candidate> drawn, CancellationToken cancellationToken = default)
    {
        var generator = _context.Generator;
        var ledger = new ComputeLedger();
        bool score = _n > 1 && Selection.NeedsScores(_select);
        var candidates = drawn.Take(_n).ToList();
        if (score) candidates = await _context.WithScoresAsync(problem, candidates, ledger, cancellationToken).ConfigureAwait(false);
        if (candidates.Count < _n)
        {
            List<Sequence> samples;
            using (var root = generator.Start(problem.Prompt, seed)) // the samples hold the prompt's KV once forked
            {
                await generator.PrefillAsync([root], ledger, cancellationToken).ConfigureAwait(false);
                samples = Enumerable.Range(candidates.Count, _n - candidates.Count).Select(i => root.Fork(SplitMix64.Derive(seed, i))).ToList();
            }
            try
            {
                var completions = await generator.GenerateAsync(samples, _context.Sampling, ledger, cancellationToken).ConfigureAwait(false);
                candidates.AddRange(await _context.CandidatesAsync(problem, completions, score, ledger, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                foreach (var sample in samples) sample.Dispose();
            }
        }
        int? chosen = Selection.Choose(candidates, _select);
        return new StrategyResult(chosen is int c ? candidates[c].Answer : null, chosen, candidates, ledger);
    }
}
