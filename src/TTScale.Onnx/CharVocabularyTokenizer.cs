using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace TTScale.Onnx;

/// <summary>
/// Loads a character-level vocabulary (a BPE <c>vocab.json</c> with no merges, as the demo models use) into
/// Microsoft.ML.Tokenizers. Every character is its own pre-token, so whitespace and newlines round-trip exactly,
/// and a character outside the vocabulary becomes the unknown token rather than being dropped.
/// </summary>
public static class CharVocabularyTokenizer
{
    /// <summary>The special tokens every demo vocabulary holds.</summary>
    public const string Pad = "<pad>", Bos = "<bos>", Eos = "<eos>", Unknown = "<unk>";

    /// <summary>Loads <paramref name="vocabPath"/>, a JSON object mapping each token to its id.</summary>
    /// <exception cref="InvalidDataException">The file is not such an object, or lacks the unknown token.</exception>
    public static BpeTokenizer Load(string vocabPath)
    {
        if (!File.Exists(vocabPath)) throw new FileNotFoundException($"{vocabPath}: tokenizer vocabulary not found", vocabPath);
        Dictionary<string, int> vocabulary;
        try
        {
            vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabPath))
                ?? throw new InvalidDataException($"{vocabPath}: empty vocabulary");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{vocabPath}: not a token-to-id JSON object ({StrictJson.Describe(e)})", e);
        }
        if (!vocabulary.ContainsKey(Unknown)) throw new InvalidDataException($"{vocabPath}: the vocabulary has no '{Unknown}' token");
        var specialTokens = vocabulary.Where(kv => kv.Key.Length > 1 && kv.Key.StartsWith('<') && kv.Key.EndsWith('>'))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        var options = new BpeOptions(vocabulary)
        {
            UnknownToken = Unknown,
            SpecialTokens = specialTokens,
            // One pre-token per character (surrogate pairs kept whole): the default word splitter would drop whitespace.
            PreTokenizer = new RegexPreTokenizer(new Regex(@"(?s)[\uD800-\uDBFF][\uDC00-\uDFFF]|.", RegexOptions.Compiled), specialTokens),
        };
        return BpeTokenizer.Create(options);
    }
}
