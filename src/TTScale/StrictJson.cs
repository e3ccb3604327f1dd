using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization.Metadata;

namespace TTScale;

/// <summary>
/// Reading TTScale's own JSON files strictly: a constructor member that is neither nullable nor defaulted must be present
/// and not null, so a damaged or hand-edited file fails where it is read, naming the member, instead of as a null far
/// from the file. Members added later carry defaults, so older files still read.
/// </summary>
public static class StrictJson
{
    /// <summary>
    /// Parsing that refuses a repeated property: which of its values a record took would be the reader's choice (and
    /// JsonObject throws on first reading it, in an error naming neither file nor line).
    /// </summary>
    public static readonly JsonDocumentOptions UniqueProperties = new() { AllowDuplicateProperties = false };

    /// <summary>A copy of <paramref name="options"/> for reading strictly.</summary>
    public static JsonSerializerOptions ForReading(JsonSerializerOptions options) => new(options)
    {
        RespectNullableAnnotations = true,
        TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(RequireNonNullable),
    };

    /// <summary>
    /// A read error as the member it concerns and what is wrong with it ("bins[0].curve[0].cost is missing"), without the
    /// .NET type names System.Text.Json puts in its messages; a syntax error keeps its own message, as does one the caller
    /// threw itself. Without <paramref name="withLine"/> a wrong value is given no line: a JSONL record's caller names the
    /// file's, and the reader counts only the record's.
    /// </summary>
    public static string Describe(JsonException e, bool withLine = true)
    {
        ArgumentNullException.ThrowIfNull(e);
        // The reader's (malformed JSON, with its line), or the caller's own, thrown outside the serializer without a path.
        if (e.InnerException is JsonException || e.Path is null) return e.Message;
        string at = e.Path == "$" ? "" : e.Path[(e.Path.StartsWith("$.", StringComparison.Ordinal) ? 2 : 1)..];
        var missing = Regex.Match(e.Message, "missing required properties including: (.*?)\\.?$");
        if (missing.Success)
        {
            string[] names = [.. missing.Groups[1].Value.Split(", ").Select(name => (at == "" ? "" : at + ".") + name.Trim('\''))];
            return string.Join(", ", names) + (names.Length == 1 ? " is missing" : " are missing");
        }
        if (at == "") return "not a JSON object";
        // A null where a number or flag goes fails as the number's conversion, with the reader's complaint inside.
        bool isNull = e.Message.Contains("doesn't allow null values", StringComparison.Ordinal)
            || e.InnerException is InvalidOperationException { Message: var inner } && inner.Contains("token type 'Null'", StringComparison.Ordinal);
        return isNull ? $"{at} is null"
            : withLine ? $"{at} is not a valid value, at line {e.LineNumber + 1}" : $"{at} is not a valid value";
    }

    private static void RequireNonNullable(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in info.Properties)
            if (!property.IsSetNullable && property.AssociatedParameter is { HasDefaultValue: false }) property.IsRequired = true;
    }
}
