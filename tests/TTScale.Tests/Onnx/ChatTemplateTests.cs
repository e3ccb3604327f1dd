using TTScale.Generation;
using TTScale.Onnx;

namespace TTScale.Tests.Onnx;

/// <summary>Loading a model's chat template, turning it into a prompt template, and the errors a user sees for a bad one.</summary>
public sealed class ChatTemplateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-chat-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly ChatTurn[] OneQuestion = [new("user", "5 +8")];

    private static string Render(string template, params ChatTurn[] messages) =>
        ChatTemplate.Parse(template, "test").Render(messages.Length > 0 ? messages : OneQuestion, addGenerationPrompt: true);

    [Fact]
    public void TheQwenMathTemplateBecomesAPromptTemplate()
    {
        var chat = ChatTemplate.Parse(
            "{% if messages[0]['role'] == 'system' %}{{ '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}" +
            "{% else %}{{ '<|im_start|>system\\nPlease reason step by step.<|im_end|>\\n' }}{% endif %}" +
            "{% for message in messages if message.role != 'system' %}{{ '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}{% endfor %}" +
            "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}", "qwen");
        Assert.Equal("<|im_start|>system\nPlease reason step by step.<|im_end|>\n<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n",
            chat.ToPromptTemplate().Text);
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n5 +8<|im_end|>\n<|im_start|>assistant\n",
            chat.ToPromptTemplate("Be brief.").Apply("5 +8"));
    }

    [Fact]
    public void AConversationGoesOnFromTheFirstTurnAsTheTemplatePrintsIt()
    {
        var chat = ChatTemplate.Parse(
            "{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}<|end|>\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}", "test");
        var turn = chat.ToPromptTemplate("Be exact.");
        ChatTurn[] more = [new("assistant", "5+8=14\nA: 14\n"), new("user", "Check it.")];
        Assert.Equal(chat.Render([new("system", "Be exact."), .. OneQuestion, .. more], addGenerationPrompt: true), turn.Apply("5 +8") + turn.Continue("5 +8", more));
        Assert.Equal("", turn.Continue("5 +8", []));
        Assert.Null(new PromptTemplate("Q: {prompt}", "test").Continue("5 +8", more)); // a written template has no turns
    }

    [Fact]
    public void ATemplateThatPrintsALongerConversationWithAnotherBeginningIsNamed()
    {
        // Counts the messages up front, so the first turn's text is not the start of the conversation's.
        var turn = ChatTemplate.Parse("{{ messages | length }}{% for m in messages %}|{{ m.content }}{% endfor %}", "counting").ToPromptTemplate();
        var e = Assert.Throws<InvalidDataException>(() => turn.Continue("5 +8", [new("assistant", "13"), new("user", "Again.")]));
        Assert.Contains("counting: the template prints a longer conversation with another beginning", e.Message);
    }

    [Theory]
    [InlineData("{{ messages | frobnicate }}", "line 1: unknown filter 'frobnicate'")]
    [InlineData("{% if true %}\nno end", "the template ends before '{% endif %}'")]
    [InlineData("line one\n{% include 'x.jinja' %}", "line 2: '{% include %}' is not supported")]
    [InlineData("{{ messages[0].content.nosuch() }}", "str has no method 'nosuch'")]
    [InlineData("{{ undefined_thing.attribute }}", "'undefined_thing' is undefined")]
    [InlineData("{% for m in messages %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endfor %}", "the template raised: Only user and assistant roles are supported!")]
    [InlineData("{{ 'unclosed }}", "a string is not closed")]
    [InlineData("{{ 1 + }}", "the tag ends too early")]
    [InlineData("{% endfor %}", "unexpected '{% endfor %}'")]
    public void AFaultyTemplateIsNamedWithItsLine(string template, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => Render(template));
        Assert.StartsWith("test, line ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void TrainingOnlyTagsRenderTheirBody() =>
        Assert.Equal("<a>5 +8</a>", Render("{% for m in messages %}<a>{% generation %}{{ m.content }}{% endgeneration %}</a>{% endfor %}"));

    [Fact]
    public void MacrosTakeDefaultsAndNamedArguments() =>
        Assert.Equal("[user|5 +8|.][user|5 +8|!]",
            Render("{% macro turn(m, end='.') %}[{{ m.role }}|{{ m.content }}|{{ end }}]{% endmacro %}{{ turn(messages[0]) }}{{ turn(messages[0], end='!') }}"));

    [Fact]
    public void StrftimeNowIsLeftUndefinedSoPromptsDoNotChangeWithTheDay() =>
        Assert.Equal("26 Jul 2024", Render("{% if strftime_now is defined %}{{ strftime_now('%d %b %Y') }}{% else %}26 Jul 2024{% endif %}"));

    [Fact]
    public void ATemplateThatDropsTheUsersMessageCannotHoldAProblem()
    {
        var e = Assert.Throws<InvalidDataException>(() => ChatTemplate.Parse("{{ bos_token }}hello", "test", new Dictionary<string, string> { ["bos_token"] = "<s>" }).ToPromptTemplate());
        Assert.Contains("test: the template does not print the user's message exactly once", e.Message);
    }

    [Fact]
    public void TheTemplateIsFoundInTokenizerConfigOrBesideIt()
    {
        Assert.Null(ChatTemplate.Load(_dir));
        string config = Path.Combine(_dir, "tokenizer_config.json");
        File.WriteAllText(config, """{"bos_token": {"content": "<s>"}, "chat_template": [{"name": "tool_use", "template": "tools"}, {"name": "default", "template": "{{ bos_token }}{{ messages[0].content }}"}]}""");
        Assert.Equal("<s>5 +8", ChatTemplate.Load(_dir)!.Render(OneQuestion, true));
        Assert.Equal($"{config}: chat_template", ChatTemplate.Load(_dir)!.Source);
        File.WriteAllText(Path.Combine(_dir, "chat_template.jinja"), "{{ bos_token }}[{{ messages[0].content }}]\n");
        Assert.Equal("<s>[5 +8]", ChatTemplate.Load(_dir)!.Render(OneQuestion, true)); // as transformers: the file wins, its last newline dropped
    }

    [Fact]
    public void ANullChatTemplateIsNone()
    {
        // transformers reads "chat_template": null as no template.
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), """{"bos_token": "<s>", "chat_template": null}""");
        Assert.Null(ChatTemplate.Load(_dir));
        Assert.False(ChatTemplate.Ships(_dir));
    }

    [Fact]
    public void APlaceholderInTheSystemPromptIsItsOwnText()
    {
        var turn = ChatTemplate.Parse("{% for m in messages %}{{ m.role[0] | upper }}: {{ m.content }}\n{% endfor %}A:", "test").ToPromptTemplate("Write {prompt} as a sum.");
        Assert.Equal("S: Write {prompt} as a sum.\nU: 5 +8\nA:", turn.Apply("5 +8"));
    }

    [Theory]
    [InlineData("""{"chat_template": 42}""", "must be a string or a list")]
    [InlineData("""{"chat_template": [{"name": "tool_use", "template": "x"}]}""", "needs one named 'default'")]
    [InlineData("""{"chat_template": "{% if %}"}""", "line 1")]
    public void ABadTemplateInTokenizerConfigIsNamed(string json, string message)
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), json);
        var e = Assert.Throws<InvalidDataException>(() => ChatTemplate.Load(_dir));
        Assert.Contains(Path.Combine(_dir, "tokenizer_config.json"), e.Message);
        Assert.Contains(message, e.Message);
    }
}
