using System.Text.Json;

namespace TTScale.Onnx;

/// <summary>
/// A Hugging Face added token: matched whole in the text before the model's own tokenization runs. <c>lstrip</c> and
/// <c>rstrip</c> take the whitespace on that side into the match (Phi-3's <c>&lt;|user|&gt;</c> eats the newline after
/// it); <c>single_word</c> matches only where no word character touches it.
/// </summary>
internal sealed record AddedToken(string Content, int Id, bool LStrip, bool RStrip, bool SingleWord);

/// <summary>A tokenizer's added tokens, and the split of a text into them and the plain text between.</summary>
internal sealed class AddedTokens
{
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    public AddedTokens(IEnumerable<AddedToken> tokens)
    {
        All = [.. tokens];
        // Longest first, so the first match at a position is the longest (Hugging Face matches leftmost-longest).
        _byFirstChar = All.Where(t => t.Content.Length > 0).GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    public IReadOnlyList<AddedToken> All { get; }

    /// <summary><c>tokenizer.json</c>'s <c>added_tokens</c> list.</summary>
    /// <exception cref="InvalidDataException">An entry without its content or id; the message names the file.</exception>
    public static AddedTokens FromTokenizerJson(JsonElement root, string path) =>
        new(!root.TryGetProperty("added_tokens", out var list) || list.ValueKind == JsonValueKind.Null ? []
            : list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(e => Parse(e, e.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out int n) ? n : null, path))
                : throw new InvalidDataException($"{path}: 'added_tokens' must be a list, not {list.GetRawText()}"));

    /// <summary><c>tokenizer_config.json</c>'s <c>added_tokens_decoder</c> (id to token), for a tokenizer.model alone.</summary>
    /// <exception cref="InvalidDataException">An entry without its content or with a key that is not an id; the message names the file.</exception>
    public static AddedTokens FromTokenizerConfig(JsonElement root, string path) =>
        new(root.TryGetProperty("added_tokens_decoder", out var map) && map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject().Select(p => Parse(p.Value, int.TryParse(p.Name, out int id) ? id : null, path))
            : []);

    private static AddedToken Parse(JsonElement entry, int? id, string path)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String || id is not >= 0)
            throw new InvalidDataException($"{path}: an added token without a string 'content' and an id of 0 or more: {entry.GetRawText()}");
        return new AddedToken(content.GetString()!, id.Value, entry.Flag("lstrip"), entry.Flag("rstrip"), entry.Flag("single_word"));
    }

    /// <summary>
    /// The text cut into added tokens (<c>Token</c> set, <c>Text</c> its match with any whitespace it strips) and the
    /// plain text between them (<c>Token</c> null), in order; empty plain pieces are left out.
    /// </summary>
    public IEnumerable<(Range Text, AddedToken? Token)> Split(string text)
    {
        int plainStart = 0, i = 0;
        while (i < text.Length)
        {
            if (Match(text, i) is not { } token)
            {
                i++;
                continue;
            }
            int start = i, end = i + token.Content.Length;
            if (token.LStrip)
                while (start > plainStart && char.IsWhiteSpace(text[start - 1])) start--;
            if (token.RStrip)
                while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
            if (start > plainStart) yield return (plainStart..start, null);
            yield return (start..end, token);
            plainStart = i = end;
        }
        if (plainStart < text.Length) yield return (plainStart..text.Length, null);
    }

    private AddedToken? Match(string text, int at)
    {
        if (!_byFirstChar.TryGetValue(text[at], out var candidates)) return null;
        foreach (var token in candidates)
        {
            if (string.CompareOrdinal(text, at, token.Content, 0, token.Content.Length) != 0) continue;
            int end = at + token.Content.Length;
            if (token.SingleWord && (at > 0 && IsWordChar(text[at - 1]) || end < text.Length && IsWordChar(text[end]))) continue;
            return token;
        }
        return null;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
