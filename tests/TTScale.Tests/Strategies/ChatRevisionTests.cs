using TTScale.Generation;
using TTScale.Onnx;
using TTScale.Strategies;
using TTScale.Tasks;
using TTScale.Tests.Onnx;

namespace TTScale.Tests.Strategies;

/// <summary>Revisions on a chat model: each attempt is the model's own turn, answered by a user turn asking for the next.</summary>
public sealed class ChatRevisionTests : IDisposable
{
    private const string Request = "Fix.";
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-chat-revise-").FullName;
    private readonly Problem _problem = ProblemSource.Arith("arith:count=1,levels=2,seed=3")[0];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The fixture model under a chat template; <paramref name="assistant"/> is how it prints an assistant turn's content.</summary>
    private (OnnxGenerator Lm, ChatTemplate Chat) ChatModel(string name, string assistant, string header = "")
    {
        string dir = Fixtures.CopyTo("tiny-lm-fp32", Path.Combine(_dir, name));
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), $$$"""
            {"chat_template": "{{{header}}}{% for m in messages %}{{ m.role[0] }}:{% if m.role == 'assistant' %}{{{{{assistant}}}}}{% else %}{{ m.content }}{% endif %}|{% endfor %}{% if add_generation_prompt %}a:{% endif %}"}
            """);
        var chat = ChatTemplate.Load(dir)!;
        return (OnnxGenerator.Load(dir, new GeneratorOptions { PromptTemplate = chat.ToPromptTemplate() }), chat);
    }

    [Theory]
    [InlineData("m.content", true)]          // each conversation extends the last: the chain appends the new turns
    [InlineData("m.content | upper", false)] // earlier turns print differently from what the model wrote: the chain starts over
    public async Task EachAttemptReadsTheWholeConversationAsTheTemplatePrintsIt(string assistant, bool extends)
    {
        var (lm, chat) = ChatModel(extends ? "plain" : "upper", assistant);
        using (lm)
        {
            var generator = new RecordingGenerator(lm);
            var strategy = new Revision(new StrategyContext(generator, null, new SamplingOptions { Temperature = 1.0, MaxTokens = 8 }), 1, 3, SelectionRule.Last, Request);
            var result = await strategy.SolveAsync(_problem, seed: 2);
            Assert.Equal(Request, strategy.Parameters["revision_request"]);

            var conversation = new List<ChatTurn> { new("user", _problem.Prompt) };
            string text = "";
            for (int attempt = 0; attempt < 3; attempt++)
            {
                text = chat.Render(conversation, addGenerationPrompt: true);
                Assert.Equal("<bos>" + text, Assert.Single(generator.Read[attempt])); // the fixture's vocabulary prints its start token
                conversation.AddRange([new ChatTurn("assistant", result.Candidates[attempt].Text), new ChatTurn("user", Request)]);
            }
            // Appending reads each turn once (an attempt's last sampled token, unless it was the end, is read with the next
            // turn); starting over reads the conversation again, the attempts included.
            int last = lm.Encode(text).Count + 1, attempts = result.Candidates.Take(2).Sum(c => c.Tokens);
            if (extends) Assert.InRange(result.Ledger.PromptTokens, last - attempts, last - attempts + 2);
            else
            {
                Assert.Contains(result.Candidates.Take(2), c => c.Text != c.Text.ToUpperInvariant()); // so the template did rewrite them
                Assert.True(result.Ledger.PromptTokens > last);
            }
        }
    }

    [Fact]
    public async Task AttemptsThatWouldOverfillTheContextAreDroppedCountingTheTemplatesOwnTokens()
    {
        // 40 characters of template before the problem: counting the problem alone, four attempts seem to fit the
        // fixture's 128 tokens beside the next attempt's 8, but do not.
        var (lm, _) = ChatModel("header", "m.content", header: new string('#', 40));
        using (lm)
        {
            var generator = new RecordingGenerator(lm);
            var sampling = new SamplingOptions { Temperature = 1.0, MaxTokens = 8, StopOnEos = false };
            var result = await new Revision(new StrategyContext(generator, null, sampling), 1, 5, SelectionRule.Last, Request).SolveAsync(_problem, seed: 2);
            Assert.Equal(5, result.Candidates.Count);
            string last = Assert.Single(generator.Read[4]);
            Assert.Equal(3, last.Split("|u:" + Request + "|").Length - 1); // the last three attempts, each with its request
            Assert.True(lm.Encode(last).Count + 8 <= lm.ContextLength);
        }
    }

    [Fact]
    public void APlainModelReadsTheRevisionFormatAndRecordsNoRequest()
    {
        using var lm = OnnxGenerator.Load(Path.Combine(Fixtures.ModelsDirectory, "fixtures", "tiny-lm-fp32"));
        Assert.Null(lm.ContinueChat(_problem.Prompt, [new ChatTurn("user", Request)]));
        Assert.False(new Revision(new StrategyContext(lm, null, new SamplingOptions()), 1, 2, SelectionRule.Last).Parameters.ContainsKey("revision_request"));
    }
}
