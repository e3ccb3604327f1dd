using TTScale.Randomness;
using TTScale.Tasks;

namespace TTScale.Tests.Tasks;

public class ArithRevisionExamplesTests
{
    private static readonly ArithProblem Problem = new(47, [new('+', 28), new('-', 13), new('x', 3)], 3);
    private const string Wrong = "47+28=75\n75-13=63\n63x3=189\nA: 189\n";

    [Fact]
    public void ContextsEndInRightAndWrongAttemptsAsTheModelGaveThem()
    {
        string[] attempts = [Problem.Solution, Wrong, Problem.Solution, Wrong];
        var rng = new SplitMix64(5);
        var examples = ArithRevisionExamples.FromAttempts(Problem, attempts, 400, ref rng).ToList();

        Assert.Equal(400, examples.Count);
        Assert.All(examples, e => Assert.Equal(Problem.Solution, e.Solution));
        Assert.All(examples, e => Assert.InRange(e.PreviousAttempts, 1, ArithFormat.MaxPreviousAttempts));
        // Half the attempts are right, so about half the contexts end in a right one: a revision must learn to keep it.
        int keep = examples.Count(e => e.Prompt.EndsWith(Problem.Solution + ArithFormat.RevisionSeparator, StringComparison.Ordinal));
        Assert.InRange(keep, 160, 240);
    }

    [Fact]
    public void AProblemTheModelAlwaysSolvesStillTeachesKeepingTheAnswer()
    {
        var rng = new SplitMix64(1);
        var examples = ArithRevisionExamples.FromAttempts(Problem, [Problem.Solution, Problem.Solution], 2, ref rng).ToList();
        Assert.Equal(2, examples.Count);
        Assert.All(examples, e => Assert.StartsWith(Problem.Prompt + Problem.Solution, e.Prompt, StringComparison.Ordinal));
    }

    [Fact]
    public void SameSeedSameExamples()
    {
        string[] attempts = [Wrong, Problem.Solution, Wrong];
        var a = new SplitMix64(9);
        var b = new SplitMix64(9);
        Assert.Equal(ArithRevisionExamples.FromAttempts(Problem, attempts, 5, ref a), ArithRevisionExamples.FromAttempts(Problem, attempts, 5, ref b));
    }
}
