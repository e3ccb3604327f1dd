using TTScale.Tasks;

namespace TTScale.Tests.Tasks;

public class ArithFormatTests
{
    private static readonly ArithProblem Example = new(47, [new('+', 28), new('-', 13), new('x', 3)], 3);

    [Fact]
    public void PromptListsStartAndOperations() => Assert.Equal("Q: 47 +28 -13 x3\n", Example.Prompt);

    [Fact]
    public void SolutionHasOneStepPerLineThenTheAnswerLine()
    {
        Assert.Equal("47+28=75\n75-13=62\n62x3=186\nA: 186\n", Example.Solution);
        Assert.Equal(186, Example.Answer);
        Assert.Equal([47, 75, 62, 186], Example.Values);
    }

    [Fact]
    public void PromptParsesBack()
    {
        for (int index = 0; index < 100; index++)
        {
            var problem = ArithChainGenerator.Generate(2, index, 1 + index % 5);
            var parsed = ArithFormat.ParsePrompt(problem.Prompt, problem.Level);
            Assert.Equal(problem.Start, parsed.Start);
            Assert.Equal(problem.Operations, parsed.Operations);
            Assert.Equal(problem.Answer, parsed.Answer);
        }
    }

    [Theory]
    [InlineData("Q: 47\n")]
    [InlineData("47 +28\n")]
    [InlineData("Q: 47 /2\n")]
    public void ParsePromptRejectsOtherText(string text) => Assert.Throws<FormatException>(() => ArithFormat.ParsePrompt(text));

    [Fact]
    public void RevisionPromptKeepsTheLastFourAttempts()
    {
        var attempts = Enumerable.Range(1, 6).Select(i => $"attempt {i}\n").ToList();
        string prompt = ArithFormat.RevisionPrompt("Q: 1 +1\n", attempts);
        Assert.Equal("Q: 1 +1\nattempt 3\nR:\nattempt 4\nR:\nattempt 5\nR:\nattempt 6\nR:\n", prompt);
    }

    [Fact]
    public void RevisionPromptEndsUnfinishedAttemptsWithANewline()
    {
        Assert.Equal("Q: 1 +1\n1+1=3\nR:\n", ArithFormat.RevisionPrompt("Q: 1 +1\n", ["1+1=3"]));
    }

    [Fact]
    public void RevisionPromptDropsTheOldestAttemptsToFitTheContext()
    {
        var attempts = Enumerable.Range(1, 4).Select(i => new string((char)('a' + i), 20) + "\n").ToList();
        // Each attempt costs 21 + 3 characters; the prompt 8; 60 leaves room for two attempts after a 4-token reserve.
        string prompt = ArithFormat.RevisionPrompt("Q: 1 +1\n", attempts, text => text.Length, contextTokens: 60, reserveTokens: 4);
        Assert.Equal("Q: 1 +1\n" + attempts[2] + "R:\n" + attempts[3] + "R:\n", prompt);
        string three = ArithFormat.RevisionPrompt("Q: 1 +1\n", attempts, text => text.Length, contextTokens: 84, reserveTokens: 4);
        Assert.Equal(3, three.Split("R:\n").Length - 1);
    }

    [Fact]
    public void RevisionPromptKeepsAtLeastTwoAttemptsWhereTheyFitButNotPastTheContext()
    {
        var attempts = Enumerable.Range(1, 4).Select(i => new string('x', 100) + "\n").ToList();
        // Two attempts (220 characters) fit 250 but leave the new attempt 30 of the 100 it asked for: still two.
        string two = ArithFormat.RevisionPrompt("Q: 1 +1\n", attempts, text => text.Length, contextTokens: 250, reserveTokens: 100);
        Assert.Equal(2, two.Split("R:\n").Length - 1);
        // No model can read two in 200: as many as it can hold.
        string one = ArithFormat.RevisionPrompt("Q: 1 +1\n", attempts, text => text.Length, contextTokens: 200, reserveTokens: 100);
        Assert.Equal("Q: 1 +1\n" + attempts[3] + "R:\n", one);
        Assert.Equal("Q: 1 +1\n", ArithFormat.RevisionPrompt("Q: 1 +1\n", attempts, text => text.Length, contextTokens: 10));
    }
}
