using TTScale.Compute;
using TTScale.Generation;
using TTScale.Randomness;
using TTScale.Tasks;

namespace TTScale.Strategies;

/// <summary>
/// Sequential revision: each chain makes R attempts, attempt k conditioned on up to the last 4 before it (the revision
/// format, <see cref="ArithFormat.RevisionPrompt"/>, as many as fit the context). One chain is <c>revise</c>, with the
/// answer selected over the chain; C chains in parallel are <c>hybrid</c> (C x R = N). Hybrid selects as Snell et al.
/// do, hierarchically: with a verifier rule (naive, weighted) each chain's best-scored answered attempt, then the rule
/// across the chains; <c>majority</c> votes over every attempt of every chain, as revise does over its one chain, with
/// no verifier; <c>last</c> votes over each chain's last attempt. The prompt is prefilled once; every chain forks it. A
/// chain keeps its sequence and appends the revision text while the new prompt extends the old one, so earlier attempts
/// are not prefilled again; when the window of attempts moves, it forks the prompt afresh. A chat model
/// (<see cref="IGenerator.ContinueChat"/>) reads its attempts as its own turns instead, each answered by a user turn with
/// the revision request, as a chat model is asked to revise.
/// </summary>
public sealed class Revision : IStrategy
{
    private readonly StrategyContext _context;
    private readonly int _chains, _attempts;
    private readonly SelectionRule _select;
    private readonly string _request;

    /// <summary>What a chat model is asked after each attempt, unless told otherwise.</summary>
    public const string DefaultRequest = "Check your answer above step by step for mistakes, then solve the problem again and give your final answer.";

    /// <summary>Creates the strategy.</summary>
    /// <param name="context">The models and sampling.</param>
    /// <param name="chains">Chains run side by side (1: revise).</param>
    /// <param name="attempts">Attempts per chain.</param>
    /// <param name="select">How the answer is chosen.</param>
    /// <param name="request">The user turn after each attempt, for a chat model; null: <see cref="DefaultRequest"/>.</param>
    /// <exception cref="ArgumentException">Chains or attempts below 1, an empty request, or a verifier-based rule without a verifier.</exception>
    public Revision(StrategyContext context, int chains, int attempts, SelectionRule select, string? request = null)
    {
        if (request is not null && string.IsNullOrWhiteSpace(request)) throw new ArgumentException("--revision-request must not be empty", nameof(request));
        if (chains < 1) throw new ArgumentOutOfRangeException(nameof(chains), chains, "--chains must be 1 or more");
        if (attempts < 1) throw new ArgumentOutOfRangeException(nameof(attempts), attempts, "--revisions must be 1 or more");
        if (Selection.NeedsScores(select) && context.Verifier is null)
            throw new ArgumentException($"--select {select.ToString().ToLowerInvariant()} needs a verifier (--prm DIR or --verifier oracle)", nameof(select));
        _context = context;
        _chains = chains;
        _attempts = attempts;
        _select = select;
        _request = request ?? DefaultRequest;
    }

    /// <inheritdoc/>
    public string Name => _chains == 1 ? "revise" : "hybrid";

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object> Parameters
    {
        get
        {
            var parameters = new Dictionary<string, object>
            {
                ["chains"] = _chains, ["revisions"] = _attempts, ["select"] = _select.ToString().ToLowerInvariant(), ["temperature"] = _context.Sampling.Temperature,
            };
            if (_context.Generator.ContinueChat("", []) is not null) parameters["revision_request"] = _request;
            return parameters;
        }
    }

    /// <inheritdoc/>
    public async Task<StrategyResult> SolveAsync(Problem problem, long seed, CancellationToken cancellationToken = default)
    {
        var generator = _context.Generator;
        var ledger = new ComputeLedger();
        var completions = new List<Completion>();
        var positions = new List<(int?, int?)>();
        var root = generator.Start(problem.Prompt, seed); // the chains fork it, so the prompt is prefilled once
        var chains = Enumerable.Range(0, _chains).Select(c => new Chain(SplitMix64.Derive(seed, c), root)).ToList();
        try
        {
            await generator.PrefillAsync([root], ledger, cancellationToken).ConfigureAwait(false);
            for (int attempt = 0; attempt < _attempts; attempt++)
            {
                foreach (var chain in chains) chain.Prepare(generator, problem.Prompt, attempt, _context.Sampling.MaxTokens, _request);
                var round = await generator.GenerateAsync(chains.Select(c => c.Sequence!).ToList(), _context.Sampling, ledger, cancellationToken).ConfigureAwait(false);
                for (int c = 0; c < chains.Count; c++)
                {
                    chains[c].Finished(round[c]);
                    completions.Add(round[c]);
                    positions.Add((c, attempt));
                }
            }
        }
        finally
        {
            foreach (var chain in chains) chain.Sequence?.Dispose();
            root.Dispose();
        }

        var candidates = await _context.CandidatesAsync(problem, completions, Selection.NeedsScores(_select), ledger, cancellationToken, i => positions[i])
            .ConfigureAwait(false);
        int? chosen;
        if (_chains == 1 || _select == SelectionRule.Majority)
        {
            chosen = Selection.Choose(candidates, _select);
        }
        else
        {
            // Each chain's answer, then the rule across the chains (a vote for last). A chain's best-scored attempt is taken
            // among those with an answer, so one unanswered attempt does not drop the chain from the vote.
            var winners = Enumerable.Range(0, _chains).Select(c =>
            {
                var members = Enumerable.Range(0, candidates.Count).Where(i => candidates[i].Chain == c).ToList();
                var answered = members.Where(i => candidates[i].Answer is not null).ToList();
                return _select == SelectionRule.Last || answered.Count == 0 ? members[^1]
                    : answered[Selection.Choose(answered.Select(i => candidates[i]).ToList(), SelectionRule.Naive)!.Value];
            }).ToList();
            int? pick = Selection.Choose(winners.Select(i => candidates[i]).ToList(), _select == SelectionRule.Last ? SelectionRule.Majority : _select);
            chosen = pick is int p ? winners[p] : null;
        }
        return new StrategyResult(chosen is int k ? candidates[k].Answer : null, chosen, candidates, ledger);
    }

    /// <summary>One chain's sequence, forked from the prefilled prompt <paramref name="root"/>, and the text it holds.</summary>
    private sealed class Chain(long seed, Sequence root)
    {
        private readonly List<string> _attempts = [];
        private string _text = "";
        private int _promptTokens; // the problem as Start wraps it: template, start token

        public Sequence? Sequence { get; private set; }

        public void Prepare(IGenerator generator, string prompt, int attempt, int maxTokens, string request)
        {
            string next = attempt == 0 ? prompt
                : ArithFormat.FitRevision(_attempts, kept => RevisionText(generator, prompt, kept, request),
                    t => _promptTokens + generator.Encode(t[prompt.Length..]).Count, generator.ContextLength, maxTokens);
            if (Sequence is null || !next.StartsWith(_text, StringComparison.Ordinal))
            {
                // The root holds the problem alone, as Start wrapped it (a model's prompt template wraps it, not the attempts).
                Sequence?.Dispose();
                Sequence = root.Fork(SplitMix64.Derive(seed, attempt));
                _text = prompt;
                _promptTokens = Sequence.Length;
            }
            Sequence.Append(generator.Encode(next[_text.Length..]));
            _text = next;
        }

        /// <summary>
        /// The prompt and the attempts a revision sees: a chat model's turns after the prompt's, else the task's revision
        /// format. Either way the text after the prompt is appended to a sequence started on the prompt.
        /// </summary>
        private static string RevisionText(IGenerator generator, string prompt, IReadOnlyList<string> attempts, string request) =>
            generator.ContinueChat(prompt, [.. attempts.SelectMany(a => new[] { new ChatTurn("assistant", a), new ChatTurn("user", request) })]) is string turns
                ? prompt + turns
                : ArithFormat.RevisionPrompt(prompt, attempts);

        public void Finished(Completion completion)
        {
            _attempts.Add(completion.Text);
            _text += completion.Text;
        }
    }
}
