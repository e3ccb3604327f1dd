using System.Text.Json.Nodes;
using TTScale.Generation;
using TTScale.Onnx;
using TTScale.Tasks;

namespace TTScale.Tests.Onnx;

/// <summary>A prompt template puts the problem where {prompt} is, for the policy and the PRM, from config.json or an option.</summary>
public sealed class PromptTemplateTests : IDisposable
{
    private const string Template = "Q: {prompt}\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-template-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A copy of <paramref name="fixture"/> whose config.json has <paramref name="template"/> as prompt_template (and <paramref name="systemPrompt"/> as system_prompt).</summary>
    private string WithTemplate(string fixture, JsonNode? template, string? copy = null, string? systemPrompt = null) =>
        Fixtures.CopyWithConfig(fixture, Path.Combine(_dir, copy ?? fixture), config =>
        {
            config["prompt_template"] = template;
            if (systemPrompt is not null) config["system_prompt"] = systemPrompt;
        });

    private static async Task<string> Greedy(OnnxGenerator lm, string prompt)
    {
        using var sequence = lm.Start(prompt, seed: 1);
        return (await lm.GenerateAsync([sequence], SamplingOptions.Greedy with { MaxTokens = 24 }))[0].Text;
    }

    [Fact]
    public void TheProblemGoesWhereThePlaceholderIs()
    {
        Assert.Equal("<u>5 +8</u>\n<a>", new PromptTemplate("<u>{prompt}</u>\n<a>", "test").Apply("5 +8"));
        Assert.Equal("5 +8", new PromptTemplate("{prompt}", "test").Apply("5 +8"));
        Assert.Equal("a {prompt} b", new PromptTemplate("a {prompt}", "test").Apply("{prompt} b")); // the problem's own text is left alone
    }

    [Theory]
    [InlineData("no placeholder")]
    [InlineData("{prompt} twice {prompt}")]
    public void ATemplateNeedsThePlaceholderOnce(string text) =>
        Assert.Contains("--prompt-template", Assert.Throws<FormatException>(() => new PromptTemplate(text, "--prompt-template")).Message);

    [Fact]
    public async Task ThePolicyReadsTheTemplatedPrompt()
    {
        using var bare = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32"));
        using var fromOption = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32"),
            new GeneratorOptions { PromptTemplate = new PromptTemplate(Template, "test") });
        using var fromConfig = OnnxGenerator.Load(WithTemplate("tiny-lm-fp32", Template));
        string expected = await Greedy(bare, "Q: 5 +8\n");
        Assert.NotEqual(expected, await Greedy(bare, "5 +8"));
        Assert.Equal(expected, await Greedy(fromOption, "5 +8"));
        Assert.Equal(expected, await Greedy(fromConfig, "5 +8"));
        Assert.Equal(Template, fromConfig.PromptTemplate?.Text);
    }

    [Fact]
    public async Task TheOptionOverridesTheConfig()
    {
        using var lm = OnnxGenerator.Load(WithTemplate("tiny-lm-fp32", "ignored {prompt}"),
            new GeneratorOptions { PromptTemplate = new PromptTemplate(Template, "test") });
        using var bare = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32"));
        Assert.Equal(await Greedy(bare, "Q: 5 +8\n"), await Greedy(lm, "5 +8"));
    }

    [Fact]
    public async Task ThePrmReadsItsOwnTemplate()
    {
        using var bare = PrmVerifier.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-prm"));
        using var templated = PrmVerifier.Load(WithTemplate("tiny-prm", Template));
        string[] completions = ["5+8=13\n", "5+8=14\nA: 14\n"];
        var expected = await bare.ScoreStepsAsync(new Problem("p", "Q: 5 +8\n", "13", AnswerFormat.ArithChain), completions);
        var scores = await templated.ScoreStepsAsync(new Problem("p", "5 +8", "13", AnswerFormat.ArithChain), completions);
        Assert.Equal(expected, scores);
        Assert.NotEqual(expected, await bare.ScoreStepsAsync(new Problem("p", "5 +8", "13", AnswerFormat.ArithChain), completions));
    }

    /// <summary>A copy of <paramref name="fixture"/> whose config.json says prompt_template "chat", with a chat template that prints bos_token.</summary>
    private string WithChatTemplate(string fixture, string? systemPrompt = null)
    {
        string dir = WithTemplate(fixture, PromptTemplate.Chat, copy: $"{fixture}-chat-{systemPrompt}", systemPrompt);
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """
            {"bos_token": "<bos>", "chat_template": "{{ bos_token }}{% for m in messages %}{% if m.role == 'system' %}{{ m.content }}\n{% else %}Q: {{ m.content }}\n{% endif %}{% endfor %}"}
            """);
        return dir;
    }

    [Fact]
    public async Task ChatInConfigRunsTheModelsChatTemplateWithOneStartToken()
    {
        using var bare = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32"));
        using var chat = OnnxGenerator.Load(WithChatTemplate("tiny-lm-fp32"));
        using var withSystem = OnnxGenerator.Load(WithChatTemplate("tiny-lm-fp32", systemPrompt: "3 +4"));
        using (var expected = bare.Start("Q: 5 +8\n", seed: 1))
        using (var templated = chat.Start("5 +8", seed: 1))
            Assert.Equal(expected.Tokens, templated.Tokens); // the template's <bos> is the start token, not a second one
        Assert.Equal("<bos>Q: {prompt}\n", chat.PromptTemplate!.Text);
        Assert.Equal(await Greedy(bare, "3 +4\nQ: 5 +8\n"), await Greedy(withSystem, "5 +8"));
    }

    [Fact]
    public async Task ThePrmRunsItsChatTemplate()
    {
        using var bare = PrmVerifier.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-prm"));
        using var chat = PrmVerifier.Load(WithChatTemplate("tiny-prm"));
        string[] completions = ["5+8=13\n", "5+8=14\nA: 14\n"];
        Assert.Equal(await bare.ScoreStepsAsync(new Problem("p", "Q: 5 +8\n", "13", AnswerFormat.ArithChain), completions),
            await chat.ScoreStepsAsync(new Problem("p", "5 +8", "13", AnswerFormat.ArithChain), completions));
    }

    [Fact]
    public void ChatInConfigWithoutAChatTemplateIsNamed()
    {
        string dir = WithTemplate("tiny-lm-fp32", PromptTemplate.Chat);
        var e = Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(dir));
        Assert.Contains($"{Path.Combine(dir, "config.json")}: prompt_template is \"chat\" but {dir} has no chat template", e.Message);
    }

    [Fact]
    public void ASystemPromptWithoutChatIsNamed()
    {
        string dir = WithTemplate("tiny-lm-fp32", Template, systemPrompt: "Be exact.");
        Assert.Contains("'system_prompt' goes with \"prompt_template\": \"chat\"", Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(dir)).Message);
    }

    [Theory]
    [InlineData("\"no placeholder\"")]
    [InlineData("42")]
    public void ABadTemplateInConfigIsNamed(string json)
    {
        string dir = WithTemplate("tiny-lm-fp32", JsonNode.Parse(json));
        var e = Assert.Throws<InvalidDataException>(() => OnnxGenerator.Load(dir));
        Assert.Contains(Path.Combine(dir, "config.json"), e.Message);
        Assert.Contains("prompt_template", e.Message);
    }
}
