using TTScale.Compute;
using TTScale.Generation;
using TTScale.Randomness;
using TTScale.Tasks;

namespace TTScale.Strategies;

/// <summary>
/// Step-level search against a process verifier. N beams start from one prefill of the prompt; each round every live
/// beam proposes one step (sampling up to the step delimiter), the verifier scores the partial solutions, and in each
/// group the best survive and are forked M times. Finished beams are kept aside; the last round completes to the end.
/// <list type="bullet">
/// <item><c>beam</c>: one group of N; the top N/M survive.</item>
/// <item><c>dvts</c>: N/M independent subtrees of M; each keeps its best one (diverse verifier tree search).</item>
/// </list>
/// The final answer is chosen over the finished beams by the selection rule (weighted by default).
/// </summary>
public sealed class TreeSearch : IStrategy
{
    private readonly StrategyContext _context;
    private readonly int _n, _width, _iterations;
    private readonly bool _diverse;
    private readonly SelectionRule _select;

    /// <summary>Creates the search.</summary>
    /// <exception cref="ArgumentException">Bad sizes (M must divide N), or no verifier.</exception>
    public TreeSearch(StrategyContext context, int n, int beamWidth, int iterations, bool diverse, SelectionRule select)
    {
        if (context.Verifier is null) throw new ArgumentException("tree search needs a verifier (--prm DIR or --verifier oracle)", nameof(context));
        if (beamWidth < 1 || n < beamWidth || n % beamWidth != 0)
            throw new ArgumentException($"--beam-width {beamWidth} must be at least 1 and divide --n {n}", nameof(beamWidth));
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "--iterations must be 1 or more");
        _context = context;
        _n = n;
        _width = beamWidth;
        _iterations = iterations;
        _diverse = diverse;
        _select = select;
    }

    /// <inheritdoc/>
    public string Name => _diverse ? "dvts" : "beam";

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object> Parameters => new Dictionary<string, object>
    {
        ["n"] = _n, ["beam_width"] = _width, ["iterations"] = _iterations, ["select"] = _select.ToString().ToLowerInvariant(),
        ["agg"] = _context.Aggregation.ToString().ToLowerInvariant(), ["temperature"] = _context.Sampling.Temperature,
    };

    /// <inheritdoc/>
    public async Task<StrategyResult> SolveAsync(Problem problem, long seed, CancellationToken cancellationToken = default)
    {
        var generator = _context.Generator;
        var ledger = new ComputeLedger();
        using var root = generator.Start(problem.Prompt, seed);
        await generator.PrefillAsync([root], ledger, cancellationToken).ConfigureAwait(false);
        int groups = _diverse ? _n / _width : 1, keep = _diverse ? 1 : _n / _width;
        var live = Enumerable.Range(0, _n).Select(i => new Beam(root.Fork(SplitMix64.Derive(seed, i)), i / (_n / groups))).ToList();
        var finished = new List<Beam>();
        try
        {
            for (int round = 0; round < _iterations && live.Count > 0; round++)
            {
                bool last = round == _iterations - 1;
                var options = _context.Sampling with
                {
                    StopStrings = last ? [] : [ArithFormat.StepDelimiter],
                    MaxTokens = Math.Max(1, _context.Sampling.MaxTokens - live.Max(b => b.Tokens)),
                };
                var steps = await generator.GenerateAsync(live.Select(b => b.Sequence).ToList(), options, ledger, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < live.Count; i++) live[i].Add(steps[i], _context.Sampling.MaxTokens);
                var scores = await _context.Verifier!.ScoreStepsAsync(problem, live.Select(b => b.Text).ToList(), ledger, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < live.Count; i++) live[i].Scored(scores[i], _context.Aggregation);

                finished.AddRange(live.Where(b => b.Done || last));
                var next = new List<Beam>();
                foreach (var group in live.Where(b => !b.Done && !last).GroupBy(b => b.Group))
                {
                    // Highest score first; ties by position, so the search is deterministic.
                    var survivors = group.Select((b, i) => (b, i)).OrderByDescending(x => x.b.Score).ThenBy(x => x.i).Take(keep).Select(x => x.b).ToList();
                    foreach (var survivor in survivors)
                        for (int m = 0; m < _width; m++)
                            next.Add(survivor.Fork(SplitMix64.Derive(seed, ((long)round + 1) * _n + next.Count)));
                }
                foreach (var beam in live) beam.Sequence.Dispose();
                live = next;
            }
        }
        finally
        {
            foreach (var beam in live) beam.Sequence.Dispose();
        }
        var candidates = finished.Select(b => new Candidate(b.Text, problem.ExtractAnswer(b.Text), b.StepScores, b.Score, b.Tokens, b.LogProb)).ToList();
        int? chosen = Selection.Choose(candidates, _select);
        return new StrategyResult(chosen is int c ? candidates[c].Answer : null, chosen, candidates, ledger);
    }

    /// <summary>One beam: its sequence, its text so far, its last scores.</summary>
    private sealed class Beam(Sequence sequence, int group)
    {
        public Sequence Sequence { get; } = sequence;
        public int Group { get; } = group;
        public string Text { get; private set; } = "";
        public int Tokens { get; private set; }
        public double LogProb { get; private set; }
        public bool Done { get; private set; }
        public IReadOnlyList<float> StepScores { get; private set; } = [];
        public float Score { get; private set; }

        public void Add(Completion step, int maxTokens)
        {
            Text += step.Text;
            Tokens += step.Tokens.Count;
            LogProb += step.LogProbs.Sum();
            Done = step.Reason is FinishReason.Eos or FinishReason.ContextFull || Tokens >= maxTokens;
        }

        public void Scored(IReadOnlyList<float> scores, Verifiers.StepAggregation aggregation)
        {
            StepScores = scores;
            Score = Verifiers.StepScores.Aggregate(scores, aggregation);
        }

        public Beam Fork(long seed)
        {
            var child = new Beam(Sequence.Fork(seed), Group) { Text = Text, Tokens = Tokens, LogProb = LogProb, StepScores = StepScores, Score = Score };
            return child;
        }
    }
}
