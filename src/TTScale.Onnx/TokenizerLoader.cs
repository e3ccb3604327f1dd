using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace TTScale.Onnx;

/// <summary>
/// Finds and loads a model directory's tokenizer through Microsoft.ML.Tokenizers, in this order: the demo models'
/// character vocabulary (config <c>tokenizer.type = char-bpe</c>), a Hugging Face <c>tokenizer.json</c> BPE
/// (<see cref="TokenizerJson"/>; one converted from SentencePiece runs from the <c>tokenizer.model</c> beside it), a
/// SentencePiece <c>tokenizer.model</c>, and a GPT-2-style byte-level BPE <c>vocab.json</c> + <c>merges.txt</c>.
/// </summary>
public static class TokenizerLoader
{
    /// <summary>Loads the tokenizer of the model in <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">No tokenizer files were found; the message lists what was looked for.</exception>
    /// <exception cref="InvalidDataException">A tokenizer file is malformed or of an unsupported kind; the message names it.</exception>
    public static Tokenizer Load(string directory, ModelConfig config) => Load(directory, config, out _);

    /// <summary>
    /// Loads the tokenizer of the model in <paramref name="directory"/>, and the token every text starts with as that
    /// tokenizer adds it (Hugging Face's behaviour; the engine prepends it, so the tokenizer itself adds none):
    /// config.json's <c>bos_token_id</c> for the demo vocabulary and for SentencePiece (unless tokenizer_config.json sets
    /// <c>add_bos_token</c> false); for <c>tokenizer.json</c>, the special token its TemplateProcessing post-processor
    /// puts first (Llama's <c>&lt;s&gt;</c>, Llama 3's <c>&lt;|begin_of_text|&gt;</c>), and none without one (Qwen, GPT-2,
    /// whatever their config's <c>bos_token_id</c>); none for GPT-2's vocab.json + merges.txt.
    /// </summary>
    /// <exception cref="FileNotFoundException">No tokenizer files were found; the message lists what was looked for.</exception>
    /// <exception cref="InvalidDataException">A tokenizer file is malformed or of an unsupported kind; the message names it.</exception>
    public static Tokenizer Load(string directory, ModelConfig config, out int? startToken)
    {
        string Path(string name) => System.IO.Path.Combine(directory, name);
        startToken = null;
        if (config.TokenizerType == "char-bpe")
        {
            startToken = config.BosTokenId;
            return CharVocabularyTokenizer.Load(Path(config.VocabFile ?? "vocab.json"), config.VocabSize);
        }
        if (File.Exists(Path("tokenizer.json")))
        {
            var root = JsonFile.ReadObject(Path("tokenizer.json"));
            startToken = TemplateStartToken(root, Path("tokenizer.json"));
            if (!TokenizerJson.IsSentencePiece(root, Path("tokenizer.json"))) return TokenizerJson.Load(root, Path("tokenizer.json"));
            // Llama 2 and Mistral ship the SentencePiece model beside its BPE conversion; the library runs the original,
            // under the conversion's added tokens and dummy-prefix rule.
            return File.Exists(Path("tokenizer.model"))
                ? SentencePiece(Path("tokenizer.model"), AddedTokens.FromTokenizerJson(root, Path("tokenizer.json")),
                    TokenizerJson.DummyPrefixOf(root, Path("tokenizer.json")), prefixFromModel: false)
                : throw new InvalidDataException($"{Path("tokenizer.json")}: a SentencePiece model converted to BPE (byte fallback, '\u2581' for spaces) "
                    + "is read from its tokenizer.model, which is not in the directory");
        }
        if (File.Exists(Path("tokenizer.model")))
        {
            string settingsPath = Path("tokenizer_config.json");
            JsonElement? settings = File.Exists(settingsPath) ? JsonFile.ReadObject(settingsPath) : null;
            bool False(string name) => settings is { } s && s.TryGetProperty(name, out var v) && v.ValueKind switch
            {
                JsonValueKind.False => true,
                JsonValueKind.True or JsonValueKind.Null => false,
                _ => throw new InvalidDataException($"{settingsPath}: '{name}' must be true or false, not {v.GetRawText()}"), // "no" read as true
            };
            startToken = False("add_bos_token") ? null : config.BosTokenId;
            // transformers' slow tokenizer: the model's own prefix on every piece between added tokens, or only on the
            // first with legacy false.
            return SentencePiece(Path("tokenizer.model"), settings is { } found ? AddedTokens.FromTokenizerConfig(found, settingsPath) : new([]),
                False("legacy") ? DummyPrefix.FirstUnspacedPiece : DummyPrefix.EveryPiece, prefixFromModel: true);
        }
        if (File.Exists(Path("vocab.json")) && File.Exists(Path("merges.txt")))
            return VocabAndMerges(Path("vocab.json"), Path("merges.txt"), Path("tokenizer_config.json"));
        throw new FileNotFoundException(
            $"{directory}: no tokenizer found (looked for config.json tokenizer.type 'char-bpe', tokenizer.json, tokenizer.model, vocab.json + merges.txt)");
    }

    /// <summary>
    /// A prompt's tokens: <paramref name="startToken"/>, then the text's; a text that begins with the start token itself
    /// (a chat template that prints <c>bos_token</c>) keeps just that one, as transformers' apply_chat_template does.
    /// </summary>
    internal static List<int> EncodePrompt(this Tokenizer tokenizer, string text, int? startToken)
    {
        var tokens = new List<int>(tokenizer.EncodeToIds(text));
        if (startToken is int start && (tokens.Count == 0 || tokens[0] != start)) tokens.Insert(0, start);
        return tokens;
    }

    /// <summary>
    /// A SentencePiece model under Hugging Face's added tokens and dummy-prefix rule. The prefixed pieces use the model's
    /// own add_dummy_prefix where <paramref name="prefixFromModel"/> (a tokenizer.model alone), else always get one (a
    /// tokenizer.json's rule has decided).
    /// </summary>
    private static Tokenizer SentencePiece(string path, AddedTokens added, DummyPrefix prefix, bool prefixFromModel)
    {
        var model = File.ReadAllBytes(path);
        var specials = added.All.Count == 0 ? null : added.All.ToDictionary(t => t.Content, t => t.Id);
        LlamaTokenizer Create(byte[] bytes, IReadOnlyDictionary<string, int>? specialTokens)
        {
            using var stream = new MemoryStream(bytes);
            try
            {
                return LlamaTokenizer.Create(stream, addBeginOfSentence: false, specialTokens: specialTokens);
            }
            catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}: not a SentencePiece model the tokenizer library reads ({e.Message})", e);
            }
            catch (NullReferenceException e) // the library's, on a model without its settings: an empty file, or one cut short between fields
            {
                throw new InvalidDataException($"{path}: not a SentencePiece model the tokenizer library reads (empty, or cut short)", e);
            }
        }
        var prefixed = Create(prefixFromModel ? model : SentencePieceModelFile.WithDummyPrefix(model, on: true, path), null);
        if (specials is null && prefix == DummyPrefix.EveryPiece) return prefixed;
        return new AddedTokenTokenizer(added, Create(SentencePieceModelFile.WithDummyPrefix(model, on: false, path), null), prefixed, prefix,
            decoder: specials is null ? prefixed : Create(model, specials));
    }

    /// <summary>
    /// GPT-2's byte-level BPE under the added tokens transformers gives it: tokenizer_config.json's
    /// <c>added_tokens_decoder</c>, and its special tokens (<c>eos_token</c>...) the vocabulary holds, each matched whole
    /// (Qwen2's <c>&lt;|im_end|&gt;</c> is one token). GPT2Tokenizer's unk, bos and eos default to
    /// <c>&lt;|endoftext|&gt;</c>, so that one counts unless the config sets all three.
    /// </summary>
    private static Tokenizer VocabAndMerges(string vocabPath, string mergesPath, string settingsPath)
    {
        JsonElement? settings = File.Exists(settingsPath) ? JsonFile.ReadObject(settingsPath) : null;
        var tokens = settings is { } found ? AddedTokens.FromTokenizerConfig(found, settingsPath).All.ToList() : [];
        static string? Content(JsonElement v) => v.ValueKind == JsonValueKind.Object ? v.OptionalString("content")
            : v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var names = new List<string>();
        string[] defaulted = ["unk_token", "bos_token", "eos_token"];
        if (!defaulted.All(n => settings is { } s && s.TryGetProperty(n, out _))) names.Add("<|endoftext|>");
        if (settings is { } config)
        {
            foreach (var name in (string[])[.. defaulted, "pad_token", "sep_token", "cls_token", "mask_token"])
                if (config.TryGetProperty(name, out var v) && Content(v) is { } content) names.Add(content);
            if (config.TryGetProperty("additional_special_tokens", out var more) && more.ValueKind == JsonValueKind.Array)
                names.AddRange(more.EnumerateArray().Select(Content).OfType<string>());
        }
        var vocabulary = JsonFile.ReadObject(vocabPath);
        foreach (var entry in vocabulary.EnumerateObject()) TokenizerJson.TokenId(entry, $"{vocabPath}:");
        foreach (var name in names.Distinct())
            if (!tokens.Any(t => t.Content == name) && vocabulary.TryGetProperty(name, out var id) && id.ValueKind == JsonValueKind.Number)
                tokens.Add(new AddedToken(name, id.GetInt32(), false, false, false));
        var added = new AddedTokens(tokens);

        BpeTokenizer Create(IEnumerable<AddedToken> specials)
        {
            try
            {
                return BpeTokenizer.Create(new BpeOptions(vocabPath, mergesPath)
                {
                    ByteLevel = true,
                    PreTokenizer = PreTokenizerPipeline.ByteLevel(),
                    SpecialTokens = specials.Any() ? specials.DistinctBy(t => t.Content).ToDictionary(t => t.Content, t => t.Id) : null,
                });
            }
            catch (InvalidOperationException e) // a line that is not a pair (a file cut short), or a merge whose tokens or result are not in vocab.json
            {
                throw new InvalidDataException($"{mergesPath}: not merges the tokenizer library reads with vocab.json ({e.Message})", e);
            }
        }
        // As for a tokenizer.json: a single_word token the text does not stand apart is plain text, so the encoder must not know it.
        var encoder = Create(tokens.Where(t => !t.SingleWord));
        if (tokens.Count == 0) return encoder;
        return new AddedTokenTokenizer(added, encoder, null, DummyPrefix.Never, tokens.Any(t => t.SingleWord) ? Create(tokens) : encoder);
    }

    private static int? TemplateStartToken(JsonElement root, string path)
    {
        if (!root.TryGetProperty("post_processor", out var post) || post.ValueKind != JsonValueKind.Object) return null;
        // Llama 3 nests it in a Sequence beside ByteLevel.
        var template = post.TryGetProperty("processors", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().FirstOrDefault(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("type", out var t) && t.GetString() == "TemplateProcessing")
            : post;
        if (template.ValueKind != JsonValueKind.Object || !template.TryGetProperty("type", out var type) || type.GetString() != "TemplateProcessing"
            || !template.TryGetProperty("single", out var single) || single.ValueKind != JsonValueKind.Array || single.GetArrayLength() == 0
            || !single[0].TryGetProperty("SpecialToken", out var first))
            return null;
        string name = first.TryGetProperty("id", out var id) ? id.GetString() ?? "" : "";
        return template.TryGetProperty("special_tokens", out var specials) && specials.TryGetProperty(name, out var special)
            && special.TryGetProperty("ids", out var ids) && ids.ValueKind == JsonValueKind.Array && ids.GetArrayLength() == 1
            ? ids[0].GetInt32()
            : throw new InvalidDataException($"{path}: post_processor puts '{name}' first but gives it no single id in special_tokens");
    }

}
