using System.Text.Json;
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
        Assert.Equal(chat.Render([new ChatTurn("user", Problem)], addGenerationPrompt: true), chat.ToPromptTemplate().Apply(Problem));
    }
}
