using System.Text.Json.Nodes;
using TTScale.Tests.Cli;

namespace TTScale.Tests.Reporting;

public sealed class ReportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesHtmlMarkdownAndFiguresIntoTheSweepFolderWithTheFitDrawn()
    {
        string sweep = ReportSamples.SweepFolder(_dir);
        string fit = Path.Combine(_dir, "fit.json");
        Assert.Equal(0, CliRunner.Run("fit", sweep, "--axis", "samples", "--fit-max-budget", "2", "--bins", "2", "--out", fit).ExitCode);
        var result = CliRunner.Run("report", sweep, "--axis", "samples", "--fit", fit);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("report written to", result.StdOut);
        string html = File.ReadAllText(Path.Combine(sweep, "report", "index.html"));
        Assert.Contains("budget (samples per problem)", File.ReadAllText(Path.Combine(sweep, "report", "report.md")));
        Assert.Contains("<dt>Fit file</dt>", html);
        Assert.Contains("Fitted curves", html);
        Assert.Contains("Held-out predictions, all problems", html); // budget 4 is held out: from each curve and from the bins' curves
        Assert.Equal(4, Directory.GetFiles(Path.Combine(sweep, "report", "figures"), "*.png").Length); // the fit's 2 bins, not the report's default 5
    }

    [Fact]
    public void AFitOnAnotherAxisOrNotAFitIsNamed()
    {
        string sweep = ReportSamples.SweepFolder(_dir);
        string fit = Path.Combine(_dir, "fit.json");
        Assert.Equal(0, CliRunner.Run("fit", sweep, "--axis", "tokens", "--bins", "2", "--out", fit).ExitCode);
        var axis = CliRunner.Run("report", sweep, "--axis", "flops", "--fit", fit, "--out", Path.Combine(_dir, "out"));
        Assert.Equal(2, axis.ExitCode);
        Assert.Contains("pass --axis tokens", axis.StdErr);
        File.WriteAllText(fit, "[1, 2]");
        var bad = CliRunner.Run("report", sweep, "--fit", fit, "--out", Path.Combine(_dir, "out"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains($"{fit}: not a fit.json", bad.StdErr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Fact]
    public void AFitIsDrawnOnItsOwnBinsAndReplaySeedAndAFitOfAnotherPoolIsRefused()
    {
        string sweep = ReportSamples.SweepFolder(_dir);
        string fit = Path.Combine(_dir, "fit.json");
        Assert.Equal(0, CliRunner.Run("fit", sweep, "--axis", "samples", "--bins", "3", "--seed", "99", "--out", fit).ExitCode);
        string output = Path.Combine(_dir, "out");
        Assert.Equal(0, CliRunner.Run("report", sweep, "--axis", "samples", "--fit", fit, "--out", output).ExitCode);
        string markdown = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("99 (the fit's --seed)", markdown);
        Assert.Contains("Bin 3", markdown);
        Assert.DoesNotContain("Bin 4", markdown); // the report's own 5 bins would put the fit's bin 3 curve on other problems

        var other = JsonNode.Parse(File.ReadAllText(fit))!.AsObject();
        other["problems"] = 12;
        File.WriteAllText(fit, other.ToJsonString());
        var refused = CliRunner.Run("report", sweep, "--axis", "samples", "--fit", fit, "--out", Path.Combine(_dir, "refused"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"--fit {fit}: it was fitted on another pool (12 problems, K = 4;", refused.StdErr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "refused")));
    }

    [Fact]
    public void KvMemoryIsAnAxisAsInFit()
    {
        string sweep = ReportSamples.SweepFolder(_dir);
        string fit = Path.Combine(_dir, "fit-kv.json");
        Assert.Equal(0, CliRunner.Run("fit", sweep, "--axis", "kv", "--out", fit).ExitCode);
        var result = CliRunner.Run("report", sweep, "--axis", "kv", "--fit", fit, "--out", Path.Combine(_dir, "kv"));
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("peak logical KV bytes per problem", File.ReadAllText(Path.Combine(_dir, "kv", "report.md")));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("not-a-sweep")]
    [InlineData("bad-axis")]
    [InlineData("missing-fit")]
    public void BadInputIsNamedWithExitCode2AndWritesNothing(string kind)
    {
        string notSweep = Directory.CreateDirectory(Path.Combine(_dir, "plain")).FullName;
        string sweep = kind is "bad-axis" or "missing-fit" ? ReportSamples.SweepFolder(_dir) : kind == "missing" ? Path.Combine(_dir, "nowhere") : notSweep;
        string[] extra = kind switch
        {
            "bad-axis" => ["--axis", "seconds"],
            "missing-fit" => ["--fit", Path.Combine(_dir, "fit.json")],
            _ => [],
        };
        var result = CliRunner.Run(["report", sweep, "--out", Path.Combine(_dir, "out"), .. extra]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(kind switch
        {
            "bad-axis" => "--axis 'seconds'",
            "missing-fit" => Path.Combine(_dir, "fit.json"),
            "not-a-sweep" => Path.Combine(notSweep, "sweep.json"),
            _ => sweep,
        }, result.StdErr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }
}
