using System.Text.Json;
using TTScale.Generation;
using TTScale.Onnx;

namespace TTScale.Tests.Onnx;

/// <summary>
/// Real chat templates (and one that uses every construct TTScale runs) rendered over a handful of conversations give
/// exactly what Jinja gives in transformers' environment: models/fixtures/chat-templates/golden.json, written by
/// models/train/chat_template_fixtures.py.
/// </summary>
public sealed class ChatTemplateGoldenTests
{
    private static readonly JsonElement Golden = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("chat-templates", "golden.json"))).RootElement;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var template in Golden.EnumerateObject())
            foreach (var conversation in template.Value.EnumerateArray())
                data.Add(template.Name, conversation.GetProperty("title").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RendersAsJinjaDoes(string template, string conversation)
    {
        var golden = Golden.GetProperty(template).EnumerateArray().Single(c => c.GetProperty("title").GetString() == conversation);
        var chat = ChatTemplate.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "chat-templates", template))!;
        var messages = golden.GetProperty("messages").EnumerateArray()
            .Select(m => new ChatTurn(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();
        bool generationPrompt = golden.GetProperty("add_generation_prompt").GetBoolean();
        if (golden.TryGetProperty("error", out var error))
        {
            var e = Assert.Throws<InvalidDataException>(() => chat.Render(messages, generationPrompt));
            Assert.Contains(error.GetString()!, e.Message);
        }
        else Assert.Equal(golden.GetProperty("text").GetString(), chat.Render(messages, generationPrompt));
    }

    /// <summary>The models' templates (features/ prints the user's words more than once, on purpose).</summary>
    public static TheoryData<string> Templates() => [.. Golden.EnumerateObject().Select(t => t.Name).Where(name => name != "features")];

    [Theory]
    [MemberData(nameof(Templates))]
    public void ThePromptTemplateOfOneUserTurnIsTheRenderedTurn(string template)
    {
        var chat = ChatTemplate.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "chat-templates", template))!;
        const string Problem = "What is 47+28*3? Put the answer in \\boxed{}.";
        var turn = chat.ToPromptTemplate();
        Assert.Equal(chat.Render([new ChatTurn("user", Problem)], addGenerationPrompt: true), turn.Apply(Problem));
        Assert.Equal(turn.Apply(Problem), turn.Text.Replace(PromptTemplate.Placeholder, Problem, StringComparison.Ordinal)); // the text shown and recorded
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void TheSecondRoundGoesOnFromTheFirstTurnAsJinjaPrintsIt(string template)
    {
        // A revision of a chat model: the first turn as the prompt template prints it, then the next turns' text.
        var golden = Golden.GetProperty(template).EnumerateArray().Single(c => c.GetProperty("title").GetString() == "two rounds");
        var messages = golden.GetProperty("messages").EnumerateArray()
            .Select(m => new ChatTurn(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m.Role));
        var turn = ChatTemplate.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "chat-templates", template))!.ToPromptTemplate();
        Assert.Equal(golden.GetProperty("text").GetString(), turn.Apply(messages[0].Content) + turn.Continue(messages[0].Content, messages[1..]));
    }

    [Theory]
    [InlineData("llama-3.1-instruct")]
    [InlineData("gemma-it")]
    public void ATemplateThatTrimsTheUsersMessageTrimsTheProblem(string template)
    {
        // An ArithChain prompt ends with a newline; these templates print the message trimmed, and so must TTScale.
        var chat = ChatTemplate.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "chat-templates", template))!;
        const string Problem = "Q: 47 +28 -13 x3\n";
        Assert.Equal(chat.Render([new ChatTurn("user", Problem.Trim())], addGenerationPrompt: true), chat.ToPromptTemplate().Apply(Problem));
    }
}
