using TTScale.Compute;
using TTScale.Generation;
using TTScale.Onnx;
using TTScale.Strategies;
using TTScale.Tasks;
using TTScale.Tests.Onnx;
using TTScale.Verifiers;

namespace TTScale.Tests.Strategies;

public sealed class TreeSearchTests : IDisposable
{
    private readonly OnnxGenerator _lm = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32"));
    private readonly Problem _problem = ProblemSource.Arith("arith:count=1,levels=3,seed=3")[0];

    public void Dispose() => _lm.Dispose();

    /// <summary>Scores a partial solution by a fixed hash of its text, and records every call's texts.</summary>
    private sealed class ScriptedVerifier : IProcessVerifier
    {
        public List<IReadOnlyList<string>> Calls { get; } = [];
        public string Name => "scripted";

        public Task<IReadOnlyList<IReadOnlyList<float>>> ScoreStepsAsync(Problem problem, IReadOnlyList<string> completions, ComputeLedger? ledger = null, CancellationToken cancellationToken = default)
        {
            Calls.Add(completions);
            IReadOnlyList<IReadOnlyList<float>> scores = completions.Select(c => (IReadOnlyList<float>)[Score(c)]).ToArray();
            return Task.FromResult(scores);
        }

        public static float Score(string text) => (uint)text.Aggregate(unchecked((int)2166136261), (h, ch) => unchecked((h ^ ch) * 16777619)) % 1000 / 1000f;
    }

    private TreeSearch Search(ScriptedVerifier verifier, bool diverse, int iterations = 4) => Search(verifier, diverse ? TreeSearch.Kind.Dvts : TreeSearch.Kind.Beam, iterations);

    private TreeSearch Search(ScriptedVerifier verifier, TreeSearch.Kind kind, int iterations = 4) =>
        new(new StrategyContext(_lm, verifier, new SamplingOptions { Temperature = 1.0, MaxTokens = 40 }), kind, 8, 2, iterations, SelectionRule.Weighted, lookahead: 2);

    [Fact]
    public async Task BeamKeepsTheTopNOverMAndExpandsEachMTimes()
    {
        var verifier = new ScriptedVerifier();
        var result = await Search(verifier, diverse: false).SolveAsync(_problem, seed: 1);
        Assert.Equal(8, verifier.Calls[0].Count);
        for (int round = 1; round < verifier.Calls.Count; round++)
        {
            var previous = verifier.Calls[round - 1];
            var scores = previous.Select(ScriptedVerifier.Score).ToList();
            int stillLive = verifier.Calls[round].Count;
            Assert.True(stillLive % 2 == 0 && stillLive <= 8, $"round {round}: {stillLive} beams is not survivors x 2");
            // Every beam this round extends one of the previous round's best four.
            var best = previous.Select((t, i) => (t, s: scores[i], i)).OrderByDescending(x => x.s).ThenBy(x => x.i).Take(4).Select(x => x.t).ToList();
            Assert.All(verifier.Calls[round], t => Assert.Contains(best, b => t.StartsWith(b, StringComparison.Ordinal)));
        }
        Assert.NotEmpty(result.Candidates);
    }

    [Fact]
    public async Task DvtsSubtreesNeverExchangeNodes()
    {
        var verifier = new ScriptedVerifier();
        await Search(verifier, diverse: true).SolveAsync(_problem, seed: 1);
        // Round 0: beams 2k and 2k+1 form subtree k; each later beam extends a beam of its own subtree.
        var subtreeOf = verifier.Calls[0].Select((t, i) => (t, i / 2)).ToList();
        for (int round = 1; round < verifier.Calls.Count; round++)
        {
            var prefixes = verifier.Calls[round].Select(t => subtreeOf.Where(p => t.StartsWith(p.t, StringComparison.Ordinal)).Select(p => p.Item2).Distinct().ToList()).ToList();
            Assert.All(prefixes, p => Assert.Single(p));
            Assert.Equal(verifier.Calls[round].Count / 2, prefixes.Select(p => p[0]).Distinct().Count());
        }
    }

    [Fact]
    public async Task SameSeedSameSearch()
    {
        var a = await Search(new ScriptedVerifier(), false).SolveAsync(_problem, seed: 7);
        var b = await Search(new ScriptedVerifier(), false).SolveAsync(_problem, seed: 7);
        Assert.Equal(a.Candidates.Select(c => c.Text), b.Candidates.Select(c => c.Text));
        Assert.Equal(a.Ledger.GeneratedTokens, b.Ledger.GeneratedTokens);
    }

    [Fact]
    public void WidthMustDivideN() =>
        Assert.Throws<ArgumentException>(() => new TreeSearch(new StrategyContext(_lm, new ScriptedVerifier(), new SamplingOptions()), TreeSearch.Kind.Beam, 10, 4, 5, SelectionRule.Weighted));

    [Fact]
    public async Task LookaheadChargesItsRolloutsAndScoresThem()
    {
        var plain = new ScriptedVerifier();
        var beam = await Search(plain, TreeSearch.Kind.Beam, iterations: 3).SolveAsync(_problem, seed: 3);
        var rolled = new ScriptedVerifier();
        var lookahead = await Search(rolled, TreeSearch.Kind.Lookahead, iterations: 3).SolveAsync(_problem, seed: 3);
        // Each round adds a verifier call on the rollouts, and their tokens are generated and charged.
        Assert.True(rolled.Calls.Count > plain.Calls.Count);
        Assert.True(lookahead.Ledger.GeneratedTokens > lookahead.Candidates.Max(c => c.Tokens));
        Assert.True(lookahead.Ledger.GeneratedTokens > beam.Ledger.GeneratedTokens);
    }

    [Fact]
    public async Task ParticleFilteringKeepsNParticles()
    {
        var verifier = new ScriptedVerifier();
        var result = await Search(verifier, TreeSearch.Kind.Particle, iterations: 4).SolveAsync(_problem, seed: 5);
        // Resampling keeps the population: every round scores the particles still live, and all N end as candidates.
        Assert.Equal(8, verifier.Calls[0].Count);
        for (int round = 1; round < verifier.Calls.Count; round++) Assert.True(verifier.Calls[round].Count <= verifier.Calls[round - 1].Count);
        Assert.Equal(8, result.Candidates.Count);
    }
}
