using TTScale.Tests.Cli;

namespace TTScale.Tests.Reporting;

public sealed class ReportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesHtmlMarkdownAndFiguresIntoTheSweepFolder()
    {
        string sweep = ReportSamples.SweepFolder(_dir);
        string fit = Path.Combine(_dir, "fit.json");
        File.WriteAllText(fit, "{}");
        var result = CliRunner.Run("report", sweep, "--axis", "samples", "--fit", fit);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("report written to", result.StdOut);
        Assert.Contains("--fit", result.StdErr); // a note: named in the provenance, not drawn
        string html = File.ReadAllText(Path.Combine(sweep, "report", "index.html"));
        Assert.Contains("budget (samples per problem)", File.ReadAllText(Path.Combine(sweep, "report", "report.md")));
        Assert.Contains("<dt>Fit file</dt>", html);
        Assert.Equal(7, Directory.GetFiles(Path.Combine(sweep, "report", "figures"), "*.png").Length);
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
