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
        var steps = new List<Func<string, string>>();
        AddSteps(normalizer, steps, path);
        return steps.Count > 0 ? new NormalizerPipeline([.. steps]) : null;
    }

    private static void AddSteps(JsonElement normalizer, List<Func<string, string>> steps, string path)
    {
        if (normalizer.ValueKind == JsonValueKind.Null || normalizer.ValueKind == JsonValueKind.Undefined) return;
        string type = normalizer.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        switch (type)
        {
            case "Sequence":
                foreach (var inner in normalizer.GetProperty("normalizers").EnumerateArray()) AddSteps(inner, steps, path);
                break;
            case "NFC": steps.Add(s => s.Normalize(NormalizationForm.FormC)); break;
            case "NFD": steps.Add(s => s.Normalize(NormalizationForm.FormD)); break;
            case "NFKC": steps.Add(s => s.Normalize(NormalizationForm.FormKC)); break;
            case "NFKD": steps.Add(s => s.Normalize(NormalizationForm.FormKD)); break;
            case "Lowercase": steps.Add(s => s.ToLowerInvariant()); break;
            default:
                throw new InvalidDataException($"{path}: normalizer type '{type}' is not supported (NFC, NFD, NFKC, NFKD, Lowercase and Sequence are)");
        }
    }

    public override string Normalize(string original) => steps.Aggregate(original, (text, step) => step(text));

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
