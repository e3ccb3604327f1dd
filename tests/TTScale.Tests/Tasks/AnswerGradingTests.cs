using System.Text.Json;
using TTScale.Tasks;

namespace TTScale.Tests.Tasks;

public class AnswerGradingTests
{
    [Theory]
    [InlineData("18", "18")]
    [InlineData("1,000", "1000")]
    [InlineData("$1,234.50", "2469/2")]
    [InlineData("18.", "18")]
    [InlineData("18.0", "18")]
    [InlineData("-7", "-7")]
    [InlineData("0.5", "1/2")]
    [InlineData("1/2", "1/2")]
    [InlineData("\\frac{1}{2}", "1/2")]
    [InlineData("\\dfrac{2}{4}", "1/2")]
    [InlineData("\\left( 3, 4 \\right)", "(3,4)")]
    [InlineData("\\text{5}", "5")]
    [InlineData("90^\\circ", "90")]
    [InlineData("90°", "90")]
    [InlineData("25\\%", "25")]
    [InlineData("18 dollars", "18")]
    [InlineData("(B)", "B")]
    [InlineData("c)", "C")]
    [InlineData("x^2 + 1", "x^2+1")]
    [InlineData("", "")]
    public void Normalizes(string answer, string expected) => Assert.Equal(expected, AnswerNormalizer.Normalize(answer));

    [Theory]
    [InlineData("0.25", "\\frac{1}{4}")]
    [InlineData("1/3", "\\dfrac{1}{3}")]
    [InlineData("2,000", "2000.00")]
    [InlineData("-1,234", "-1234")]
    [InlineData("-$5", "-5")]
    [InlineData("\\text{(B)}", "B")]
    public void EquivalentSpellingsAgree(string a, string b) => Assert.True(AnswerNormalizer.Equivalent(a, b));

    [Theory]
    [InlineData("1/3", "0.33")]
    [InlineData("", "")]
    [InlineData("12", "21")]
    public void DifferentAnswersDoNot(string a, string b) => Assert.False(AnswerNormalizer.Equivalent(a, b));

    [Theory]
    [InlineData("so x = \\boxed{\\frac{1}{2}}.", "\\frac{1}{2}")]
    [InlineData("\\boxed{1} then \\boxed{\\{a, b\\}}", "\\{a, b\\}")]
    [InlineData("\\fbox{7}", "7")]
    [InlineData("\\boxed{12", null)]
    [InlineData("no box", null)]
    public void FindsTheLastBoxedAnswer(string text, string? expected) => Assert.Equal(expected, AnswerExtractor.Extract(text, AnswerFormat.Boxed));

    [Theory]
    [InlineData("She makes 9 * 2 = $18.\n#### 18", "18")]
    [InlineData("So the answer is 1,200.", "1,200")]
    [InlineData("First 3, then 4, total 7.", "7")]
    [InlineData("9 * 2 = 18, so she pays $\\boxed{18}$ over 2 days.", "18")] // instruct models box their answer
    [InlineData("The answer is $\\boxed{1,200}$", "1,200")]
    [InlineData("no numbers", null)]
    [InlineData("In all she pays $1,600, all told.", "1,600")] // the last number, not its comma
    [InlineData("The answer is -$5.", "-$5")]
    [InlineData("#### １８", "１８")] // full-width digits are not a number here
    [InlineData("The answer is ١٨", null)]
    public void FindsGsm8kAnswers(string text, string? expected) => Assert.Equal(expected, AnswerExtractor.Extract(text, AnswerFormat.Gsm8k));

    [Theory]
    [InlineData("The answer is (C).", "C")]
    [InlineData("I pick\nB\n", "B")]
    public void FindsChoiceLetters(string text, string expected) => Assert.Equal(expected, AnswerExtractor.Extract(text, AnswerFormat.Choice));

    [Theory]
    [InlineData("#### １８")]
    [InlineData("The answer is ١٨")]
    [InlineData("she has ١٨ apples")]
    public void DigitsOfOtherScriptsGradeWrongInsteadOfFailingTheRun(string completion) =>
        Assert.False(new Problem("x", "q", "18", AnswerFormat.Gsm8k).IsCorrect(completion));

    [Theory]
    [InlineData("A: 186\n", AnswerFormat.ArithChain, true)]
    [InlineData("A: -4", AnswerFormat.ArithChain, true)]
    [InlineData("62x3=186\n", AnswerFormat.ArithChain, false)]
    [InlineData("A: 1x\n", AnswerFormat.ArithChain, false)]
    [InlineData("#### 72\n", AnswerFormat.Gsm8k, true)]
    [InlineData("She sold 72 clips.\n", AnswerFormat.Gsm8k, false)] // the bare number is a fallback, not a final line
    [InlineData("So \\boxed{72}.\n", AnswerFormat.Boxed, false)] // a boxed answer may be followed by more text
    [InlineData("42", AnswerFormat.Plain, false)]
    public void OnlyTheFormatsFinalAnswerLineEndsASolution(string step, AnswerFormat format, bool final) =>
        Assert.Equal(final, AnswerExtractor.IsFinalStep(step, format));

    [Fact]
    public void ArithChainAnswersUseTheAnswerLine() => Assert.Equal("186", AnswerExtractor.Extract("62x3=186\nA: 186\n", AnswerFormat.ArithChain));

    [SharedDataFact]
    public void EveryGsm8kGoldAnswerExtractsToAnInteger()
    {
        var lines = File.ReadAllLines(SharedData.Path("gsm8k", "test.jsonl"));
        Assert.Equal(1319, lines.Length);
        foreach (var (line, number) in lines.Select((l, i) => (l, i + 1)))
        {
            string gold = JsonDocument.Parse(line).RootElement.GetProperty("answer").GetString()!;
            string? answer = AnswerExtractor.Extract(gold, AnswerFormat.Gsm8k);
            Assert.True(answer is not null, $"line {number}: no answer in '{gold[^Math.Min(40, gold.Length)..]}'");
            string normalized = AnswerNormalizer.Normalize(answer);
            Assert.True(long.TryParse(normalized, out _), $"line {number}: '{answer}' normalised to '{normalized}', not an integer");
        }
    }
}
