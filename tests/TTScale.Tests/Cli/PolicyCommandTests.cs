using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TTScale.Allocation;
using TTScale.Cli;
using TTScale.Reporting;

namespace TTScale.Tests.Cli;

public sealed class PolicyCommandTests(DemoSweep sweep) : IClassFixture<DemoSweep>
{
    private string PolicyPath(string name) => Path.Combine(sweep.Root, name);

    private Policy Build(string name, params string[] options)
    {
        // Two bins unless a test asks for more: a search wins a bin only among the sweep's hardest problems.
        string[] bins = options.Contains("--bins") ? [] : ["--bins", "2"];
        var result = CliRunner.Run(["policy", "build", sweep.Folder, "--out", PolicyPath(name), .. bins, .. options]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("difficulty model", result.StdOut);
        return Policy.Load(PolicyPath(name));
    }

    [Fact]
    public void PolicyBuildWritesBinsWithMenusProbeCostsAndADifficultyModel()
    {
        var policy = Build("policy-a.json", "--probe", "2");
        Assert.Equal((2, CostUnit.Flops, 2), (policy.BinCount, policy.CostUnit, policy.ProbeSamples));
        Assert.NotNull(policy.DifficultyModel);
        Assert.All(policy.Bins, bin =>
        {
            // Best-of-n replayed at every level and beam run at each; a level holds its pick and, where that is dearer, the
            // pick under each cheaper option's cost, cheapest first.
            Assert.Equal([1.0, 2, 4, 8], bin.Curve.Select(p => p.BudgetLevel).Distinct());
            Assert.All(bin.Curve.GroupBy(p => p.BudgetLevel), level =>
            {
                Assert.Equal(level.Select(p => p.Cost).Order(), level.Select(p => p.Cost));
                Assert.Equal(level.Count(), level.Select(p => p.Strategy + PolicyCommand.Describe(p)).Distinct().Count());
            });
            Assert.All(bin.Curve, p => Assert.True(p.Strategy is "best-of-n" or "beam", p.Strategy));
            Assert.NotNull(bin.CurveFit);
        });
        // Best-of-1 keeps the probe's first sample, so it costs the probe (2 samples), not less.
        var easiest = policy.Bins[0].Curve;
        if (easiest[0].Strategy == "best-of-n" && easiest[1].Strategy == "best-of-n") Assert.Equal(easiest[0].Cost, easiest[1].Cost, 6);
    }

    [Fact]
    public void CostsFollowTheUnitAndBuildingTwiceGivesTheSameFile()
    {
        var samples = Build("policy-b.json", "--cost-unit", "samples", "--probe", "4");
        Assert.Equal(CostUnit.Samples, samples.CostUnit);
        var bestOf8 = samples.Bins.SelectMany(b => b.Curve).Where(p => p.Strategy == "best-of-n" && p.BudgetLevel == 8).ToList();
        Assert.All(bestOf8, p => Assert.Equal(8, p.Cost, 6));
        Build("policy-c.json", "--cost-unit", "samples", "--probe", "4");
        Assert.Equal(File.ReadAllText(PolicyPath("policy-b.json")), File.ReadAllText(PolicyPath("policy-c.json")));
    }

    [Fact]
    public void FoldsBeyondABinsProblemsArePrintedAndRecordedAsUsed()
    {
        // 16 problems in 2 bins of 8: a bin cannot be split into more than 8 folds.
        var result = CliRunner.Run("policy", "build", sweep.Folder, "--out", PolicyPath("policy-folds.json"), "--bins", "2", "--folds", "1000");
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("8-fold cross-validation (not --folds 1000: a bin has at most one fold per problem)", result.StdOut);
        Assert.Equal(8, Policy.Load(PolicyPath("policy-folds.json")).Build!.Folds);
    }

    [Fact]
    public void BinsBeyondWhatTheSweepCanFillAreNamedByTheOption()
    {
        // 16 problems: 16 bins leave one problem a bin, too few to cross-validate; fit bins at most one a problem, and says so.
        var policy = CliRunner.Run("policy", "build", sweep.Folder, "--out", PolicyPath("policy-16-bins.json"), "--bins", "16");
        Assert.Equal(2, policy.ExitCode);
        Assert.Contains("cross-validation needs at least 2 a bin: give fewer --bins, or sweep more problems", policy.StdErr);
        var fit = CliRunner.Run("fit", sweep.Folder, "--bins", "99", "--out", PolicyPath("fit-99-bins.json"));
        Assert.Equal(0, fit.ExitCode);
        Assert.Contains("note: --bins 99: the pool has 16 problems, so 16 bins", fit.StdErr);
    }

    [Fact]
    public void SaturationToleranceSetsWhereEachBinStopsSpending()
    {
        // Within a whole unit of accuracy of the best, every bin saturates at its cheapest option.
        var loose = Build("policy-t.json", "--cost-unit", "samples", "--saturation-tolerance", "1");
        Assert.Equal(1, loose.Build!.SaturationTolerance);
        Assert.All(loose.Bins, bin => Assert.Equal(bin.Curve.Min(p => p.Cost), bin.Saturation, 9));
        var strict = Build("policy-u.json", "--cost-unit", "samples");
        Assert.All(strict.Bins, bin => Assert.True(bin.Saturation >= loose.Bins[bin.Bin].Saturation));

        var bad = CliRunner.Run("policy", "build", sweep.Folder, "--out", PolicyPath("policy-v.json"), "--saturation-tolerance", "-0.1");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--saturation-tolerance must not be negative", bad.StdErr);
        Assert.False(File.Exists(PolicyPath("policy-v.json")));
    }

    [Theory]
    [InlineData("n", "\"four\"")]
    [InlineData("select", "\"loudest\"")]
    [InlineData("select", "null")]
    public void APolicyOptionThatCannotBeBuiltIsNamedBeforeAnyModelTime(string parameter, string value)
    {
        Build("policy-bad.json", "--cost-unit", "samples", "--probe", "2");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(PolicyPath("policy-bad.json")))!;
        var point = json["bins"]![1]!["curve"]!.AsArray().Last(p => p!["strategy"]!.GetValue<string>() == "best-of-n")!;
        point["parameters"]![parameter] = System.Text.Json.Nodes.JsonNode.Parse(value);
        File.WriteAllText(PolicyPath("policy-bad.json"), json.ToJsonString());
        string records = PolicyPath("adaptive-bad.jsonl");
        var result = CliRunner.Run("eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-bad.json"), "--budget", "4",
            "--dataset", DemoSweep.Dataset, "--limit", "2", "--out", records);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: --policy {PolicyPath("policy-bad.json")}: bin 1's option best-of-n", result.StdErr);
        Assert.True(!File.Exists(records) || File.ReadAllText(records) == "");
    }

    [Fact]
    public void AdaptiveEvalProbesDecidesAndRecordsItsDecisionsWithinTheBudget()
    {
        var policy = Build("policy-d.json", "--cost-unit", "samples", "--probe", "2", "--bins", "5");
        string records = PolicyPath("adaptive.jsonl");
        var result = CliRunner.Run("eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-d.json"), "--budget", "4",
            "--dataset", DemoSweep.Dataset, "--limit", "6", "--out", records);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("decisions bin", result.StdOut);
        // Rerun over the finished file (as after a kill between its last record and exit): nothing is planned again, and
        // the summary still shows the plan its records were made by (the line was left out).
        var finished = CliRunner.Run("eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-d.json"), "--budget", "4",
            "--dataset", DemoSweep.Dataset, "--limit", "6", "--out", records);
        Assert.True(finished.ExitCode == 0, finished.StdErr);
        static string PlanLine(string output) => output.Split('\n').Single(l => l.StartsWith("plan "));
        Assert.Equal(PlanLine(result.StdOut), PlanLine(finished.StdOut));
        var lines = File.ReadAllLines(records).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(6, lines.Count);
        int searches = 0;
        foreach (var record in lines)
        {
            var details = record.GetProperty("details");
            int bin = details.GetProperty("bin").GetInt32();
            Assert.InRange(bin, 0, 4);
            string strategy = details.GetProperty("strategy").GetString()!;
            Assert.Contains(policy.Bins[bin].Curve, p => p.Strategy == strategy || (strategy is "sample" or "greedy" && p.BudgetLevel == 1));
            Assert.True(record.GetProperty("candidates").GetArrayLength() >= 1);
            if (strategy is "beam" or "dvts" or "lookahead" or "ets" or "particle") // a search keeps its per-round KV beside the probe
            {
                Assert.True(record.GetProperty("ledger").GetProperty("kv_rounds").GetArrayLength() > 0);
                searches++;
            }
        }
        Assert.True(searches > 0); // the policy chose a search for some problem, so the check above ran
        // Same seed, same decisions and answers.
        string again = PolicyPath("adaptive-again.jsonl");
        Assert.Equal(0, CliRunner.Run("eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-d.json"), "--budget", "4",
            "--dataset", DemoSweep.Dataset, "--limit", "6", "--out", again).ExitCode);
        static IEnumerable<string> Outcomes(IEnumerable<JsonElement> records) => records
            .Select(l => $"{l.GetProperty("id")} {l.GetProperty("answer")} {l.GetProperty("details")}").Order(StringComparer.Ordinal);
        Assert.Equal(Outcomes(lines), Outcomes(File.ReadAllLines(again).Select(l => JsonDocument.Parse(l).RootElement)));
    }

    [Fact]
    public void AProbeOfNoSamplesDecidesFromThePromptAndChargesNothingForIt()
    {
        var result = CliRunner.Run(["policy", "build", sweep.Folder, "--out", PolicyPath("policy-p0.json"), "--bins", "2", "--cost-unit", "samples", "--probe", "0"]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("no probe (the difficulty model reads the prompt's length)", result.StdOut);
        var policy = Policy.Load(PolicyPath("policy-p0.json"));
        Assert.Equal(0, policy.ProbeSamples);
        // In samples best-of-N costs N: no probe to keep (with a probe of 2, best-of-1 costs 2).
        Assert.All(policy.Bins.SelectMany(b => b.Curve).Where(p => p.Strategy == "best-of-n"), p => Assert.Equal(p.BudgetLevel, p.Cost, 6));

        string records = PolicyPath("adaptive-p0.jsonl");
        var run = CliRunner.Run("eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-p0.json"), "--budget", "4",
            "--dataset", DemoSweep.Dataset, "--limit", "6", "--out", records);
        Assert.True(run.ExitCode == 0, run.StdErr);
        var lines = File.ReadAllLines(records).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(6, lines.Count);
        foreach (var record in lines)
        {
            var details = record.GetProperty("details");
            Assert.Equal(0, details.GetProperty("probe_candidates").GetInt32());
            Assert.Equal(details.GetProperty("budget").GetDouble(), details.GetProperty("samples_drawn").GetDouble());
            if (details.GetProperty("strategy").GetString() is "best-of-n" or "sample" or "greedy")
            {
                // Nothing ran but the chosen option: every token generated is one of its candidates' or an end-of-sequence.
                var candidates = record.GetProperty("candidates").EnumerateArray().ToList();
                long generated = record.GetProperty("ledger").GetProperty("generated_tokens").GetInt64();
                Assert.InRange(generated - candidates.Sum(c => c.GetProperty("tokens").GetInt64()), 0, candidates.Count);
            }
        }
    }

    [Fact]
    public void AnUnscoredProbeIsRecordedAndPaysTheVerifierOnlyWhereTheChosenOptionSelectsByScore()
    {
        var scored = Build("policy-s.json", "--probe", "2");
        var unscored = Build("policy-u.json", "--probe", "2", "--score-probe", "false");
        Assert.Equal((true, false), (scored.ProbeScored, unscored.ProbeScored));
        for (int b = 0; b < 2; b++) Assert.True(unscored.Bins[b].Curve.Min(p => p.Cost) < scored.Bins[b].Curve.Min(p => p.Cost));

        string records = PolicyPath("adaptive-unscored.jsonl");
        var result = CliRunner.Run("eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-u.json"), "--budget", "3e9",
            "--dataset", DemoSweep.Dataset, "--out", records);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var lines = File.ReadAllLines(records).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        foreach (var record in lines)
        {
            var details = record.GetProperty("details");
            bool scores = details.GetProperty("parameters").TryGetProperty("select", out var select) && select.GetString() is "weighted" or "naive";
            long verifierTokens = record.GetProperty("ledger").GetProperty("verifier_tokens").GetInt64();
            Assert.True(scores ? verifierTokens > 0 : verifierTokens == 0, $"{details}: {verifierTokens} verifier tokens");
        }
        Assert.Contains(lines, r => r.GetProperty("ledger").GetProperty("verifier_tokens").GetInt64() == 0);
        Assert.Contains(lines, r => r.GetProperty("ledger").GetProperty("verifier_tokens").GetInt64() > 0);
    }

    [Fact]
    public void BatchAllocationSpendsTheBudgetOverTheSetAndResumesToTheSameDecisions()
    {
        Build("policy-k.json", "--cost-unit", "samples", "--probe", "2");
        string[] run = ["eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-k.json"), "--budget", "6", "--dataset", DemoSweep.Dataset];
        string full = PolicyPath("batch.jsonl");
        var result = CliRunner.Run([.. run, "--out", full]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var records = File.ReadAllLines(full).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(16, records.Count);
        Assert.All(records, r => Assert.Equal("batch", r.GetProperty("parameters").GetProperty("allocation").GetString()));
        // The plan spends at most the budget over the set, and spends it: more than the cheapest option everywhere.
        var expected = records.Select(r => r.GetProperty("details").GetProperty("expected_cost").GetDouble()).ToList();
        Assert.InRange(expected.Sum(), 2 * 16 + 1, 6 * 16 + 1e-9);
        Assert.Matches(@"plan +[0-9.]+ samples per prompt expected \(budget 6\)", result.StdOut);
        Assert.Contains("adaptive: planning over all 16 problems first", result.StdErr);

        // Killed after five problems: the rerun plans over all sixteen again, so it decides exactly as the full run did.
        string resumed = PolicyPath("batch-resumed.jsonl");
        File.WriteAllLines(resumed, File.ReadAllLines(full).Take(5));
        Assert.Equal(0, CliRunner.Run([.. run, "--out", resumed]).ExitCode);
        static IEnumerable<string> Outcomes(string file) => File.ReadAllLines(file).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(r => $"{r.GetProperty("id")} {r.GetProperty("answer")} {r.GetProperty("details")}").Order(StringComparer.Ordinal);
        Assert.Equal(Outcomes(full), Outcomes(resumed));

        // Deciding prompt by prompt is still there, at the price the budget sets.
        var single = CliRunner.Run([.. run, "--allocation", "prompt", "--limit", "2", "--json"]);
        Assert.True(single.ExitCode == 0, single.StdErr);
        var parameters = JsonDocument.Parse(single.StdOut).RootElement.GetProperty("parameters");
        Assert.Equal("prompt", parameters.GetProperty("allocation").GetString());
        Assert.True(parameters.TryGetProperty("price", out _));
        Assert.DoesNotContain("planning", single.StdErr);
        var bad = CliRunner.Run([.. run, "--allocation", "greedy", "--limit", "1"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--allocation 'greedy' is not an allocation", bad.StdErr);
    }

    [Fact]
    public void OracleBinsComeFromASweepsPool()
    {
        Build("policy-e.json", "--cost-unit", "samples");
        string records = PolicyPath("oracle.jsonl");
        var result = CliRunner.Run("eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-e.json"), "--budget", "8", "--oracle-bins", sweep.Folder,
            "--dataset", DemoSweep.Dataset, "--limit", "4", "--out", records);
        Assert.True(result.ExitCode == 0, result.StdErr);
        // Oracle bins as documented: problems ranked by how many of their pool samples are right (ties by id), the easier
        // half bin 0, the harder half bin 1.
        var ranked = File.ReadAllLines(Path.Combine(sweep.Folder, "pool.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(r => (Id: r.GetProperty("id").GetString()!, Right: r.GetProperty("candidates").EnumerateArray().Count(c => c.GetProperty("correct").GetBoolean())))
            .OrderByDescending(p => p.Right).ThenBy(p => p.Id, StringComparer.Ordinal).Select(p => p.Id).ToList();
        var decided = File.ReadAllLines(records).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, decided.Count);
        foreach (var record in decided)
            Assert.Equal(ranked.IndexOf(record.GetProperty("id").GetString()!) < ranked.Count / 2 ? 0 : 1, record.GetProperty("details").GetProperty("bin").GetInt32());
    }

    [Fact]
    public void TheReportDrawsThePolicysTableAndItsAdaptiveCurve()
    {
        Build("policy-g.json");
        string fit = PolicyPath("fit-g.json"), output = PolicyPath("report-g");
        Assert.Equal(0, CliRunner.Run("fit", sweep.Folder, "--bins", "2", "--out", fit).ExitCode);
        var result = CliRunner.Run("report", sweep.Folder, "--fit", fit, "--policy", PolicyPath("policy-g.json"), "--out", output);
        Assert.True(result.ExitCode == 0, result.StdErr);
        string html = File.ReadAllText(Path.Combine(output, "index.html"));
        Assert.Contains("Compute-optimal strategy per difficulty bin and budget", html);
        Assert.Contains("adaptive (policy, predicted)", html);
        Assert.Contains("best-of-n/weighted", html);
        Assert.True(File.Exists(Path.Combine(output, "figures", "adaptive-vs-baselines.png")));

        var samples = CliRunner.Run("report", sweep.Folder, "--policy", PolicyPath("policy-g.json"), "--axis", "samples", "--out", PolicyPath("report-h"));
        Assert.Equal(0, samples.ExitCode);
        Assert.Contains("the adaptive figure is left out (pass --axis flops)", samples.StdErr);
        // The policy's 2 bins are its own: the report's 5 (another cut of the pool) labelled them with their pass@1 ranges.
        var table = File.ReadAllLines(Path.Combine(PolicyPath("report-h"), "report.md"))
            .SkipWhile(l => !l.Contains("Compute-optimal strategy per difficulty bin and budget")).Where(l => l.StartsWith("| ")).Skip(2).TakeWhile(l => l.StartsWith("| ")).ToList();
        Assert.Equal(["1", "2"], table.Select(l => l.Split('|')[1].Trim()));
    }

    [Fact]
    public void TheReportDrawsMeasuredAdaptiveRunsAgainstTheBaselinesAtMatchedCompute()
    {
        Build("policy-i.json", "--cost-unit", "samples", "--probe", "2", "--bins", "5");
        string records = PolicyPath("adaptive-i.jsonl"), output = PolicyPath("report-i");
        Assert.Equal(0, CliRunner.Run("eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-i.json"), "--budget", "4",
            "--dataset", DemoSweep.Dataset, "--out", records).ExitCode);
        var result = CliRunner.Run("report", sweep.Folder, "--policy", PolicyPath("policy-i.json"), "--adaptive", records, "--axis", "samples", "--out", output);
        Assert.True(result.ExitCode == 0, result.StdErr);

        // The measured point is the run's own: its accuracy over the 16 problems and the samples it drew per problem, the
        // probe's 2 included (not the candidates kept: a beam of 2 after the probe keeps 2 of 4); in samples each decision
        // costs what the policy said, and the set spends at most its budget of 4 a problem.
        var run = File.ReadAllLines(records).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        int correct = run.Count(r => r.GetProperty("correct").GetBoolean());
        var drawn = run.Select(r => r.GetProperty("details").GetProperty("samples_drawn").GetDouble()).ToList();
        Assert.All(run, r => Assert.Equal(r.GetProperty("details").GetProperty("expected_cost").GetDouble(), r.GetProperty("details").GetProperty("samples_drawn").GetDouble()));
        Assert.All(drawn, d => Assert.True(d >= 2, $"{d} samples drawn, fewer than the probe's 2"));
        Assert.True(drawn.Sum() <= 4 * 16, $"{drawn.Sum()} samples over a budget of 64");
        Assert.Contains(run, r => r.GetProperty("candidates").GetArrayLength() < r.GetProperty("details").GetProperty("samples_drawn").GetDouble());
        double spent = drawn.Average();
        string html = File.ReadAllText(Path.Combine(output, "index.html"));
        Assert.Contains("Adaptive runs against the baselines at matched compute", html);
        var row = Regex.Match(html, "<tr><td[^>]*>(?:<[^>]+>)*adaptive \\(measured\\)(.*?)</tr>", RegexOptions.Singleline);
        Assert.True(row.Success, "no measured adaptive row");
        var cells = Regex.Matches(row.Groups[1].Value, "<td[^>]*>(.*?)</td>").Select(c => c.Groups[1].Value).ToList();
        Assert.Equal(["4 samples", $"{correct}/16"], cells.Take(2));
        Assert.Equal(ReportFormat.Amount(spent), cells[3]);
        Assert.Contains($"<dt>Adaptive run file</dt><dd>{Path.GetFullPath(records)} (sha256 ", html); // named with its hash in the provenance

        // A file mixing two runs (another budget from record 9 on) is refused: the point would carry record 1's budget.
        string mixed = PolicyPath("adaptive-i-mixed.jsonl");
        File.WriteAllLines(mixed, File.ReadAllLines(records).Select((l, i) => i < 8 ? l : l.Replace("\"budget\":4,", "\"budget\":5,")));
        var mixedRun = CliRunner.Run("report", sweep.Folder, "--adaptive", mixed, "--axis", "samples", "--out", PolicyPath("report-i-mixed"));
        Assert.Equal(2, mixedRun.ExitCode);
        Assert.Contains($"--adaptive {mixed}: record 9 is from another run than record 1", mixedRun.StdErr);

        // Records that do not say what they drew (an older TTScale's) are refused on the samples axis, not drawn too cheap.
        string older = PolicyPath("adaptive-i-older.jsonl");
        File.WriteAllLines(older, File.ReadAllLines(records).Select(l => l.Replace("\"samples_drawn\":", "\"drawn\":")));
        var unsaid = CliRunner.Run("report", sweep.Folder, "--adaptive", older, "--axis", "samples", "--out", PolicyPath("report-i-older"));
        Assert.Equal(2, unsaid.ExitCode);
        Assert.Contains($"--adaptive {older}: record 1 does not say how many samples it drew", unsaid.StdErr);

        // A run decided prompt by prompt is its own series beside the batch-allocated one.
        string perPrompt = PolicyPath("adaptive-i-prompt.jsonl");
        Assert.Equal(0, CliRunner.Run("eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-i.json"), "--budget", "4", "--allocation", "prompt",
            "--dataset", DemoSweep.Dataset, "--out", perPrompt).ExitCode);
        Assert.Equal(0, CliRunner.Run("report", sweep.Folder, "--policy", PolicyPath("policy-i.json"), "--adaptive", records, perPrompt, "--axis", "samples",
            "--out", PolicyPath("report-i2")).ExitCode);
        string both = File.ReadAllText(Path.Combine(PolicyPath("report-i2"), "index.html"));
        Assert.Matches("adaptive \\(measured\\)</", both);
        Assert.Contains("adaptive (measured, per prompt)", both);

        // Runs that do not match the sweep are refused, naming the file.
        string partial = PolicyPath("adaptive-partial.jsonl");
        File.WriteAllLines(partial, File.ReadAllLines(records).Take(6));
        var refused = CliRunner.Run("report", sweep.Folder, "--adaptive", partial, "--out", PolicyPath("report-j"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"--adaptive {partial}: covers 6 of the sweep's 16 problems", refused.StdErr);
        string pool = Path.Combine(sweep.Folder, "pool.jsonl");
        Assert.Contains("record 1 is a best-of-n result", CliRunner.Run("report", sweep.Folder, "--adaptive", pool, "--out", PolicyPath("report-j")).StdErr);
    }

    /// <summary>An adaptive run over the sweep's problems at a budget of 4 samples, into <paramref name="name"/>, made once per file.</summary>
    private string AdaptiveRun(string name, params string[] options)
    {
        string records = PolicyPath(name);
        if (File.Exists(records)) return records;
        string policy = PolicyPath("policy-k.json");
        if (!File.Exists(policy)) Build("policy-k.json", "--cost-unit", "samples", "--probe", "2");
        if (options.Length > 0 && options[0] != "--dataset" && options[0] != "--seed")
        {
            // Eval refuses a policy's run under other settings than its sweep's; a policy that does not record them (an
            // older one) runs, and the report must still refuse its records.
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(policy))!.AsObject();
            json.Remove("sweep");
            File.WriteAllText(policy = PolicyPath("policy-k-unrecorded.json"), json.ToJsonString());
        }
        string[] dataset = options.Contains("--dataset") ? [] : ["--dataset", DemoSweep.Dataset];
        var result = CliRunner.Run(["eval", "--strategy", "adaptive", "--policy", policy, "--budget", "4", .. dataset, "--out", records, .. options]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        return records;
    }

    [Fact]
    public void AnAdaptiveRunWithAProblemTwiceIsRefused()
    {
        // Sixteen distinct problems plus one again: it covered every problem and counted the repeated one twice.
        string records = AdaptiveRun("adaptive-k.jsonl"), twice = PolicyPath("adaptive-twice.jsonl"), output = PolicyPath("report-twice");
        var lines = File.ReadAllLines(records);
        File.WriteAllLines(twice, [.. lines, lines[2]]);
        var refused = CliRunner.Run("report", sweep.Folder, "--adaptive", twice, "--axis", "samples", "--out", output);
        Assert.Equal(2, refused.ExitCode);
        string id = JsonDocument.Parse(lines[2]).RootElement.GetProperty("id").GetString()!;
        Assert.Contains($"--adaptive {twice}: problem {id} is recorded twice (records 3 and 17)", refused.StdErr);
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("--hardware", "h100-bf16", "--hardware: h100-bf16 in this file, cpu-local in the sweep")] // its eFLOPs were compared with the sweep's
    [InlineData("--max-tokens", "40", "--max-tokens: 40 in this file, 160 in the sweep")]
    [InlineData("--verifier", "oracle", "--verifier: oracle in this file, prm in the sweep")]
    [InlineData("--seed", "7", "--seed: problem seed ")]
    [InlineData("--dataset", "arith:count=16,levels=4-5,seed=5", "--dataset: answer ")] // the same ids, other problems
    public void AnAdaptiveRunWithOtherSettingsThanTheSweepIsRefusedNamingTheSetting(string option, string value, string named)
    {
        string records = AdaptiveRun($"adaptive-k{option}.jsonl", option, value), output = PolicyPath($"report-k{option}");
        var refused = CliRunner.Run("report", sweep.Folder, "--adaptive", records, "--out", output);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"--adaptive {records}: record 1 (problem ", refused.StdErr);
        Assert.Contains($"was run with other settings than the sweep ({named}", refused.StdErr);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void AnAdaptiveRunsModelAndTemperatureAreThoseOfTheSweepSaveAGreedyDecisions()
    {
        string records = AdaptiveRun("adaptive-k.jsonl");
        var lines = File.ReadAllLines(records);
        int sampled = Array.FindIndex(lines, l => JsonNode.Parse(l)!["details"]!["parameters"]!["temperature"]?.GetValue<double>() > 0);
        Assert.True(sampled >= 0, "no decision sampled");
        string Edited(string name, Action<JsonNode> edit)
        {
            var record = JsonNode.Parse(lines[sampled])!;
            edit(record);
            string path = PolicyPath(name);
            File.WriteAllLines(path, lines.Select((l, i) => i == sampled ? record.ToJsonString() : l));
            return path;
        }
        CliRunner.Result Report(string path) => CliRunner.Run("report", sweep.Folder, "--adaptive", path, "--axis", "samples", "--out", PolicyPath("report-k-edited"));

        string model = Edited("adaptive-k-model.jsonl", r => r["run"]!["model"]!["sha256"] = new string('0', 64));
        var hash = JsonNode.Parse(lines[0])!["run"]!["model"]!["sha256"]!.GetValue<string>();
        var otherModel = Report(model);
        Assert.Equal(2, otherModel.ExitCode);
        Assert.Contains($"(--model: ONNX graph sha256 {new string('0', 64)} in this file, ONNX graph sha256 {hash} in the sweep)", otherModel.StdErr);
        string hotter = Edited("adaptive-k-hot.jsonl", r => r["details"]!["parameters"]!["temperature"] = 1.2);
        var refused = Report(hotter);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"record {sampled + 1} (problem ", refused.StdErr);
        Assert.Contains("(--temperature: 1.2 in this file, 0.8 in the sweep)", refused.StdErr);
        // A greedy option decodes at temperature 0 whatever the run's, so its decision is not a mismatch.
        string greedy = Edited("adaptive-k-greedy.jsonl", r =>
        {
            r["details"]!["strategy"] = "greedy";
            r["details"]!["parameters"] = new JsonObject { ["temperature"] = 0 };
        });
        var accepted = Report(greedy);
        Assert.True(accepted.ExitCode == 0, accepted.StdErr);
    }

    /// <summary>A copy of the policy whose every bin offers only the given option (the others removed by hand).</summary>
    private string OnlyOption(string source, string name, string strategy, string parameters)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(PolicyPath(source)))!;
        foreach (var bin in json["bins"]!.AsArray())
        {
            var curve = bin!["curve"]!.AsArray();
            var point = curve[0]!.DeepClone();
            point["strategy"] = strategy;
            point["parameters"] = System.Text.Json.Nodes.JsonNode.Parse(parameters);
            curve.Clear();
            curve.Add(point);
        }
        File.WriteAllText(PolicyPath(name), json.ToJsonString());
        return PolicyPath(name);
    }

    [Fact]
    public void AGreedyDecisionDecodesGreedilyInsteadOfKeepingTheProbesSample()
    {
        Build("policy-g.json", "--cost-unit", "samples", "--probe", "2");
        string policy = OnlyOption("policy-g.json", "policy-greedy.json", "greedy", """{"temperature": 0}""");
        string adaptive = PolicyPath("adaptive-greedy.jsonl"), greedy = PolicyPath("greedy.jsonl");
        var run = CliRunner.Run("eval", "--strategy", "adaptive", "--policy", policy, "--budget", "4", "--dataset", DemoSweep.Dataset, "--limit", "6", "--out", adaptive);
        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Equal(0, CliRunner.Run("eval", "--strategy", "greedy", "--dataset", DemoSweep.Dataset, "--limit", "6", "--out", greedy).ExitCode);
        static Dictionary<string, string> Texts(string path) => File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("candidates")[0].GetProperty("text").GetString()!);
        Assert.Equal(Texts(greedy), Texts(adaptive));
    }

    [Fact]
    public void APoolNoVerifierScoredBuildsAnUnscoredProbe()
    {
        // Swept with --verifier none, the pool has no scores: a scored probe would train the difficulty model on zeros
        // and then read real PRM scores at eval time.
        string folder = PolicyPath("unscored-sweep");
        var made = CliRunner.Run("sweep", "--out", folder, "--dataset", DemoSweep.Dataset, "--limit", "8", "--strategies", "best-of-n",
            "--budgets", "1,2", "--verifier", "none");
        Assert.True(made.ExitCode == 0, made.StdErr);
        var result = CliRunner.Run("policy", "build", folder, "--bins", "2", "--probe", "2");
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("probe of 2 unscored samples", result.StdOut);
        Assert.False(Policy.Load(Path.Combine(folder, "policy.json")).ScoresProbe);

        var scored = CliRunner.Run("policy", "build", folder, "--bins", "2", "--probe", "2", "--score-probe", "true", "--out", PolicyPath("never.json"));
        Assert.Equal(2, scored.ExitCode);
        Assert.Contains("--score-probe true: the pool in", scored.StdErr);
        Assert.Contains("has no verifier scores (swept with --verifier none)", scored.StdErr);
        Assert.False(File.Exists(PolicyPath("never.json")));
    }

    [Fact]
    public void AScoredProbeOfOneSampleIsScored()
    {
        // Best-of-1 selects nothing and so scores nothing; the difficulty model still reads the probe's score.
        Build("policy-p1.json", "--cost-unit", "samples", "--probe", "1");
        string policy = OnlyOption("policy-p1.json", "policy-p1-sample.json", "sample", """{"temperature": 0.8}""");
        string records = PolicyPath("adaptive-p1.jsonl");
        var run = CliRunner.Run("eval", "--strategy", "adaptive", "--policy", policy, "--budget", "1", "--dataset", DemoSweep.Dataset, "--limit", "3", "--out", records);
        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.All(File.ReadAllLines(records).Select(l => JsonDocument.Parse(l).RootElement), r =>
        {
            Assert.Equal(JsonValueKind.Number, r.GetProperty("candidates")[0].GetProperty("score").ValueKind);
            Assert.True(r.GetProperty("ledger").GetProperty("verifier_tokens").GetInt64() > 0);
        });
    }

    [Fact]
    public void AnOptionRunsAtTheSettingsItWasMeasuredAtAndRecordsNameThePolicyByHash()
    {
        Build("policy-t.json", "--cost-unit", "samples", "--probe", "2");
        string[] hot = ["eval", "--strategy", "adaptive", "--budget", "4", "--dataset", DemoSweep.Dataset, "--limit", "1", "--temperature", "1.0"];
        var hotter = CliRunner.Run([.. hot, "--policy", PolicyPath("policy-t.json")]);
        Assert.Equal(2, hotter.ExitCode);
        Assert.Contains("(--temperature: 0.8 there, 1 now)", hotter.StdErr);
        // A policy that does not record its sweep: the options that record their temperature are still checked.
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(PolicyPath("policy-t.json")))!.AsObject();
        json.Remove("sweep");
        File.WriteAllText(PolicyPath("policy-t-old.json"), json.ToJsonString());
        var older = CliRunner.Run([.. hot, "--policy", PolicyPath("policy-t-old.json")]);
        Assert.Equal(2, older.ExitCode);
        Assert.Contains($"note: --policy {PolicyPath("policy-t-old.json")} does not record its sweep's settings", older.StdErr);
        Assert.Contains("it was measured with temperature 0.8, and this run gives it 1 (--temperature)", older.StdErr);

        string records = PolicyPath("adaptive-t.jsonl");
        string[] args = ["eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-t.json"), "--budget", "4", "--dataset", DemoSweep.Dataset, "--limit", "1", "--out", records];
        Assert.Equal(0, CliRunner.Run(args).ExitCode);
        File.AppendAllText(PolicyPath("policy-t.json"), "\n"); // rebuilt or edited in place: the same path, another policy
        var resumed = CliRunner.Run(args);
        Assert.Equal(2, resumed.ExitCode);
        Assert.Contains("policy_sha256", resumed.StdErr);
    }

    [Fact]
    public void AWrongValueInThePolicysSweepIsNamedWithoutALine()
    {
        // Not "at line 4", a line counted from the sweep member's opening brace, not the file's.
        Build("policy-s.json", "--cost-unit", "samples", "--probe", "2");
        var json = JsonNode.Parse(File.ReadAllText(PolicyPath("policy-s.json")))!.AsObject();
        json["sweep"]!["temperature"] = "hot";
        File.WriteAllText(PolicyPath("policy-s-bad.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var result = CliRunner.Run("eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-s-bad.json"), "--budget", "4",
            "--dataset", DemoSweep.Dataset, "--limit", "1");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: --policy {PolicyPath("policy-s-bad.json")}: not a valid policy (sweep: temperature is not a valid value)\n", result.StdErr.Replace("\r", ""));
    }

    [Theory]
    [InlineData("samples", "--verifier", "oracle", "--verifier: prm there, oracle now")]
    [InlineData("samples", "--max-tokens", "50", "--max-tokens: 160 there, 50 now")]
    [InlineData("samples", "--top-p", "0.9", "--top-p: 1 there, 0.9 now")]
    [InlineData("samples", "--agg", "min", "--agg: last there, min now")]
    [InlineData("samples", "--model", "tiny-lm-fp32", "--model: ")]
    [InlineData("samples", "--prm", "tiny-prm", "--prm: ")]
    [InlineData("eflops", "--hardware", "h100-bf16", "--hardware: cpu-local there, h100-bf16 now")] // eFLOPs are on the sweep's profile
    [InlineData("samples", "--hardware", "h100-bf16", null)] // a cost in samples is the same on any
    [InlineData("samples", "--dataset", "arith:count=3,levels=4-5,seed=9", null)] // a policy is for new problems
    public void AdaptiveRefusesSettingsOtherThanItsSweepsBeforeAnyModelTime(string unit, string option, string value, string? mismatch)
    {
        string name = $"policy-sweep-{unit}.json";
        var policy = Build(name, "--cost-unit", unit);
        string model = Path.Combine(TTScale.Tests.Onnx.Fixtures.ModelsDirectory, "fixtures", value);
        Assert.Equal(CliFiles.Sha256(Path.Combine(TTScale.Tests.Onnx.Fixtures.ModelsDirectory, "arith-lm", "model.onnx")),
            policy.Sweep!.Value.GetProperty("policy").GetProperty("sha256").GetString()); // recorded by hash: a copy elsewhere is the same model
        string records = PolicyPath($"adaptive-sweep-{unit}-{option.TrimStart('-')}.jsonl");
        string[] dataset = option == "--dataset" ? [] : ["--dataset", DemoSweep.Dataset];
        var result = CliRunner.Run(["eval", "--strategy", "adaptive", "--policy", PolicyPath(name), "--budget", unit == "samples" ? "4" : "4e9",
            "--limit", "1", "--out", records, .. dataset, option, option is "--model" or "--prm" ? model : value]);
        if (mismatch is null)
        {
            Assert.True(result.ExitCode == 0, result.StdErr);
            return;
        }
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: --policy {PolicyPath(name)}: its sweep was made with other settings ({mismatch}", result.StdErr);
        Assert.False(File.Exists(records));
    }

    [Fact]
    public void AdaptiveRefusesAProbeOtherThanThePolicysOwn()
    {
        // Its difficulty model read features of 3 samples as if of 2, and its costs counted a probe of 2 where 3 ran.
        Build("policy-p.json", "--cost-unit", "samples", "--probe", "2");
        string records = PolicyPath("adaptive-probe3.jsonl");
        var result = CliRunner.Run("eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-p.json"), "--budget", "4", "--probe", "3",
            "--dataset", DemoSweep.Dataset, "--limit", "1", "--out", records);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: --probe 3: the policy {PolicyPath("policy-p.json")} was built for a probe of 2 samples (its difficulty model reads " +
            "that many and its costs include them); leave --probe out, or build a policy with --probe 3\n", result.StdErr.Replace("\r", ""));
        Assert.False(File.Exists(records));
    }

    [Theory]
    [InlineData("--budget", "0.5", "--budget must cover the cheapest option of every prompt")]
    [InlineData("--policy", "missing.json", "missing.json: file not found")]
    public void AdaptiveNamesBadOptions(string option, string value, string message)
    {
        Build("policy-f.json", "--cost-unit", "samples");
        string[] args = option == "--budget"
            ? ["eval", "--strategy", "adaptive", "--policy", PolicyPath("policy-f.json"), "--budget", value, "--limit", "1"]
            : ["eval", "--strategy", "adaptive", "--policy", Path.Combine(sweep.Root, value), "--budget", "4", "--limit", "1"];
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StdErr);
    }

    [Fact]
    public void PolicyBuildNeedsAPoolAndNamesBadOptions()
    {
        var probe = CliRunner.Run("policy", "build", sweep.Folder, "--out", PolicyPath("bad.json"), "--probe", "99");
        Assert.Equal(2, probe.ExitCode);
        Assert.Contains("--probe 99", probe.StdErr);
        var unit = CliRunner.Run("policy", "build", sweep.Folder, "--out", PolicyPath("bad.json"), "--cost-unit", "joules");
        Assert.Equal(2, unit.ExitCode);
        Assert.Contains("--cost-unit", unit.StdErr);
        Assert.False(File.Exists(PolicyPath("bad.json")));
    }
}
