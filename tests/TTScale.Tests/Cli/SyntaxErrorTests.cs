namespace TTScale.Tests.Cli;

public class SyntaxErrorTests
{
    [Theory]
    [InlineData("eval --bogus", "'--bogus'", "see: ttscale eval --help")]
    [InlineData("generate --prompt x -n many", "'many'", "see: ttscale generate --help")]
    [InlineData("policy build", "missing", "see: ttscale policy build --help")]
    [InlineData("frobnicate", "'frobnicate'", "see: ttscale --help")]
    public void SyntaxErrorsAreErrorLinesAndAPointerToTheHelpWithExitCode2(string args, string named, string pointer)
    {
        var result = CliRunner.Run(args.Split(' '));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StdOut);
        var lines = result.StdErr.TrimEnd().Split('\n');
        Assert.All(lines[..^1], line => Assert.StartsWith("error: ", line));
        Assert.Contains(lines[..^1], line => line.Contains(named));
        Assert.Equal(pointer, lines[^1]);
    }

    [Theory]
    [InlineData("fit", "/nonexistent", "--epsilon", "0,01")] // was read as 1: a gain of 100 points per candidate
    [InlineData("generate", "--prompt", "x", "--temperature", "0,8")] // was read as 8
    [InlineData("eval", "--strategy", "greedy", "--top-p=0,9")]
    public void ADecimalCommaIsRefusedNotReadAsThousands(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Matches("^error: --[a-z-]+ '0,[0-9]+': write the number with a decimal point \\(0\\.[0-9]+\\)\n$", result.StdErr.Replace("\r", ""));
    }

    [Theory]
    [InlineData("eval --strategy beam --n x", "error: --n 'x' is not a whole number")] // was "as expected type 'System.Int32'"
    [InlineData("eval --strategy adaptive --budget abc", "error: --budget 'abc' is not a number")] // 'System.Nullable`1[System.Double]'
    [InlineData("fit x --coverage maybe", "error: Unrecognized command or argument 'maybe'.")] // the parser's own words where they are plain
    public void AValueOfTheWrongTypeIsNamedInWords(string args, string error)
    {
        var result = CliRunner.Run(args.Split(' '));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(error, result.StdErr.Replace("\r", "").Split('\n')[0]);
    }

    [Theory]
    [InlineData("--help", "ttscale [command] [options]")]
    [InlineData("eval --help", "ttscale eval [options]")]
    [InlineData("policy build --help", "ttscale policy build <sweep> [options]")]
    public void TheHelpNamesTheCommandAsUsersTypeIt(string args, string usage)
    {
        // Not the assembly's name ("TTScale.Cli eval [options]"), which no one types.
        var result = CliRunner.Run(args.Split(' '));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"Usage:\n  {usage}\n", result.StdOut.Replace("\r", ""));
        Assert.DoesNotContain("TTScale.Cli", result.StdOut);
    }

    [Fact]
    public void NoCommandPrintsTheOverviewAndFails()
    {
        var result = CliRunner.Run();
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StdOut);
        Assert.Contains("eval", result.StdErr);
        Assert.Contains("sweep", result.StdErr);
    }
}
