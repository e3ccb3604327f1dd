using TTScale.Cli;

namespace TTScale.Tests.Cli;

/// <summary>--prompt-template and --system-prompt against a model directory's config.json and chat template.</summary>
public sealed class PromptTemplateOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-prompt-option-").FullName;

    public PromptTemplateOptionTests() => File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"),
        """{"chat_template": "{% for m in messages %}{{ m.role[0] | upper }}: {{ m.content }}\n{% endfor %}A:"}""");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ASystemPromptGoesIntoTheChatTemplateAModelsConfigRuns()
    {
        File.WriteAllText(Path.Combine(_dir, "config.json"), """{"prompt_template": "chat", "system_prompt": "Be brief."}""");
        Assert.Equal("S: Be exact.\nU: 5 +8\nA:", PromptTemplateOption.Read(null, "Be exact.", _dir)!.Apply("5 +8"));
        Assert.Null(PromptTemplateOption.Read(null, null, _dir)); // the model's own, config.json's system_prompt and all
    }

    [Fact]
    public void ChatWithANullChatTemplateSaysThereIsNone()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), """{"chat_template": null}""");
        var e = Assert.Throws<CliException>(() => PromptTemplateOption.Read("chat", null, _dir));
        Assert.Contains($"--prompt-template chat: {_dir} has no chat template", e.Message);
    }
}
