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
        Assert.Equal($"{path}:2: not an eval record ({member} is {(asNull ? "null" : "missing")})", error.Message);
    }

    [Theory]
    [InlineData("correct", "\"yes\"", "correct is not a valid value")]
    [InlineData("seed", "null", "seed is null")]
    [InlineData("candidates", "3", "candidates is not a valid value")]
    [InlineData("ledger", "{\"flops\":null}", "ledger.flops is null")]
    public void ARecordWithAWrongValueIsNamedInPlainWords(string member, string value, string fault)
    {
        // Not "could not be converted to TTScale.Evaluation.EvalRecord", nor the record's own line 1 for the file's line 2.
        string path = Path.Combine(_dir, "r.jsonl");
        Jsonl.Write(path, [ReportSamples.Record("a", "beam", true)]);
        string line = File.ReadAllText(path).TrimEnd();
        var node = JsonNode.Parse(line)!.AsObject();
        node[member] = JsonNode.Parse(value);
        File.WriteAllText(path, line + "\n" + node.ToJsonString() + "\n");
        Assert.Equal($"{path}:2: not an eval record ({fault})", Assert.Throws<CliException>(() => EvalOutput.ReadRecords(path)).Message);
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
        Assert.Equal($"{path}: not a sweep manifest (policy is missing)", error.Message);
    }

    [Theory]
    [InlineData("seed", "\"x\"", "seed is not a valid value, at line 4")]
    [InlineData("pool_size", "null", "pool_size is null")]
    [InlineData("policy", "5", "policy is not a valid value, at line 5")]
    public void ASweepManifestWithAWrongValueIsNamedInPlainWords(string member, string value, string fault)
    {
        var manifest = new SweepManifest(1, "arith", null, 1, new ModelStamp("/m", "00"), null, null, "prm", 0.8, 1, 64, "last", "cpu-local", 4, null, [],
            "test", DateTimeOffset.UnixEpoch);
        manifest.Write(_dir);
        string path = Path.Combine(_dir, SweepManifest.FileName);
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        node[member] = JsonNode.Parse(value);
        File.WriteAllText(path, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Assert.Equal($"{path}: not a sweep manifest ({fault})", Assert.Throws<CliException>(() => SweepManifest.Read(_dir)).Message);
    }

    [Theory]
    [InlineData("bins", "\"x\"", "bins is not a valid value, at line 4")]
    [InlineData("axis", "\"joules\"", "axis is not a valid value, at line 3")]
    [InlineData("schema_version", "null", "schema_version is null")]
    public void AFitReportWithAWrongValueIsNamedInPlainWords(string member, string value, string fault)
    {
        // A null schema_version crashed the version check; the others named System.Collections.Generic types or "(Parameter 'text')".
        var node = JsonNode.Parse(FitReportJson.Serialize(ScalingStudy.Fit(ScalingFixtures.Pool(20, 8, 1))))!.AsObject();
        var edited = new JsonObject { ["schema_version"] = node["schema_version"]!.DeepClone(), ["axis"] = node["axis"]!.DeepClone(), ["bins"] = node["bins"]!.DeepClone() };
        foreach (var (key, v) in node) edited[key] ??= v?.DeepClone();
        edited[member] = JsonNode.Parse(value);
        string path = Path.Combine(_dir, "fit.json");
        File.WriteAllText(path, edited.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Assert.Equal($"{path}: not a fit.json ({fault})", Assert.Throws<CliException>(() => FitCommand.ReadFile(path)).Message);
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
