using System.Text.Json;

namespace TTScale.Tests.Cli;

public sealed class SweepCommandTests : IDisposable
{
    private static readonly string Models = Path.Combine(TTScale.Tests.Onnx.Fixtures.ModelsDirectory, "fixtures");
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-sweep-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CliRunner.Result Sweep(params string[] args) => CliRunner.Run(
        ["sweep", "--out", Path.Combine(_dir, "sweep"), "--model", Path.Combine(Models, "tiny-lm-fp32"), "--prm", Path.Combine(Models, "tiny-prm"),
            "--max-tokens", "10", .. args]);

    private JsonElement Manifest() => JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "sweep", "sweep.json"))).RootElement;

    [Fact]
    public void BestOfNComesFromOnePoolAndOtherStrategiesRunPerBudget()
    {
        var result = Sweep("--strategies", "best-of-n,beam,hybrid", "--budgets", "4,1,2", "--limit", "3");
        Assert.Equal(0, result.ExitCode);
        var manifest = Manifest();
        var pool = manifest.GetProperty("pool");
        Assert.Equal(4, pool.GetProperty("parameters").GetProperty("n").GetInt32()); // K = the largest budget
        Assert.Equal(3, File.ReadAllLines(Path.Combine(_dir, "sweep", "pool.jsonl")).Length);
        var runs = manifest.GetProperty("runs").EnumerateArray().Select(r => (r.GetProperty("strategy").GetString(), r.GetProperty("budget").GetInt32())).ToList();
        Assert.Equal([("beam", 1), ("beam", 2), ("beam", 4), ("hybrid", 1), ("hybrid", 2), ("hybrid", 4)], runs);
        var hybrid4 = manifest.GetProperty("runs").EnumerateArray().Last().GetProperty("parameters");
        Assert.Equal((2, 2), (hybrid4.GetProperty("chains").GetInt32(), hybrid4.GetProperty("revisions").GetInt32()));
        foreach (var run in manifest.GetProperty("runs").EnumerateArray())
            Assert.Equal(3, File.ReadAllLines(Path.Combine(_dir, "sweep", run.GetProperty("file").GetString()!)).Length);
        Assert.Equal(64, manifest.GetProperty("policy").GetProperty("sha256").GetString()!.Length);
    }

    [Fact]
    public void RerunningResumesAndAddsOnlyWhatIsMissing()
    {
        Assert.Equal(0, Sweep("--strategies", "beam", "--budgets", "1,2", "--limit", "2").ExitCode);
        string beam1 = Path.Combine(_dir, "sweep", "runs", "beam-1.jsonl");
        var before = File.ReadAllLines(beam1);
        var again = Sweep("--strategies", "beam,revise", "--budgets", "1,2", "--limit", "3");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("2 of 3 problems already done", again.StdErr);
        var after = File.ReadAllLines(beam1);
        Assert.Equal(3, after.Length);
        Assert.Equal(before, after.Take(2));
        Assert.Equal(4, Manifest().GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public void APoolAddedToASweepWithoutOneRecordsItsOwnSizeAndResumes()
    {
        Assert.Equal(0, Sweep("--strategies", "beam", "--budgets", "1", "--limit", "1").ExitCode);
        Assert.Equal(0, Sweep("--strategies", "best-of-n", "--budgets", "1,2", "--limit", "1").ExitCode);
        Assert.Equal(2, Manifest().GetProperty("pool_size").GetInt32()); // was the beam-only sweep's 1
        var again = Sweep("--strategies", "best-of-n", "--budgets", "1,2", "--limit", "1");
        Assert.True(again.ExitCode == 0, again.StdErr); // was refused: "its pool has 1 samples per problem, not 2"
        string report = Path.Combine(_dir, "report");
        Assert.Equal(0, CliRunner.Run("report", Path.Combine(_dir, "sweep"), "--out", report).ExitCode);
        Assert.Contains("best-of-n pool of 2 samples per problem", File.ReadAllText(Path.Combine(report, "report.md")));
    }

    [Fact]
    public void ARerunWithASmallerLimitKeepsTheLimitTheRunsWereMadeWith()
    {
        Assert.Equal(0, Sweep("--strategies", "beam", "--budgets", "1", "--limit", "2").ExitCode);
        Assert.Equal(0, Sweep("--strategies", "beam", "--budgets", "1", "--limit", "1").ExitCode);
        Assert.Equal(2, Manifest().GetProperty("limit").GetInt32()); // was 1, and the report said "first 1 problems" of runs holding 2
        Assert.Equal(0, Sweep("--strategies", "beam", "--budgets", "1").ExitCode);
        Assert.False(Manifest().TryGetProperty("limit", out _)); // all problems
    }

    [Fact]
    public void OtherSettingsInTheSameFolderAreRefusedByName()
    {
        Assert.Equal(0, Sweep("--strategies", "beam", "--budgets", "1", "--limit", "1").ExitCode);
        var result = Sweep("--strategies", "beam", "--budgets", "1", "--limit", "1", "--seed", "9");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--seed: 1234 there, 9 now", result.StdErr);
        // The prompt the policy reads decides results as much as its weights do.
        result = Sweep("--strategies", "beam", "--budgets", "1", "--limit", "1", "--prompt-template", "Q: {prompt}");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--prompt-template: none there, Q: {prompt} now", result.StdErr);
        // Records' eFLOPs are on the hardware profile they were run with.
        result = Sweep("--strategies", "beam", "--budgets", "1", "--limit", "1", "--hardware", "h100-bf16");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--hardware: cpu-local there, h100-bf16 now", result.StdErr);
    }

    [Theory]
    [InlineData("best-of-n,greedy", "greedy")] // resuming one strategy of a sweep
    [InlineData("greedy", "greedy,beam")]      // adding a strategy that scores with the verifier
    public void ARerunNamingOtherStrategiesResumesTheRunsAlreadyThere(string first, string then)
    {
        Assert.Equal(0, Sweep("--strategies", first, "--budgets", "2", "--limit", "1").ExitCode);
        var again = Sweep("--strategies", then, "--budgets", "2", "--limit", "1");
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Contains("resuming", again.StdErr);
    }

    [Fact]
    public void AnOptionNoStrategyOfTheSweepReadsIsNamed()
    {
        var result = Sweep("--strategies", "best-of-n,beam", "--budgets", "1", "--limit", "1", "--lookahead", "3", "--beam-width", "2");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("note: --lookahead is not read by best-of-n, beam; ignored", result.StdErr);
        Assert.DoesNotContain("--beam-width is not read", result.StdErr);
        // The pool replays every selection rule, and a revise budget is its number of revisions.
        var pool = Sweep("--strategies", "best-of-n", "--budgets", "1", "--limit", "1", "--select", "naive");
        Assert.Equal(0, pool.ExitCode);
        Assert.Contains("note: --select is not read by best-of-n; ignored", pool.StdErr);
        var revise = Sweep("--strategies", "revise", "--budgets", "1", "--limit", "1", "--revisions", "3");
        Assert.Equal(0, revise.ExitCode);
        Assert.Contains("note: --revisions is not read by revise; ignored", revise.StdErr);
    }

    [Fact]
    public void ARunFileOfOtherParametersIsRefusedBeforeTheManifestChanges()
    {
        Assert.Equal(0, Sweep("--strategies", "beam", "--budgets", "2", "--limit", "1").ExitCode);
        string manifest = File.ReadAllText(Path.Combine(_dir, "sweep", "sweep.json"));
        var result = Sweep("--strategies", "beam", "--budgets", "2", "--limit", "1", "--beam-width", "1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Path.Combine(_dir, "sweep", "runs", "beam-2.jsonl")}:1: holds results of beam", result.StdErr);
        Assert.Equal(manifest, File.ReadAllText(Path.Combine(_dir, "sweep", "sweep.json")));
    }

    [Fact]
    public void ASweepKilledInItsFirstRunIsSeenAsStoppedPartWay()
    {
        // sweep.json named a run only when it started: killed in the pool, the sweep read as a finished pool-only sweep of
        // the problems done so far (the easy ones), and fit, simulate, report and policy build went on with it.
        string folder = Path.Combine(_dir, "sweep"), pool = Path.Combine(folder, "pool.jsonl");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])[Path.Combine(AppContext.BaseDirectory, "TTScale.Cli.dll"), "sweep", "--out", folder,
            "--model", Path.Combine(Models, "tiny-lm-fp32"), "--prm", Path.Combine(Models, "tiny-prm"), "--max-tokens", "10",
            "--strategies", "best-of-n,beam", "--budgets", "1,2,4,8,16", "--limit", "60"])
            start.ArgumentList.Add(arg);
        using (var sweep = System.Diagnostics.Process.Start(start)!)
        {
            _ = sweep.StandardOutput.ReadToEndAsync();
            _ = sweep.StandardError.ReadToEndAsync();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!(File.Exists(pool) && new FileInfo(pool).Length > 0) && !sweep.HasExited && waited.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(5);
            Assert.False(sweep.HasExited, "the sweep finished before it could be killed");
            sweep.Kill();
            sweep.WaitForExit();
        }
        var runs = Manifest().GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("file").GetString()).ToList();
        Assert.Equal(5, runs.Count); // every planned run is named before the first starts
        Assert.Equal(60, Manifest().GetProperty("problems").GetInt32());
        var fit = CliRunner.Run("fit", folder, "--out", Path.Combine(_dir, "fit.json"));
        Assert.Equal(2, fit.ExitCode);
        Assert.Contains("problems; the sweep was stopped part-way", fit.StdErr);
        Assert.False(File.Exists(Path.Combine(_dir, "fit.json")));
    }

    [Theory]
    [InlineData("--budgets", "1,0", "--budgets")]
    [InlineData("--strategies", "beam,best", "--strategies 'best'")]
    [InlineData("--pool-size", "2", "--pool-size 2")]
    [InlineData("--strategies", "beam,adaptive", "--strategies adaptive: the adaptive strategy is not swept over N")]
    [InlineData("--budgets", "4,6", "--budgets 6 (beam at N = 6): --beam-width 4 must be at least 1 and divide --n 6")]
    public void BadOptionsAreNamed(string option, string value, string named)
    {
        var result = option == "--budgets" ? Sweep(option, value) : Sweep("--budgets", "1,4", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.StdErr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "sweep")), "a refused sweep leaves no folder behind"); // runs/ was made before planning
    }
}
