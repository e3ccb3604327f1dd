using TTScale.Strategies;

namespace TTScale.Tests.Strategies;

public class SelectionTests
{
    private static Candidate C(string? answer, float? score) => new("text", answer, [], score, 1, 0);

    // Answers: 7 three times with low scores, 9 once with the top score, 8 twice with middling scores.
    private static readonly Candidate[] Set = [C("7", 0.2f), C("9", 0.95f), C("7", 0.1f), C("8", 0.5f), C("7.0", 0.15f), C("8", 0.5f), C(null, 0.99f)];

    [Fact]
    public void NaivePicksTheHighestScoreEvenWithoutAnAnswer() => Assert.Equal(6, Selection.Choose(Set, SelectionRule.Naive));

    [Fact]
    public void WeightedPicksTheAnswerWithTheLargestScoreSum() => Assert.Equal(3, Selection.Choose(Set, SelectionRule.Weighted)); // 8: 1.0 > 9: 0.95 > 7: 0.45

    [Fact]
    public void MajorityCountsNormalisedAnswers() => Assert.Equal(0, Selection.Choose(Set, SelectionRule.Majority)); // "7" and "7.0" together: 3

    [Fact]
    public void LastPicksTheLast() => Assert.Equal(6, Selection.Choose(Set, SelectionRule.Last));

    [Fact]
    public void TiesGoToTheEarliestCandidate()
    {
        Candidate[] tied = [C("1", 0.5f), C("2", 0.5f), C("2", 0.1f), C("1", 0.1f)];
        Assert.Equal(0, Selection.Choose(tied, SelectionRule.Majority));
        Assert.Equal(0, Selection.Choose(tied, SelectionRule.Weighted));
    }

    [Fact]
    public void NoAnswersNoVote()
    {
        Assert.Null(Selection.Choose([C(null, 1f), C("", 1f)], SelectionRule.Majority));
        Assert.Null(Selection.Choose([], SelectionRule.Naive));
    }

    [Theory]
    [InlineData("weighted", SelectionRule.Weighted)]
    [InlineData("VERIFIER", SelectionRule.Naive)]
    public void Parses(string text, SelectionRule rule) => Assert.Equal(rule, Selection.Parse(text));

    [Fact]
    public void UnknownRuleNamesTheOption() => Assert.Contains("--select", Assert.Throws<FormatException>(() => Selection.Parse("best")).Message);
}
