using TTScale.Tasks;

namespace TTScale.Tests.Tasks;

public class ArithChainGeneratorTests
{
    [Fact]
    public void SameSeedAndIndexGiveTheSameProblem()
    {
        for (int index = 0; index < 50; index++)
        {
            var a = ArithChainGenerator.Generate(7, index, 1 + index % 5);
            var b = ArithChainGenerator.Generate(7, index, 1 + index % 5);
            Assert.Equal(a.Prompt, b.Prompt);
            Assert.Equal(a.Solution, b.Solution);
        }
    }

    [Fact]
    public void DifferentSeedsGiveDifferentProblems()
    {
        var first = Enumerable.Range(0, 20).Select(i => ArithChainGenerator.Generate(1, i, 3).Prompt).ToList();
        var second = Enumerable.Range(0, 20).Select(i => ArithChainGenerator.Generate(2, i, 3).Prompt).ToList();
        Assert.True(first.Zip(second).Count(p => p.First != p.Second) >= 19);
        Assert.True(first.Distinct().Count() >= 19, "problems of one seed should not repeat");
    }

    [Fact]
    public void ProblemIDependsOnlyOnSeedIndexAndLevel()
    {
        var list = ArithChainGenerator.Generate(5, 30, [1, 2, 3, 4, 5]).ToList();
        for (int i = 0; i < list.Count; i++)
            Assert.Equal(ArithChainGenerator.Generate(5, i, 1 + i % 5).Prompt, list[i].Prompt);
    }

    [Theory]
    [InlineData(1, 2, 2, 99)]
    [InlineData(2, 3, 3, 99)]
    [InlineData(3, 4, 4, 999)]
    [InlineData(4, 5, 6, 999)]
    [InlineData(5, 6, 8, 999)]
    public void LevelsSetStepsAndValueRange(int level, int minSteps, int maxSteps, int maxValue)
    {
        for (int index = 0; index < 300; index++)
        {
            var problem = ArithChainGenerator.Generate(11, index, level);
            Assert.InRange(problem.Operations.Count, minSteps, maxSteps);
            Assert.All(problem.Values, v => Assert.InRange(v, 0, maxValue));
            Assert.Equal(level, problem.Level);
        }
    }

    [Fact]
    public void LevelFiveUsesThreeDigitOperandsAndMultiplication()
    {
        var problems = Enumerable.Range(0, 200).Select(i => ArithChainGenerator.Generate(3, i, 5)).ToList();
        Assert.All(problems, p => Assert.InRange(p.Start, 100, 999));
        var additive = problems.SelectMany(p => p.Operations).Where(o => o.Op != ArithOperation.Multiply).ToList();
        Assert.All(additive, o => Assert.InRange(o.Operand, 100, 999));
        Assert.Contains(problems.SelectMany(p => p.Operations), o => o.Op == ArithOperation.Multiply);
    }

    [Fact]
    public void LowLevelsNeverMultiply()
    {
        for (int index = 0; index < 200; index++)
        {
            Assert.DoesNotContain(ArithChainGenerator.Generate(9, index, 1).Operations, o => o.Op == ArithOperation.Multiply);
            Assert.DoesNotContain(ArithChainGenerator.Generate(9, index, 2).Operations, o => o.Op == ArithOperation.Multiply);
        }
    }

    [Fact]
    public void SolutionLengthRisesWithLevel()
    {
        double MeanLength(int level) => Enumerable.Range(0, 200).Average(i => ArithChainGenerator.Generate(4, i, level).Solution.Length);
        var lengths = Enumerable.Range(1, 5).Select(MeanLength).ToList();
        for (int level = 1; level < 5; level++) Assert.True(lengths[level] > lengths[level - 1], $"level {level + 1} solutions should be longer than level {level}'s");
    }

    [Theory]
    [InlineData("1-5", new[] { 1, 2, 3, 4, 5 })]
    [InlineData("3", new[] { 3 })]
    [InlineData("1,3-4", new[] { 1, 3, 4 })]
    [InlineData(" 2 , 2-3 ", new[] { 2, 3 })]
    public void ParsesLevelLists(string text, int[] expected) => Assert.Equal(expected, ArithChainGenerator.ParseLevels(text));

    [Theory]
    [InlineData("0-3")]
    [InlineData("6")]
    [InlineData("a")]
    [InlineData("4-2")]
    [InlineData("")]
    public void RejectsBadLevelLists(string text) => Assert.Throws<FormatException>(() => ArithChainGenerator.ParseLevels(text));

    [Fact]
    public void RejectsUnknownLevel() => Assert.Throws<ArgumentOutOfRangeException>(() => ArithChainGenerator.Generate(1, 0, 6));
}
