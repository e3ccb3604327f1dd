using System.Text.Json;
using TTScale.Allocation;
using TTScale.Randomness;

namespace TTScale.Tests.Allocation;

public class PolicyBuilderTests
{
    private static readonly Dictionary<string, object?> Weighted = new() { ["select"] = "weighted" };
    private static readonly Dictionary<string, object?> Beam = new() { ["width"] = 4 };

    /// <summary>
    /// 5 bins of 60 problems, budget levels 4 and 16. Best-of-n is truly better on easy bins (0-1) and beam search on
    /// hard ones (3-4), by 0.15 at every level; outcomes are Bernoulli draws from a seed.
    /// </summary>
    private static List<SweepOutcome> Sweep(long seed)
    {
        var random = SplitMix64.ForStream(seed, 0);
        var rows = new List<SweepOutcome>();
        for (int bin = 0; bin < 5; bin++)
            for (int p = 0; p < 60; p++)
                foreach (double level in new[] { 4.0, 16.0 })
                {
                    double base_ = 0.9 - 0.18 * bin + (level == 16 ? 0.05 : 0);
                    double bestOfN = bin <= 1 ? base_ : bin >= 3 ? base_ - 0.15 : base_;
                    double beam = bin >= 3 ? base_ : bin <= 1 ? base_ - 0.15 : base_ - 0.01;
                    string id = $"p{bin}-{p}";
                    rows.Add(new SweepOutcome(id, bin, "best-of-n", Weighted, level, level * 100, random.NextDouble() < Math.Clamp(bestOfN, 0.02, 0.98) ? 1 : 0));
                    rows.Add(new SweepOutcome(id, bin, "beam", Beam, level, level * 110, random.NextDouble() < Math.Clamp(beam, 0.02, 0.98) ? 1 : 0));
                }
        return rows;
    }

    [Fact]
    public void CrossValidationPicksTheTrulyBetterOptionPerBin()
    {
        var policy = PolicyBuilder.Build(Sweep(1), new PolicyBuildOptions(CostUnit.Tokens, Folds: 2, Seed: 7));
        // Easy bins: best-of-n is cheaper and better, so it is the pick at every cost cap: one point per level.
        foreach (int bin in new[] { 0, 1 }) Assert.All(policy.Bins[bin].Curve, p => Assert.Equal("best-of-n", p.Strategy));
        Assert.Equal([4.0, 16.0], policy.Bins[0].Curve.Select(p => p.BudgetLevel));
        Assert.Equal(400, policy.Bins[0].Curve[0].Cost);
        // Hard bins: beam is the level's pick; the cheaper best-of-n stays on the menu as the pick under its cost.
        foreach (int bin in new[] { 3, 4 })
        {
            Assert.Equal([(4.0, "best-of-n"), (4.0, "beam"), (16.0, "best-of-n"), (16.0, "beam")], policy.Bins[bin].Curve.Select(p => (p.BudgetLevel, p.Strategy)));
            Assert.True(policy.Bins[bin].Curve[0].Cost < policy.Bins[bin].Curve[1].Cost);
        }
        Assert.Equal(4, policy.Bins[4].Curve[1].Parameters["width"].GetInt32());
        Assert.Equal(300, policy.Build!.Problems);
    }

    [Fact]
    public void TheFoldsRecordedAreTheFoldsUsed()
    {
        // 60 problems a bin: 1000 folds asked for are 60 used (each problem held out once), and the record says 60.
        var policy = PolicyBuilder.Build(Sweep(1), new PolicyBuildOptions(CostUnit.Tokens, Folds: 1000, Seed: 7));
        Assert.Equal(60, policy.Build!.Folds);
        Assert.Equal(5, PolicyBuilder.Build(Sweep(1), new PolicyBuildOptions(CostUnit.Tokens, Folds: 5, Seed: 7)).Build!.Folds);
    }

    [Fact]
    public void PolicyJsonRoundTrips()
    {
        var random = new SplitMix64(3);
        var samples = Enumerable.Range(0, 100).Select(i => new DifficultySample(TestPolicies.Features(i % 5, ref random, 0.2), i % 5)).ToList();
        var options = new PolicyBuildOptions(CostUnit.Eflops, Seed: 5)
        {
            DifficultyModel = DifficultyModel.Train(samples, new DifficultyTrainingOptions(Iterations: 100)),
            CurveFits = new Dictionary<int, JsonElement> { [2] = JsonSerializer.SerializeToElement(new { model = "ttspm", f_max = 0.8, p = 0.2 }) },
            Saturation = new Dictionary<int, double> { [4] = 1000 },
        };
        var policy = PolicyBuilder.Build(Sweep(2), options);
        string json = policy.ToJson();
        Assert.Contains("\"cost_unit\": \"eflops\"", json);
        Assert.Contains("\"cv_accuracy\"", json);
        Assert.Contains("\"difficulty_model\"", json);
        Assert.DoesNotContain("scores_probe", json); // derived from probe_scored, which a policy without it reads as scored
        Assert.True(policy.ScoresProbe);
        Assert.False((policy with { ProbeScored = false }).ScoresProbe);

        string path = Path.Combine(Path.GetTempPath(), $"policy-{Guid.NewGuid():N}.json");
        try
        {
            policy.Save(path);
            var loaded = Policy.Load(path);
            Assert.Equal(json, loaded.ToJson());
            Assert.Equal(0.8, loaded.Bins[2].CurveFit!.Value.GetProperty("f_max").GetDouble());
            Assert.Equal(1000, loaded.Bins[4].Saturation);
            var a = new BudgetAllocator(policy, 1e-4);
            var b = BudgetAllocator.Load(path).WithPrice(1e-4);
            for (int bin = 0; bin < 5; bin++)
            {
                var features = DifficultySignal.FromFeatures(TestPolicies.Features(bin, ref random, 0.2));
                Assert.Equal(a.Decide(features).ToString(), b.Decide(features).ToString());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("cost_unit", "cost_unit is missing")] // not read as the unit numbered 0 (samples)
    [InlineData("bins.0.saturation", "bins[0].saturation is missing")]
    [InlineData("bins.1.curve.0.cost", "bins[1].curve[0].cost is missing")]
    [InlineData("build.folds", "build.folds is missing")]
    [InlineData("difficulty_model.means", "difficulty_model.means is missing")]
    public void AMissingMemberIsNamedWithTheFile(string member, string fault)
    {
        var random = new SplitMix64(3);
        var samples = Enumerable.Range(0, 100).Select(i => new DifficultySample(TestPolicies.Features(i % 5, ref random, 0.2), i % 5)).ToList();
        var json = System.Text.Json.Nodes.JsonNode.Parse(PolicyBuilder.Build(Sweep(2), new PolicyBuildOptions(CostUnit.Flops)
        {
            DifficultyModel = DifficultyModel.Train(samples, new DifficultyTrainingOptions(Iterations: 10)),
        }).ToJson())!;
        string[] path = member.Split('.');
        var parent = path[..^1].Aggregate(json, (node, key) => int.TryParse(key, out int i) ? node[i]! : node[key]!);
        parent.AsObject().Remove(path[^1]);
        Assert.Equal($"p.json: not a valid policy ({fault})", Assert.Throws<InvalidDataException>(() => Policy.FromJson(json.ToJsonString(), "p.json")).Message);
    }

    [Fact]
    public void ADifficultyModelOfTheWrongShapeIsNamedWithoutTheParameterSuffix()
    {
        var random = new SplitMix64(3);
        var samples = Enumerable.Range(0, 100).Select(i => new DifficultySample(TestPolicies.Features(i % 5, ref random, 0.2), i % 5)).ToList();
        var json = System.Text.Json.Nodes.JsonNode.Parse(PolicyBuilder.Build(Sweep(2), new PolicyBuildOptions(CostUnit.Flops)
        {
            DifficultyModel = DifficultyModel.Train(samples, new DifficultyTrainingOptions(Iterations: 10)),
        }).ToJson())!;
        json["difficulty_model"]!["means"]!.AsArray().RemoveAt(0);
        Assert.Equal($"p.json: difficulty_model: means and scales need {DifficultyFeatures.Count} entries",
            Assert.Throws<InvalidDataException>(() => Policy.FromJson(json.ToJsonString(), "p.json")).Message);
    }

    [Fact]
    public void SameSeedSamePolicy()
    {
        var sweep = Sweep(4);
        Assert.Equal(PolicyBuilder.Build(sweep, new PolicyBuildOptions(CostUnit.Samples, Seed: 9)).ToJson(),
            PolicyBuilder.Build(sweep, new PolicyBuildOptions(CostUnit.Samples, Seed: 9)).ToJson());
    }

    [Fact]
    public void ThePolicyDoesNotDependOnTheOrderOfTheRows()
    {
        // A sweep's records are written as problems finish, so two runs of one sweep list them in different orders.
        var sweep = Sweep(6);
        var reordered = sweep.GroupBy(r => r.ProblemId).Reverse().SelectMany(g => g).ToList();
        Assert.Equal(PolicyBuilder.Build(sweep, new PolicyBuildOptions(CostUnit.Samples, Seed: 3)).ToJson(),
            PolicyBuilder.Build(reordered, new PolicyBuildOptions(CostUnit.Samples, Seed: 3)).ToJson());
    }

    [Fact]
    public void AnOptionWithoutHeldOutProblemsGetsNoInSampleAccuracy()
    {
        // Beam at 16 was run on one problem only (an interrupted run): no fold holds it out, so it has no held-out accuracy.
        var rows = Enumerable.Range(0, 6).Select(p => new SweepOutcome($"q{p}", 0, "best-of-n", Weighted, 4, 4, p % 2)).ToList();
        rows.Add(new SweepOutcome("q0", 0, "beam", Beam, 16, 16, 1));
        var policy = PolicyBuilder.Build(rows, new PolicyBuildOptions(CostUnit.Samples, Bins: 1, Folds: 2));
        Assert.DoesNotContain(policy.Bins[0].Curve, p => p.Strategy == "beam");
    }

    [Fact]
    public void DefaultSaturationIsTheCheapestPointNearTheBest()
    {
        var rows = new List<SweepOutcome>();
        for (int p = 0; p < 10; p++)
            foreach (var (level, correct) in new[] { (1.0, 0.5), (2.0, 0.8), (4.0, 0.801), (8.0, 0.802) })
                rows.Add(new SweepOutcome($"q{p}", 0, "best-of-n", Weighted, level, level, correct));
        var policy = PolicyBuilder.Build(rows, new PolicyBuildOptions(CostUnit.Samples, Bins: 1, SaturationTolerance: 0.005));
        Assert.Equal(2, policy.Bins[0].Saturation);
        Assert.Equal(2, new BudgetAllocator(policy).Decide(DifficultySignal.FromBin(0)).Cost);
    }

    [Fact]
    public void InvalidPoliciesAreRejectedWithTheirFault()
    {
        string json = PolicyBuilder.Build(Sweep(5), new PolicyBuildOptions(CostUnit.Samples)).ToJson().Replace("\"bin_count\": 5", "\"bin_count\": 4");
        Assert.Contains("bin_count", Assert.Throws<InvalidDataException>(() => Policy.FromJson(json)).Message);
        Assert.Contains("--folds", Assert.Throws<ArgumentException>(() => PolicyBuilder.Build(Sweep(5), new PolicyBuildOptions(CostUnit.Samples, Folds: 1))).Message);
        Assert.Contains("--cost-unit", Assert.Throws<ArgumentException>(() => CostUnits.Parse("joules")).Message);
        string noParameters = """{"schema_version":1,"cost_unit":"samples","bin_count":1,"bins":[{"bin":0,"saturation":4,"curve":[{"budget_level":1,"strategy":"best-of-n","cost":1,"accuracy":0.5,"cv_accuracy":0.5,"problems":3}]}]}""";
        Assert.Contains("bins[0].curve[0].parameters is missing", Assert.Throws<InvalidDataException>(() => Policy.FromJson(noParameters, "p.json")).Message);
        string nullBin = """{"schema_version":1,"cost_unit":"samples","bin_count":1,"bins":[null]}""";
        Assert.Contains("bins[0] is null", Assert.Throws<InvalidDataException>(() => Policy.FromJson(nullBin, "p.json")).Message);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"features":[],"means":[0,0,0,0,0,0],"scales":[1,1,1,1,1,1],"weights":[null,null],"biases":[0,0]}""")]
    public void ADifficultyModelWithPartsMissingIsRejectedNamingIt(string model)
    {
        string json = $$"""{"schema_version":1,"cost_unit":"samples","bin_count":1,"bins":[{"bin":0,"saturation":4,"curve":[{"budget_level":1,"strategy":"best-of-n","parameters":{},"cost":1,"accuracy":0.5,"cv_accuracy":0.5,"problems":3}]}],"difficulty_model":{{model}}}""";
        Assert.Matches("^p\\.json: .*difficulty_model", Assert.Throws<InvalidDataException>(() => Policy.FromJson(json, "p.json")).Message);
    }

    [Fact]
    public void ADifficultyModelOverOtherFeaturesIsRejected()
    {
        // Weights are read by position, so features in another order (another version's model) would predict silently wrong.
        var random = new SplitMix64(1);
        var samples = Enumerable.Range(0, 50).Select(i => new DifficultySample(TestPolicies.Features(i % 5, ref random, 0.2), i % 5)).ToList();
        var policy = PolicyBuilder.Build(Sweep(5), new PolicyBuildOptions(CostUnit.Samples) { DifficultyModel = DifficultyModel.Train(samples, new DifficultyTrainingOptions(Iterations: 10)) });
        var json = System.Text.Json.Nodes.JsonNode.Parse(policy.ToJson())!;
        json["difficulty_model"]!["features"] = new System.Text.Json.Nodes.JsonArray([.. DifficultyFeatures.Names.Reverse().Select(n => System.Text.Json.Nodes.JsonValue.Create(n))]);
        var error = Assert.Throws<InvalidDataException>(() => Policy.FromJson(json.ToJsonString(), "p.json"));
        Assert.Contains("p.json: difficulty_model: features must be [agreement, ", error.Message);
        Assert.Equal(policy.ToJson(), Policy.FromJson(policy.ToJson()).ToJson());
    }

    [Fact]
    public void ADifficultyModelBuiltBeforePromptTokensLoadsAndIgnoresThem()
    {
        var random = new SplitMix64(2);
        var samples = Enumerable.Range(0, 100).Select(i => new DifficultySample(TestPolicies.Features(i % 5, ref random, 0.2), i % 5)).ToList();
        var policy = PolicyBuilder.Build(Sweep(5), new PolicyBuildOptions(CostUnit.Samples) { DifficultyModel = DifficultyModel.Train(samples) });
        // policy.json as an earlier version wrote it: six features, prompt_tokens not among them.
        var json = System.Text.Json.Nodes.JsonNode.Parse(policy.ToJson())!;
        var model = json["difficulty_model"]!;
        foreach (string list in new[] { "features", "means", "scales" }) model[list]!.AsArray().RemoveAt(DifficultyFeatures.Count - 1);
        foreach (var row in model["weights"]!.AsArray()) row!.AsArray().RemoveAt(DifficultyFeatures.Count - 1);
        var old = DifficultyModel.FromData(Policy.FromJson(json.ToJsonString(), "old.json").DifficultyModel!);

        var data = policy.DifficultyModel!;
        var unweighted = DifficultyModel.FromData(data with { Weights = [.. data.Weights.Select(w => (IReadOnlyList<double>)[.. w.SkipLast(1), 0])] });
        Span<double> a = stackalloc double[5], b = stackalloc double[5];
        foreach (var sample in samples)
        {
            var longer = sample.Features with { PromptTokens = sample.Features.PromptTokens * 3 };
            Assert.Equal(old.Predict(sample.Features, a), old.Predict(longer, b));
            Assert.Equal(a.ToArray(), b.ToArray());
            Assert.Equal(unweighted.Predict(sample.Features), old.Predict(sample.Features));
        }
    }

    [Fact]
    public void ANegativeSaturationToleranceIsRejectedAtLoad()
    {
        // Loaded, it crashed the batch allocation of any prompt with bin probabilities (IndexOutOfRangeException), after every probe had run.
        string json = PolicyBuilder.Build(Sweep(5), new PolicyBuildOptions(CostUnit.Samples)).ToJson();
        Assert.Contains("\"saturation_tolerance\": 0.005", json);
        var error = Assert.Throws<InvalidDataException>(() => Policy.FromJson(json.Replace("\"saturation_tolerance\": 0.005", "\"saturation_tolerance\": -0.5"), "p.json"));
        Assert.Contains("p.json: build.saturation_tolerance", error.Message);
    }

    [Theory]
    [InlineData("7")]
    [InlineData("2")]
    public void ACostUnitGivenAsANumberIsRejected(string unit)
    {
        string json = PolicyBuilder.Build(Sweep(5), new PolicyBuildOptions(CostUnit.Samples)).ToJson();
        Assert.Contains("\"cost_unit\": \"samples\"", json);
        var error = Assert.Throws<InvalidDataException>(() => Policy.FromJson(json.Replace("\"cost_unit\": \"samples\"", $"\"cost_unit\": {unit}"), "p.json"));
        Assert.Contains("p.json", error.Message);
        Assert.Contains("cost_unit", error.Message);
    }
}
