using System.Text.Json;
using TTScale.Cli;
using TTScale.Strategies;

namespace TTScale.Tests.Cli;

public sealed class EvalCommandTests : IDisposable
{
    private static readonly string Models = Path.Combine(TTScale.Tests.Onnx.Fixtures.ModelsDirectory, "fixtures");
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CliRunner.Result Eval(params string[] args) => CliRunner.Run(
        ["eval", "--model", Path.Combine(Models, "tiny-lm-fp32"), "--prm", Path.Combine(Models, "tiny-prm"), "--max-tokens", "12", .. args]);

    [Fact]
    public void GreedyRunsAtTemperatureZeroWhoeverBuildsItAndSampleAtTheGivenOne()
    {
        // The adaptive strategy builds a policy's greedy option from the run's context (--temperature 0.8 by default).
        var context = new TTScale.Strategies.StrategyContext(null!, null, new TTScale.Generation.SamplingOptions { Temperature = 0.8 });
        var greedy = StrategyCatalog.Create("greedy", context, new StrategySettings());
        Assert.Equal("greedy", greedy.Name);
        Assert.Equal(0.0, greedy.Parameters["temperature"]);
        var sample = StrategyCatalog.Create("sample", context, new StrategySettings());
        Assert.Equal("sample", sample.Name);
        Assert.Equal(0.8, sample.Parameters["temperature"]);
    }

    [Theory]
    [InlineData("hybrid", SelectionRule.Majority, false)] // a vote needs no scores, so it neither loads nor pays a PRM
    [InlineData("hybrid", SelectionRule.Last, false)]
    [InlineData("hybrid", SelectionRule.Weighted, true)]
    [InlineData("revise", SelectionRule.Majority, false)]
    [InlineData("beam", SelectionRule.Majority, true)] // a search scores its steps whatever picks the answer
    public void OnlyStrategiesThatReadScoresLoadAVerifier(string strategy, SelectionRule rule, bool needs) =>
        Assert.Equal(needs, StrategyCatalog.NeedsVerifier(strategy, rule));

    [Theory]
    [InlineData("--strategy", "best-of-n", "--n", "4", "--select", "naive")]
    [InlineData("--strategy", "beam", "--n", "4", "--beam-width", "2", "--agg", "min")]
    public void APrmThatScoresNaNIsAnErrorNamingIt(params string[] args)
    {
        // A PRM whose score head gives NaN (a broken export) ran on: naive selection kept the first candidate whatever the
        // rest scored, and beam search ranked its beams in whatever order NaN left them.
        string prm = TTScale.Tests.Onnx.Fixtures.CopyTo("tiny-prm", Path.Combine(_dir, "nan-prm"));
        string model = Path.Combine(prm, "model.onnx");
        byte[] graph = File.ReadAllBytes(model);
        byte[] bias = [0x42, 0x13, .. "prm.score_head.bias"u8, 0x4a, 0x04]; // the initializer's name, then its 4 bytes of raw data
        int at = graph.AsSpan().IndexOf(bias);
        Assert.True(at > 0);
        BitConverter.TryWriteBytes(graph.AsSpan(at + bias.Length, 4), float.NaN);
        File.WriteAllBytes(model, graph);
        var result = CliRunner.Run(["eval", "--model", Path.Combine(Models, "tiny-lm-fp32"), "--prm", prm, "--max-tokens", "12", "--limit", "2", .. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.Matches($"^error: {System.Text.RegularExpressions.Regex.Escape(model)}: the PRM scored step 1 of a solution to arith-[^ ]+ as NaN, not a probability; " +
            "its graph is broken \\(or overflows in fp16\\)\n$", result.StdErr.Replace("\r", ""));
    }

    [Theory]
    [InlineData("eval", "--model")]
    [InlineData("eval", "--prm")]
    [InlineData("sweep", "--model")] // hashed for sweep.json before any model loads: "Could not find file '.../model.onnx'."
    [InlineData("sweep", "--prm")]
    public void AModelDirectoryWithoutItsGraphOrThatIsAFileIsNamed(string command, string option)
    {
        // Without model.onnx eval said "model file not found"; a file for a directory, "model directory not found".
        (string fixture, string what) = option == "--model" ? ("tiny-lm-fp32", "model") : ("tiny-prm", "PRM");
        string noGraph = TTScale.Tests.Onnx.Fixtures.CopyTo(fixture, Path.Combine(_dir, "no-graph"), "model.onnx");
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "");
        string noGraphFault = $"{Path.Combine(noGraph, "model.onnx")}: ONNX graph not found (config.json's \"onnx\" names the graph file; model.onnx where it has none)";
        string fileFault = $"{file}: a file, not a {what} directory (one holding config.json, the ONNX graph and the tokenizer)";
        foreach (var (directory, fault) in new[] { (noGraph, noGraphFault), (file, fileFault) })
        {
            string[] models = option == "--model" ? ["--model", directory, "--prm", Path.Combine(Models, "tiny-prm")]
                : ["--model", Path.Combine(Models, "tiny-lm-fp32"), "--prm", directory];
            string[] rest = command == "eval" ? ["--strategy", "best-of-n", "--n", "2"] : ["--out", Path.Combine(_dir, "sweep"), "--budgets", "2"];
            var result = CliRunner.Run([command, .. models, "--max-tokens", "4", "--limit", "1", .. rest]);
            Assert.Equal(2, result.ExitCode);
            Assert.Equal($"error: {fault}\n", result.StdErr.Replace("\r", ""));
        }
    }

    [Fact]
    public void TheGraphConfigNamesIsTheOneStamped()
    {
        // A config.json whose "onnx" names another file ran, then failed hashing model.onnx ("Could not find file").
        string model = TTScale.Tests.Onnx.Fixtures.CopyWithConfig("tiny-lm-fp32", Path.Combine(_dir, "renamed"), config => config["onnx"] = "graph.onnx", "model.onnx");
        string graph = Path.Combine(model, "graph.onnx");
        File.Copy(TTScale.Tests.Onnx.Fixtures.Path("tiny-lm-fp32", "model.onnx"), graph);
        string records = Path.Combine(_dir, "renamed.jsonl");
        var result = CliRunner.Run("eval", "--model", model, "--strategy", "greedy", "--verifier", "none", "--max-tokens", "4", "--limit", "1", "--out", records);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var stamp = JsonDocument.Parse(File.ReadAllLines(records)[0]).RootElement.GetProperty("run").GetProperty("model");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(graph))), stamp.GetProperty("sha256").GetString());
    }

    [Fact]
    public void APrmWithAChatTemplateButNoPromptTemplateIsPointedToItsConfig()
    {
        string prm = TTScale.Tests.Onnx.Fixtures.CopyTo("tiny-prm", Path.Combine(_dir, "chat-prm"));
        File.WriteAllText(Path.Combine(prm, "tokenizer_config.json"), """{"chat_template": "{{ messages[0].content }}"}""");
        var result = CliRunner.Run("eval", "--model", Path.Combine(Models, "tiny-lm-fp32"), "--prm", prm, "--max-tokens", "4",
            "--strategy", "best-of-n", "--n", "2", "--limit", "1");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"{prm} has a chat template", result.StdErr);
        Assert.Contains($"set \"prompt_template\": \"chat\" in {Path.Combine(prm, "config.json")}", result.StdErr);
    }

    [Fact]
    public void ReviseOnAChatModelAsksWithTheRevisionRequestAndAPlainModelRefusesIt()
    {
        string chat = TTScale.Tests.Onnx.Fixtures.CopyTo("tiny-lm-fp32", Path.Combine(_dir, "chat-lm"));
        File.WriteAllText(Path.Combine(chat, "tokenizer_config.json"),
            """{"chat_template": "{% for m in messages %}{{ m.role[0] }}:{{ m.content }}|{% endfor %}{% if add_generation_prompt %}a:{% endif %}"}""");
        string records = Path.Combine(_dir, "chat-revise.jsonl");
        var result = CliRunner.Run("eval", "--model", chat, "--prompt-template", "chat", "--max-tokens", "6", "--strategy", "revise", "--revisions", "3",
            "--verifier", "none", "--select", "last", "--revision-request", "Fix.", "--limit", "2", "--out", records);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.All(File.ReadAllLines(records), line =>
            Assert.Equal("Fix.", JsonDocument.Parse(line).RootElement.GetProperty("parameters").GetProperty("revision_request").GetString()));

        var plain = Eval("--strategy", "revise", "--verifier", "none", "--select", "last", "--revision-request", "Fix.", "--limit", "1");
        Assert.Equal(2, plain.ExitCode);
        Assert.Contains("--revision-request goes with a chat model (--prompt-template chat)", plain.StdErr);
    }

    [Fact]
    public void AProblemThatFillsTheContextIsNamedOrSkipped()
    {
        string dataset = Path.Combine(_dir, "long.jsonl");
        File.WriteAllLines(dataset,
        [
            """{"id": "short", "prompt": "Q: 5 +8\n", "answer": "13"}""",
            $$"""{"id": "long", "prompt": "Q: 5 {{string.Concat(Enumerable.Repeat("+1 ", 50))}}\n", "answer": "55"}""",
        ]);
        var refused = Eval("--strategy", "sample", "--dataset", dataset);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("1 problem(s) too long for the context of", refused.StdErr);
        Assert.Contains("(128 tokens): long (157 tokens); --skip-bad skips them", refused.StdErr);

        string records = Path.Combine(_dir, "skipped.jsonl");
        var skipped = Eval("--strategy", "sample", "--dataset", dataset, "--skip-bad", "--out", records);
        Assert.True(skipped.ExitCode == 0, skipped.StdErr);
        Assert.Contains("skipped 1 problem(s) too long for the context", skipped.StdErr);
        Assert.Equal("short", JsonDocument.Parse(Assert.Single(File.ReadAllLines(records))).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public void ResumeAfterAKillLosesAndDuplicatesNothing()
    {
        string out1 = Path.Combine(_dir, "full.jsonl"), out2 = Path.Combine(_dir, "killed.jsonl");
        Assert.Equal(0, Eval("--strategy", "best-of-n", "--n", "3", "--limit", "6", "--out", out1).ExitCode);
        var full = File.ReadAllLines(out1);
        Assert.Equal(6, full.Length);
        // A kill mid-write: four whole records and half of the fifth.
        File.WriteAllText(out2, string.Join("\n", full.Take(4)) + "\n" + full[4][..(full[4].Length / 2)]);
        var resumed = Eval("--strategy", "best-of-n", "--n", "3", "--limit", "6", "--out", out2);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Contains("4 of 6 problems already done", resumed.StdErr);
        var lines = File.ReadAllLines(out2);
        Assert.Equal(6, lines.Length);
        Assert.Equal(full.Take(4), lines.Take(4));
        string Id(string line) => JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(full.Select(Id).Order(), lines.Select(Id).Order());
        // The re-solved problems come out the same: seeds come from the run seed and the problem id.
        Assert.Equal(full.OrderBy(Id).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("candidates").ToString()),
            lines.OrderBy(Id).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("candidates").ToString()));
    }

    [Fact]
    public void AnOutputFileOfAnotherStrategyIsNotMixedInto()
    {
        string output = Path.Combine(_dir, "mixed.jsonl");
        Assert.Equal(0, Eval("--strategy", "sample", "--limit", "2", "--out", output).ExitCode);
        var result = Eval("--strategy", "best-of-n", "--n", "2", "--limit", "2", "--out", output);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("use another --out", result.StdErr);
        Assert.Equal(2, File.ReadAllLines(output).Length);
    }

    [Fact]
    public void AnOutputFileOfAnotherSeedOrDatasetIsNotMixedInto()
    {
        string output = Path.Combine(_dir, "seeded.jsonl");
        Assert.Equal(0, Eval("--strategy", "sample", "--limit", "2", "--seed", "1", "--out", output).ExitCode);
        string before = File.ReadAllText(output);
        foreach (var other in new[] { new[] { "--seed", "2" }, ["--seed", "1", "--dataset", "arith:count=2,levels=3-4,seed=1234"] })
        {
            var result = Eval(["--strategy", "sample", "--limit", "2", "--out", output, .. other]);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("another --seed or dataset", result.StdErr);
        }
        // Another dataset seed: other problem ids altogether, so no record meets a problem to check against.
        var disjoint = Eval("--strategy", "sample", "--seed", "1", "--dataset", "arith:count=2,levels=1-2,seed=99", "--out", output);
        Assert.Equal(2, disjoint.ExitCode);
        Assert.Contains("none of a problem in this dataset", disjoint.StdErr);
        Assert.Equal(before, File.ReadAllText(output));
    }

    [Theory]
    [InlineData("--max-tokens", "10", "--max-tokens: 12 there, 10 now")]
    [InlineData("--top-p", "0.9", "--top-p: 1 there, 0.9 now")]
    [InlineData("--agg", "min", "--agg: last there, min now")]
    [InlineData("--verifier", "oracle", "--verifier: prm there, oracle now")]
    [InlineData("--model", "tiny-lm-fp16", "--model: ONNX graph sha256")]
    [InlineData("--hardware", "h100-bf16", "--hardware: cpu-local there, h100-bf16 now")]
    public void AnOutputFileOfOtherRunSettingsIsNotMixedInto(string option, string value, string named)
    {
        // Settings outside the strategy's parameters decide results too: each record keeps them, and a resume checks them.
        string output = Path.Combine(_dir, "settings.jsonl");
        Assert.Equal(0, Eval("--strategy", "best-of-n", "--n", "2", "--limit", "1", "--out", output).ExitCode);
        string before = File.ReadAllText(output);
        var again = Eval("--strategy", "best-of-n", "--n", "2", "--limit", "2", "--out", output);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Contains("1 of 2 problems already done", again.StdErr);

        var settings = new Dictionary<string, string>
        {
            ["--model"] = Path.Combine(Models, "tiny-lm-fp32"), ["--prm"] = Path.Combine(Models, "tiny-prm"), ["--max-tokens"] = "12",
            [option] = option == "--model" ? Path.Combine(Models, value) : value,
        };
        var result = CliRunner.Run(["eval", "--strategy", "best-of-n", "--n", "2", "--limit", "3", "--out", output, .. settings.SelectMany(s => new[] { s.Key, s.Value })]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{output}:1: was run with other settings ({named}", result.StdErr);
        Assert.StartsWith(before, File.ReadAllText(output));
        Assert.Equal(2, File.ReadAllLines(output).Length);
    }

    [Fact]
    public void OptionsTheStrategyDoesNotReadAreNamedNotSilentlyDropped()
    {
        var result = Eval("--strategy", "best-of-n", "--n", "2", "--limit", "1", "--beam-width", "8", "--budget", "4");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("note: --beam-width is not read by best-of-n; ignored", result.StdErr);
        Assert.Contains("note: --budget is not read by best-of-n; ignored", result.StdErr);
        Assert.DoesNotContain("--n is not read", result.StdErr);
        // Defaults are not the user's doing, and a strategy that reads an option is not told otherwise.
        Assert.DoesNotContain("note:", Eval("--strategy", "beam", "--n", "2", "--beam-width", "2", "--limit", "1").StdErr);
        // An option a strategy refuses is an error alone, not also "ignored".
        var refused = Eval("--strategy", "dvts", "--n", "4", "--limit", "1", "--dedupe");
        Assert.Equal(2, refused.ExitCode);
        Assert.DoesNotContain("note:", refused.StdErr);
    }

    [Fact]
    public void AnOutputPathThatCannotBeWrittenIsOneLineAndExitCodeTwo()
    {
        var folder = Eval("--strategy", "greedy", "--limit", "1", "--out", _dir);
        Assert.Equal(2, folder.ExitCode);
        Assert.Contains("is a folder", folder.StdErr);
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "mine");
        var underFile = Eval("--strategy", "greedy", "--limit", "1", "--out", Path.Combine(file, "x.jsonl"));
        Assert.Equal(2, underFile.ExitCode);
        Assert.StartsWith("error: ", underFile.StdErr.Trim());
        Assert.Contains($"{file} is a file", underFile.StdErr); // not .NET's "could not find a part of the path"
        Assert.DoesNotContain("   at ", underFile.StdErr);
        Assert.Equal("mine", File.ReadAllText(file));
    }

    [Fact]
    public void JsonSummaryHasAccuracyAndCompute()
    {
        var result = Eval("--strategy", "best-of-n", "--n", "2", "--select", "majority", "--limit", "5", "--json");
        Assert.Equal(0, result.ExitCode);
        var summary = JsonDocument.Parse(result.StdOut).RootElement.GetProperty("summary");
        Assert.Equal(5, summary.GetProperty("overall").GetProperty("problems").GetInt32());
        Assert.True(summary.GetProperty("total_flops").GetDouble() > 0);
        Assert.Equal(0, summary.GetProperty("verifier_tokens").GetInt64());
    }

    [Fact]
    public void PrmCacheZeroReadsEveryTextWholeToTheSameAnswers()
    {
        (string[] Answers, long VerifierTokens) Beam(string cacheMb, string name)
        {
            string output = Path.Combine(_dir, name);
            // The demo PRM: the fixture's graph has no KV inputs, so it reads every text whole either way.
            var result = CliRunner.Run("eval", "--strategy", "beam", "--n", "4", "--beam-width", "2", "--dataset", "arith:count=3,levels=2-3,seed=5",
                "--prm-cache", cacheMb, "--out", output, "--json");
            Assert.True(result.ExitCode == 0, result.StdErr);
            var answers = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement)
                .OrderBy(r => r.GetProperty("id").GetString()).Select(r => $"{r.GetProperty("id")} {(r.TryGetProperty("answer", out var a) ? a.ToString() : "-")}").ToArray();
            return (answers, JsonDocument.Parse(result.StdOut).RootElement.GetProperty("summary").GetProperty("verifier_tokens").GetInt64());
        }
        var cached = Beam("256", "cached.jsonl");
        var whole = Beam("0", "whole.jsonl");
        Assert.Equal(cached.Answers, whole.Answers);
        Assert.True(cached.VerifierTokens < whole.VerifierTokens, $"{cached.VerifierTokens} cached vs {whole.VerifierTokens} whole");

        var bad = Eval("--strategy", "beam", "--limit", "1", "--prm-cache", "-1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--prm-cache -1", bad.StdErr);
    }

    [Fact]
    public void EtsRunsAndReportsItsRoundKv()
    {
        var result = Eval("--strategy", "ets", "--n", "4", "--lambda-s", "1.4", "--iterations", "3", "--limit", "2", "--json");
        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.StdOut).RootElement;
        Assert.Equal(1.4, root.GetProperty("parameters").GetProperty("lambda_s").GetDouble());
        Assert.True(root.GetProperty("summary").GetProperty("mean_round_logical_kv_bytes").GetDouble() > 0);
    }

    [Theory]
    [InlineData("--strategy", "ets", "--lambda-c", "-1", "--lambda-c")]
    [InlineData("--strategy", "particle", "--dedupe", "true", "--dedupe")]
    public void BadSearchOptionsAreNamed(string option, string strategy, string bad, string value, string named)
    {
        var result = Eval(option, strategy, bad, value, "--limit", "1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.StdErr);
    }

    [Theory]
    [InlineData("--strategy", "beamy", "--strategy")]
    [InlineData("--select", "best", "--select")]
    [InlineData("--agg", "median", "--agg")]
    [InlineData("--concurrency", "0", "--concurrency")]
    [InlineData("--dataset", "arith:count=x", "arith:count=x")]
    public void BadOptionsAreNamed(string option, string value, string named)
    {
        string[] args = option == "--strategy" ? [option, value] : ["--strategy", "best-of-n", option, value];
        var result = Eval(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.StdErr);
    }

    [Fact]
    public void AMalformedDatasetLineIsNamedOrSkipped()
    {
        string dataset = Path.Combine(_dir, "data.jsonl");
        File.WriteAllLines(dataset, ["""{"prompt": "Q: 1 +1\n", "answer": "2", "format": "arithchain"}""", "{oops"]);
        var failed = Eval("--strategy", "sample", "--dataset", dataset);
        Assert.Equal(2, failed.ExitCode);
        Assert.Contains($"{dataset}:2", failed.StdErr);
        var skipped = Eval("--strategy", "sample", "--dataset", dataset, "--skip-bad", "--json");
        Assert.Equal(0, skipped.ExitCode);
        Assert.Contains($"skipped 1 bad line(s) in {dataset}:\n  {dataset}:2: ", skipped.StdErr.ReplaceLineEndings("\n"));
    }

    /// <summary>A two-bin policy in samples: bin 0 is cheap (1), bin 1 dear (5), and the difficulty model puts every prompt in bin 0.</summary>
    private string TwoBinPolicy(string strategy = "best-of-n", string parameters = """{"n":1,"select":"majority"}""")
    {
        string Point(double cost, double accuracy) =>
            $$"""{"budget_level":1,"strategy":"{{strategy}}","parameters":{{parameters}},"cost":{{cost}},"accuracy":{{accuracy}},"cv_accuracy":{{accuracy}},"problems":10}""";
        var names = TTScale.Allocation.DifficultyFeatures.Names;
        string features = string.Join(",", names.Select(n => $"\"{n}\""));
        string zeros = string.Join(",", names.Select(_ => 0)), ones = string.Join(",", names.Select(_ => 1));
        string path = Path.Combine(_dir, "policy.json");
        File.WriteAllText(path, $$$"""
            {"schema_version":1,"cost_unit":"samples","bin_count":2,"probe_samples":1,"probe_scored":false,
             "bins":[{"bin":0,"saturation":1,"curve":[{{{Point(1, 0.6)}}}]},{"bin":1,"saturation":5,"curve":[{{{Point(5, 0.2)}}}]}],
             "difficulty_model":{"features":[{{{features}}}],"means":[{{{zeros}}}],"scales":[{{{ones}}}],
               "weights":[[{{{zeros}}}],[{{{zeros}}}]],"biases":[10,0]}}
            """);
        return path;
    }

    [Fact]
    public void ABatchBudgetNeedsToCoverTheSetItIsSpentOn()
    {
        // Every prompt is in bin 0, whose cheapest option costs 1: a budget of 2 covers the set. It was refused for being
        // under 3, the mean cheapest cost over the policy's bins, which is the floor of --allocation prompt only.
        string[] run = ["--strategy", "adaptive", "--policy", TwoBinPolicy(), "--limit", "2"];
        var batch = Eval([.. run, "--budget", "2"]);
        Assert.True(batch.ExitCode == 0, batch.StdErr);
        Assert.Matches(@"plan +1 samples per prompt expected \(budget 2\)", batch.StdOut);
        var prompt = Eval([.. run, "--budget", "2", "--allocation", "prompt"]);
        Assert.Equal(2, prompt.ExitCode);
        Assert.Contains("--budget must be at least 3", prompt.StdErr);
        var tooSmall = Eval([.. run, "--budget", "0.5"]);
        Assert.Equal(2, tooSmall.ExitCode);
        Assert.Contains("--budget must cover the cheapest option of every prompt", tooSmall.StdErr);
    }

    [Fact]
    public void AnInfiniteBudgetIsRefusedAndAHugeOneSpendsWithoutLimit()
    {
        string[] run = ["--strategy", "adaptive", "--policy", TwoBinPolicy(), "--limit", "2"];
        foreach (string allocation in new[] { "prompt", "batch" })
        {
            var infinite = Eval([.. run, "--budget", "Infinity", "--allocation", allocation]);
            Assert.Equal(2, infinite.ExitCode);
            Assert.Contains("--budget Infinity must be a positive number", infinite.StdErr);
        }
        // 1e308 per problem overflows over two problems; it was refused as "--budget must be a non-negative number".
        var huge = Eval([.. run, "--budget", "1e308"]);
        Assert.True(huge.ExitCode == 0, huge.StdErr);
        Assert.Contains("plan ", huge.StdOut);
    }

    [Fact]
    public void ASearchOptionRunsWithDedupeAsItWasMeasuredWhateverDedupeSays()
    {
        // A search records dedupe only where it was on: this beam was measured without it, so --dedupe must not turn it on.
        const string beam = """{"n":2,"beam_width":2,"iterations":40,"select":"weighted","agg":"last","temperature":0.8}""";
        var measured = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(beam)!;
        Assert.False(StrategyCatalog.FromParameters(measured, new StrategySettings(Dedupe: true)).Dedupe);
        Assert.True(StrategyCatalog.FromParameters(new Dictionary<string, JsonElement>(measured) { ["dedupe"] = JsonSerializer.SerializeToElement(true) }, new StrategySettings()).Dedupe);
        var result = Eval("--strategy", "adaptive", "--policy", TwoBinPolicy("beam", beam), "--budget", "2", "--limit", "1", "--dedupe");
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("note: --dedupe is not read by adaptive; ignored", result.StdErr);
    }

    [Fact]
    public void StrategyOptionsThePolicySetsItselfAreNotedAsIgnoredByAdaptive()
    {
        // The policy's options are best-of-n with n and select: --n and --select change nothing, and no option reads --beam-width.
        var result = Eval("--strategy", "adaptive", "--policy", TwoBinPolicy(), "--budget", "2", "--limit", "1", "--n", "64", "--select", "weighted", "--beam-width", "2");
        Assert.True(result.ExitCode == 0, result.StdErr);
        foreach (string option in new[] { "--n", "--select", "--beam-width" })
            Assert.Contains($"note: {option} is not read by adaptive; ignored", result.StdErr);
    }

    [Fact]
    public void ComputeFiguresAreWrittenWithTwoDigitExponentsAsTheDocsWriteThem()
    {
        // .NET's "E3" writes 1.096E+010, which matches nothing a user copies from the README or a report (1.05E+10).
        var result = Eval("--strategy", "best-of-n", "--n", "2", "--limit", "1");
        Assert.True(result.ExitCode == 0, result.StdErr);
        string number = @"\d\.\d{3}E\+\d{2}";
        Assert.Matches($@"FLOPs +{number} total \({number} verifier\), {number} per problem", result.StdOut);
        Assert.Matches($@"eFLOPs +{number} on cpu-local, {number} per problem", result.StdOut);
    }
}
