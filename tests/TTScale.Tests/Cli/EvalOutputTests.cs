using TTScale.Cli;
using TTScale.Tests.Reporting;

namespace TTScale.Tests.Cli;

public sealed class EvalOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-records-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ATornLastLineIsLeftOutAndAMissingFileHasNoRecords()
    {
        string path = Path.Combine(_dir, "r.jsonl");
        Jsonl.Write(path, [ReportSamples.Record("a", "beam", true), ReportSamples.Record("b", "beam", false)]);
        File.AppendAllText(path, "{\"id\":\"c\",\"lev");
        Assert.Equal(["a", "b"], EvalOutput.ReadRecords(path).Select(r => r.Id));
        Assert.Empty(EvalOutput.ReadRecords(Path.Combine(_dir, "absent.jsonl")));
    }

    [Fact]
    public void ABadLineInsideAFileIsNamedWithItsLine()
    {
        string path = Path.Combine(_dir, "r.jsonl");
        File.WriteAllText(path, "not json\n{}\n");
        var error = Assert.Throws<CliException>(() => EvalOutput.ReadRecords(path));
        Assert.StartsWith($"{path}:1:", error.Message);
    }

    [Fact]
    public void ADamagedWholeLastLineIsAnErrorNotATornWrite()
    {
        // A kill cuts a write short before its newline; a newline-ended line that is not a record is damage, and is named.
        string path = Path.Combine(_dir, "r.jsonl");
        Jsonl.Write(path, [ReportSamples.Record("a", "beam", true)]);
        File.AppendAllText(path, "{\"id\":\"b\",\"lev\n");
        var error = Assert.Throws<CliException>(() => EvalOutput.ReadRecords(path));
        Assert.StartsWith($"{path}:2:", error.Message);
    }
}
