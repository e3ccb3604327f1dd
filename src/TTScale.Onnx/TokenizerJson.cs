using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace TTScale.Onnx;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> BPE mapped into <see cref="BpeOptions"/>: vocabulary, merges ("a b" strings or
/// [a, b] pairs), every added token, the normalizer and the pre-tokenizer as the file defines them, and
/// <c>ignore_merges</c>. Checked against Hugging Face's tokenizers on GPT-2's, Qwen2's, Llama 3's, StarCoder's and
/// DeepSeek-V3's pre-tokenizers (models/fixtures/hf-tokenizers).
/// </summary>
internal static class TokenizerJson
{
    /// <summary>
    /// Whether the file is a SentencePiece model converted to BPE (Llama 2, Mistral): byte fallback, or "▁" for spaces
    /// through a Metaspace pre-tokenizer or Prepend/Replace normalizers, none of which <see cref="BpeOptions"/> can express.
    /// </summary>
    /// <exception cref="InvalidDataException">A Sequence without its list; the message names the file.</exception>
    public static bool IsSentencePiece(JsonElement root, string path) =>
        root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.Object
            && model.Flag("byte_fallback")
        || Types(root, "pre_tokenizer", "pretokenizers", path).Contains("Metaspace")
        || Types(root, "normalizer", "normalizers", path).Any(t => t is "Prepend" or "Replace");

    private static IEnumerable<string> Types(JsonElement root, string component, string members, string path) =>
        root.TryGetProperty(component, out var element) ? Components(element, members, path).Select(c => c.Type) : [];

    /// <summary>
    /// The components of a <c>normalizer</c> or <c>pre_tokenizer</c> in the order they run, each with its type: a
    /// <c>Sequence</c>'s members (listed under <paramref name="members"/>) in its place; none for null.
    /// </summary>
    /// <exception cref="InvalidDataException">A Sequence without its list; the message names the file.</exception>
    public static IEnumerable<(string Type, JsonElement Component)> Components(JsonElement component, string members, string path)
    {
        if (component.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) yield break;
        string type = component.ValueKind == JsonValueKind.Object && component.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()! : "";
        if (type != "Sequence")
        {
            yield return (type, component);
            yield break;
        }
        if (!component.TryGetProperty(members, out var list) || list.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: a Sequence without its '{members}' list");
        foreach (var member in list.EnumerateArray())
            foreach (var inner in Components(member, members, path)) yield return inner;
    }

    /// <exception cref="InvalidDataException">Not a BPE model, or a component not supported here; the message names the file.</exception>
    public static Tokenizer Load(JsonElement root, string path)
    {
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: no 'model' object");
        string type = model.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        if (type != "BPE") throw new InvalidDataException($"{path}: model type '{type}' is not supported (only BPE)");
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: model.vocab is missing");
        var vocabulary = vocab.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, TokenId(p, $"{path}: model.vocab"))).ToList();
        // Decoding maps ids back to tokens, so one id cannot stand for two.
        if (vocabulary.GroupBy(p => p.Value).FirstOrDefault(g => g.Count() > 1) is { } shared)
            throw new InvalidDataException($"{path}: model.vocab gives id {shared.Key} to both '{shared.First().Key}' and '{shared.Skip(1).First().Key}'");
        var merges = !model.TryGetProperty("merges", out var m) ? []
            : m.ValueKind == JsonValueKind.Array ? m.EnumerateArray().Select((e, i) => Merge(e, i, path)).ToList()
            : throw new InvalidDataException($"{path}: model.merges must be a list");
        // Hugging Face matches every added token whole, special or not (Qwen's <tool_call> is not special).
        var added = AddedTokens.FromTokenizerJson(root, path);
        bool byteLevel = Types(root, "pre_tokenizer", "pretokenizers", path).Contains("ByteLevel");
        var whole = added.All.ToDictionary(t => t.Content, t => t.Id);
        if (model.Flag("ignore_merges"))
        {
            // Llama 3 takes a piece found whole in the vocabulary as that token, whatever the merges would build; the
            // library does that for its special tokens, so each word goes in as one, under its text.
            foreach (var (word, id) in vocabulary)
                if ((byteLevel ? ByteLevelText(word) : word) is { } text) whole.TryAdd(text, id);
        }
        BpeTokenizer Create(Dictionary<string, int> specialTokens)
        {
            var options = new BpeOptions(vocabulary)
            {
                Merges = merges,
                SpecialTokens = specialTokens.Count > 0 ? specialTokens : null,
                UnknownToken = model.OptionalString("unk_token"),
                ContinuingSubwordPrefix = model.OptionalString("continuing_subword_prefix") is { Length: > 0 } prefix ? prefix : null,
                EndOfWordSuffix = model.OptionalString("end_of_word_suffix") is { Length: > 0 } suffix ? suffix : null,
                FuseUnknownTokens = model.Flag("fuse_unk"),
                ByteLevel = byteLevel,
                Normalizer = NormalizerPipeline.FromJson(root.TryGetProperty("normalizer", out var n) ? n : default, path),
                PreTokenizer = PreTokenizerPipeline.FromJson(root.TryGetProperty("pre_tokenizer", out var pre) ? pre : default, path),
            };
            try
            {
                return BpeTokenizer.Create(options);
            }
            catch (InvalidOperationException e) // a merge that is not a pair, or whose tokens or result are not in the vocabulary
            {
                throw new InvalidDataException($"{path}: not a BPE model the tokenizer library reads ({e.Message})", e);
            }
        }
        // A single_word token the text does not stand apart is plain text, so the encoder must not know it.
        var singleWord = added.All.Where(t => t.SingleWord).Select(t => t.Content).ToHashSet();
        var encoder = Create(whole.Where(p => !singleWord.Contains(p.Key)).ToDictionary());
        if (added.All.Count == 0) return encoder;
        return new AddedTokenTokenizer(added, encoder, null, DummyPrefix.Never, singleWord.Count == 0 ? encoder : Create(whole));
    }

    /// <summary>A vocabulary entry's id; <paramref name="at"/> names the file and the vocabulary in it.</summary>
    internal static int TokenId(JsonProperty entry, string at) => entry.Value.ValueKind == JsonValueKind.Number && entry.Value.TryGetInt32(out int id) && id >= 0
        ? id : throw new InvalidDataException($"{at} '{entry.Name}' must map to a token id (0 or more), not {entry.Value.GetRawText()}");

    /// <summary>A merge as the library takes it, "a b", from either form the file may hold it in.</summary>
    private static string Merge(JsonElement merge, int index, string path) => merge switch
    {
        { ValueKind: JsonValueKind.String } => merge.GetString()!,
        { ValueKind: JsonValueKind.Array } when merge.GetArrayLength() == 2 && merge.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            => $"{merge[0].GetString()} {merge[1].GetString()}",
        _ => throw new InvalidDataException($"{path}: model.merges[{index}] must be \"a b\" or [\"a\", \"b\"], not {merge.GetRawText()}"),
    };

    /// <summary>Where a tokenizer.json converted from SentencePiece puts the dummy prefix (see <see cref="DummyPrefix"/>).</summary>
    /// <exception cref="InvalidDataException">A Metaspace prepend_scheme not known here; the message names the file.</exception>
    public static DummyPrefix DummyPrefixOf(JsonElement root, string path)
    {
        if (Types(root, "normalizer", "normalizers", path).Contains("Prepend")) return DummyPrefix.EveryPiece;
        if (!root.TryGetProperty("pre_tokenizer", out var pre)) return DummyPrefix.Never;
        foreach (var (type, metaspace) in Components(pre, "pretokenizers", path))
        {
            if (type != "Metaspace") continue;
            if (metaspace.TryGetProperty("prepend_scheme", out var scheme) && scheme.ValueKind == JsonValueKind.String)
                return scheme.GetString() switch
                {
                    "always" => DummyPrefix.EveryUnspacedPiece,
                    "first" => DummyPrefix.FirstUnspacedPiece,
                    "never" => DummyPrefix.Never,
                    var other => throw new InvalidDataException($"{path}: Metaspace prepend_scheme '{other}' is not supported (always, first, never)"),
                };
            // Files from before prepend_scheme: add_prefix_space true meant always.
            return metaspace.TryGetProperty("add_prefix_space", out var add) && add.ValueKind == JsonValueKind.False
                ? DummyPrefix.Never : DummyPrefix.EveryUnspacedPiece;
        }
        return DummyPrefix.Never;
    }

    /// <summary>GPT-2's byte-to-character table, inverted: printable bytes stand for themselves, the rest for 256 + n.</summary>
    private static readonly Dictionary<char, byte> ByteOfChar = ByteLevelTable();

    private static Dictionary<char, byte> ByteLevelTable()
    {
        var table = new Dictionary<char, byte>();
        int extra = 0;
        for (int b = 0; b < 256; b++)
            table[b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF ? (char)b : (char)(256 + extra++)] = (byte)b;
        return table;
    }

    /// <summary>The text a byte-level vocabulary word stands for; null where its bytes are not whole UTF-8.</summary>
    private static string? ByteLevelText(string word)
    {
        var bytes = new byte[word.Length];
        for (int i = 0; i < word.Length; i++)
            if (!ByteOfChar.TryGetValue(word[i], out bytes[i])) return null;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
