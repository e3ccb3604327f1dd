using System.Text.Json;
using TTScale.Onnx;

namespace TTScale.Tests.Onnx;

/// <summary>The tokenizer formats real models ship: tokenizer.json and GPT-2's vocab.json + merges.txt (byte-level BPE), and SentencePiece.</summary>
public sealed class TokenizerLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-tokenizer-").FullName;
    private static readonly string[] Merges = ["h e", "l l", "he ll", "Ġ w", "o r"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>GPT-2's byte-to-character table: printable bytes map to themselves, the rest to 256 + n.</summary>
    private static Dictionary<string, int> ByteLevelVocabulary()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 0xAC - 0xA1 + 1)).Concat(Enumerable.Range(0xAE, 0xFF - 0xAE + 1)).ToHashSet();
        var vocabulary = new Dictionary<string, int>();
        int extra = 0;
        for (int b = 0; b < 256; b++) vocabulary[((char)(printable.Contains(b) ? b : 256 + extra++)).ToString()] = b;
        foreach (var merge in Merges) vocabulary[merge.Replace(" ", "")] = vocabulary.Count;
        vocabulary["<|endoftext|>"] = vocabulary.Count;
        return vocabulary;
    }

    private static ModelConfig Config() => new(1, 1, 1, 1, 1, 300, 16, 1, 1, "float32", null, [], null, null, "model.onnx", null, null);

    [Fact]
    public void TokenizerJsonBpeRoundTripsAndAppliesMerges()
    {
        var vocabulary = ByteLevelVocabulary();
        var json = new
        {
            added_tokens = new[] { new { id = vocabulary["<|endoftext|>"], content = "<|endoftext|>", special = true } },
            pre_tokenizer = new { type = "ByteLevel", add_prefix_space = false },
            model = new { type = "BPE", vocab = vocabulary, merges = Merges },
        };
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), JsonSerializer.Serialize(json));
        AssertByteLevelBpe(TokenizerLoader.Load(_dir, Config()), vocabulary);
    }

    [Fact]
    public void Gpt2VocabAndMergesRoundTripAndApplyMerges()
    {
        var vocabulary = ByteLevelVocabulary();
        File.WriteAllText(Path.Combine(_dir, "vocab.json"), JsonSerializer.Serialize(vocabulary));
        File.WriteAllLines(Path.Combine(_dir, "merges.txt"), ["#version: 0.2", .. Merges]);
        AssertByteLevelBpe(TokenizerLoader.Load(_dir, Config()), vocabulary);
    }

    [Fact]
    public void Gpt2VocabAndMergesMatchSpecialTokensWhole()
    {
        // The GPT-2 fixture as vocab.json + merges.txt: <|endoftext|> is one token, as in its tokenizer.json (Hugging Face's
        // id); a tokenizer_config.json's added_tokens_decoder adds more, in the vocabulary or after it (ids from tokenizers 0.22.2 with them added).
        var json = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("hf-tokenizers", "gpt2.json"))).RootElement;
        var vocabulary = json.GetProperty("model").GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        foreach (var token in json.GetProperty("added_tokens").EnumerateArray()) vocabulary[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
        File.WriteAllText(Path.Combine(_dir, "vocab.json"), JsonSerializer.Serialize(vocabulary));
        File.WriteAllLines(Path.Combine(_dir, "merges.txt"), ["#version: 0.2", .. json.GetProperty("model").GetProperty("merges").EnumerateArray().Select(m => m.GetString()!)]);
        const string text = "Q: 47+28*3=?\n47+28=75\nA: 75<|endoftext|>";
        var tokenizer = TokenizerLoader.Load(_dir, Config());
        Assert.Equal([81, 58, 32, 272, 43, 50, 56, 42, 51, 61, 63, 10, 272, 43, 50, 56, 61, 55, 53, 10, 65, 58, 32, 55, 53, 309], tokenizer.EncodeToIds(text));
        Assert.Equal(text, tokenizer.Decode(tokenizer.EncodeToIds(text)));

        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"),
            """{"added_tokens_decoder": {"311": {"content": "<|im_end|>", "special": true}, "316": {"content": "<extra>", "special": true}}}""");
        tokenizer = TokenizerLoader.Load(_dir, Config());
        Assert.Equal([97, 311, 98, 316, 309], tokenizer.EncodeToIds("a<|im_end|>b<extra><|endoftext|>"));
        Assert.Equal("a<|im_end|>b<extra><|endoftext|>", tokenizer.Decode([97, 311, 98, 316, 309]));
    }

    private static void AssertByteLevelBpe(Microsoft.ML.Tokenizers.Tokenizer tokenizer, Dictionary<string, int> vocabulary)
    {
        const string text = "hello world\n  tabs\tand é!";
        var ids = tokenizer.EncodeToIds(text);
        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.Contains(vocabulary["hell"], ids);
        Assert.Contains(vocabulary["Ġw"], ids);
        Assert.True(ids.Count < System.Text.Encoding.UTF8.GetByteCount(text), "merges should shorten the sequence");
    }

    [Fact]
    public void SentencePieceEncodesAsSentencePieceAndLeavesTheStartTokenToTheEngine()
    {
        // tiny-lm-fp32's graph with models/fixtures/tiny-spm/tokenizer.model (64 pieces; <s> is 1, as config.json's bos_token_id).
        Fixtures.CopyWithConfig("tiny-lm-fp32", _dir, config => config.Remove("tokenizer"), "vocab.json");
        File.Copy(Fixtures.Path("tiny-spm", "tokenizer.model"), Path.Combine(_dir, "tokenizer.model"));

        using var lm = OnnxGenerator.Load(_dir);
        var ids = lm.Encode("Q: 5 +8 +5");
        Assert.Equal([7, 46, 19, 4, 41, 4, 44], ids); // python3-sentencepiece: ▁Q : ▁5 ▁+ 8 ▁+ 5
        Assert.Equal("Q: 5 +8 +5", lm.Decode(ids));
        using var sequence = lm.Start("Q: 5 +8 +5", seed: 1);
        Assert.Equal([1, .. ids], sequence.Tokens); // one <s>, from the config
    }

    private const string Llama = """{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [5]}}}""";
    private const string Llama3 = """{"type": "Sequence", "processors": [{"type": "ByteLevel"}, {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|begin_of_text|>"}}, {"Sequence": {"id": "A"}}], "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [128000]}}}]}""";

    private int? Start(ModelConfig config)
    {
        TokenizerLoader.Load(_dir, config, out int? start);
        return start;
    }

    [Theory]
    [InlineData(Llama, 5)]
    [InlineData(Llama3, 128000)] // nested beside ByteLevel
    [InlineData("""{"type": "ByteLevel", "add_prefix_space": false}""", null)] // Qwen, GPT-2
    [InlineData("null", null)]
    [InlineData("""{"type": "Sequence", "processors": [{"type": "ByteLevel"}]}""", null)] // a Sequence without TemplateProcessing
    public void ATokenizerJsonStartsTextsAsItsPostProcessorSays(string postProcessor, int? expected)
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), """{"model": {"type": "BPE", "vocab": {"a": 0}}, "post_processor": """ + postProcessor + "}");
        Assert.Equal(expected, Start(Config() with { BosTokenId = 7 })); // the config's bos_token_id does not decide
    }

    [Fact]
    public void SentencePieceStartsTextsWithTheConfigsStartTokenUnlessTokenizerConfigSaysNot()
    {
        File.Copy(Fixtures.Path("tiny-spm", "tokenizer.model"), Path.Combine(_dir, "tokenizer.model"));
        Assert.Equal(1, Start(Config() with { BosTokenId = 1 }));
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), """{"add_bos_token": false}""");
        Assert.Null(Start(Config() with { BosTokenId = 1 }));
        // A flag that is not a boolean was read as true ("no" started every text with the start token).
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), """{"add_bos_token": "no"}""");
        Assert.Contains("'add_bos_token' must be true or false, not \"no\"", Assert.Throws<InvalidDataException>(() => Start(Config() with { BosTokenId = 1 })).Message);
    }

    [Fact]
    public void NoTokenizerFilesIsAClearError()
    {
        var e = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(_dir, Config()));
        Assert.Contains("tokenizer.json", e.Message);
    }

    [Theory]
    [InlineData("")] // a failed download
    [InlineData("\n\u0005\n\u0003<s>")] // cut short after its first piece, before the model's settings
    public void AnEmptyOrCutSentencePieceModelIsNamed(string content)
    {
        // Not a NullReferenceException from inside the tokenizer library, which ended the run with a stack trace.
        string path = Path.Combine(_dir, "tokenizer.model");
        File.WriteAllText(path, content);
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_dir, Config()));
        Assert.StartsWith($"{path}: not a SentencePiece model", e.Message);
    }

    [Theory]
    [InlineData("{\"h\": \"x\"}", "\"h e\"", "vocab.json: 'h' must map to a token id (0 or more), not \"x\"")]
    [InlineData(null, "\"Ġ\"", "merges.txt: not merges the tokenizer library reads with vocab.json (Invalid merge file format at line: 7)")]
    [InlineData(null, "\"q z\"", "merges.txt: not merges the tokenizer library reads with vocab.json (Trying to merge a token 'qz' which not exist in the vocabulary.)")]
    public void DamagedVocabAndMergesAreNamed(string? vocab, string lastMerge, string fault)
    {
        // Each ended the run with the library's InvalidOperationException (or "could not be converted to System.Int32") and a stack trace.
        File.WriteAllText(Path.Combine(_dir, "vocab.json"), vocab ?? JsonSerializer.Serialize(ByteLevelVocabulary()));
        File.WriteAllLines(Path.Combine(_dir, "merges.txt"), ["#version: 0.2", .. Merges, JsonSerializer.Deserialize<string>(lastMerge)!]);
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_dir, Config()));
        Assert.Equal(Path.Combine(_dir, fault), e.Message);
    }

    [Theory]
    [InlineData("vocab", "\"x\"", "model.vocab 'h' must map to a token id (0 or more), not \"x\"")]
    // Each was taken: a negative id went to the graph's Gather, which read another row; two tokens of one id ended the
    // run with the library's "same key" message naming no file; added_tokens of another type was ignored.
    [InlineData("vocab", "-5", "model.vocab 'h' must map to a token id (0 or more), not -5")]
    [InlineData("vocab", "101", "model.vocab gives id 101 to both 'e' and 'h'")]
    [InlineData("added_tokens", "\"x\"", "'added_tokens' must be a list, not \"x\"")]
    [InlineData("added_tokens", "[{\"id\": -1, \"content\": \"x\"}]", "an added token without a string 'content' and an id of 0 or more: {\"id\":-1,\"content\":\"x\"}")]
    [InlineData("merges", "5", "model.merges[5] must be \"a b\" or [\"a\", \"b\"], not 5")]
    [InlineData("merges", "\"q z\"", "not a BPE model the tokenizer library reads (Trying to merge a token 'qz' which not exist in the vocabulary.)")]
    [InlineData("merges", "\"abc\"", "not a BPE model the tokenizer library reads (Invalid merger file format)")]
    public void DamagedTokenizerJsonIsNamed(string part, string value, string fault)
    {
        var vocabulary = ByteLevelVocabulary();
        var json = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(new
        {
            pre_tokenizer = new { type = "ByteLevel", add_prefix_space = false },
            model = new { type = "BPE", vocab = vocabulary, merges = Merges },
        }))!;
        if (part == "vocab") json["model"]!["vocab"]!["h"] = System.Text.Json.Nodes.JsonNode.Parse(value);
        else if (part == "added_tokens") json["added_tokens"] = System.Text.Json.Nodes.JsonNode.Parse(value);
        else json["model"]!["merges"]!.AsArray().Add(System.Text.Json.Nodes.JsonNode.Parse(value));
        string path = Path.Combine(_dir, "tokenizer.json");
        File.WriteAllText(path, json.ToJsonString());
        Assert.Equal($"{path}: {fault}", Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_dir, Config())).Message);
    }

    [Fact]
    public void UnsupportedTokenizerJsonModelIsNamed()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), """{"model": {"type": "Unigram", "vocab": []}}""");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_dir, Config()));
        Assert.Contains("Unigram", e.Message);
        Assert.Contains("tokenizer.json", e.Message);
    }
}
