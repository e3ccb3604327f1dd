using TTScale.Generation;

namespace TTScale.Onnx;

/// <summary>
/// The text a model reads around a problem, such as a chat model's turn markers:
/// <c>&lt;|im_start|&gt;user\n{prompt}&lt;|im_end|&gt;\n&lt;|im_start|&gt;assistant\n</c>. <c>{prompt}</c> marks where the problem
/// goes, once. A model directory's config.json may carry one (<c>prompt_template</c>); the policy's can be given on the
/// command line. <see cref="Chat"/> in either place stands for the model's own chat template rendered for one user turn
/// (<see cref="ChatTemplate.ToPromptTemplate"/>), which can also go on past that turn (<see cref="Continue"/>).
/// </summary>
public sealed record PromptTemplate
{
    /// <summary>Where the problem goes.</summary>
    public const string Placeholder = "{prompt}";

    /// <summary>What config.json and <c>--prompt-template</c> say for the model's chat template.</summary>
    public const string Chat = "chat";

    /// <summary>The template as written.</summary>
    public string Text { get; }

    private readonly int _at;
    private readonly ChatTemplate? _chat;
    private readonly string? _systemPrompt;

    /// <param name="text">The template.</param>
    /// <param name="source">Where it came from, for the message: a file and field, or an option.</param>
    /// <exception cref="FormatException"><paramref name="text"/> does not hold <see cref="Placeholder"/> exactly once; the message names <paramref name="source"/>.</exception>
    public PromptTemplate(string text, string source)
    {
        _at = text.IndexOf(Placeholder, StringComparison.Ordinal);
        if (_at < 0 || text.IndexOf(Placeholder, _at + 1, StringComparison.Ordinal) >= 0)
            throw new FormatException($"{source}: a prompt template must hold {Placeholder} exactly once, where the problem goes");
        Text = text;
    }

    /// <summary>
    /// One user turn of <paramref name="chat"/>, after <paramref name="systemPrompt"/>, rendered as <paramref name="text"/>
    /// with the problem's place at <paramref name="at"/>; any other {prompt} in it is the turn's own text.
    /// </summary>
    internal PromptTemplate(string text, int at, ChatTemplate chat, string? systemPrompt)
    {
        Text = text;
        _at = at;
        _chat = chat;
        _systemPrompt = systemPrompt;
    }

    /// <summary>
    /// The text the model reads for <paramref name="prompt"/>. A chat template's turn is rendered with the prompt in it,
    /// so a template that trims or escapes the user's message does so here too.
    /// </summary>
    /// <exception cref="InvalidDataException">The chat template failed to render.</exception>
    public string Apply(string prompt) => _chat is not null ? _chat.FirstTurn(_systemPrompt, prompt)
        : string.Concat(Text.AsSpan(0, _at), prompt, Text.AsSpan(_at + Placeholder.Length));

    /// <summary>
    /// For a chat template's first turn: the text that follows <see cref="Apply"/>'s for <paramref name="prompt"/> when the
    /// conversation goes on with <paramref name="turns"/>, the assistant's turn opened after them. Null for a written
    /// template: it has no turns.
    /// </summary>
    /// <exception cref="InvalidDataException">The chat template cannot go on from its first turn (<see cref="ChatTemplate.Continue"/>).</exception>
    public string? Continue(string prompt, IReadOnlyList<ChatTurn> turns) => _chat?.Continue(_systemPrompt, prompt, turns);
}
