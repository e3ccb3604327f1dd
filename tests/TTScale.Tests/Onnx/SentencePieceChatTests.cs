using System.Text.Json;
using TTScale.Onnx;

namespace TTScale.Tests.Onnx;

/// <summary>
/// A SentencePiece model under a converted tokenizer.json tokenizes chat-rendered text as Hugging Face's tokenizers does:
/// added tokens matched whole (with Phi-3's rstrip, an lstrip and a single_word token) and the dummy prefix where each
/// conversion puts it (models/fixtures/spm-chat: models/train/spm_chat_fixture.py and spm_chat_golden.mjs, tokenizers 0.22.2).
/// </summary>
public sealed class SentencePieceChatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-spm-chat-").FullName;
    private static readonly JsonElement Golden = Fixtures.Golden("spm-chat");
    private static readonly string[] Texts = [.. Golden.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!)];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ModelConfig Config() => new(1, 1, 1, 1, 1, 410, 16, 1, 1, "float32", null, [], null, null, "model.onnx", null, null);

    private Microsoft.ML.Tokenizers.Tokenizer Load(string variant)
    {
        File.Copy(Fixtures.Path("spm-chat", "tokenizer.model"), Path.Combine(_dir, "tokenizer.model"), overwrite: true);
        File.Copy(Fixtures.Path("spm-chat", variant + ".json"), Path.Combine(_dir, "tokenizer.json"), overwrite: true);
        return TokenizerLoader.Load(_dir, Config());
    }

    private static int[] Expected(string variant, int text) =>
        [.. Golden.GetProperty("ids").GetProperty(variant)[text].EnumerateArray().Select(e => e.GetInt32())];

    public static TheoryData<string> Variants() => [.. Golden.GetProperty("ids").EnumerateObject().Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(Variants))]
    public void EncodesChatTextAsHuggingFaceTokenizersDoes(string variant)
    {
        var tokenizer = Load(variant);
        for (int i = 0; i < Texts.Length; i++)
        {
            var ids = tokenizer.EncodeToIds(Texts[i]);
            Assert.True(Expected(variant, i).SequenceEqual(ids),
                $"{variant}, text {i} {JsonSerializer.Serialize(Texts[i])}: expected [{string.Join(",", Expected(variant, i))}], got [{string.Join(",", ids)}]");
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void PlainTextDecodesBack(string variant)
    {
        var tokenizer = Load(variant);
        foreach (string text in new[] { "Solve the problem step by step.", "Q: 5 +8 +5\n5+8=13\nA: 18", "caf\u00e9 \u00b1 \u2211 \U0001F600" })
            Assert.Equal(text, tokenizer.Decode(tokenizer.EncodeToIds(text)));
    }

    [Fact]
    public void TheFixtureTellsTheRulesApart()
    {
        // Each variant differs from every other on some text, and the added tokens are never spelt out in characters.
        var variants = Golden.GetProperty("ids").EnumerateObject().Select(p => p.Name).ToArray();
        foreach (var a in variants)
            foreach (var b in variants.Where(b => string.CompareOrdinal(a, b) < 0))
                Assert.NotEqual(Golden.GetProperty("ids").GetProperty(a).GetRawText(), Golden.GetProperty("ids").GetProperty(b).GetRawText());
        Assert.Contains(401, Expected("legacy", 4)); // <|assistant|>
        Assert.Contains(404, Expected("legacy", 2)); // [INST]
    }

    [Fact]
    public void ATokenizerModelAloneTakesItsAddedTokensFromTokenizerConfig()
    {
        // transformers' slow tokenizer (legacy): added_tokens_decoder matched whole, the model's prefix on every piece.
        File.Copy(Fixtures.Path("spm-chat", "tokenizer.model"), Path.Combine(_dir, "tokenizer.model"));
        var added = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("spm-chat", "legacy.json"))).RootElement.GetProperty("added_tokens");
        var decoder = added.EnumerateArray().ToDictionary(t => t.GetProperty("id").GetInt32().ToString(), t => t.Clone());
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), JsonSerializer.Serialize(new { added_tokens_decoder = decoder }));
        var tokenizer = TokenizerLoader.Load(_dir, Config());
        for (int i = 0; i < Texts.Length; i++)
            Assert.Equal(Expected("legacy", i), tokenizer.EncodeToIds(Texts[i]));
    }

    [Fact]
    public void AMistralChatPromptKeepsOneStartTokenAndItsMarkersWhole()
    {
        // Mistral's own chat template prints <s>; the engine's start token is <s> too (Llama 2's post-processor).
        File.Copy(Path.Combine(Fixtures.Path("chat-templates", "mistral-instruct"), "tokenizer_config.json"), Path.Combine(_dir, "tokenizer_config.json"));
        var tokenizer = Load("legacy");
        string prompt = ChatTemplate.Load(_dir)!.ToPromptTemplate(null).Apply("What is 47 + 28?");
        Assert.Equal(Texts[2], prompt);
        Assert.Equal(Expected("legacy", 2), tokenizer.EncodePrompt(prompt, startToken: 1)); // [<s>, [INST], ▁, ▁What, ...]
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // a tokenizer.model alone
    public void ACorruptTokenizerModelIsNamed(bool withTokenizerJson)
    {
        File.WriteAllBytes(Path.Combine(_dir, "tokenizer.model"), [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]); // a length past the end
        if (withTokenizerJson) File.Copy(Fixtures.Path("spm-chat", "legacy.json"), Path.Combine(_dir, "tokenizer.json"));
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_dir, Config()));
        Assert.Contains("tokenizer.model", e.Message);
    }
}
