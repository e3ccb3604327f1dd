using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace TTScale.Onnx;

/// <summary>
/// A tokenizer.json <c>pre_tokenizer</c> run as Hugging Face's tokenizers runs it, on the text between added tokens
/// (<see cref="AddedTokenTokenizer"/> cuts those out first): each rule in turn splits every piece the rules before it left. Qwen2's and Llama 3's regex
/// <c>Split</c> (digits one or three at a time, "\n\n" as one piece), StarCoder's <c>Digits</c> and GPT-2's
/// <c>ByteLevel</c> regex each change which ids a text gets, so mapping them all onto GPT-2's pattern, as before, fed a
/// model token sequences it was never trained on.
/// </summary>
internal sealed partial class PreTokenizerPipeline : PreTokenizer
{
    private delegate IEnumerable<(int Start, int End)> Rule(string text, int start, int end);

    private readonly Rule[] _rules;

    private PreTokenizerPipeline(Rule[] rules) => _rules = rules;

    /// <summary>GPT-2's pre-tokenizer (ByteLevel with its regex), for a vocab.json + merges.txt.</summary>
    public static PreTokenizerPipeline ByteLevel() => new([Split(Gpt2Pattern(), "Isolated", invert: false)]);

    /// <summary>Reads a tokenizer.json <c>pre_tokenizer</c> (null: the whole text is one piece).</summary>
    /// <exception cref="InvalidDataException">A pre-tokenizer of a kind not supported here, or an invalid pattern; the message names the file.</exception>
    public static PreTokenizerPipeline FromJson(JsonElement preTokenizer, string path)
    {
        var rules = new List<Rule>();
        foreach (var (type, pre) in TokenizerJson.Components(preTokenizer, "pretokenizers", path))
        {
            switch (type)
            {
                case "ByteLevel":
                    // The byte-to-character mapping itself is BpeOptions.ByteLevel; here only the splitting.
                    if (pre.Flag("add_prefix_space"))
                        throw new InvalidDataException($"{path}: pre_tokenizer ByteLevel with add_prefix_space true is not supported");
                    if (!pre.TryGetProperty("use_regex", out var useRegex) || useRegex.ValueKind != JsonValueKind.False)
                        rules.Add(Split(Gpt2Pattern(), "Isolated", invert: false));
                    break;
                case "Split":
                    rules.Add(Split(Pattern(pre, path), pre.TryGetProperty("behavior", out var b) ? b.GetString() ?? "" : "", pre.Flag("invert"), path));
                    break;
                case "Digits":
                    rules.Add(Split(pre.Flag("individual_digits") ? DigitPattern() : DigitsPattern(), "Isolated", invert: false));
                    break;
                default:
                    throw new InvalidDataException($"{path}: pre_tokenizer type '{type}' is not supported (Sequence, ByteLevel, Split and Digits are)");
            }
        }
        return new PreTokenizerPipeline([.. rules]);
    }

    private static Regex Pattern(JsonElement split, string path)
    {
        if (!split.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: pre_tokenizer Split has no pattern");
        if (pattern.TryGetProperty("String", out var literal)) return new Regex(Regex.Escape(literal.GetString() ?? ""), RegexOptions.CultureInvariant);
        string regex = pattern.TryGetProperty("Regex", out var r) ? r.GetString() ?? "" : throw new InvalidDataException($"{path}: pre_tokenizer Split pattern is neither String nor Regex");
        try
        {
            return new Regex(regex, RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: pre_tokenizer Split pattern '{regex}' is not a .NET regular expression ({e.Message})", e);
        }
    }

    private static Rule Split(Regex pattern, string behavior, bool invert, string? path = null)
    {
        // A pattern that names astral characters itself matches them as UTF-16, so it runs on the text as is.
        bool byCodePoint = !pattern.ToString().AsSpan().ContainsAnyInRange('\uD800', '\uDFFF');
        Func<List<(int Start, int End, bool Match)>, IEnumerable<(int Start, int End)>> merge = behavior switch
        {
            "Isolated" => parts => parts.Select(p => (p.Start, p.End)),
            "Removed" => parts => parts.Where(p => !p.Match).Select(p => (p.Start, p.End)),
            // The three merging behaviors, as tokenizers' NormalizedString::split defines them.
            "MergedWithPrevious" => parts => Merge(parts, (match, previous) => match && !previous),
            "MergedWithNext" => parts => Merge(parts.AsEnumerable().Reverse(), (match, previous) => match && !previous).AsEnumerable().Reverse(),
            "Contiguous" => parts => Merge(parts, (match, previous) => match == previous), // inverted, gaps can be neighbours too
            _ => throw new InvalidDataException($"{path}: pre_tokenizer Split behavior '{behavior}' is not one of Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous"),
        };
        return (text, start, end) => merge(Partition(pattern, text, start, end, invert, byCodePoint)).Where(p => p.End > p.Start);
    }

    /// <summary>
    /// The piece <paramref name="text"/>[start, end) cut into the pattern's matches and the gaps between
    /// them, in order, each marked a match (or, inverted, a gap). The piece is matched on its own, as Hugging Face does:
    /// a lookahead sees the piece's end, not the text's. <paramref name="byCodePoint"/>: astral characters are matched
    /// as the one character they are (<see cref="StandIn"/>).
    /// </summary>
    private static List<(int Start, int End, bool Match)> Partition(Regex pattern, string text, int start, int end, bool invert, bool byCodePoint)
    {
        var parts = new List<(int Start, int End, bool Match)>();
        string piece = text.Substring(start, end - start);
        int[]? offsets = null;
        if (byCodePoint && piece.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF')) (piece, offsets) = StandIn(piece);
        int at = start;
        foreach (Match m in pattern.Matches(piece))
        {
            if (m.Length == 0) continue;
            int from = start + (offsets?[m.Index] ?? m.Index), to = start + (offsets?[m.Index + m.Length] ?? m.Index + m.Length);
            if (from > at) parts.Add((at, from, invert));
            parts.Add((from, to, !invert));
            at = to;
        }
        if (at < end) parts.Add((at, end, invert));
        return parts;
    }

    /// <summary>
    /// <paramref name="text"/> with each surrogate pair replaced by one BMP character of the same Unicode category, and
    /// where each of its characters starts in <paramref name="text"/> (and, last, its length). .NET's Regex matches UTF-16
    /// units, so \p{L} or \p{N} never matches half of "𝑥" or "𝟏", where Hugging Face's Oniguruma matches code points.
    /// </summary>
    private static (string Text, int[] Offsets) StandIn(string text)
    {
        var chars = new StringBuilder(text.Length);
        var offsets = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i++)
        {
            offsets.Add(i);
            if (!char.IsSurrogatePair(text, i)) chars.Append(text[i]); // a lone surrogate stays: no pattern matches it either way
            else chars.Append(CategoryStandIns[(int)CharUnicodeInfo.GetUnicodeCategory(text, i++)]);
        }
        offsets.Add(text.Length);
        return (chars.ToString(), [.. offsets]);
    }

    /// <summary>
    /// A BMP character of each <see cref="UnicodeCategory"/>, in the enum's order. Those of categories with astral
    /// characters are not ASCII, whitespace or case-equal to ASCII, so none meets a literal of the known patterns
    /// (contractions, \r\n) or \s; the separators, controls and surrogates (none astral) only fill the table.
    /// </summary>
    internal const string CategoryStandIns =
        "\u2C80\u2C81\u01C5\u02B0\u2D30\u20D0\u0903\u20DD\u0660\u2160\u2460\u3000\u2028\u2029\u0085\u2062" // Lu..Cf
        + "\uD800\uE000\u203F\u2010\u2045\u2046\u2039\u203A\u203B\u2A00\u20A0\u02C2\u2603\uFFFF"; // Cs..Cn

    /// <summary>Parts in order, each joined to the piece before it where <paramref name="joinsPrevious"/>(its match, the previous part's) says so.</summary>
    private static List<(int Start, int End)> Merge(IEnumerable<(int Start, int End, bool Match)> parts, Func<bool, bool, bool> joinsPrevious)
    {
        var pieces = new List<(int Start, int End)>();
        bool previousMatch = false;
        foreach (var (start, end, match) in parts)
        {
            if (joinsPrevious(match, previousMatch) && pieces.Count > 0)
                pieces[^1] = (Math.Min(pieces[^1].Start, start), Math.Max(pieces[^1].End, end)); // either direction
            else pieces.Add((start, end));
            previousMatch = match;
        }
        return pieces;
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => PreTokenize(text.ToString());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        if (text.Length == 0) return [];
        IEnumerable<(int Start, int End)> pieces = [(0, text.Length)];
        foreach (var rule in _rules)
            pieces = pieces.SelectMany(p => rule(text, p.Start, p.End)).ToList();
        return pieces.Select(p => (p.Start, p.End - p.Start));
    }

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Gpt2Pattern();

    [GeneratedRegex(@"\p{N}")]
    private static partial Regex DigitPattern();

    [GeneratedRegex(@"\p{N}+")]
    private static partial Regex DigitsPattern();
}
