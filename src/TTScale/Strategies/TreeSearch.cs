using TTScale.Compute;
using TTScale.Generation;
using TTScale.Randomness;
using TTScale.Tasks;

namespace TTScale.Strategies;

/// <summary>
/// Step-level search against a process verifier. N beams start from one prefill of the prompt; each round every live
/// beam proposes one step (sampling up to the step delimiter), the verifier scores the partial solutions, and in each
/// group the best survive and are forked M times. A beam finishes at end of sequence, at its token budget, or at a step that
/// is the task's final-answer line (<see cref="Problem.IsFinalStep"/>: ArithChain's <c>A: n</c>, GSM8K's <c>#### n</c>), so
/// an answered beam is neither forked nor kept a round for its end-of-sequence token. Finished beams are kept aside; the
/// last round completes to the end. The candidates are the first N beams to finish: the search stops once N have.
/// <list type="bullet">
/// <item><c>beam</c>: one group of N; the top N/M open beams survive and are forked back up to N whatever has finished,
/// split evenly with any extra forks to the best (search-and-learn copies cyclically: the same counts), so the search
/// stays N wide when fewer than N/M are open (after finishes or dedupe).</item>
/// <item><c>dvts</c>: N/M independent subtrees of M; each keeps its best proposal, and ends when that one is finished (or
/// in the last round) with its finished last proposals as candidates, N at most (diverse verifier tree search, as
/// search-and-learn, less its issue #57: siblings still open when the best finished have no answer and are dropped).</item>
/// <item><c>lookahead</c>: beam search where a proposal is scored after a k-step greedy rollout; only the proposed step is
/// kept, and the rollout's tokens are charged to the ledger.</item>
/// <item><c>particle</c>: particle filtering; each round the N particles, finished ones with their last weight, are
/// resampled in proportion to the odds of their scores, <c>s / (1 - s)</c> (the score's logit as log-weight, as its_hub).</item>
/// <item><c>ets</c>: efficient tree search; the keep-set is chosen by <see cref="EtsKeepSet"/>'s integer program (outcome share,
/// KV cost of retained nodes, semantic coverage) and the kept leaves share the remaining width (N less the finished
/// beams) by softmax of their scores at temperature 0.2.</item>
/// </list>
/// With dedupe (beam, lookahead, ets), proposals whose normalised text equals an earlier live proposal's are dropped
/// before selection. Each round the ledger records the tree's logical KV (unique nodes on the paths of the live leaves, and of lookahead's rollouts while they run) beside the
/// physical KV the engine held. The final answer is chosen over the finished beams by the selection rule (weighted by default).
/// </summary>
public sealed class TreeSearch : IStrategy
{
    /// <summary>Which search.</summary>
    public enum Kind
    {
        /// <summary>Beam search.</summary>
        Beam,
        /// <summary>Diverse verifier tree search.</summary>
        Dvts,
        /// <summary>Beam search scored after a greedy rollout.</summary>
        Lookahead,
        /// <summary>Particle filtering.</summary>
        Particle,
        /// <summary>Efficient tree search: the keep-set by integer program, the width by softmax.</summary>
        Ets,
    }

    private readonly StrategyContext _context;
    private readonly int _n, _width, _iterations, _lookahead;
    private readonly Kind _kind;
    private readonly SelectionRule _select;
    private readonly bool _dedupe;
    private readonly EtsOptions _ets;
    private readonly IStepEmbedder _embedder;

    /// <summary>Creates the search.</summary>
    /// <param name="context">The policy, verifier and sampling.</param>
    /// <param name="kind">Which search.</param>
    /// <param name="n">N: beams, particles, or ETS's width.</param>
    /// <param name="beamWidth">M for beam, DVTS and lookahead (ignored by particle and ETS, which size their own expansions).</param>
    /// <param name="iterations">The most rounds.</param>
    /// <param name="select">How the answer is chosen over the finished beams.</param>
    /// <param name="lookahead">Greedy rollout steps, for lookahead.</param>
    /// <param name="dedupe">Drop proposals whose normalised text equals another live proposal's before selection.</param>
    /// <param name="ets">ETS's program weights and step embedder; defaults where null.</param>
    /// <exception cref="ArgumentException">Bad sizes (M must divide N), bad ETS weights, dedupe for particle filtering or DVTS, or no verifier.</exception>
    public TreeSearch(StrategyContext context, Kind kind, int n, int beamWidth, int iterations, SelectionRule select, int lookahead = 0,
        bool dedupe = false, EtsOptions? ets = null)
    {
        if (context.Verifier is null) throw new ArgumentException("tree search needs a verifier (--prm DIR or --verifier oracle)", nameof(context));
        if (kind is Kind.Particle or Kind.Ets) beamWidth = 1;
        if (dedupe && kind == Kind.Particle) throw new ArgumentException("--dedupe does not apply to particle, whose resampling keeps duplicates by design", nameof(dedupe));
        if (dedupe && kind == Kind.Dvts) throw new ArgumentException("--dedupe does not apply to dvts, each of whose subtrees keeps one proposal a round", nameof(dedupe));
        _ets = ets ?? new EtsOptions();
        if (!double.IsFinite(_ets.LambdaC) || _ets.LambdaC < 0) throw new ArgumentOutOfRangeException(nameof(ets), _ets.LambdaC, "--lambda-c must be a finite number, 0 or more");
        if (!double.IsFinite(_ets.LambdaS) || _ets.LambdaS < 0) throw new ArgumentOutOfRangeException(nameof(ets), _ets.LambdaS, "--lambda-s must be a finite number, 0 or more");
        _embedder = _ets.StepEmbedder;
        _dedupe = dedupe;
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "--n must be 1 or more");
        if (beamWidth < 1 || n % beamWidth != 0)
            throw new ArgumentException($"--beam-width {beamWidth} must be at least 1 and divide --n {n}", nameof(beamWidth));
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "--iterations must be 1 or more");
        if (kind == Kind.Lookahead && lookahead < 1) throw new ArgumentOutOfRangeException(nameof(lookahead), lookahead, "--lookahead must be 1 or more");
        _context = context;
        _kind = kind;
        _n = n;
        _width = beamWidth;
        _iterations = iterations;
        _select = select;
        _lookahead = kind == Kind.Lookahead ? lookahead : 0;
    }

    /// <inheritdoc/>
    public string Name => _kind.ToString().ToLowerInvariant();

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object> Parameters
    {
        get
        {
            var p = new Dictionary<string, object> { ["n"] = _n };
            if (_kind is not (Kind.Particle or Kind.Ets)) p["beam_width"] = _width;
            if (_kind == Kind.Lookahead) p["lookahead"] = _lookahead;
            if (_kind == Kind.Ets)
            {
                p["lambda_c"] = _ets.LambdaC;
                p["lambda_s"] = _ets.LambdaS;
                p["embedder"] = _embedder.Name;
            }
            if (_dedupe) p["dedupe"] = true;
            p["iterations"] = _iterations;
            p["select"] = _select.ToString().ToLowerInvariant();
            p["agg"] = _context.Aggregation.ToString().ToLowerInvariant();
            p["temperature"] = _context.Sampling.Temperature;
            return p;
        }
    }

    /// <inheritdoc/>
    public async Task<StrategyResult> SolveAsync(Problem problem, long seed, CancellationToken cancellationToken = default)
    {
        var generator = _context.Generator;
        var ledger = new ComputeLedger();
        int groups = _kind == Kind.Dvts ? _n / _width : 1;
        var random = SplitMix64.ForStream(seed, -1);
        List<Beam> live;
        using (var root = generator.Start(problem.Prompt, seed)) // the beams hold the prompt's KV once forked
        {
            await generator.PrefillAsync([root], ledger, cancellationToken).ConfigureAwait(false);
            var prompt = new SearchNode(null, root.Length);
            live = Enumerable.Range(0, _n).Select(i => new Beam(root.Fork(SplitMix64.Derive(seed, i)), i / (_n / groups), prompt)).ToList();
        }
        var finished = new List<Beam>();
        try
        {
            for (int round = 0; round < _iterations && live.Count > 0; round++)
            {
                bool last = round == _iterations - 1;
                var options = _context.Sampling with { StopStrings = last ? [] : [generator.StepDelimiter] };
                // Each beam within what it has left of the budget (a live beam has some), so none is cut mid-step by another's length.
                var steps = await generator.GenerateAsync(live.Select(b => b.Sequence).ToList(), live.Select(b => _context.Sampling.MaxTokens - b.Tokens).ToList(),
                    options, ledger, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < live.Count; i++) live[i].Add(steps[i], _context.Sampling.MaxTokens, problem.IsFinalStep(steps[i].Text));
                var scores = await _context.Verifier!.ScoreStepsAsync(problem, live.Select(b => b.Text).ToList(), ledger, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < live.Count; i++) live[i].Scored(scores[i], _context.Aggregation);
                // The tree as the round's selection sees it: every live leaf and its ancestors, shared prefixes once.
                long logicalKv = SearchNode.UniqueTokens(live.Select(b => b.Node)) * generator.Cost.KvBytesPerToken;

                var next = new List<Beam>();
                long Seed() => SplitMix64.Derive(seed, ((long)round + 1) * _n + next.Count);
                if (_kind == Kind.Dvts)
                {
                    foreach (var subtree in live.GroupBy(b => b.Group))
                    {
                        var best = Best(subtree, 1)[0];
                        if (best.Done || last) finished.AddRange(subtree.Where(b => b.Done || last));
                        else for (int m = 0; m < _width; m++) next.Add(best.Fork(Seed()));
                    }
                }
                else if (_kind == Kind.Particle)
                {
                    // The population stays N, as its_hub keeps it: a finished particle keeps its last weight and is resampled
                    // with the live ones, so a weak one drops out and a strong one is copied. Once none is live, the
                    // population is the candidates.
                    var population = finished.Concat(live).ToList();
                    var picks = population.Any(b => !b.Done && !last) ? Resample([.. population.Select(b => b.Score)], _n, ref random) : [.. Enumerable.Range(0, population.Count)];
                    finished = [.. picks.Where(i => population[i].Done || last).Select(i => population[i])];
                    foreach (int i in picks.Where(i => !population[i].Done && !last)) next.Add(population[i].Fork(Seed()));
                }
                else
                {
                    finished.AddRange(live.Where(b => b.Done || last));
                    // The first N finished beams are the candidates, as search-and-learn keeps them; once there are N, no
                    // beam finished later could be one, so the search stops (survivors re-expanded to N would pass it).
                    var open = finished.Count >= _n ? [] : live.Where(b => !b.Done && !last).ToList();
                    if (_dedupe) open = Deduplicate(open);
                    if (_kind == Kind.Lookahead)
                    {
                        // The rollouts are live beside the tree while they run: the round's tree holds them too.
                        var rollouts = await RolloutScoresAsync(problem, open, ledger, cancellationToken).ConfigureAwait(false);
                        logicalKv = SearchNode.UniqueTokens(live.Select(b => b.Node).Concat(rollouts)) * generator.Cost.KvBytesPerToken;
                    }
                    if (_kind == Kind.Ets)
                    {
                        var widths = await EtsWidthsAsync(open, _n - finished.Count, cancellationToken).ConfigureAwait(false);
                        for (int i = 0; i < open.Count; i++)
                            for (int f = 0; f < widths[i]; f++) next.Add(open[i].Fork(Seed()));
                    }
                    else
                    {
                        var survivors = Best(open, _n / _width);
                        for (int j = 0; j < survivors.Count; j++) // N split as evenly as it goes; forks of one beam sit together
                            for (int f = 0; f < _n / survivors.Count + (j < _n % survivors.Count ? 1 : 0); f++) next.Add(survivors[j].Fork(Seed()));
                    }
                }
                foreach (var beam in live) beam.Sequence.Dispose();
                live = next;
                ledger.ObserveRound(round, logicalKv);
            }
        }
        finally
        {
            foreach (var beam in live) beam.Sequence.Dispose();
        }
        var candidates = finished.Take(_n).Select(b => new Candidate(b.Text, problem.ExtractAnswer(b.Text), b.StepScores, b.Score, b.Tokens, b.LogProb)).ToList();
        int? chosen = Selection.Choose(candidates, _select);
        return new StrategyResult(chosen is int c ? candidates[c].Answer : null, chosen, candidates, ledger);
    }

    /// <summary>The <paramref name="count"/> beams with the highest selection score; ties by position, so the search is deterministic.</summary>
    private static List<Beam> Best(IEnumerable<Beam> beams, int count) =>
        beams.Select((b, i) => (b, i)).OrderByDescending(x => x.b.SelectionScore).ThenBy(x => x.i).Take(count).Select(x => x.b).ToList();

    /// <summary>Drops proposals whose normalised text equals an earlier proposal's.</summary>
    private static List<Beam> Deduplicate(List<Beam> open)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return open.Where(b => seen.Add(StepText.Normalize(b.Text))).ToList();
    }

    /// <summary>
    /// ETS selection: the keep-set program over the open leaves and their ancestors below the prompt, then the remaining
    /// width shared among the kept leaves by softmax of their scores. Returns each open leaf's number of children.
    /// </summary>
    private async Task<int[]> EtsWidthsAsync(List<Beam> open, int width, CancellationToken cancellationToken)
    {
        if (open.Count == 0 || width <= 0) return new int[open.Count];
        var branches = new Dictionary<SearchNode, int>(ReferenceEqualityComparer.Instance);
        var ancestors = open.Select(b => (IReadOnlyList<int>)b.Node.Ancestors().Where(a => a.Parent is not null)
            .Select(a => branches.TryGetValue(a, out int j) ? j : branches[a] = branches.Count).ToList()).ToList();
        var branchTokens = branches.OrderBy(kv => kv.Value).Select(kv => kv.Key.Tokens).ToList();
        var clusters = await _embedder.ClusterAsync(open.Select(b => b.LastStep).ToList(), cancellationToken).ConfigureAwait(false);
        var tree = new EtsTree(open.Select(b => (double)b.SelectionScore).ToList(), open.Select(b => b.Node.Tokens).ToList(),
            ancestors, branchTokens, clusters, width);
        var keep = EtsKeepSet.Solve(tree, _ets.LambdaC, _ets.LambdaS);
        return EtsKeepSet.Allocate(tree.Scores, width, keep);
    }

    /// <summary>
    /// Scores each open beam by the verifier's view after a greedy rollout of k more steps, within what the beam has left
    /// of its token budget; a rollout that ends (end of sequence, final-answer line, budget, context) stops there. Rollouts are then dropped.
    /// Returns each rollout as a node below its beam's, for the round's logical KV.
    /// </summary>
    private async Task<List<SearchNode>> RolloutScoresAsync(Problem problem, List<Beam> open, ComputeLedger ledger, CancellationToken cancellationToken)
    {
        if (open.Count == 0) return [];
        var generator = _context.Generator;
        var rollouts = open.Select(b => b.Sequence.Fork(0)).ToList();
        var texts = open.Select(b => b.Text).ToList();
        var left = open.Select(b => _context.Sampling.MaxTokens - b.Tokens).ToArray();
        var rolled = new int[open.Count];
        try
        {
            var greedy = _context.Sampling with { Temperature = 0, StopStrings = [generator.StepDelimiter] };
            for (int k = 0; k < _lookahead; k++)
            {
                var going = Enumerable.Range(0, open.Count).Where(i => left[i] > 0).ToList();
                if (going.Count == 0) break;
                var steps = await generator.GenerateAsync(going.Select(i => rollouts[i]).ToList(), going.Select(i => left[i]).ToList(), greedy,
                    ledger, cancellationToken).ConfigureAwait(false);
                for (int j = 0; j < going.Count; j++)
                {
                    int i = going[j];
                    texts[i] += steps[j].Text;
                    rolled[i] += steps[j].Tokens.Count;
                    bool ended = steps[j].Reason is FinishReason.Eos or FinishReason.ContextFull || problem.IsFinalStep(steps[j].Text);
                    left[i] = ended ? 0 : left[i] - steps[j].Tokens.Count;
                }
            }
        }
        finally
        {
            foreach (var rollout in rollouts) rollout.Dispose();
        }
        var scores = await _context.Verifier!.ScoreStepsAsync(problem, texts, ledger, cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < open.Count; i++) open[i].SelectionScore = Verifiers.StepScores.Aggregate(scores[i], _context.Aggregation);
        return [.. open.Select((b, i) => new SearchNode(b.Node, rolled[i]))];
    }

    /// <summary>
    /// Multinomial resampling of <paramref name="count"/> particles (indices into <paramref name="scores"/>, sorted) from
    /// the problem's own stream, each weighted by the odds of its PRM score, <c>s / (1 - s)</c>: its log-weight is the
    /// score's logit, as its_hub reads a PRM.
    /// </summary>
    internal static List<int> Resample(IReadOnlyList<float> scores, int count, ref SplitMix64 random)
    {
        static double Logit(float score)
        {
            double s = Math.Clamp(score, 1e-7, 1 - 1e-7); // as its_hub clips, so a score of 0 or 1 stays finite
            return Math.Log(s / (1 - s));
        }
        var logits = scores.Select(Logit).ToArray();
        double max = logits.Max();
        var weights = logits.Select(l => Math.Exp(l - max)).ToArray();
        double total = weights.Sum();
        var picks = new List<int>(count);
        for (int n = 0; n < count; n++)
        {
            double u = random.NextDouble() * total, cumulative = 0;
            int pick = scores.Count - 1;
            for (int i = 0; i < weights.Length; i++)
            {
                cumulative += weights[i];
                if (u < cumulative) { pick = i; break; }
            }
            picks.Add(pick);
        }
        picks.Sort(); // forks of one particle sit together
        return picks;
    }

    /// <summary>One beam: its sequence, its node in the search tree, its text so far, its last scores.</summary>
    private sealed class Beam(Sequence sequence, int group, SearchNode node)
    {
        public Sequence Sequence { get; } = sequence;
        public int Group { get; } = group;
        public SearchNode Node { get; private set; } = node;
        public string LastStep { get; private set; } = "";
        public string Text { get; private set; } = "";
        public int Tokens { get; private set; }
        public double LogProb { get; private set; }
        public bool Done { get; private set; }
        public IReadOnlyList<float> StepScores { get; private set; } = [];
        public float Score { get; private set; }

        public void Add(Completion step, int maxTokens, bool finalStep)
        {
            Text += step.Text;
            LastStep = step.Text;
            Node = new SearchNode(Node, step.Tokens.Count);
            Tokens += step.Tokens.Count;
            LogProb += step.LogProbs.Sum();
            Done = finalStep || step.Reason is FinishReason.Eos or FinishReason.ContextFull || Tokens >= maxTokens;
        }

        public void Scored(IReadOnlyList<float> scores, Verifiers.StepAggregation aggregation)
        {
            StepScores = scores;
            Score = SelectionScore = Verifiers.StepScores.Aggregate(scores, aggregation);
        }

        /// <summary>What survival is decided on: the score, or for lookahead the score after the rollout.</summary>
        public float SelectionScore { get; set; }

        public Beam Fork(long seed) =>
            new(Sequence.Fork(seed), Group, Node) { LastStep = LastStep, Text = Text, Tokens = Tokens, LogProb = LogProb, StepScores = StepScores, Score = Score };
    }
}
