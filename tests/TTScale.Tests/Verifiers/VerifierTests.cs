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
