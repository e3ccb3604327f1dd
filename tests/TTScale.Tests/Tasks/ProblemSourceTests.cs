using TTScale.Tasks;

namespace TTScale.Tests.Tasks;

public sealed class ProblemSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-problems-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(params string[] lines)
    {
        string path = Path.Combine(_dir, "problems.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void ArithSpecGeneratesTheSameProblemsAsTheGenerator()
    {
        var problems = ProblemSource.Load("arith:count=10,levels=1,3-4,seed=7", skipBad: false, out _);
        Assert.Equal(10, problems.Count);
        var expected = ArithChainGenerator.Generate(7, 10, [1, 3, 4]).ToList();
        Assert.Equal(expected.Select(p => p.Prompt), problems.Select(p => p.Prompt));
        Assert.Equal(expected.Select(p => (int?)p.Level), problems.Select(p => p.Level));
        Assert.All(problems, p => Assert.Equal(AnswerFormat.ArithChain, p.Format));
        Assert.True(problems[0].IsCorrect(expected[0].Solution));
        Assert.Equal(100, ProblemSource.Load("arith", false, out _).Count);
    }

    [Theory]
    [InlineData("arith:count=x")]
    [InlineData("arith:count=0")]
    [InlineData("arith:levels=9")]
    [InlineData("arith:speed=3")]
    public void BadArithSpecsAreNamed(string spec) => Assert.ThrowsAny<FormatException>(() => ProblemSource.Load(spec, false, out _));

    [Fact]
    public void ReadsTheCommonShapes()
    {
        string path = Write(
            """{"question": "2+2?", "answer": "2+2=4\n#### 4"}""",
            """{"problem": "Half of one?", "solution": "It is $\\boxed{\\frac{1}{2}}$.", "level": "Level 3"}""",
            """{"problem": "x?", "answer": "7"}""",
            """{"id": "mine", "prompt": "Pick one", "answer": "B", "format": "choice"}""");
        var problems = ProblemSource.Load(path, false, out _);
        Assert.Equal(["4", "\\frac{1}{2}", "7", "B"], problems.Select(p => p.Answer));
        Assert.Equal([AnswerFormat.Gsm8k, AnswerFormat.Boxed, AnswerFormat.Boxed, AnswerFormat.Choice], problems.Select(p => p.Format));
        Assert.Equal(3, problems[1].Level);
        Assert.Equal("mine", problems[3].Id);
        Assert.Equal("problems-1", problems[0].Id);
        Assert.True(problems[1].IsCorrect("so \\boxed{0.5}"));
        Assert.True(problems[0].IsCorrect("The answer is 4."));
    }

    [Fact]
    public void ARepeatedIdIsAMalformedLineNamingTheFirst()
    {
        // Records, per-problem seeds and resumes go by id: a second problem with one would be skipped or mixed up.
        string path = Write("""{"id": "a", "prompt": "x", "answer": "1"}""", """{"id": "b", "prompt": "y", "answer": "2"}""", """{"id": "a", "prompt": "z", "answer": "3"}""");
        var e = Assert.Throws<ProblemFormatException>(() => ProblemSource.Load(path, false, out _));
        Assert.Equal($"{path}:3: id 'a' is already line 1's", e.Message);
        Assert.Equal(["a", "b"], ProblemSource.Load(path, skipBad: true, out var skipped).Select(p => p.Id));
        Assert.Equal([e.Message], skipped);
    }

    [Fact]
    public void AFileWithNoProblemsIsAnError()
    {
        string blank = Write("", "  ");
        Assert.Equal($"{blank}: no problems", Assert.Throws<ProblemFormatException>(() => ProblemSource.Load(blank, false, out _)).Message);
        string bad = Write("{broken");
        // With every line skipped, the error says why the first was (the skipped lines were never listed).
        Assert.StartsWith($"{bad}: no problems (1 bad line(s) skipped; the first: {bad}:1: ", Assert.Throws<ProblemFormatException>(() => ProblemSource.Load(bad, true, out _)).Message);
    }

    [Fact]
    public void AMalformedLineIsReportedWithItsNumberOrSkipped()
    {
        string path = Write("""{"prompt": "a", "answer": "1"}""", "{broken", """{"neither": 1}""", """{"prompt": "b", "answer": "2"}""");
        var e = Assert.Throws<ProblemFormatException>(() => ProblemSource.Load(path, false, out _));
        Assert.Contains($"{path}:2", e.Message);
        var problems = ProblemSource.Load(path, skipBad: true, out var skipped);
        Assert.Equal(2, problems.Count);
        Assert.Equal([$"{path}:2", $"{path}:3"], skipped.Select(s => s[..(path.Length + 2)]));
    }

    [Fact]
    public void ARepeatedPropertyIsAMalformedLine()
    {
        // It ran with one of the two answers, the JSON reader's choice, and graded against it.
        string path = Write("""{"question": "q1", "answer": "#### 5"}""", """{"question": "q2", "answer": "#### 7", "answer": "#### 8"}""");
        var e = Assert.Throws<ProblemFormatException>(() => ProblemSource.Load(path, false, out _));
        Assert.StartsWith($"{path}:2: ", e.Message);
        Assert.Contains("'answer'", e.Message);
    }

    [Fact]
    public void ANonIntegerLevelIsAMalformedLine()
    {
        string path = Write("""{"question": "q1", "answer": "#### 5"}""", """{"question": "q2", "answer": "#### 7", "level": 2.5}""");
        Assert.Contains($"{path}:2: 'level' must be an integer, not 2.5", Assert.Throws<ProblemFormatException>(() => ProblemSource.Load(path, false, out _)).Message);
        Assert.Single(ProblemSource.Load(path, skipBad: true, out var skipped));
        Assert.Single(skipped);
    }

    [Theory]
    [InlineData("""{"prompt": 42, "answer": "42"}""", "'prompt' must be a string, not 42")] // it ran as the prompt "42"
    [InlineData("""{"prompt": "Q: 5 +3 -2\n", "answer": "6", "format": "99"}""", "unknown format '99' (use arithchain, gsm8k")] // an enum's number
    [InlineData("""{"prompt": "Q: 5 +3 -2\n", "answer": "6", "format": 1}""", "'format' must be a string, not 1")]
    [InlineData("""{"question": "q2", "answer": "#### 7", "level": -2}""", "'level' must be 0 or more, not -2")]
    // Each was accepted: an id of true or {} fell back to the line number, an empty answer could never be graded right,
    // an empty prompt failed the run unnamed, and a GSM8K answer without '####' was graded against its last number.
    [InlineData("""{"prompt": "q2", "answer": "7", "id": true}""", "'id' must be a string or a number, not true")]
    [InlineData("""{"prompt": "q2", "answer": "7", "id": ""}""", "'id' is empty")]
    [InlineData("""{"prompt": "q2", "answer": " "}""", "'answer' is empty")]
    [InlineData("""{"prompt": "", "answer": "7"}""", "'prompt' is empty")]
    [InlineData("""{"prompt": "q2", "answer": "7", "level": true}""", "'level' must be an integer, not true")]
    [InlineData("""{"question": "q2", "answer": "There are 3 cats and 4 dogs"}""", "no '#### n' answer in 'answer'")]
    [InlineData("""{"question": "q2", "answer": ["#### 3"]}""", "'answer' must be a string or a number, not")]
    public void AFieldOfTheWrongKindIsAMalformedLineNotAProblem(string line, string error)
    {
        string path = Write("""{"question": "q1", "answer": "#### 5"}""", line);
        Assert.Contains($"{path}:2: {error}", Assert.Throws<ProblemFormatException>(() => ProblemSource.Load(path, false, out _)).Message);
        Assert.Single(ProblemSource.Load(path, skipBad: true, out _)); // and --skip-bad skips it
    }

    [Fact]
    public void AGsm8kAnswerThatIsJustANumberIsItsOwnGold()
    {
        string path = Write("""{"question": "q1", "answer": 18}""", """{"question": "q2", "answer": "$1,600"}""");
        Assert.Equal(["18", "1,600"], ProblemSource.Load(path, false, out _).Select(p => p.Answer));
    }

    [Fact]
    public void ADataArithFileIsGradedAsTheGeneratedProblemsAre()
    {
        // A cut-off completion whose last number is the answer: right for GSM8K's last-number rule, wrong for ArithChain's answer line.
        string cut = "5+8=13\n13+5=18\nA";
        var written = ProblemSource.Load(Write("""{"id": "a", "prompt": "Q: 5 +8 +5\n", "answer": "18", "format": "arithchain"}"""), false, out _)[0];
        var older = ProblemSource.Load(Write("""{"id": "a", "prompt": "Q: 5 +8 +5\n", "answer": "18"}"""), false, out _)[0]; // no format field
        Assert.Equal((AnswerFormat.ArithChain, AnswerFormat.ArithChain), (written.Format, older.Format));
        Assert.False(older.IsCorrect(cut));
        Assert.Equal(AnswerFormat.Gsm8k, ProblemSource.Load(Write("""{"prompt": "How many?", "answer": "18"}"""), false, out _)[0].Format);
    }

    [Fact]
    public void AMissingFileIsNamed() =>
        Assert.Contains("nope.jsonl", Assert.Throws<FileNotFoundException>(() => ProblemSource.Load(Path.Combine(_dir, "nope.jsonl"), false, out _)).Message);

    [SharedDataFact]
    public void LoadsGsm8k()
    {
        var problems = ProblemSource.Load(SharedData.Path("gsm8k", "test.jsonl"), false, out var skipped);
        Assert.Equal(1319, problems.Count);
        Assert.Empty(skipped);
        Assert.Equal("18", problems[0].Answer);
        Assert.StartsWith("Janet", problems[0].Prompt);
    }
}
