namespace TTScale.Onnx;

/// <summary>
/// The text a model reads around a problem, such as a chat model's turn markers:
/// <c>&lt;|im_start|&gt;user\n{prompt}&lt;|im_end|&gt;\n&lt;|im_start|&gt;assistant\n</c>. <c>{prompt}</c> marks where the problem
/// goes, once. A model directory's config.json may carry one (<c>prompt_template</c>); the policy's can be given on the
/// command line. <see cref="Chat"/> in either place stands for the model's own chat template rendered for one user turn
/// (<see cref="ChatTemplate.ToPromptTemplate"/>).
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

    /// <summary>The text the model reads for <paramref name="prompt"/>.</summary>
    public string Apply(string prompt) => string.Concat(Text.AsSpan(0, _at), prompt, Text.AsSpan(_at + Placeholder.Length));
}
