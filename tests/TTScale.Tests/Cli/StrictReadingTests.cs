using System.Text.Json;
using System.Text.Json.Nodes;
using TTScale.Cli;
using TTScale.Scaling;
using TTScale.Tests.Reporting;
using TTScale.Tests.Scaling;

namespace TTScale.Tests.Cli;

/// <summary>Damaged or hand-edited files: a missing or null required member is an error naming the file and member, not a crash later.</summary>
public sealed class StrictReadingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-strict-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Without(string json, string member, bool asNull)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        if (asNull) node[member] = null;
        else node.Remove(member);
        return node.ToJsonString();
    }

    [Theory]
    [InlineData("candidates", false)]
    [InlineData("ledger", false)]
    [InlineData("id", false)]
    [InlineData("candidates", true)]
    public void ARecordWithoutARequiredMemberIsNamedWithItsLine(string member, bool asNull)
    {
        string path = Path.Combine(_dir, "r.jsonl");
        Jsonl.Write(path, [ReportSamples.Record("a", "beam", true)]);
        string line = File.ReadAllText(path).TrimEnd();
        Assert.Single(EvalOutput.ReadRecords(path)); // an optional member left out (run, details) still reads
        File.WriteAllText(path, line + "\n" + Without(line, member, asNull) + "\n");
        var error = Assert.Throws<CliException>(() => EvalOutput.ReadRecords(path));
        Assert.StartsWith($"{path}:2: not an eval record", error.Message);
        Assert.Contains($"'{member}'", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ASweepManifestWithoutItsPolicyIsNamed()
    {
        var manifest = new SweepManifest(1, "arith", null, 1, new ModelStamp("/m", "00"), null, null, "prm", 0.8, 1, 64, "last", "cpu-local", 4, null, [],
            "test", DateTimeOffset.UnixEpoch);
        manifest.Write(_dir);
        Assert.Equal(manifest.Policy, SweepManifest.Read(_dir).Policy);
        string path = Path.Combine(_dir, SweepManifest.FileName);
        File.WriteAllText(path, Without(File.ReadAllText(path), "policy", asNull: false));
        var error = Assert.Throws<CliException>(() => SweepManifest.Read(_dir));
        Assert.StartsWith($"{path}: not a sweep manifest", error.Message);
        Assert.Contains("'policy'", error.Message);
    }

    [Fact]
    public void AFitReportWithoutItsCurvesIsNamed()
    {
        string json = FitReportJson.Serialize(ScalingStudy.Fit(ScalingFixtures.Pool(20, 8, 1)));
        string member = JsonNode.Parse(json)!.AsObject().First(p => p.Value is JsonArray).Key;
        var error = Assert.Throws<JsonException>(() => FitReportJson.Deserialize(Without(json, member, asNull: false)));
        Assert.Contains($"'{member}'", error.Message);
    }

    [Fact]
    public void AFitReportOfAnotherSchemaVersionSaysToRefit()
    {
        var fit = JsonNode.Parse(FitReportJson.Serialize(ScalingStudy.Fit(ScalingFixtures.Pool(20, 8, 1))))!.AsObject();
        fit["schema_version"] = 2;
        var error = Assert.Throws<JsonException>(() => FitReportJson.Deserialize(fit.ToJsonString()));
        Assert.Equal($"schema_version 2 is not {FitReport.CurrentSchemaVersion}; run ttscale fit again to rewrite it", error.Message);
    }
}
