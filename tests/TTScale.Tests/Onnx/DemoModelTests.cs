using System.Text.Json;
using TTScale.Generation;
using TTScale.Onnx;
using TTScale.Tasks;

namespace TTScale.Tests.Onnx;

/// <summary>The shipped demo models load, describe themselves, stay small, and the policy actually solves easy problems.</summary>
public class DemoModelTests
{
    private static string Demo(string name) => Path.Combine(Fixtures.ModelsDirectory, name);

    [Theory]
    [InlineData("arith-lm")]
    [InlineData("arith-prm")]
    public void ShipsOnnxConfigTokenizerAndModelCard(string name)
    {
        foreach (var file in new[] { "model.onnx", "config.json", "vocab.json", "MODEL_CARD.md" })
            Assert.True(File.Exists(Path.Combine(Demo(name), file)), $"models/{name}/{file} is missing");
        Assert.True(new FileInfo(Path.Combine(Demo(name), "model.onnx")).Length <= 16 * 1024 * 1024, "demo ONNX files must stay within 16 MB");
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(Demo(name), "config.json"))).RootElement;
        Assert.True(config.GetProperty("num_kv_heads").GetInt32() < config.GetProperty("num_heads").GetInt32());
        Assert.True(config.GetProperty("context_length").GetInt32() >= 512);
        Assert.True(config.GetProperty("parameters").GetInt64() <= 4_000_000);
        Assert.Contains("## Targets", File.ReadAllText(Path.Combine(Demo(name), "MODEL_CARD.md")));
    }

    [Fact]
    public async Task ThePolicySolvesEasyProblemsGreedily()
    {
        using var lm = OnnxGenerator.Load(Demo("arith-lm"));
        var problems = ArithChainGenerator.Generate(seed: 42, count: 20, levels: [1]).ToList();
        var sequences = problems.Select((p, i) => lm.Start(p.Prompt, i)).ToList();
        var completions = await lm.GenerateAsync(sequences, SamplingOptions.Greedy with { MaxTokens = 160 });
        int solved = problems.Zip(completions).Count(x => ArithStepChecker.IsFullyCorrect(x.First, x.Second.Text));
        Assert.True(solved >= 14, $"greedy solved {solved} of 20 level-1 problems");
        sequences.ForEach(s => s.Dispose());
    }
}
