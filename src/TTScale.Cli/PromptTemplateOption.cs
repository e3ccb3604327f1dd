using System.CommandLine;
using System.Text.Json;
using TTScale.Onnx;

namespace TTScale.Cli;

/// <summary>
/// <c>--prompt-template</c>: the text the policy reads around each problem, overriding its config.json
/// <c>prompt_template</c>; and a note where a model ships a Jinja <c>chat_template</c> that nothing replaces.
/// </summary>
internal static class PromptTemplateOption
{
    public static Option<string?> Create() => new("--prompt-template")
    {
        Description = $"The text the policy reads around each problem, with {PromptTemplate.Placeholder} where the problem goes " +
            "(\\n is a newline), or a file holding one; overrides the model's config.json prompt_template. " +
            "Chat models need their turn markers here: TTScale does not run Jinja chat templates.",
    };

    /// <summary>The template the option gives; null where it is not given.</summary>
    public static PromptTemplate? Read(string? value)
    {
        if (value is null) return null;
        // A path holds no placeholder, so a value without one names a file (System.CommandLine keeps @FILE for response files).
        string text = value.Replace("\\n", "\n", StringComparison.Ordinal);
        if (!value.Contains(PromptTemplate.Placeholder, StringComparison.Ordinal))
        {
            if (!File.Exists(value)) throw new CliException($"--prompt-template {value}: neither a template (it has no {PromptTemplate.Placeholder}) nor a file");
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
    /// Warns on stderr where a model directory's tokenizer_config.json has a <c>chat_template</c> but the model runs
    /// without a prompt template: an instruct model (or a PRM trained on chat turns) fed bare problems does far worse.
    /// </summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="template">The template it runs with; null: none.</param>
    /// <param name="fix">How to give it one, for the message.</param>
    public static void WarnIfChatModelRunsBare(string directory, PromptTemplate? template, string fix)
    {
        if (template is not null) return;
        string path = Path.Combine(directory, "tokenizer_config.json");
        if (!File.Exists(path)) return;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("chat_template", out _)) return;
        }
        catch (JsonException)
        {
            return; // the tokenizer loader reports a broken file; this is only a hint
        }
        Console.Error.WriteLine($"note: {path} has a chat_template, which TTScale does not run (Jinja); problems go to the model bare. " +
            $"Give {fix} the text of one user turn, with {PromptTemplate.Placeholder} where the problem goes");
    }

    /// <summary><see cref="WarnIfChatModelRunsBare(string, PromptTemplate?, string)"/> for the policy.</summary>
    public static void WarnIfChatModelRunsBare(OnnxGenerator policy) =>
        WarnIfChatModelRunsBare(policy.Directory, policy.PromptTemplate, "--prompt-template (or config.json prompt_template)");
}
