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

    private TreeSearch Search(ScriptedVerifier verifier, TreeSearch.Kind kind, int iterations = 4, IGenerator? generator = null, bool dedupe = false,
        EtsOptions? ets = null, int maxTokens = 40) =>
        new(new StrategyContext(generator ?? _lm, verifier, new SamplingOptions { Temperature = 1.0, MaxTokens = maxTokens }), kind, 8, 2, iterations,
            SelectionRule.Weighted, lookahead: 2, dedupe: dedupe, ets: ets);

    public static TheoryData<TreeSearch.Kind> EveryKind => new() { TreeSearch.Kind.Beam, TreeSearch.Kind.Dvts, TreeSearch.Kind.Lookahead, TreeSearch.Kind.Particle, TreeSearch.Kind.Ets };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public async Task LedgerTokensEqualTokensActuallyGeneratedAndEveryRoundIsRecorded(TreeSearch.Kind kind)
    {
        var generator = new RecordingGenerator(_lm);
        var verifier = new ScriptedVerifier();
        var result = await Search(verifier, kind, iterations: 4, generator).SolveAsync(_problem, seed: 2);
        long generated = generator.Calls.SelectMany(c => c).Sum(c => c.Tokens.Count + (c.Reason == FinishReason.Eos ? 1 : 0));
        Assert.Equal(generated, result.Ledger.GeneratedTokens);
        // One KV entry per round; round 0's tree is the prompt plus every first step, none shared yet.
        var rounds = result.Ledger.Rounds;
        int scoringCalls = kind == TreeSearch.Kind.Lookahead ? (verifier.Calls.Count + 1) / 2 : verifier.Calls.Count; // lookahead also scores rollouts
        Assert.Equal(Enumerable.Range(0, scoringCalls), rounds.Select(r => r.Round));
        long prompt = _lm.Start(_problem.Prompt, 0).Length;
        if (kind != TreeSearch.Kind.Lookahead) // whose tree also holds its rollouts (LookaheadsRoundKvHoldsItsRollouts)
            Assert.Equal((prompt + generator.Calls[0].Sum(c => c.Tokens.Count)) * _lm.Cost.KvBytesPerToken, rounds[0].LogicalKvBytes);
        Assert.All(rounds, r => Assert.True(r.PhysicalKvBytes > 0));
        var report = result.Ledger.Report(HardwareProfile.CpuLocal);
        Assert.Equal(rounds.Max(r => r.LogicalKvBytes), report.PeakRoundLogicalKvBytes);
        Assert.Equal(rounds.Average(r => (double)r.LogicalKvBytes), report.MeanRoundLogicalKvBytes, 6);
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public async Task EveryBeamAndRolloutRunsToItsOwnTokenBudgetAndNoFurther(TreeSearch.Kind kind)
    {
        // Beams that have spent different shares of the 40-token budget step together: none may be cut short by a longer
        // one's remainder (mid-step, or before the end in the last round), and no rollout may run past its beam's.
        int prompt = _lm.Start(_problem.Prompt, 0).Length, stoppedByBudget = 0;
        for (long seed = 0; seed < 6; seed++)
        {
            var generator = new RecordingGenerator(_lm);
            await Search(new ScriptedVerifier(), kind, iterations: 6, generator).SolveAsync(_problem, seed);
            for (int call = 0; call < generator.Calls.Count; call++)
                for (int i = 0; i < generator.Calls[call].Count; i++)
                {
                    var completion = generator.Calls[call][i];
                    int spent = generator.Lengths[call][i] - prompt + completion.Tokens.Count;
                    Assert.True(spent <= 40, $"seed {seed}: a sequence ran to {spent} of 40 tokens");
                    if (completion.Reason != FinishReason.MaxTokens) continue;
                    Assert.True(spent == 40, $"seed {seed}, call {call}: a sequence was stopped at {spent} of its 40 tokens");
                    stoppedByBudget++;
                }
        }
        Assert.True(stoppedByBudget > 0); // the budget was reached, so the check above ran
    }

    [Fact]
    public async Task EtsSameSeedSameResultAndNeverExceedsTheWidth()
    {
        var verifier = new ScriptedVerifier();
        var a = await Search(verifier, TreeSearch.Kind.Ets, iterations: 5).SolveAsync(_problem, seed: 7);
        var b = await Search(new ScriptedVerifier(), TreeSearch.Kind.Ets, iterations: 5).SolveAsync(_problem, seed: 7);
        Assert.Equal(a.Candidates.Select(c => c.Text), b.Candidates.Select(c => c.Text));
        Assert.Equal(a.Ledger.GeneratedTokens, b.Ledger.GeneratedTokens);
        Assert.Equal(a.Ledger.Rounds, b.Ledger.Rounds);
        // The width is N less the beams already finished: rounds and candidates never exceed it.
        int finished = 0;
        foreach (var call in verifier.Calls)
        {
            Assert.True(call.Count <= 8 - finished);
            finished += call.Count(t => t.Contains("A:", StringComparison.Ordinal) || t.Length >= 40);
        }
        Assert.InRange(a.Candidates.Count, 1, 8);
    }

    [Fact]
    public async Task EtsWithAHeavyKvWeightKeepsOneLeafPerRound()
    {
        var verifier = new ScriptedVerifier();
        await Search(verifier, TreeSearch.Kind.Ets, iterations: 4, ets: new EtsOptions(LambdaC: 100, LambdaS: 0)).SolveAsync(_problem, seed: 3);
        for (int round = 1; round < verifier.Calls.Count; round++)
        {
            var parents = verifier.Calls[round].Select(t => verifier.Calls[round - 1].Where(p => t.StartsWith(p, StringComparison.Ordinal)).MaxBy(p => p.Length)).Distinct();
            Assert.Single(parents);
        }
    }

    [Fact]
    public async Task DedupeExpandsEachDistinctProposalOnce()
    {
        var verifier = new ScriptedVerifier();
        await Search(verifier, TreeSearch.Kind.Beam, iterations: 5, dedupe: true).SolveAsync(_problem, seed: 4);
        for (int round = 1; round < verifier.Calls.Count; round++)
        {
            // The N children are shared evenly by distinct parent texts: two live copies of one text would have given it twice the share.
            var byParent = verifier.Calls[round].GroupBy(t => verifier.Calls[round - 1].Where(p => t.StartsWith(p, StringComparison.Ordinal)).MaxBy(p => p.Length))
                .Select(g => g.Count()).ToList();
            Assert.Equal(8, byParent.Sum());
            Assert.True(byParent.Max() - byParent.Min() <= 1, $"round {round}: children per parent {string.Join(", ", byParent)}");
        }
    }

    [Fact]
    public void BadEtsWeightsAndDedupeForParticlesAreRefused()
    {
        var context = new StrategyContext(_lm, new ScriptedVerifier(), new SamplingOptions());
        Assert.Contains("--lambda-c", Assert.ThrowsAny<ArgumentException>(() => new TreeSearch(context, TreeSearch.Kind.Ets, 8, 1, 4, SelectionRule.Weighted, ets: new EtsOptions(LambdaC: -1))).Message);
        Assert.Contains("--lambda-s", Assert.ThrowsAny<ArgumentException>(() => new TreeSearch(context, TreeSearch.Kind.Ets, 8, 1, 4, SelectionRule.Weighted, ets: new EtsOptions(LambdaS: double.NaN))).Message);
        Assert.Contains("--dedupe", Assert.Throws<ArgumentException>(() => new TreeSearch(context, TreeSearch.Kind.Particle, 8, 1, 4, SelectionRule.Weighted, dedupe: true)).Message);
        Assert.Contains("--dedupe", Assert.Throws<ArgumentException>(() => new TreeSearch(context, TreeSearch.Kind.Dvts, 8, 2, 4, SelectionRule.Weighted, dedupe: true)).Message);
    }

    [Fact]
    public async Task BeamKeepsTheTopNOverMAndRefillsToN()
    {
        // Survivors are copied cyclically back up to N (search-and-learn): with fewer than N/M open after finishes, a
        // survivor gets more than M children, and the search stays N wide (it shrank to survivors x M).
        bool fewerOpen = false;
        for (long seed = 0; seed < 6; seed++)
        {
            var verifier = new ScriptedVerifier();
            var generator = new RecordingGenerator(_lm);
            var result = await Search(verifier, TreeSearch.Kind.Beam, iterations: 6, generator).SolveAsync(_problem, seed);
            for (int round = 1; round < verifier.Calls.Count; round++)
            {
                var previous = verifier.Calls[round - 1];
                Assert.Equal(8, verifier.Calls[round].Count);
                // Every beam this round extends one of the previous round's best four open beams (round r's texts are scored
                // in the order its generation call returned them).
                var open = previous.Select((t, i) => (t, s: ScriptedVerifier.Score(t), i)).Where(x => generator.Calls[round - 1][x.i].Reason == FinishReason.Stop).ToList();
                var best = open.OrderByDescending(x => x.s).ThenBy(x => x.i).Take(4).Select(x => x.t).ToList();
                Assert.All(verifier.Calls[round], t => Assert.Contains(best, b => t.StartsWith(b, StringComparison.Ordinal)));
                // N/M open: each survivor expanded exactly M times; fewer: N shared as evenly as it goes.
                var children = best.Select(b => verifier.Calls[round].Count(t => t.StartsWith(b, StringComparison.Ordinal))).ToList();
                if (best.Count == 4) Assert.All(children, c => Assert.Equal(2, c));
                else Assert.True(children.Max() - children.Min() <= 1, $"seed {seed}, round {round}: children {string.Join(", ", children)}");
                fewerOpen |= best.Count < 4;
            }
            Assert.NotEmpty(result.Candidates);
        }
        Assert.True(fewerOpen); // the refill was needed on some seed, so the width check above meant something
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public async Task AnAnswerLineFinishesTheBeamThatWroteIt(TreeSearch.Kind kind)
    {
        // ArithChain writes nothing after its answer line: a beam that wrote one is a candidate, and is neither continued
        // (a round spent on its end-of-sequence token) nor forked into copies of one answer.
        int answered = 0;
        using var demo = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "arith-lm")); // the fixture writes no answer lines
        for (long seed = 0; seed < 4; seed++)
        {
            var generator = new RecordingGenerator(demo);
            var result = await Search(new ScriptedVerifier(), kind, iterations: 8, generator, maxTokens: 96).SolveAsync(_problem, seed);
            string prompt = generator.Read[0][0]; // the first round reads the templated prompt alone
            foreach (var read in generator.Read.SelectMany(r => r))
                Assert.Null(_problem.ExtractAnswer(read[prompt.Length..]));
            answered += result.Candidates.Count(c => c.Answer is not null);
        }
        Assert.True(answered > 0); // the model wrote answer lines, so the check above ran
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
    public async Task DvtsEndsASubtreeWhenItsBestProposalIsFinishedWithItsFinishedProposalsAsCandidates()
    {
        using var demo = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "arith-lm")); // its subtrees end at answer lines
        var hard = ProblemSource.Arith("arith:count=1,levels=5,seed=3")[0]; // siblings part ways: one answers, one computes on
        for (long seed = 0; seed < 6; seed++)
        {
            var verifier = new ScriptedVerifier();
            var generator = new RecordingGenerator(demo);
            var result = await Search(verifier, TreeSearch.Kind.Dvts, iterations: 12, generator, maxTokens: 160).SolveAsync(hard, seed);
            // N/M subtrees, each ending with its M last proposals less those still open (search-and-learn's issue #57 kept
            // them, with no answer): N candidates at most, every one finished.
            Assert.InRange(result.Candidates.Count, 1, 8);
            string prompt = generator.Read[0][0];
            var finished = generator.Read.Zip(generator.Calls, (read, calls) => read.Zip(calls, (r, c) => (Text: r[prompt.Length..] + c.Text, c)))
                .SelectMany(x => x).Where(x => x.c.Reason != FinishReason.Stop || hard.IsFinalStep(x.c.Text)).Select(x => x.Text).ToHashSet();
            Assert.All(result.Candidates, c => Assert.Contains(c.Text, finished));
            // A subtree goes on from its best proposal only while that one is unfinished: each round scores M per live subtree.
            Assert.All(verifier.Calls, call => Assert.True(call.Count % 2 == 0 && call.Count <= 8));
        }
    }

    [Theory]
    [InlineData(TreeSearch.Kind.Beam)]
    [InlineData(TreeSearch.Kind.Lookahead)]
    public async Task TheCandidatesAreTheFirstNBeamsToFinish(TreeSearch.Kind kind)
    {
        // Survivors are forked back up to N whatever has finished, so beams finishing over several rounds would pass N and
        // outvote the earlier ones; search-and-learn keeps the first N, and no round after the N-th finish is run.
        for (long seed = 0; seed < 12; seed++)
        {
            var verifier = new ScriptedVerifier();
            var result = await Search(verifier, kind, iterations: 6).SolveAsync(_problem, seed);
            Assert.InRange(result.Candidates.Count, 1, 8);
            int scored = verifier.Calls.Where((_, i) => kind != TreeSearch.Kind.Lookahead || i % 2 == 0).Sum(c => c.Count); // lookahead's odd calls score rollouts
            Assert.True(result.Candidates.Count == 8 || scored < 6 * 8, $"seed {seed}: {result.Candidates.Count} candidates");
        }
    }

    [Fact]
    public async Task AStepEndsAtThePolicysOwnDelimiter()
    {
        // config.json's step_delimiter, not ArithChain's newline: "\n\n" for a model trained as search-and-learn's are.
        string dir = Fixtures.CopyWithConfig("tiny-lm-fp32", "step_delimiter", "=");
        try
        {
            using var lm = OnnxGenerator.Load(dir);
            Assert.Equal("=", lm.StepDelimiter);
            var generator = new RecordingGenerator(lm);
            await Search(new ScriptedVerifier(), TreeSearch.Kind.Beam, iterations: 3, generator).SolveAsync(_problem, seed: 4);
            var stopped = generator.Calls.Take(2).SelectMany(c => c).Where(c => c.Reason == FinishReason.Stop).ToList();
            Assert.NotEmpty(stopped);
            Assert.All(stopped, c => Assert.EndsWith("=", c.Text));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
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

    [Theory]
    [InlineData(TreeSearch.Kind.Particle)]
    [InlineData(TreeSearch.Kind.Ets)]
    public void NMustBePositiveNamedAsN(TreeSearch.Kind kind) => // not as --beam-width, which particle and ets do not read
        Assert.StartsWith("--n must be 1 or more", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new TreeSearch(new StrategyContext(_lm, new ScriptedVerifier(), new SamplingOptions()), kind, 0, 4, 5, SelectionRule.Weighted)).Message);

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
    public async Task LookaheadsRoundKvHoldsItsRollouts()
    {
        // Round 0 with a one-step rollout: the prompt, the N first steps, and the rollouts that ran beside them (the round's
        // figure was taken before they ran, so it read as beam's).
        var generator = new RecordingGenerator(_lm);
        var search = new TreeSearch(new StrategyContext(generator, new ScriptedVerifier(), new SamplingOptions { Temperature = 1.0, MaxTokens = 40 }),
            TreeSearch.Kind.Lookahead, 8, 2, 3, SelectionRule.Weighted, lookahead: 1);
        var result = await search.SolveAsync(_problem, seed: 2);
        long prompt = _lm.Start(_problem.Prompt, 0).Length;
        long tree = prompt + generator.Calls[0].Sum(c => c.Tokens.Count) + generator.Calls[1].Sum(c => c.Tokens.Count);
        Assert.True(generator.Calls[1].Count > 0);
        Assert.Equal(tree * _lm.Cost.KvBytesPerToken, result.Ledger.Rounds[0].LogicalKvBytes);
    }

    [Fact]
    public async Task ParticleFilteringKeepsNParticles()
    {
        var verifier = new ScriptedVerifier();
        var result = await Search(verifier, TreeSearch.Kind.Particle, iterations: 4).SolveAsync(_problem, seed: 5);
        // The population stays N, finished particles in it: no round scores more than N live ones, and N end as candidates.
        Assert.Equal(8, verifier.Calls[0].Count);
        Assert.All(verifier.Calls, call => Assert.InRange(call.Count, 1, 8));
        Assert.Equal(8, result.Candidates.Count);
    }

    [Fact]
    public void ParticlesAreResampledByTheOddsOfTheirScores()
    {
        // its_hub's log-weight is the score's logit: 0.9 against 0.5 is 9 to 1 (exp(score / 0.2) made it 7.4 to 1).
        var random = TTScale.Randomness.SplitMix64.ForStream(7, 0);
        var picks = TreeSearch.Resample([0.9f, 0.5f], 100_000, ref random);
        Assert.Equal(100_000, picks.Count);
        Assert.InRange(picks.Count(i => i == 0) / 100_000.0, 0.897, 0.903);
        // A score of 1 or 0 stays a finite weight (clipped as its_hub does), so no NaN reaches the draw.
        var edge = TreeSearch.Resample([1f, 0f], 10, ref random);
        Assert.All(edge, i => Assert.Equal(0, i));
    }

    [Fact]
    public async Task FinishedParticlesStayInThePopulation()
    {
        // Finished particles left resampling, so the live population shrank with every finish (8, then 5, then 2 on this
        // model) and a weak finished particle could never drop out. Now a finished one is resampled with the rest: some
        // seed copies one, which only a population that keeps it can do.
        bool copied = false;
        for (int seed = 0; seed < 20 && !copied; seed++)
        {
            var result = await Search(new ScriptedVerifier(), TreeSearch.Kind.Particle, iterations: 6).SolveAsync(_problem, seed);
            Assert.Equal(8, result.Candidates.Count);
            copied = result.Candidates.GroupBy(c => (c.Text, c.Score, c.Tokens, c.LogProb)).Any(g => g.Count() > 1);
        }
        Assert.True(copied);
    }
}
