using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace TTScale.Onnx;

/// <summary>
/// Finds and loads a model directory's tokenizer through Microsoft.ML.Tokenizers, in this order: the demo models'
/// character vocabulary (config <c>tokenizer.type = char-bpe</c>), a Hugging Face <c>tokenizer.json</c> BPE, a
/// SentencePiece <c>tokenizer.model</c>, and a GPT-2-style byte-level BPE <c>vocab.json</c> + <c>merges.txt</c>.
/// </summary>
public static partial class TokenizerLoader
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
            return CharVocabularyTokenizer.Load(Path(config.VocabFile ?? "vocab.json"));
        }
        if (File.Exists(Path("tokenizer.json")))
        {
            var root = JsonFile.ReadObject(Path("tokenizer.json"));
            startToken = TemplateStartToken(root, Path("tokenizer.json"));
            return FromTokenizerJson(root, Path("tokenizer.json"));
        }
        if (File.Exists(Path("tokenizer.model")))
        {
            string settings = Path("tokenizer_config.json");
            bool addBos = !File.Exists(settings) || !JsonFile.ReadObject(settings).TryGetProperty("add_bos_token", out var add) || add.ValueKind != JsonValueKind.False;
            startToken = addBos ? config.BosTokenId : null;
            using var model = File.OpenRead(Path("tokenizer.model"));
            return LlamaTokenizer.Create(model, addBeginOfSentence: false);
        }
        if (File.Exists(Path("vocab.json")) && File.Exists(Path("merges.txt")))
            return BpeTokenizer.Create(new BpeOptions(Path("vocab.json"), Path("merges.txt")) { ByteLevel = true, PreTokenizer = Gpt2PreTokenizer(null) });
        throw new FileNotFoundException(
            $"{directory}: no tokenizer found (looked for config.json tokenizer.type 'char-bpe', tokenizer.json, tokenizer.model, vocab.json + merges.txt)");
    }

    private static int? TemplateStartToken(JsonElement root, string path)
    {
        if (!root.TryGetProperty("post_processor", out var post) || post.ValueKind != JsonValueKind.Object) return null;
        // Llama 3 nests it in a Sequence beside ByteLevel.
        var template = post.TryGetProperty("processors", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().FirstOrDefault(p => p.TryGetProperty("type", out var t) && t.GetString() == "TemplateProcessing")
            : post;
        if (!template.TryGetProperty("type", out var type) || type.GetString() != "TemplateProcessing"
            || !template.TryGetProperty("single", out var single) || single.ValueKind != JsonValueKind.Array || single.GetArrayLength() == 0
            || !single[0].TryGetProperty("SpecialToken", out var first))
            return null;
        string name = first.TryGetProperty("id", out var id) ? id.GetString() ?? "" : "";
        return template.TryGetProperty("special_tokens", out var specials) && specials.TryGetProperty(name, out var special)
            && special.TryGetProperty("ids", out var ids) && ids.ValueKind == JsonValueKind.Array && ids.GetArrayLength() == 1
            ? ids[0].GetInt32()
            : throw new InvalidDataException($"{path}: post_processor puts '{name}' first but gives it no single id in special_tokens");
    }

    /// <summary>
    /// A Hugging Face <c>tokenizer.json</c> with a BPE model, mapped into <see cref="BpeOptions"/>: its vocabulary, merges
    /// (either "a b" strings or [a, b] pairs), unknown token, added tokens as special tokens, and byte-level encoding
    /// with GPT-2's pre-tokenizer where the file's pre-tokenizer is ByteLevel.
    /// </summary>
    public static BpeTokenizer FromTokenizerJson(string path) => FromTokenizerJson(JsonFile.ReadObject(path), path);

    private static BpeTokenizer FromTokenizerJson(JsonElement root, string path)
    {
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: no 'model' object");
        string type = model.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        if (type != "BPE") throw new InvalidDataException($"{path}: model type '{type}' is not supported (only BPE)");
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: model.vocab is missing");
        var vocabulary = vocab.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetInt32())).ToList();
        var merges = model.TryGetProperty("merges", out var m)
            ? m.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Array ? $"{e[0].GetString()} {e[1].GetString()}" : e.GetString()!).ToList()
            : [];
        var special = root.TryGetProperty("added_tokens", out var added)
            ? added.EnumerateArray().Where(a => a.TryGetProperty("special", out var s) && s.GetBoolean())
                .ToDictionary(a => a.GetProperty("content").GetString()!, a => a.GetProperty("id").GetInt32())
            : [];
        bool byteLevel = root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object && pre.ToString().Contains("\"ByteLevel\"", StringComparison.Ordinal);
        var options = new BpeOptions(vocabulary)
        {
            Merges = merges,
            SpecialTokens = special.Count > 0 ? special : null,
            UnknownToken = model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String ? unk.GetString() : null,
            ByteLevel = byteLevel,
            PreTokenizer = byteLevel ? Gpt2PreTokenizer(special.Count > 0 ? special : null) : PreTokenizer.CreateWordOrNonWord(special.Count > 0 ? special : null),
        };
        return BpeTokenizer.Create(options);
    }

    private static PreTokenizer Gpt2PreTokenizer(IReadOnlyDictionary<string, int>? special) => new RegexPreTokenizer(Gpt2Pattern(), special);

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Gpt2Pattern();
}
