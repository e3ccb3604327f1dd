using TTScale.Evaluation;
using TTScale.Generation;
using TTScale.Onnx;
using TTScale.Strategies;
using TTScale.Tasks;
using TTScale.Tests.Onnx;
using TTScale.Verifiers;

namespace TTScale.Tests.Strategies;

/// <summary>Strategies on the fixture models: well-formed results whose ledgers add up.</summary>
public sealed class StrategyTests : IDisposable
{
    private readonly OnnxGenerator _lm = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32"));
    private readonly PrmVerifier _prm = PrmVerifier.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-prm"));
    private readonly Problem _problem = ProblemSource.Arith("arith:count=1,levels=2,seed=3")[0];
    private readonly SamplingOptions _sampling = new() { Temperature = 1.0, MaxTokens = 16 };

    public void Dispose()
    {
        _lm.Dispose();
        _prm.Dispose();
    }

    private StrategyContext Context(IProcessVerifier? verifier) => new(_lm, verifier, _sampling);

    /// <summary>Every sampled token is a candidate's token or an end-of-sequence; every verifier token is a candidate's scored row.</summary>
    private static void AssertLedgerAddsUp(StrategyResult result, int promptTokens, int scoredRows)
    {
        var l = result.Ledger;
        int eos = result.Candidates.Count(c => c.Tokens < 16);
        Assert.Equal(result.Candidates.Sum(c => c.Tokens) + eos, l.GeneratedTokens);
        Assert.Equal(scoredRows * promptTokens + (scoredRows > 0 ? result.Candidates.Sum(c => c.Tokens) : 0), l.VerifierTokens);
        Assert.True(l.Flops > 0);
    }

    [Fact]
    public async Task BestOfNScoresEveryCandidateAndChoosesOne()
    {
        var strategy = new BestOfN(Context(_prm), 6, SelectionRule.Weighted);
        var result = await strategy.SolveAsync(_problem, seed: 5);
        Assert.Equal(6, result.Candidates.Count);
        Assert.All(result.Candidates, c => Assert.NotNull(c.Score));
        int prompt = _lm.Start(_problem.Prompt, 0).Length;
        Assert.Equal(prompt, result.Ledger.PromptTokens); // prefilled once for all six
        AssertLedgerAddsUp(result, prompt, 6);
        var again = await strategy.SolveAsync(_problem, seed: 5);
        Assert.Equal(result.Candidates.Select(c => c.Text), again.Candidates.Select(c => c.Text));
    }

    [Fact]
    public async Task BestOfNContinuingAnUnscoredProbeScoresItsSamplesAndEqualsAFreshRun()
    {
        var probe = await new BestOfN(Context(_prm), 3, SelectionRule.Majority).SolveAsync(_problem, seed: 5);
        Assert.All(probe.Candidates, c => Assert.Null(c.Score));
        var strategy = new BestOfN(Context(_prm), 6, SelectionRule.Weighted);
        var continued = await strategy.ContinueAsync(_problem, 5, probe.Candidates);
        var fresh = await strategy.SolveAsync(_problem, seed: 5);
        Assert.Equal(fresh.Candidates.Select(c => (c.Text, c.Score)), continued.Candidates.Select(c => (c.Text, c.Score)));
        Assert.Equal(fresh.Chosen, continued.Chosen);
        Assert.Equal(fresh.Ledger.VerifierTokens, continued.Ledger.VerifierTokens); // the probe's samples scored here, once
        Assert.Equal(0, probe.Ledger.VerifierTokens);
    }

    [Fact]
    public async Task MajorityNeedsNoVerifierAndSpendsNone()
    {
        var result = await new BestOfN(Context(null), 4, SelectionRule.Majority).SolveAsync(_problem, seed: 1);
        Assert.All(result.Candidates, c => Assert.Null(c.Score));
        Assert.Equal(0, result.Ledger.VerifierTokens);
        AssertLedgerAddsUp(result, 0, 0);
    }

    [Fact]
    public void VerifierRulesWithoutAVerifierAreRefused() =>
        Assert.Contains("verifier", Assert.Throws<ArgumentException>(() => new BestOfN(Context(null), 4, SelectionRule.Weighted)).Message);

    [Fact]
    public async Task ReviseMakesAChainOfAttemptsEachSeeingTheOnesBefore()
    {
        var result = await new Revision(Context(new OracleStepVerifier()), 1, 3, SelectionRule.Naive).SolveAsync(_problem, seed: 2);
        Assert.Equal([0, 1, 2], result.Candidates.Select(c => c.Attempt!.Value));
        Assert.All(result.Candidates, c => Assert.Equal(0, c.Chain));
        // The chain appends each revision to its sequence: the prompt and every attempt are processed once.
        int prompt = _lm.Start(_problem.Prompt, 0).Length;
        Assert.True(result.Ledger.PromptTokens < 3 * prompt + 2 * result.Candidates.Sum(c => c.Tokens + 3));
        Assert.Equal(0, result.Ledger.VerifierTokens); // the oracle costs nothing
    }

    [Fact]
    public async Task HybridRunsChainsSideBySide()
    {
        var result = await new Revision(Context(_prm), 3, 2, SelectionRule.Naive).SolveAsync(_problem, seed: 4);
        Assert.Equal(6, result.Candidates.Count);
        Assert.Equal(3, result.Candidates.Select(c => c.Chain).Distinct().Count());
        Assert.NotNull(result.Chosen);
    }

    [Fact]
    public async Task HybridPrefillsThePromptOnceForAllItsChains()
    {
        // Each chain forks the prefilled prompt (it was prefilled once per chain: 4x the prompt tokens of best-of-4).
        var result = await new Revision(Context(null), 4, 1, SelectionRule.Majority).SolveAsync(_problem, seed: 4);
        Assert.Equal(_lm.Start(_problem.Prompt, 0).Length, result.Ledger.PromptTokens);
    }

    [Fact]
    public async Task HybridMajorityVotesOverEveryAttemptWithoutAVerifier()
    {
        // Snell's majority is over every answer: voting over one answer a chain (its last) threw R - 1 of R away, and two
        // chains always tied, so chain 0 won. The demo model answers, so the votes mean something.
        using var demo = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "arith-lm"));
        var context = new StrategyContext(demo, null, new SamplingOptions { Temperature = 1.0, MaxTokens = 160 });
        var strategy = new Revision(context, 2, 4, SelectionRule.Majority);
        int notChainZerosLast = 0;
        foreach (var problem in ProblemSource.Arith("arith:count=8,levels=4-5,seed=11"))
        {
            var result = await strategy.SolveAsync(problem, seed: 3);
            Assert.All(result.Candidates, c => Assert.Null(c.Score)); // no verifier was asked
            Assert.Equal(result.Candidates[Selection.Choose(result.Candidates, SelectionRule.Majority)!.Value].Answer, result.Answer);
            if (result.Answer != result.Candidates.Last(c => c.Chain == 0).Answer) notChainZerosLast++;
        }
        Assert.True(notChainZerosLast > 0); // a vote of the chains' last answers would have given chain 0's every time
    }

    [Fact]
    public async Task EvalRecordsDoNotDependOnConcurrency()
    {
        var problems = ProblemSource.Arith("arith:count=6,levels=1-3,seed=9");
        var strategy = new BestOfN(Context(_prm), 3, SelectionRule.Naive);
        async Task<List<EvalRecord>> Run(int concurrency)
        {
            var records = new List<EvalRecord>();
            await EvalRunner.RunAsync(problems, strategy, 11, concurrency, TTScale.Compute.HardwareProfile.CpuLocal, records.Add);
            return records.OrderBy(r => r.Id).ToList();
        }
        var one = await Run(1);
        var four = await Run(4);
        Assert.Equal(one.Select(r => (r.Id, r.Seed, string.Join("|", r.Candidates.Select(c => c.Text)))),
            four.Select(r => (r.Id, r.Seed, string.Join("|", r.Candidates.Select(c => c.Text)))));
        var summary = EvalSummary.From(one, 1);
        Assert.Equal(6, summary.Overall.Problems);
        Assert.Equal(3, summary.ByLevel.Count);
        Assert.Equal(one.Sum(r => r.Ledger.GeneratedTokens), summary.GeneratedTokens);
    }

    [Fact]
    public void ASummaryOfTheSameRecordsIsBitIdenticalWhateverOrderTheyFinishedIn()
    {
        // (0.1 + 0.2) + 0.3 and (0.3 + 0.2) + 0.1 differ in the last bit; records arrive in finishing order.
        var records = new[] { 0.1, 0.2, 0.3 }.Select((flops, i) =>
        {
            var record = Record(true);
            return record with { Id = $"p{i}", Ledger = record.Ledger with { TotalFlops = flops, EFlops = flops, MeanLogicalKvBytes = flops } };
        }).ToList();
        var inOrder = EvalSummary.From(records, 0);
        var reversed = EvalSummary.From([.. Enumerable.Reverse(records)], 0);
        Assert.Equal(inOrder.TotalFlops, reversed.TotalFlops);
        Assert.Equal(inOrder.MeanEFlops, reversed.MeanEFlops);
        Assert.Equal(inOrder.MeanLogicalKvBytes, reversed.MeanLogicalKvBytes);
    }

    [Fact]
    public void WilsonIntervalMatchesHandComputedValues()
    {
        var records = Enumerable.Range(0, 10).Select(i => Record(i < 7)).ToList();
        var a = EvalSummary.Accuracy(records);
        Assert.Equal(0.7, a.Accuracy);
        Assert.Equal(0.3968, a.Low, 0.0005);
        Assert.Equal(0.8922, a.High, 0.0005);
    }

    [Fact]
    public void WilsonBoundsAreExactAtNoneAndAll()
    {
        Assert.Equal(0, EvalSummary.Accuracy([.. Enumerable.Range(0, 1000).Select(_ => Record(false))]).Low);
        Assert.Equal(1, EvalSummary.Accuracy([.. Enumerable.Range(0, 10).Select(_ => Record(true))]).High);
    }

    private static EvalRecord Record(bool correct) => new("x", null, "s", new Dictionary<string, object>(), 0, "1", "1", correct, 0, [],
        new TTScale.Compute.ComputeLedger().Report(TTScale.Compute.HardwareProfile.CpuLocal));
}
