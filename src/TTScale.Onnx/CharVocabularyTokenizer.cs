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
    /// <param name="vocabPath">The vocabulary file.</param>
    /// <param name="vocabSize">The model's vocabulary size, when known: every id below it must have its one token.</param>
    /// <exception cref="InvalidDataException">The file is not such an object, lacks the unknown token, or does not cover the model's ids.</exception>
    public static BpeTokenizer Load(string vocabPath, int? vocabSize = null)
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
        // An id the model can generate but the vocabulary lacks would vanish from the decoded text.
        if (vocabSize is int size && (vocabulary.Count != size || vocabulary.Values.Order().Where((id, i) => id != i).Any()))
            throw new InvalidDataException($"{vocabPath}: {vocabulary.Count} tokens with ids {vocabulary.Values.Min()} to {vocabulary.Values.Max()}; " +
                $"the model's vocab_size {size} (config.json) needs one token for each id from 0 to {size - 1}");
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
