using TTScale.Compute;
using TTScale.Onnx;
using TTScale.Tasks;
using TTScale.Tests.Onnx;
using TTScale.Verifiers;

namespace TTScale.Tests.Verifiers;

public class VerifierTests
{
    private static readonly Problem Fixture = new("fixture", "Q: 5 +8 +5\n", "18", AnswerFormat.ArithChain, 1);
    private const string Solution = "5+8=13\n13+5=18\nA: 18\n";

    [Fact]
    public async Task PrmReadsStepScoresAtTheDelimitersAsPyTorchComputesThem()
    {
        using var prm = PrmVerifier.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-prm"));
        var golden = Fixtures.Golden("tiny-prm").GetProperty("step_scores").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        // <bos> + prompt occupy positions 0..11; the completion's newlines sit at 1 + prompt length + their offset.
        int[] delimiters = Solution.Select((c, i) => (c, i)).Where(x => x.c == '\n').Select(x => 1 + Fixture.Prompt.Length + x.i).ToArray();
        var ledger = new ComputeLedger();
        var scores = await prm.ScoreStepsAsync(Fixture, [Solution, "5+8=1", ""], ledger);
        Assert.Equal(delimiters.Select(d => golden[d]), scores[0], new ToleranceComparer(1e-5f));
        Assert.Single(scores[1]); // an unfinished line is a step, read at its last token
        Assert.Equal(golden[1 + Fixture.Prompt.Length + 4], scores[1][0], 1e-5f);
        Assert.Empty(scores[2]);
        Assert.Equal(3, ledger.VerifierCalls);
        Assert.Equal(3 * 12 + Solution.Length + 5, ledger.VerifierTokens);
        Assert.True(ledger.VerifierFlops > 0);
        Assert.Equal(0, ledger.Flops);
    }

    [Fact]
    public async Task ADelimiterOfSeveralTokensEndsOneStep()
    {
        // "\n\n" is two newline tokens: no one token holds it, yet each pair ends a step.
        string dir = Fixtures.CopyWithConfig("tiny-prm", "step_delimiter", "\n\n");
        try
        {
            using var paragraphs = PrmVerifier.Load(dir);
            using var lines = PrmVerifier.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-prm"));
            const string text = "5+8=13\n\n13+5=18\n\nA: 18\n";
            Assert.Equal(3, (await paragraphs.ScoreStepsAsync(Fixture, [text]))[0].Count);
            Assert.Equal(5, (await lines.ScoreStepsAsync(Fixture, [text]))[0].Count);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(7)]
    public void AStepDelimiterMustBeANonEmptyString(object delimiter)
    {
        // An empty one ended a step at every token, and with a step tag never moved past the first.
        string dir = Fixtures.CopyWithConfig("tiny-prm", "step_delimiter", delimiter is string s ? s : (int)delimiter);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => PrmVerifier.Load(dir));
            Assert.Contains("config.json: 'step_delimiter' must be a non-empty string", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ACachedPrmReadsOnAfterAStepEndedByOverlappingDelimiters()
    {
        // "\n\n\n" ends one "\n\n" step, split front to back; the cache looked for step ends back to front and missed it.
        string dir = Directory.CreateTempSubdirectory("ttscale-prm-").FullName; // the demo PRM: the fixture has no KV to cache
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Fixtures.ModelsDirectory, "arith-prm"))) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
            config["step_delimiter"] = "\n\n";
            File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
            using var prm = PrmVerifier.Load(dir);
            var ledger = new ComputeLedger();
            await prm.ScoreStepsAsync(Fixture, ["5+8=13\n\n"], ledger);
            long before = ledger.VerifierTokens;
            const string next = "5+8=13\n\n\n13+5=18\n\n";
            await prm.ScoreStepsAsync(Fixture, [next], ledger);
            Assert.Equal(next.Length - "5+8=13\n\n".Length, ledger.VerifierTokens - before); // one token a character
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task TheVerifiersReadsAreItsOwnNotThePolicysWeightsOrKv()
    {
        using var prm = PrmVerifier.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-prm"), cacheBytes: 0);
        var ledger = new ComputeLedger();
        await prm.ScoreStepsAsync(Fixture, ["5+8=13\n", "5+8=14\n"], ledger);
        Assert.Equal((0.0, 0.0), (ledger.WeightBytesRead, ledger.KvBytesRead));
        // One pass read the weights once, and every text's keys and values: the fixture PRM has no KV cache, but its
        // attention reads them as a cached graph's does (they were charged 0 bytes, so eFLOPs depended on the export).
        Assert.True(prm.Cost.KvBytesPerToken > 0);
        Assert.Equal(prm.Cost.WeightBytes + ledger.VerifierTokens * (double)prm.Cost.KvBytesPerToken, ledger.VerifierBytesRead);
        Assert.Equal(ledger.VerifierBytesRead, ledger.BytesMoved);
    }

    [Fact]
    public async Task ACachedPrmsKvIsInTheLedgersVerifierPeak()
    {
        // One pass over three texts with nothing cached: the batch's padded present and each row's own cached copy are
        // held at once (the verifier's KV was in no memory figure).
        using var prm = PrmVerifier.Load(Path.Combine(Fixtures.ModelsDirectory, "arith-prm"));
        var problem = new Problem("p", "Q: 47 +28 -12\n", "63", AnswerFormat.ArithChain, 2);
        string[] texts = ["47+28=75\n", "47+28=74\n", "47+28=75\n75-12=6"];
        var ledger = new ComputeLedger();
        await prm.ScoreStepsAsync(problem, texts, ledger);
        int prompt = 1 + prm.Tokenizer.EncodeToIds(problem.Prompt).Count;
        var lengths = texts.Select(t => prompt + prm.Tokenizer.EncodeToIds(t).Count).ToList();
        Assert.Equal((3L * lengths.Max() + lengths.Sum()) * prm.Cost.KvBytesPerToken, ledger.PeakVerifierKvBytes);
        Assert.Equal(0, ledger.PeakPhysicalKvBytes); // the policy's figures stay the policy's
    }

    [Fact]
    public async Task ACachedPrmReadsOnlyTheNewStepAndScoresAsIfItReadTheWholeText()
    {
        string directory = Path.Combine(Fixtures.ModelsDirectory, "arith-prm");
        var problem = new Problem("p", "Q: 47 +28 -12\n", "63", AnswerFormat.ArithChain, 2);
        string[] first = ["47+28=75\n", "47+28=74\n", "47+28=75\n75-12=6"];
        string[] next = ["47+28=75\n75-12=63\n", "47+28=74\n74-12=62\n", "47+28=75\n75-12=63\nA: 63\n"];

        using var cold = PrmVerifier.Load(directory, cacheBytes: 0); // reads every text whole
        Assert.False(cold.Cached);
        var whole = await cold.ScoreStepsAsync(problem, next);

        using var warm = PrmVerifier.Load(directory);
        Assert.True(warm.Cached);
        var search = new ComputeLedger(); // one search: its calls read on from each other
        await warm.ScoreStepsAsync(problem, first, search);
        var (ledger, read) = await Since(search, () => warm.ScoreStepsAsync(problem, next, search));
        for (int i = 0; i < next.Length; i++) Assert.Equal(whole[i], read[i], new ToleranceComparer(1e-5f));

        // Only the new steps ran: "75-12=63\n" after the first, "74-12=62\n" after the second; the third reads on from the
        // first (the second round's cache holds what the last call read, and the first still began it).
        int[] Tokens(string text) => [.. warm.Tokenizer.EncodeToIds(text)];
        int promptTokens = 1 + Tokens(problem.Prompt).Length;
        long[] pending = [Tokens("75-12=63\n").Length, Tokens("74-12=62\n").Length, Tokens("75-12=63\nA: 63\n").Length];
        Assert.Equal(pending.Sum(), ledger.VerifierTokens);
        long[] past = [promptTokens + Tokens(first[0]).Length, promptTokens + Tokens(first[1]).Length, promptTokens + Tokens(first[0]).Length];
        Assert.Equal(Enumerable.Range(0, 3).Sum(i => warm.Cost.FlopsForTokens(past[i], pending[i])), ledger.VerifierFlops, 6);
        Assert.True(warm.CachedKvBytes > 0);

        // A third round reads on from the second's KV, which rows of unequal new lengths left in one batch; a text already
        // read (the first, scored in the second round) runs nothing.
        string[] last = [next[0] + "A: 63\n", next[1] + "A: 62\n"];
        var wholeLast = await cold.ScoreStepsAsync(problem with { Id = "q" }, last);
        var (third, readLast) = await Since(search, () => warm.ScoreStepsAsync(problem, last, search));
        for (int i = 0; i < last.Length; i++) Assert.Equal(wholeLast[i], readLast[i], new ToleranceComparer(1e-5f));
        Assert.Equal(Tokens("A: 62\n").Length, third.VerifierTokens); // the first was read whole last round: nothing runs
        Assert.Equal(2, third.VerifierCalls);

        // Another search (another ledger) of the same problem reads everything whole and pays for it.
        var other = new ComputeLedger();
        await warm.ScoreStepsAsync(problem, last, other);
        Assert.Equal(last.Sum(t => promptTokens + Tokens(t).Length), other.VerifierTokens);
    }

    /// <summary>What one call added to a search's verifier counts.</summary>
    private sealed record VerifierAdded(long VerifierTokens, double VerifierFlops, long VerifierCalls);

    /// <summary>Runs one scoring call of a search: its scores, and what it added to the search's ledger.</summary>
    private static async Task<(VerifierAdded Added, IReadOnlyList<IReadOnlyList<float>> Scores)> Since(ComputeLedger search,
        Func<Task<IReadOnlyList<IReadOnlyList<float>>>> call)
    {
        (long tokens, double flops, long calls) = (search.VerifierTokens, search.VerifierFlops, search.VerifierCalls);
        var scores = await call();
        return (new(search.VerifierTokens - tokens, search.VerifierFlops - flops, search.VerifierCalls - calls), scores);
    }

    [Fact]
    public async Task ACachedPrmReadsAOneTokenStep()
    {
        // An empty line is a step of one token: the PRM's window is then that token alone, with nothing before it to
        // give the policy's view of it (the shipped PRM's surprisal features must handle the empty shift).
        string directory = Path.Combine(Fixtures.ModelsDirectory, "arith-prm");
        var problem = new Problem("p", "Q: 47 +28 -12\n", "63", AnswerFormat.ArithChain, 2);
        using var cold = PrmVerifier.Load(directory, cacheBytes: 0);
        var whole = await cold.ScoreStepsAsync(problem, ["47+28=75\n\n"]);
        using var warm = PrmVerifier.Load(directory);
        var search = new ComputeLedger();
        await warm.ScoreStepsAsync(problem, ["47+28=75\n"], search);
        var (ledger, read) = await Since(search, () => warm.ScoreStepsAsync(problem, ["47+28=75\n\n"], search));
        Assert.Equal(1, ledger.VerifierTokens);
        Assert.Equal(whole[0], read[0], new ToleranceComparer(1e-5f));
    }

    [Fact]
    public async Task WhatACallReadsOnFromStaysForTheNext()
    {
        using var prm = PrmVerifier.Load(Path.Combine(Fixtures.ModelsDirectory, "arith-prm"));
        var problem = new Problem("p", "Q: 47 +28 -12\n", "63", AnswerFormat.ArithChain, 2);
        var search = new ComputeLedger();
        await prm.ScoreStepsAsync(problem, ["47+28=75\n"], search);
        await prm.ScoreStepsAsync(problem, ["47+28=75\n75-12=63\nA: 63\n"], search); // a lookahead rollout reads on from it
        var (ledger, _) = await Since(search, () => prm.ScoreStepsAsync(problem, ["47+28=75\n75-12=62\n"], search)); // and the next round extends it again
        Assert.Equal(prm.Tokenizer.EncodeToIds("75-12=62\n").Count, ledger.VerifierTokens);
    }

    [Fact]
    public void APolicyGraphIsNotAPrm()
    {
        var e = Assert.Throws<InvalidDataException>(() => PrmVerifier.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32")));
        Assert.Contains("step_scores", e.Message);
    }

    [Fact]
    public async Task OracleScoresOneWhileTheSolutionIsRight()
    {
        var oracle = new OracleStepVerifier();
        var scores = await oracle.ScoreStepsAsync(Fixture, [Solution, "5+8=14\n14+5=19\nA: 19\n"]);
        Assert.Equal([1f, 1f, 1f], scores[0]);
        Assert.Equal([0f, 0f, 0f], scores[1]);
        await Assert.ThrowsAsync<ArgumentException>(() => oracle.ScoreStepsAsync(Fixture with { Format = AnswerFormat.Gsm8k }, [Solution]));
    }

    [Fact]
    public async Task OracleNamesAProblemItCannotCheck()
    {
        // Values past nine digits: the checker cannot read them back, so it refuses rather than mislabel right steps.
        var big = Fixture with { Id = "big-one", Prompt = "Q: 999999999 x9 x9\n" };
        var e = await Assert.ThrowsAsync<ArgumentException>(() => new OracleStepVerifier().ScoreStepsAsync(big, ["x"]));
        Assert.Contains("'big-one'", e.Message);
        Assert.Contains("more than 9 digits", e.Message);
    }

    [Theory]
    [InlineData(StepAggregation.Last, 0.5f)]
    [InlineData(StepAggregation.Min, 0.2f)]
    [InlineData(StepAggregation.Prod, 0.9f * 0.2f * 0.5f)]
    [InlineData(StepAggregation.Mean, (0.9f + 0.2f + 0.5f) / 3)]
    public void Aggregations(StepAggregation aggregation, float expected) =>
        Assert.Equal(expected, StepScores.Aggregate([0.9f, 0.2f, 0.5f], aggregation), 1e-6f);

    [Fact]
    public void NoStepsScoreZeroAndNamesParse()
    {
        Assert.Equal(0f, StepScores.Aggregate([], StepAggregation.Mean));
        Assert.Equal(StepAggregation.Prod, StepScores.Parse("PROD"));
        Assert.Contains("--agg", Assert.Throws<FormatException>(() => StepScores.Parse("median")).Message);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
