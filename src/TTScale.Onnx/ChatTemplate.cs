using System.Text.Json;
using TTScale.Generation;
using TTScale.Onnx.ChatTemplates;

namespace TTScale.Onnx;

/// <summary>
/// A model's Hugging Face chat template: the Jinja <c>chat_template</c> of its tokenizer_config.json, rendered as
/// transformers' <c>apply_chat_template</c> does (<c>trim_blocks</c>, <c>lstrip_blocks</c>, the special tokens as
/// <c>bos_token</c>, <c>eos_token</c>..., <c>raise_exception</c>, <c>tojson</c>). TTScale runs the subset of Jinja that
/// chat templates use; a template outside it is an error naming the file, the line and what is missing.
/// </summary>
public sealed class ChatTemplate
{
    private readonly JinjaTemplate _template;
    private readonly Dictionary<string, object?> _specialTokens;

    /// <summary>Where the template came from, for messages: tokenizer_config.json's path, or what the caller said.</summary>
    public string Source { get; }

    private ChatTemplate(string text, string source, IReadOnlyDictionary<string, string> specialTokens)
    {
        Source = source;
        _specialTokens = specialTokens.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal);
        try
        {
            _template = JinjaTemplate.Parse(text);
        }
        catch (JinjaException e)
        {
            throw Error(e);
        }
    }

    /// <summary>Parses a template.</summary>
    /// <param name="text">The Jinja text.</param>
    /// <param name="source">Where it came from, for messages.</param>
    /// <param name="specialTokens">Variables such as <c>bos_token</c> the template may print.</param>
    /// <exception cref="InvalidDataException">The template does not parse; the message names <paramref name="source"/> and the line.</exception>
    public static ChatTemplate Parse(string text, string source, IReadOnlyDictionary<string, string>? specialTokens = null) =>
        new(text, source, specialTokens ?? new Dictionary<string, string>());

    private const string ConfigFile = "tokenizer_config.json", TemplateFile = "chat_template.jinja";

    /// <summary>
    /// The chat template of the model in <paramref name="directory"/>: a <c>chat_template.jinja</c> file, else
    /// tokenizer_config.json's <c>chat_template</c> (a string, or the one named <c>default</c> of a list), as transformers
    /// looks; null where it has none.
    /// </summary>
    /// <exception cref="InvalidDataException">The file or the template is malformed; the message names it.</exception>
    public static ChatTemplate? Load(string directory)
    {
        string config = Path.Combine(directory, ConfigFile), file = Path.Combine(directory, TemplateFile);
        var root = ReadConfig(directory);
        var specialTokens = SpecialTokens(root);
        if (File.Exists(file)) return Parse(File.ReadAllText(file), file, specialTokens);
        if (ConfigTemplate(root) is not { } template) return null;
        string source = $"{config}: chat_template";
        string text = template.ValueKind switch
        {
            JsonValueKind.String => template.GetString()!,
            JsonValueKind.Array => template.EnumerateArray()
                .Where(t => t.ValueKind == JsonValueKind.Object && t.TryGetProperty("name", out var n) && n.GetString() == "default")
                .Select(t => t.OptionalString("template"))
                .FirstOrDefault() ?? throw new InvalidDataException($"{source}: a list of templates needs one named 'default'"),
            _ => throw new InvalidDataException($"{source} must be a string or a list of {{name, template}}"),
        };
        return Parse(text, source, specialTokens);
    }

    /// <summary>
    /// Whether the model in <paramref name="directory"/> ships a chat template where <see cref="Load"/> looks, without
    /// parsing the template.
    /// </summary>
    /// <exception cref="InvalidDataException">tokenizer_config.json is malformed (taken as no template, it hid both the
    /// fault and the template); the message names it.</exception>
    public static bool Ships(string directory) =>
        File.Exists(Path.Combine(directory, TemplateFile)) || ConfigTemplate(ReadConfig(directory)) is not null;

    /// <summary>tokenizer_config.json's <c>chat_template</c>; null where it is absent or null, as transformers reads it.</summary>
    private static JsonElement? ConfigTemplate(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("chat_template", out var template) && template.ValueKind != JsonValueKind.Null ? template : null;

    private static JsonElement ReadConfig(string directory)
    {
        string path = Path.Combine(directory, ConfigFile);
        return File.Exists(path) ? JsonFile.ReadObject(path) : default;
    }

    /// <summary>What is missing where <see cref="Load"/> finds no template in <paramref name="directory"/>, for messages.</summary>
    public static string Missing(string directory) => Directory.Exists(directory)
        ? $"{directory} has no chat template (no chat_template in tokenizer_config.json, no chat_template.jinja)"
        : $"{directory}: model directory not found";

    /// <summary>tokenizer_config.json's special tokens, each a string or an object with its <c>content</c>.</summary>
    private static Dictionary<string, string> SpecialTokens(JsonElement root)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.ValueKind != JsonValueKind.Object) return tokens;
        foreach (var name in new[] { "bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token" })
            if (root.TryGetProperty(name, out var v))
            {
                if (v.ValueKind == JsonValueKind.String) tokens[name] = v.GetString()!;
                else if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String) tokens[name] = c.GetString()!;
            }
        return tokens;
    }

    /// <summary>The text of a conversation, as the model reads it.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="addGenerationPrompt">Open the assistant's turn at the end, for the model to write it.</param>
    /// <exception cref="InvalidDataException">Rendering failed (the template raised an error, or used a value it lacks); the message names the source and line.</exception>
    public string Render(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt)
    {
        var variables = new Dictionary<string, object?>(_specialTokens, StringComparer.Ordinal)
        {
            ["messages"] = messages.Select(m => (object?)new Dictionary<string, object?>(StringComparer.Ordinal) { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
            ["add_generation_prompt"] = addGenerationPrompt,
            ["tools"] = null,
            ["documents"] = null,
        };
        try
        {
            return _template.Render(variables);
        }
        catch (JinjaException e)
        {
            throw Error(e);
        }
    }

    // Stands for the problem where the template prints the user's message: survives trim and tojson, and no template adds it.
    private const string Marker = "TTSCALEPROBLEM7F3A";

    /// <summary>
    /// The prompt template of one user turn (after <paramref name="systemPrompt"/>, if given) with the assistant's turn
    /// opened: what the model reads around each problem.
    /// </summary>
    /// <exception cref="InvalidDataException">Rendering failed, or the template does not put the user's message in exactly one place.</exception>
    public PromptTemplate ToPromptTemplate(string? systemPrompt = null)
    {
        string text = FirstTurn(systemPrompt, Marker);
        int at = text.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(Marker, at + 1, StringComparison.Ordinal) >= 0)
            throw new InvalidDataException($"{Source}: the template does not print the user's message exactly once, so TTScale cannot put the problem in it");
        // A {prompt} in the system text or the template is their own text: the turn is rendered, not filled in.
        return new PromptTemplate(string.Concat(text.AsSpan(0, at), PromptTemplate.Placeholder, text.AsSpan(at + Marker.Length)), at, this, systemPrompt);
    }

    /// <summary>The first user turn, <paramref name="prompt"/> after <paramref name="systemPrompt"/>, with the assistant's turn opened.</summary>
    /// <exception cref="InvalidDataException">Rendering failed.</exception>
    internal string FirstTurn(string? systemPrompt, string prompt) => Render(FirstTurnMessages(systemPrompt, prompt), addGenerationPrompt: true);

    /// <summary>
    /// The text that follows <see cref="FirstTurn"/>'s when the conversation goes on with <paramref name="turns"/>, the
    /// assistant's turn opened after them.
    /// </summary>
    /// <exception cref="InvalidDataException">Rendering failed, or the template prints the longer conversation with another
    /// beginning, so it cannot go on from a first turn already read.</exception>
    internal string Continue(string? systemPrompt, string prompt, IReadOnlyList<ChatTurn> turns)
    {
        if (turns.Count == 0) return "";
        var first = FirstTurnMessages(systemPrompt, prompt);
        string start = Render(first, addGenerationPrompt: true), whole = Render([.. first, .. turns], addGenerationPrompt: true);
        return whole.StartsWith(start, StringComparison.Ordinal) ? whole[start.Length..]
            : throw new InvalidDataException($"{Source}: the template prints a longer conversation with another beginning than its first turn, so TTScale cannot go on from the first turn");
    }

    private static List<ChatTurn> FirstTurnMessages(string? systemPrompt, string prompt) =>
        systemPrompt is null ? [new ChatTurn("user", prompt)] : [new ChatTurn("system", systemPrompt), new ChatTurn("user", prompt)];

    private InvalidDataException Error(JinjaException e) => new($"{Source}, line {e.Line}: {e.Message}", e);
}
