using System.Text.Json.Nodes;
using TTScale.Compute;
using TTScale.Onnx;
using TTScale.Tasks;
using TTScale.Tests.Onnx;

namespace TTScale.Tests.Verifiers;

/// <summary>
/// A PRM that is a language-model head, read the Math-Shepherd way: a step tag at each step's end, and the softmax of
/// the "good" against the "bad" token's logit there. The tiny fixture LMs stand in for such a PRM: " #" is the tag,
/// "+" (16) and "-" (18) the tokens.
/// </summary>
public sealed class LogitsPrmTests : IDisposable
{
    private static readonly Problem Fixture = new("fixture", "Q: 5 +8 +5\n", "18", AnswerFormat.ArithChain, 1);
    private const string Solution = "5+8=13\n13+5=18\nA: 18\n";
    private const int Tag = 8, Good = 16, Bad = 18; // '#', '+', '-' in the fixtures' vocabulary

    private readonly string _root = Directory.CreateTempSubdirectory("ttscale-lmprm-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A copy of <paramref name="fixture"/> whose config.json carries <paramref name="prm"/> as its <c>prm</c> object.</summary>
    private string Prm(string fixture, string prm)
    {
        string directory = Path.Combine(_root, $"{fixture}-{Directory.GetDirectories(_root).Length}");
        return Fixtures.CopyWithConfig(fixture, directory, config => config["prm"] = JsonNode.Parse(prm));
    }

    [Theory]
    [InlineData("tiny-lm-fp32", true, 1e-5)]
    [InlineData("tiny-lm-fp16", true, 2e-3)]
    [InlineData("tiny-lm-fp32", false, 1e-5)]
    public async Task TheHeadIsReadAsTheSoftmaxOfGoodAgainstBadAtEachStepTag(string fixture, bool keepDelimiter, double tolerance)
    {
        string directory = Prm(fixture, $$"""{"step_tag": " #", "score_token_ids": [{{Good}}, {{Bad}}], "keep_delimiter": {{(keepDelimiter ? "true" : "false")}}}""");
        using var prm = PrmVerifier.Load(directory, cacheBytes: 0);
        string[] completions = [Solution, "5+8=1", ""];
        string[] read = keepDelimiter
            ? ["5+8=13 #\n13+5=18 #\nA: 18 #\n", "5+8=1 #", ""]
            : ["5+8=13 #13+5=18 #A: 18 #", "5+8=1 #", ""];
        var ledger = new ComputeLedger();
        var scores = await prm.ScoreStepsAsync(Fixture, completions, ledger);

        using var runner = new DecoderRunner(Path.Combine(directory, "model.onnx"));
        for (int i = 0; i < completions.Length; i++)
        {
            long[] ids = [1, .. prm.Tokenizer.EncodeToIds(Fixture.Prompt + read[i]).Select(id => (long)id)];
            var (logits, present) = runner.Forward(ids, 0, runner.EmptyPast());
            present.ForEach(v => v.Dispose());
            var expected = Enumerable.Range(0, ids.Length).Where(t => ids[t] == Tag)
                .Select(t => 1 / (1 + Math.Exp(logits[t][Bad] - logits[t][Good]))).ToArray();
            Assert.Equal(expected.Length, scores[i].Count);
            for (int s = 0; s < expected.Length; s++) Assert.Equal(expected[s], scores[i][s], tolerance);
        }
        Assert.Equal([3, 1, 0], scores.Select(s => s.Count));
        Assert.Equal(3 * (1 + Fixture.Prompt.Length) + read.Sum(r => r.Length), ledger.VerifierTokens); // the tags are read too
    }

    [Theory]
    [InlineData("tiny-lm-fp32")]
    [InlineData("tiny-lm-merged")] // an Optimum merged decoder: use_cache_branch true only where a past is fed
    public async Task ACachedHeadReadsOnlyTheNewTaggedStepsAndATagThePolicyWroteIsNoStep(string fixture)
    {
        string prmObject = $$"""{"step_tag": " #", "score_token_ids": [{{Good}}, {{Bad}}]}""";
        string directory = Prm(fixture, prmObject);
        using var cold = PrmVerifier.Load(directory, cacheBytes: 0);
        var whole = await cold.ScoreStepsAsync(Fixture, [Solution, "5+8=13 #\n"]);
        Assert.Single(whole[1]);
        using var plain = PrmVerifier.Load(Prm("tiny-lm-fp32", prmObject), cacheBytes: 0);
        Assert.Equal((await plain.ScoreStepsAsync(Fixture, [Solution]))[0], whole[0]);

        using var warm = PrmVerifier.Load(directory);
        var ledger = new ComputeLedger(); // one search
        await warm.ScoreStepsAsync(Fixture, ["5+8=13\n"], ledger);
        long before = ledger.VerifierTokens;
        var read = await warm.ScoreStepsAsync(Fixture, [Solution], ledger);
        Assert.Equal("13+5=18 #\nA: 18 #\n".Length, ledger.VerifierTokens - before); // read on from "5+8=13 #\n"
        for (int s = 0; s < 3; s++) Assert.Equal(whole[0][s], read[0][s], 1e-5);
        Assert.Equal(whole[0][0], whole[1][0], 1e-6); // " #" written by the policy is dropped, then tagged once
    }

    [Fact]
    public async Task AHeadsPassesTakeNoMoreRowsThanItsOutputBudgetHolds()
    {
        // The fixture's head has 100 outputs a position: a budget of 400 bytes a token holds one row of one token, so
        // every completion gets a pass of its own, with the same scores as one pass for all three.
        string directory = Prm("tiny-lm-fp32", $$"""{"step_tag": " #", "score_token_ids": [{{Good}}, {{Bad}}]}""");
        string[] completions = [Solution, "5+8=1", ""];
        using var together = PrmVerifier.Load(directory, cacheBytes: 0);
        using var apart = PrmVerifier.Load(directory, cacheBytes: 0, maxOutputBytes: 400);
        ComputeLedger one = new(), three = new();
        var expected = await together.ScoreStepsAsync(Fixture, completions, one);
        var scores = await apart.ScoreStepsAsync(Fixture, completions, three);
        for (int i = 0; i < completions.Length; i++)
        {
            Assert.Equal(expected[i].Count, scores[i].Count);
            for (int s = 0; s < scores[i].Count; s++) Assert.Equal(expected[i][s], scores[i][s], 1e-5);
        }
        Assert.Equal(one.VerifierTokens, three.VerifierTokens);
        Assert.Equal(2 * together.Cost.WeightBytes, three.VerifierBytesRead - one.VerifierBytesRead, 1e-6 * one.VerifierBytesRead); // each pass reads the weights
    }

    [Fact]
    public void ABadPrmObjectIsNamed()
    {
        string outside = Prm("tiny-lm-fp32", """{"step_tag": " #", "score_token_ids": [16, 100]}""");
        var e = Assert.Throws<InvalidDataException>(() => PrmVerifier.Load(outside));
        Assert.Contains("config.json: prm.score_token_ids", e.Message);
        Assert.Contains("100 outputs", e.Message);

        string missing = Prm("tiny-lm-fp32", """{"step_tag": " #"}""");
        e = Assert.Throws<InvalidDataException>(() => PrmVerifier.Load(missing));
        Assert.Contains("score_token_ids", e.Message);

        string tag = Prm("tiny-lm-fp32", """{"step_tag": "", "score_token_ids": [16, 18]}""");
        Assert.Contains("prm.step_tag must be", Assert.Throws<InvalidDataException>(() => PrmVerifier.Load(tag)).Message);

        string tagId = Prm("tiny-lm-fp32", """{"step_tag_id": 8, "score_token_ids": [16, 18]}""");
        Assert.Contains("prm.step_tag_id needs prm.step_tag", Assert.Throws<InvalidDataException>(() => PrmVerifier.Load(tagId)).Message);
    }

    [Fact]
    public async Task ATagThatIsNotItsTokenInRunningTextIsNamed()
    {
        string directory = Prm("tiny-lm-fp32", """{"step_tag": " #", "step_tag_id": 9, "score_token_ids": [16, 18]}""");
        using var prm = PrmVerifier.Load(directory);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => prm.ScoreStepsAsync(Fixture, [Solution]));
        Assert.Contains("config.json: prm.step_tag ' #' did not encode to token 9", e.Message);
        Assert.Contains("(0 for 3 steps)", e.Message);
    }
}
