using System.Text;
using System.Text.Json;
using TTScale.Onnx;

namespace TTScale.Tests.Onnx;

/// <summary>
/// tokenizer.json files encode texts to the ids Hugging Face's tokenizers gives them: models/fixtures/hf-tokenizers holds
/// one vocabulary under the pre-tokenizers and normalizers of real models, and golden.json the reference's encodings
/// (models/train/hf_tokenizer_fixtures.mjs, tokenizers 0.22.2).
/// </summary>
public sealed class TokenizerJsonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ttscale-tokenizer-json-").FullName;
    private static readonly JsonElement Golden = Fixtures.Golden("hf-tokenizers");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ModelConfig Config() => new(1, 1, 1, 1, 1, 320, 16, 1, 1, "float32", null, [], null, null, "model.onnx", null, null);

    private Microsoft.ML.Tokenizers.Tokenizer Load(string variant)
    {
        File.Copy(Fixtures.Path("hf-tokenizers", variant + ".json"), Path.Combine(_dir, "tokenizer.json"), overwrite: true);
        return TokenizerLoader.Load(_dir, Config());
    }

    public static TheoryData<string> Variants() => [.. Golden.GetProperty("ids").EnumerateObject().Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(Variants))]
    public void EncodesAsHuggingFaceTokenizersDoesAndDecodesBack(string variant)
    {
        var tokenizer = Load(variant);
        var texts = Golden.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var expected = Golden.GetProperty("ids").GetProperty(variant).EnumerateArray().ToArray();
        for (int i = 0; i < texts.Length; i++)
        {
            var ids = tokenizer.EncodeToIds(texts[i]);
            Assert.True(expected[i].EnumerateArray().Select(e => e.GetInt32()).SequenceEqual(ids),
                $"{variant}, text {i}: expected [{string.Join(",", expected[i].EnumerateArray())}], got [{string.Join(",", ids)}]");
            // Removed drops the digits; lstrip and rstrip tokens drop the whitespace they take.
            if (!variant.StartsWith("split-removed", StringComparison.Ordinal) && !texts[i].Contains("<mask>", StringComparison.Ordinal))
                Assert.Equal(variant == "qwen2" ? texts[i].Normalize(NormalizationForm.FormC) : texts[i], tokenizer.Decode(ids));
        }
    }

    [Fact]
    public void TheVariantsDisagreeSoTheTestCanTellThemApart()
    {
        // Each real pre-tokenizer gives at least one text different ids from GPT-2's, which the loader used for all.
        var gpt2 = Golden.GetProperty("ids").GetProperty("gpt2").GetRawText();
        foreach (var name in new[] { "qwen2", "llama3", "starcoder", "deepseek" })
            Assert.NotEqual(gpt2, Golden.GetProperty("ids").GetProperty(name).GetRawText());
    }

    // Hugging Face's regexes match code points: "𝑥" is one letter, "𝟏" one digit. Ids from tokenizers 0.22.2.
    [Theory]
    [InlineData("deepseek", "Let 𝑥y = 3 and (𝑥) = 5", new[] { 76, 101, 116, 32, 240, 157, 145, 165, 121, 262, 32, 51, 266, 100, 32, 40, 240, 157, 145, 165, 41, 262, 32, 53 })]
    [InlineData("split-removed", "𝑥𝑦𝑧 is 𝟏𝟐𝟑𝟒 apples", new[] { 240, 157, 145, 165, 240, 157, 145, 166, 240, 157, 145, 167, 32, 105, 115, 32, 258, 112, 112, 108, 302 })]
    public void AstralCharactersAreOneCharacterToThePreTokenizer(string variant, string text, int[] expected)
    {
        var tokenizer = Load(variant);
        Assert.Equal(expected, tokenizer.EncodeToIds(text));
        if (variant == "deepseek") Assert.Equal(text, tokenizer.Decode(expected));
    }

    [Fact]
    public void AstralCharactersMakeQwen2sPiecesAsHuggingFaceDoes()
    {
        // Merges across a character boundary show the pieces: "a𝑥" is one word (a merges with 𝑥's first byte), "𝟏𝟐" two
        // digits (𝟏's last byte does not merge with 𝟐's first).
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Fixtures.Path("hf-tokenizers", "qwen2.json")))!;
        json["model"]!["vocab"]!["ıð"] = 316;
        json["model"]!["vocab"]!["að"] = 317;
        json["model"]!["merges"]!.AsArray().Add("ı ð");
        json["model"]!["merges"]!.AsArray().Add("a ð");
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), json.ToJsonString());
        var tokenizer = TokenizerLoader.Load(_dir, Config());
        Assert.Equal([317, 157, 145, 165], tokenizer.EncodeToIds("a𝑥"));
        Assert.Equal([240, 157, 159, 143, 240, 157, 159, 144], tokenizer.EncodeToIds("𝟏𝟐"));
    }

    [Fact]
    public void TheStandInsForAstralCharactersAreOfTheirCategories()
    {
        for (int i = 0; i < PreTokenizerPipeline.CategoryStandIns.Length; i++)
            Assert.Equal((System.Globalization.UnicodeCategory)i, char.GetUnicodeCategory(PreTokenizerPipeline.CategoryStandIns[i]));
    }

    [Fact]
    public void LowercaseMapsDottedCapitalIAsHuggingFaceDoes()
    {
        // Rust's to_lowercase: 'İ' is "i\u0307"; Σ is σ everywhere, char by char. Ids from tokenizers 0.22.2.
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Fixtures.Path("hf-tokenizers", "gpt2.json")))!;
        json["normalizer"] = System.Text.Json.Nodes.JsonNode.Parse("""{"type": "Lowercase"}""");
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), json.ToJsonString());
        Assert.Equal([105, 204, 135, 115, 116, 97, 110, 98, 117, 108, 32, 207, 131, 206, 177, 207, 131],
            TokenizerLoader.Load(_dir, Config()).EncodeToIds("İstanbul ΣΑΣ"));
    }

    [Fact]
    public void SentencePieceConvertedToBpeRunsFromTokenizerModel()
    {
        // Llama 2's tokenizer.json: byte fallback and Metaspace, beside the tokenizer.model it came from.
        const string llama2 = """
            {"normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"}, {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
             "pre_tokenizer": null,
             "model": {"type": "BPE", "byte_fallback": true, "vocab": {"a": 0}, "merges": []}}
            """;
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), llama2);
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_dir, Config()));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("tokenizer.model", e.Message);

        File.Copy(Fixtures.Path("tiny-spm", "tokenizer.model"), Path.Combine(_dir, "tokenizer.model"));
        Assert.Equal([7, 46, 19, 4, 41, 4, 44], TokenizerLoader.Load(_dir, Config()).EncodeToIds("Q: 5 +8 +5")); // python3-sentencepiece's ids
    }

    [Theory]
    [InlineData("""{"type": "Metaspace", "replacement": "\u2581"}""", null)] // SentencePiece-style, no tokenizer.model
    [InlineData("""{"type": "BertPreTokenizer"}""", "BertPreTokenizer")]
    [InlineData("""{"type": "Split", "pattern": {"Regex": "a++"}, "behavior": "Isolated"}""", "a++")]
    [InlineData("""{"type": "Split", "pattern": {"Regex": "a"}, "behavior": "Sideways"}""", "Sideways")]
    [InlineData("""{"type": "ByteLevel", "add_prefix_space": true}""", "add_prefix_space")]
    [InlineData("""{"type": "Sequence", "pre_tokenizers": []}""", "pretokenizers")] // misspelt list: named, not a KeyNotFoundException
    public void UnsupportedPreTokenizersAreNamed(string preTokenizer, string? named)
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), """{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "pre_tokenizer": """ + preTokenizer + "}");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_dir, Config()));
        Assert.Contains("tokenizer.json", e.Message);
        if (named is not null) Assert.Contains(named, e.Message);
    }

    [Fact]
    public void UnsupportedNormalizerIsNamed()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), """{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "normalizer": {"type": "BertNormalizer"}}""");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_dir, Config()));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("BertNormalizer", e.Message);
    }
}
