using System.CommandLine;
using TTScale.Onnx;

namespace TTScale.Cli;

/// <summary>
/// <c>--prompt-template</c>: the text the policy reads around each problem, overriding its config.json
/// <c>prompt_template</c> (<c>chat</c>: the model's own chat template, after <c>--system-prompt</c>); and a note where a
/// model ships a chat template that nothing applies.
/// </summary>
internal static class PromptTemplateOption
{
    public static Option<string?> Create() => new("--prompt-template")
    {
        Description = $"The text the policy reads around each problem, with {PromptTemplate.Placeholder} where the problem goes " +
            $"(\\n is a newline), or a file holding one, or '{PromptTemplate.Chat}': the model's chat template (tokenizer_config.json) " +
            "with the problem as the user's message; overrides the model's config.json prompt_template.",
    };

    public static Option<string?> CreateSystemPrompt() => new("--system-prompt")
    {
        Description = $"With --prompt-template {PromptTemplate.Chat}, or a model whose config.json prompt_template is '{PromptTemplate.Chat}': " +
            "the system message before each problem (\\n is a newline), in place of config.json's system_prompt; without it the chat template's own default, if any.",
    };

    /// <summary>The template the options give for the model in <paramref name="modelDirectory"/>; null where none is given.</summary>
    public static PromptTemplate? Read(string? value, string? systemPrompt, string modelDirectory)
    {
        systemPrompt = systemPrompt?.Replace("\\n", "\n", StringComparison.Ordinal);
        // A model whose config.json runs its chat template takes the system prompt into it, as --prompt-template chat would.
        if (value == PromptTemplate.Chat || value is null && systemPrompt is not null && ModelConfig.RunsChatTemplate(modelDirectory))
        {
            var chat = ChatTemplate.Load(modelDirectory)
                ?? throw new CliException($"{(value is null ? "--system-prompt" : $"--prompt-template {PromptTemplate.Chat}")}: {ChatTemplate.Missing(modelDirectory)}");
            return chat.ToPromptTemplate(systemPrompt);
        }
        if (systemPrompt is not null)
            throw new CliException($"--system-prompt goes with --prompt-template {PromptTemplate.Chat} (or a model whose config.json prompt_template is \"{PromptTemplate.Chat}\"); a written template holds its own system text");
        if (value is null) return null;
        // A path holds no placeholder, so a value without one names a file (System.CommandLine keeps @FILE for response files).
        string text = value.Replace("\\n", "\n", StringComparison.Ordinal);
        if (!value.Contains(PromptTemplate.Placeholder, StringComparison.Ordinal))
        {
            if (!File.Exists(value)) throw new CliException($"--prompt-template {value}: neither a template (it has no {PromptTemplate.Placeholder}), nor '{PromptTemplate.Chat}', nor a file");
            text = File.ReadAllText(value);
        }
        try
        {
            return new PromptTemplate(text, $"--prompt-template {value}");
        }
        catch (FormatException e)
        {
            throw new CliException(e.Message);
        }
    }

    /// <summary>
    /// Notes on stderr where a model directory has a chat template but the model runs without a prompt template: an
    /// instruct model (or a PRM trained on chat turns) fed bare problems does far worse.
    /// </summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="template">The template it runs with; null: none.</param>
    /// <param name="fix">How to apply the chat template, for the message.</param>
    public static void WarnIfChatModelRunsBare(string directory, PromptTemplate? template, string fix)
    {
        if (template is not null || !ChatTemplate.Ships(directory)) return;
        Console.Error.WriteLine($"note: {directory} has a chat template, but problems go to the model bare; {fix} to apply it");
    }

    /// <summary><see cref="WarnIfChatModelRunsBare(string, PromptTemplate?, string)"/> for the policy.</summary>
    public static void WarnIfChatModelRunsBare(OnnxGenerator policy) =>
        WarnIfChatModelRunsBare(policy.Directory, policy.PromptTemplate, $"pass --prompt-template {PromptTemplate.Chat}");
}
