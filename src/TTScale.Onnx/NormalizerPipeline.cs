using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace TTScale.Onnx;

/// <summary>
/// A tokenizer.json <c>normalizer</c> of the kinds byte-level BPE models use: a Unicode normalization form (Qwen2's NFC)
/// or Lowercase, alone or in a Sequence.
/// </summary>
internal sealed class NormalizerPipeline(Func<string, string>[] steps) : Normalizer
{
    /// <summary>Reads a tokenizer.json <c>normalizer</c>; null where it is null or absent.</summary>
    /// <exception cref="InvalidDataException">A normalizer of another kind; the message names the file.</exception>
    public static NormalizerPipeline? FromJson(JsonElement normalizer, string path)
    {
        Func<string, string>[] steps = [.. TokenizerJson.Components(normalizer, "normalizers", path).Select(c => Step(c.Type, path))];
        return steps.Length > 0 ? new NormalizerPipeline(steps) : null;
    }

    private static Func<string, string> Step(string type, string path) => type switch
    {
        "NFC" => s => s.Normalize(NormalizationForm.FormC),
        "NFD" => s => s.Normalize(NormalizationForm.FormD),
        "NFKC" => s => s.Normalize(NormalizationForm.FormKC),
        "NFKD" => s => s.Normalize(NormalizationForm.FormKD),
        // Rust's char::to_lowercase, as Hugging Face runs it char by char (so no final sigma): 'İ' is "i\u0307", the one
        // character whose lowercase is two, where ToLowerInvariant keeps it (or, under NLS, gives 'i').
        "Lowercase" => s => s.Replace("\u0130", "i\u0307", StringComparison.Ordinal).ToLowerInvariant(),
        _ => throw new InvalidDataException($"{path}: normalizer type '{type}' is not supported (NFC, NFD, NFKC, NFKD, Lowercase and Sequence are)"),
    };

    public override string Normalize(string original) => steps.Aggregate(original, (text, step) => step(text));

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
