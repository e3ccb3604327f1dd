using System.Text.Json;
using TTScale.Cli;
using TTScale.Tasks;

namespace TTScale.Tests.Cli;

public sealed class DataCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ArithPrintsProblemsWithSolutionsAndTheSameSeedGivesTheSameBytes()
    {
        var first = CliRunner.Run("data", "arith", "--count", "5", "--seed", "1");
        var second = CliRunner.Run("data", "arith", "--count", "5", "--seed", "1");
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.StdOut, second.StdOut);
        var records = first.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(5, records.Count);
        for (int i = 0; i < 5; i++)
        {
            var expected = ArithChainGenerator.Generate(1, i, 1 + i);
            Assert.Equal(expected.Prompt, records[i].GetProperty("prompt").GetString());
            Assert.Equal(expected.Solution, records[i].GetProperty("solution").GetString());
            Assert.Equal(expected.Answer.ToString(), records[i].GetProperty("answer").GetString());
            Assert.Equal(1 + i, records[i].GetProperty("level").GetInt32());
        }
        Assert.NotEqual(first.StdOut, CliRunner.Run("data", "arith", "--count", "5", "--seed", "2").StdOut);
    }

    [Fact]
    public void ArithWritesTheFileAndRevisionsDoNotChangeTheProblems()
    {
        string plain = Path.Combine(_dir, "plain.jsonl"), withRevisions = Path.Combine(_dir, "revisions.jsonl");
        Assert.Equal(0, CliRunner.Run("data", "arith", "--count", "20", "--seed", "3", "--levels", "2-4", "--out", plain).ExitCode);
        Assert.Equal(0, CliRunner.Run("data", "arith", "--count", "20", "--seed", "3", "--levels", "2-4", "--revisions", "--out", withRevisions).ExitCode);
        var a = File.ReadAllLines(plain).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var b = File.ReadAllLines(withRevisions).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(20, a.Count);
        Assert.Equal(a.Select(r => r.GetProperty("prompt").GetString()), b.Select(r => r.GetProperty("prompt").GetString()));
        Assert.All(a, r => Assert.InRange(r.GetProperty("level").GetInt32(), 2, 4));
        foreach (var record in b)
        {
            var revision = record.GetProperty("revision");
            string prompt = revision.GetProperty("prompt").GetString()!;
            Assert.StartsWith(record.GetProperty("prompt").GetString()!, prompt);
            Assert.EndsWith(ArithFormat.RevisionSeparator, prompt);
            Assert.Equal(record.GetProperty("solution").GetString(), revision.GetProperty("solution").GetString());
        }
    }

    [Fact]
    public void ArithSlipsAddTheSolutionWithItsFirstResultOneTooHigh()
    {
        var result = CliRunner.Run("data", "arith", "--count", "3", "--seed", "1", "--levels", "3", "--slips");
        Assert.Equal(0, result.ExitCode);
        var problems = ArithChainGenerator.Generate(1, 3, [3]).ToList();
        var records = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(problems.Select(p => p.SolutionWithSlip(0, 1)), records.Select(r => r.GetProperty("slip").GetString()));
        Assert.False(JsonDocument.Parse(CliRunner.Run("data", "arith", "--count", "1").StdOut).RootElement.TryGetProperty("slip", out _));
    }

    [Fact]
    public void LabelGradesEachStepWithTheChecker()
    {
        string samples = Path.Combine(_dir, "samples.jsonl"), labels = Path.Combine(_dir, "labels.jsonl");
        File.WriteAllText(samples, """
            {"id": "p", "prompt": "Q: 47 +28 -13 x3\n", "completions": ["47+28=75\n75-13=62\n62x3=186\nA: 186\n", "47+28=75\n75-13=63\n63x3=189\nA: 189\n"]}

            """);
        var result = CliRunner.Run("data", "label", "--in", samples, "--out", labels);
        Assert.Equal(0, result.ExitCode);
        var record = JsonDocument.Parse(File.ReadAllText(labels)).RootElement;
        var completions = record.GetProperty("completions").EnumerateArray().ToList();
        Assert.True(completions[0].GetProperty("correct").GetBoolean());
        Assert.False(completions[1].GetProperty("correct").GetBoolean());
        Assert.Equal([true, false, false, false], completions[1].GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("prefix_correct").GetBoolean()));
    }

    [Theory]
    [InlineData("--levels", "0-9")]
    [InlineData("--count", "-1")]
    public void BadOptionsGiveOneLineNamingTheOptionAndExitCodeTwo(string option, string value)
    {
        var result = CliRunner.Run("data", "arith", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error:", result.StdErr);
        Assert.Contains(option == "--count" ? "--count" : value, result.StdErr);
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public void LabelReadsStepsWithAsManyDigitsAsAPromptAllows()
    {
        string samples = Path.Combine(_dir, "samples.jsonl");
        File.WriteAllText(samples, """{"prompt": "Q: 5000 x3000 +1\n", "completions": ["5000x3000=15000000\n15000000+1=15000001\nA: 15000001\n"]}""" + "\n");
        var result = CliRunner.Run("data", "label", "--in", samples);
        Assert.Equal(0, result.ExitCode);
        var completion = JsonDocument.Parse(result.StdOut).RootElement.GetProperty("completions")[0];
        Assert.True(completion.GetProperty("correct").GetBoolean());
        Assert.Equal([true, true, true], completion.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("prefix_correct").GetBoolean()));
    }

    [Fact]
    public void RevisionsCountTheAttemptsInContextNotTheSeparatorsInTheirText()
    {
        string samples = Path.Combine(_dir, "samples.jsonl");
        // A model's attempt that itself writes the revision separator.
        File.WriteAllText(samples, """{"prompt": "Q: 5 +8\n", "completions": ["5+8=13\nR:\nR:\nA: 13\n"]}""" + "\n");
        var result = CliRunner.Run("data", "revisions", "--in", samples, "--per-problem", "1");
        Assert.Equal(0, result.ExitCode);
        var record = JsonDocument.Parse(result.StdOut).RootElement;
        Assert.Equal("Q: 5 +8\n5+8=13\nR:\nR:\nA: 13\nR:\n", record.GetProperty("prompt").GetString());
        Assert.Equal(1, record.GetProperty("previous_attempts").GetInt32());
    }

    [Theory]
    [InlineData("revisions", "--context", "0")]
    [InlineData("revisions", "--context", "-5")]
    [InlineData("revision-prompts", "--context", "-1")]
    [InlineData("revision-prompts", "--reserve", "-100")]
    public void OutOfRangeContextOrReserveIsNamedNotWrittenAsPromptsWithoutAttempts(string command, string option, string value)
    {
        string samples = Path.Combine(_dir, "samples.jsonl"), output = Path.Combine(_dir, "out.jsonl");
        File.WriteAllText(samples, """{"prompt": "Q: 5 +8\n", "completions": ["5+8=13\nA: 13\n", "5+8=14\nA: 14\n"]}""" + "\n");
        File.WriteAllText(output, "precious\n");
        var result = CliRunner.Run("data", command, "--in", samples, "--out", output, option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {option} must be", result.StdErr);
        Assert.Equal("precious\n", File.ReadAllText(output));
    }

    [Fact]
    public void MalformedJsonlNamesTheFileAndLineAndKeepsTheExistingOutput()
    {
        string samples = Path.Combine(_dir, "bad.jsonl"), labels = Path.Combine(_dir, "labels.jsonl");
        File.WriteAllText(samples, "{\"prompt\": \"Q: 1 +1\\n\", \"completions\": []}\n{not json\n");
        File.WriteAllText(labels, "precious\n");
        var result = CliRunner.Run("data", "label", "--in", samples, "--out", labels);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{samples}:2", result.StdErr);
        Assert.Equal("precious\n", File.ReadAllText(labels));
    }

    [Theory]
    [InlineData("""{"prompt": "Q: 1 +2\n", "completions": [], "level": "3"}""", "'level' must be an integer")]
    [InlineData("""{"prompt": "Q: 99999999999 +2\n", "completions": []}""", "not an ArithChain prompt")]
    [InlineData("""{"prompt": "Q: 1 +2\n", "prompt": "Q: 1 +3\n", "completions": []}""", "malformed JSON (Duplicate property 'prompt'")]
    [InlineData("""{"prompt": "Q: 999999999 x999999999\n", "completions": []}""", "'Q: 999999999 x999999999': its solution reaches 999999998000000001, more than 9 digits")]
    public void ABadSampleIsNamedNotAStackTrace(string line, string error)
    {
        string samples = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllText(samples, line + "\n");
        var result = CliRunner.Run("data", "label", "--in", samples, "--out", Path.Combine(_dir, "labels.jsonl"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{samples}:1: {error}", result.StdErr);
    }

    [Fact]
    public void ABadRecordMetWhileWritingLeavesTheFileAsItWasAndNoTemporary()
    {
        string path = Path.Combine(_dir, "out.jsonl");
        File.WriteAllText(path, "precious\n");
        IEnumerable<int> Records()
        {
            yield return 1;
            throw new CliException("in.jsonl:2: malformed JSON");
        }
        Assert.Throws<CliException>(() => Jsonl.Write(path, Records()));
        Assert.Equal("precious\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData("label")]
    [InlineData("revisions")]
    [InlineData("revision-prompts")]
    public void AnEmptyInputIsNamedAndTheOutputKept(string command)
    {
        // It wrote an empty file and exited 0, where eval refuses an empty dataset.
        string samples = Path.Combine(_dir, "empty.jsonl"), output = Path.Combine(_dir, "out.jsonl");
        File.WriteAllText(samples, "\n");
        File.WriteAllText(output, "precious\n");
        var result = CliRunner.Run("data", command, "--in", samples, "--out", output);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{samples}: no samples", result.StdErr);
        Assert.Equal("precious\n", File.ReadAllText(output));
    }

    [Fact]
    public void MissingInputNamesTheFile()
    {
        var result = CliRunner.Run("data", "label", "--in", Path.Combine(_dir, "absent.jsonl"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("absent.jsonl", result.StdErr);
    }
}
