using System.Text.Json;
using TTScale.Cli;
using TTScale.Scaling;

namespace TTScale.Tests.Cli;

public sealed class FitCommandTests(DemoSweep sweep) : IClassFixture<DemoSweep>
{
    private string FitPath(string name) => Path.Combine(sweep.Root, name);

    [Fact]
    public void FitWritesAReadableReportWithReplayedAndDirectCurvesPerBin()
    {
        var result = CliRunner.Run("fit", sweep.Folder, "--out", FitPath("fit-a.json"), "--fit-max-budget", "2", "--bins", "2");
        Assert.Equal(0, result.ExitCode);
        var report = FitReportJson.Deserialize(File.ReadAllText(FitPath("fit-a.json")));
        Assert.Equal((16, 8, 2), (report.Problems, report.SamplesPerProblem, report.FitMaxBudget));
        foreach (string strategy in new[] { "best-of-n/naive", "best-of-n/weighted", "best-of-n/majority", "beam" })
            foreach (int bin in new[] { 0, 1, 2 })
                Assert.NotNull(report.Find(strategy, bin));
        Assert.Equal("direct", report.Find("beam")!.Source);
        // Beam ran the same problems at every budget, so its curve is bootstrapped over them as the pool's are.
        Assert.All(report.Series.Where(s => s.Bin == 0 && s.Curve is not null), s =>
            Assert.Contains(s.Curve!.Parameters, p => p.BootstrapError is { } e && double.IsFinite(e) && e > 1e-6));
        var weighted = report.Find("best-of-n/weighted")!;
        Assert.Equal([1, 2, 4, 8], weighted.Points.Select(p => p.Budget));
        Assert.All(weighted.Candidates, c => Assert.Equal([4, 8], c.HeldOut.Select(h => h.Budget)));
        Assert.Contains("held-out predictions", result.StdOut);
        Assert.Matches(@"best-of-n/weighted\s+bins\s+4\s", result.StdOut);
        Assert.Equal([4, 8], report.ByBin!.Single(b => b.Strategy == "best-of-n/weighted").HeldOut.Select(h => h.Budget));
        // Budgets 1 and 2 under the split: too few to fit a model on one and judge it on the other, so fit error chooses.
        Assert.All(report.Series.Where(s => s.Chosen is not null), s => Assert.Equal("fit_rmse", s.ChosenBy));
    }

    [Fact]
    public void AFitIsByteIdenticalWhateverOrderTheSweepsProblemsFinishedIn()
    {
        // A sweep writes each record when its problem finishes, so the concurrency decides the order of the lines.
        string reordered = CopyOfSweep("reordered");
        foreach (string file in Directory.GetFiles(reordered, "*.jsonl", SearchOption.AllDirectories))
            File.WriteAllLines(file, File.ReadAllLines(file).Reverse());
        Assert.Equal(0, CliRunner.Run("fit", sweep.Folder, "--out", FitPath("fit-order-a.json"), "--fit-max-budget", "2").ExitCode);
        Assert.Equal(0, CliRunner.Run("fit", reordered, "--out", FitPath("fit-order-b.json"), "--fit-max-budget", "2").ExitCode);
        Assert.Equal(File.ReadAllText(FitPath("fit-order-a.json")), File.ReadAllText(FitPath("fit-order-b.json")));
    }

    [Fact]
    public void ReplayAtThePoolSizeIsThePoolRunItself()
    {
        // At N = K every subset is the whole pool, so the replayed weighted accuracy is exactly what the pool run chose.
        Assert.Equal(0, CliRunner.Run("fit", sweep.Folder, "--out", FitPath("fit-b.json")).ExitCode);
        var report = FitReportJson.Deserialize(File.ReadAllText(FitPath("fit-b.json")));
        var pool = File.ReadAllLines(Path.Combine(sweep.Folder, "pool.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("correct").GetBoolean()).ToList();
        double direct = pool.Count(correct => correct) / (double)pool.Count;
        Assert.Equal(direct, report.Find("best-of-n/weighted")!.Points.Single(p => p.Budget == 8).Accuracy, 9);
    }

    [Fact]
    public void SimulateReplaysThePoolWithAnIntervalAndReadsFitsBeyondIt()
    {
        Assert.Equal(0, CliRunner.Run("fit", sweep.Folder, "--out", FitPath("fit-c.json")).ExitCode);
        var replay = CliRunner.Run("simulate", sweep.Folder, "--strategy", "majority", "--budget", "2,8", "--json");
        Assert.Equal(0, replay.ExitCode);
        var lines = replay.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.True(l.GetProperty("low").GetDouble() <= l.GetProperty("accuracy").GetDouble()));
        Assert.Equal("replay", lines[0].GetProperty("source").GetString());

        var beyond = CliRunner.Run("simulate", sweep.Folder, "--strategy", "weighted", "--budget", "32");
        Assert.Equal(2, beyond.ExitCode);
        Assert.Contains("--budget 32: the pool holds 8", beyond.StdErr);

        var fitted = CliRunner.Run("simulate", FitPath("fit-c.json"), "--strategy", "best-of-n/weighted", "--budget", "32");
        Assert.Equal(0, fitted.ExitCode);
        Assert.Contains("N = 32", fitted.StdOut);
        Assert.Contains("(fit)", fitted.StdOut);
    }

    [Fact]
    public void ReplayedBestOfNIsWhatTheDirectRunScoresAndCostsWithTheVerifierOnlyWhereTheRuleRunsIt()
    {
        // At N = K a direct best-of-8 draws the pool's own 8 samples (same seeds): the replay must give its accuracy
        // exactly (well inside its 95% interval) and its FLOPs: majority runs no verifier, weighted scores all 8.
        (double Accuracy, double Compute) Replayed(string rule)
        {
            var line = JsonDocument.Parse(CliRunner.Run("simulate", sweep.Folder, "--strategy", rule, "--budget", "8", "--json").StdOut).RootElement;
            return (line.GetProperty("accuracy").GetDouble(), line.GetProperty("compute").GetDouble());
        }
        (double Accuracy, double Compute) Direct(string rule)
        {
            string records = FitPath($"direct-{rule}.jsonl");
            var run = CliRunner.Run("eval", "--strategy", "best-of-n", "--n", "8", "--select", rule, "--dataset", DemoSweep.Dataset, "--out", records);
            Assert.True(run.ExitCode == 0, run.StdErr);
            var lines = File.ReadAllLines(records).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            return (lines.Average(l => l.GetProperty("correct").GetBoolean() ? 1.0 : 0.0),
                lines.Average(l => l.GetProperty("ledger").GetProperty("total_flops").GetDouble()));
        }
        var majority = Replayed("majority");
        var directMajority = Direct("majority");
        Assert.Equal(directMajority.Accuracy, majority.Accuracy, 9);
        Assert.Equal(directMajority.Compute, majority.Compute, majority.Compute * 1e-6);
        var weighted = Replayed("weighted");
        var directWeighted = Direct("weighted");
        Assert.Equal(directWeighted.Accuracy, weighted.Accuracy, 9);
        Assert.Equal(directWeighted.Compute, weighted.Compute, weighted.Compute * 1e-6);
        Assert.True(weighted.Compute > 1.5 * majority.Compute, $"weighted {weighted.Compute:E3} vs majority {majority.Compute:E3}: the PRM is most of best-of-N's FLOPs");
    }

    [Theory]
    [InlineData("--axis", "watts", "--axis 'watts'")]
    [InlineData("--epsilon", "0", "--epsilon 0")]
    [InlineData("--fit-max-budget", "0", "--fit-max-budget 0")]
    [InlineData("--bootstrap", "1", "--bootstrap 1")]
    public void BadOptionsAreNamedAndNothingIsWritten(string option, string value, string named)
    {
        string path = FitPath($"bad-{option.TrimStart('-')}.json");
        var result = CliRunner.Run("fit", sweep.Folder, "--out", path, option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.StdErr);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ASweepStoppedPartWayIsNamedNotFitted()
    {
        // A copy of the sweep whose beam-8 run was killed after its first 6 problems (the ones that finished first).
        string copy = FitPath("stopped-sweep");
        foreach (string file in Directory.GetFiles(sweep.Folder, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(sweep.Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        string run = Path.Combine(copy, "runs", "beam-8.jsonl");
        File.WriteAllLines(run, File.ReadAllLines(run).Take(6));
        foreach (var command in new[] { "fit", "report" })
        {
            var result = CliRunner.Run(command, copy, "--out", FitPath($"stopped-{command}"));
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("beam-8.jsonl: 6 of 16 problems; the sweep was stopped part-way", result.StdErr);
        }
    }

    [Fact]
    public void AnOutputUnderAFileNamesTheFile()
    {
        string file = FitPath("a-file");
        File.WriteAllText(file, "mine");
        foreach (var command in new[] { "fit", "report" })
        {
            var result = CliRunner.Run(command, sweep.Folder, "--out", Path.Combine(file, "out", command));
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"{file} is a file", result.StdErr); // was .NET's "could not find a part of the path"
        }
        Assert.Equal("mine", File.ReadAllText(file));
    }

    [LinuxFact]
    public void AnOutputThatCannotBeWrittenIsNamedAsGivenNotByItsTemporary()
    {
        // /proc takes no new file, root included. fit writes a temporary beside its output first; the error named that.
        foreach (var (command, path) in new[] { ("fit", "/proc/ttscale-fit.json"), ("report", "/proc/ttscale-report") })
        {
            var result = CliRunner.Run(command, sweep.Folder, "--out", path);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"cannot {(command == "fit" ? "write" : "make the folder")} {path}: ", result.StdErr);
            Assert.DoesNotContain(".tmp", result.StdErr);
        }
        var eval = CliRunner.Run("eval", "--strategy", "greedy", "--verifier", "none", "--dataset", "arith:count=1,levels=1,seed=1", "--out", "/proc/ttscale-eval.jsonl");
        Assert.Equal(2, eval.ExitCode);
        Assert.Contains("cannot write /proc/ttscale-eval.jsonl: ", eval.StdErr);
    }

    [Fact]
    public void ASweepStoppedBeforeARunsFirstProblemFinishedIsNamedNotFitted()
    {
        // Killed while beam-8 ran its first problems: the manifest names the run, its file has no record yet.
        string copy = CopyOfSweep("stopped-at-start");
        File.WriteAllText(Path.Combine(copy, "runs", "beam-8.jsonl"), "");
        foreach (var command in new[] { "fit", "report" })
        {
            var result = CliRunner.Run(command, copy, "--out", FitPath($"stopped-at-start-{command}"));
            Assert.Equal(2, result.ExitCode); // was 0: beam drawn and fitted up to 4, as if the sweep had asked for no more
            Assert.Contains("beam-8.jsonl: 0 of 16 problems; the sweep was stopped part-way", result.StdErr);
        }
    }

    [Fact]
    public void ARunFileWithAProblemTwiceIsNamed()
    {
        // A line repeated (files joined by hand): it was counted as a 17th problem, and every other run named as stopped part-way.
        string copy = CopyOfSweep("problem-twice");
        string beam = Path.Combine(copy, "runs", "beam-8.jsonl");
        File.AppendAllLines(beam, File.ReadLines(beam).Take(1));
        var result = CliRunner.Run("fit", copy, "--out", FitPath("problem-twice.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"beam-8\.jsonl: problem \S+ is recorded 2 times", result.StdErr);
    }

    [Theory]
    [InlineData("\"version\": 1,", "\"version\": 99,", "sweep.json: version 99; this TTScale reads versions 1 to 1")]
    [InlineData("\"budget\": 2,", "\"budget\": -3,", "sweep.json: the beam run in runs/beam-2.jsonl has budget -3; a budget is 1 or more")]
    public void AnEditedManifestIsRefusedByItsFileNotByAnOptionNeverGiven(string setting, string edited, string error)
    {
        // A budget of -3 was refused as "--budgets -3" by fit and policy build; a manifest from a newer TTScale was read as this one's.
        string copy = CopyOfSweep($"edited-{setting.Split('"')[1]}");
        string manifest = Path.Combine(copy, "sweep.json");
        string text = File.ReadAllText(manifest);
        Assert.Single(text.Split(setting)[1..]);
        File.WriteAllText(manifest, text.Replace(setting, edited));
        foreach (var command in new[] { new[] { "fit", copy, "--out", Path.Combine(copy, "fit.json") }, ["policy", "build", copy] })
        {
            var result = CliRunner.Run(command);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(error, result.StdErr);
        }
    }

    private string CopyOfSweep(string name)
    {
        string copy = FitPath(name);
        foreach (string file in Directory.GetFiles(sweep.Folder, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(sweep.Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    [Theory]
    [InlineData("sweep", "--strategy beam --budget 2", "--strategy 'beam': a sweep folder replays its best-of-n pool")]
    [InlineData("sweep", "--compute -5e9", "--compute -5E+09 must be a positive compute per problem")]
    [InlineData("sweep", "--compute 0", "--compute 0 must be a positive compute per problem")]
    [InlineData("sweep", "--bin 9 --budget 2", "--bin 9: the pool's problems fall in bins 1 to 5 (0 for all problems)")]
    [InlineData("fit", "--bin 9 --budget 2", "--bin 9: the fit has bins 1 to 5 (0 for all problems)")]
    [InlineData("fit", "--bin -1 --budget 2", "--bin -1: use 0 for all problems")]
    public void SimulateRefusesWhatItCannotAnswerNamingTheOption(string source, string options, string error)
    {
        string fit = FitPath("fit-simulate.json");
        if (!File.Exists(fit)) Assert.Equal(0, CliRunner.Run("fit", sweep.Folder, "--out", fit).ExitCode);
        var result = CliRunner.Run(["simulate", source == "fit" ? fit : sweep.Folder, .. options.Split(' ')]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(error, result.StdErr);
    }

    [Fact]
    public void AFitOfDirectRunsAloneSaysSoAndLeavesNoCurveUnsaturated()
    {
        // One budget of beam: too few points to fit any model, so there is no N* to report, not one past the search.
        var report = ScalingStudy.Fit(null, [new ScalingSeries("beam", 0, ComputeAxis.Flops, "direct", [new ScalingPoint(4, 1e9, 0.5, 16)])]);
        var output = new StringWriter();
        FitCommand.Print(report, output);
        string text = output.ToString();
        Assert.StartsWith("no best-of-n pool (direct runs only); compute on flops", text);
        Assert.Matches(@"beam\s+all -\s+-\s+-\s+-\s+-", text);
        // Nothing above the split to judge on: one line saying so, not a table header over no rows.
        Assert.EndsWith("held-out predictions: none (no fitted curve has a measured budget above --fit-max-budget 16 to judge it on)" + Environment.NewLine, text);
    }

    [Fact]
    public void AFolderThatIsNotASweepIsNamed()
    {
        var result = CliRunner.Run("fit", sweep.Root);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("sweep.json: not found", result.StdErr);
    }
}
