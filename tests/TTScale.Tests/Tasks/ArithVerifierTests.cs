using TTScale.Tasks;

namespace TTScale.Tests.Tasks;

public class ArithVerifierTests
{
    private static readonly ArithProblem Example = new(47, [new('+', 28), new('-', 13), new('x', 3)], 3);

    [Theory]
    [InlineData("47+28=75\nA: 186\n", 186)]
    [InlineData("A: 5\nA: -12\n", -12)]
    [InlineData("A: 18", 18)]
    [InlineData("A: 1x\n", null)]
    [InlineData("no answer\n", null)]
    [InlineData("xA: 3\n", null)]
    public void ExtractsTheLastWholeAnswerLine(string completion, int? expected) => Assert.Equal(expected, ArithAnswer.Extract(completion));

    [Fact]
    public void GradesByTheExtractedAnswer()
    {
        Assert.True(ArithAnswer.IsCorrect(Example, "garbage\nA: 186\n"));
        Assert.False(ArithAnswer.IsCorrect(Example, "A: 185\n"));
    }

    [Fact]
    public void ReferenceSolutionsCheckFullyCorrect()
    {
        for (int index = 0; index < 200; index++)
        {
            var problem = ArithChainGenerator.Generate(8, index, 1 + index % 5);
            var verdicts = ArithStepChecker.Check(problem, problem.Solution);
            Assert.Equal(problem.Operations.Count + 1, verdicts.Count);
            Assert.All(verdicts, v => Assert.True(v.Correct && v.PrefixCorrect));
            Assert.True(verdicts[^1].IsAnswer);
            Assert.Equal(problem.Solution.Length, verdicts[^1].End);
            Assert.True(ArithStepChecker.IsFullyCorrect(problem, problem.Solution));
        }
    }

    [Fact]
    public void StepEndsPointPastEachDelimiter()
    {
        var verdicts = ArithStepChecker.Check(Example, Example.Solution);
        Assert.Equal([9, 18, 27, 34], verdicts.Select(v => v.End));
        Assert.All(verdicts.Take(3), v => Assert.Equal('\n', Example.Solution[v.End - 1]));
    }

    [Fact]
    public void AnArithmeticSlipFailsThatStepAndEveryPrefixAfterIt()
    {
        // 75-13 is 62, not 63; the next step then continues consistently from the written 63.
        var verdicts = ArithStepChecker.Check(Example, "47+28=75\n75-13=63\n63x3=189\nA: 189\n");
        Assert.Equal([true, false, true, true], verdicts.Select(v => v.Correct));
        Assert.Equal([true, false, false, false], verdicts.Select(v => v.PrefixCorrect));
    }

    [Fact]
    public void ASolutionWithASlipIsWrongAtThatStepAlone()
    {
        Assert.Equal("47+28=75\n75-13=63\n63x3=189\nA: 189\n", Example.SolutionWithSlip(1, 1));
        for (int index = 0; index < 100; index++)
        {
            var problem = ArithChainGenerator.Generate(8, index, 1 + index % 5);
            int step = index % problem.Operations.Count;
            var verdicts = ArithStepChecker.Check(problem, problem.SolutionWithSlip(step, -3));
            Assert.Equal(Enumerable.Range(0, verdicts.Count).Select(i => i != step), verdicts.Select(v => v.Correct));
            Assert.False(ArithAnswer.IsCorrect(problem, problem.SolutionWithSlip(step, -3)));
        }
    }

    [Fact]
    public void AStepThatDoesNotContinueFromThePreviousResultIsWrong()
    {
        var verdicts = ArithStepChecker.Check(Example, "47+28=75\n76-13=63\n");
        Assert.False(verdicts[1].Correct);
    }

    [Fact]
    public void AStepWithTheWrongOperationIsWrongEvenIfItsArithmeticHolds()
    {
        var verdicts = ArithStepChecker.Check(Example, "47+28=75\n75+13=88\n");
        Assert.False(verdicts[1].Correct);
    }

    [Theory]
    [InlineData("47+28=75\n75-13=62\nA: 62\n")]            // answers before the chain is done
    [InlineData("47+28=75\n75-13=62\n62x3=186\nA: 187\n")] // answer differs from the last result
    [InlineData("47+28=75\n75-13=62\n62x3=186\n")]         // never answers
    [InlineData("47+28=75\n75-13=62\n62x3=186\nA: 186\n62x3=186\n")] // keeps going after answering
    [InlineData("47+28=75\n75-13=62\n62*3=186\nA: 186\n")] // malformed step
    [InlineData("47+28=75\n75-13=62\n62x3=١٨٦\nA: 186\n")] // another script's digits: malformed, not a crash
    public void IncompleteOrInconsistentSolutionsAreNotFullyCorrect(string completion) =>
        Assert.False(ArithStepChecker.IsFullyCorrect(Example, completion));

    [Fact]
    public void UnfinishedLastLineEndsAtTheTextEnd()
    {
        var verdicts = ArithStepChecker.Check(Example, "47+28=75\n75-1");
        Assert.Equal(2, verdicts.Count);
        Assert.Equal(13, verdicts[1].End);
        Assert.False(verdicts[1].Correct);
    }
}
