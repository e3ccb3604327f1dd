using System.Text.Json;

namespace TTScale.Onnx;

internal static class JsonFile
{
    /// <summary>The top-level object of a JSON file; an error naming the file where it is not JSON or not an object.</summary>
    public static JsonElement ReadObject(string path)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: expected a JSON object");
        return root;
    }

    /// <summary>Whether the object has <paramref name="name"/> set to true (absent or any other value: false).</summary>
    public static bool Flag(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>
    /// The string property <paramref name="name"/>, or null where it is absent or null; any other value is an error naming
    /// <paramref name="path"/> and <paramref name="field"/> (by default the name), as is an empty string where <paramref name="nonEmpty"/>.
    /// </summary>
    public static string? StringOrNull(this JsonElement element, string name, string path, string? field = null, bool nonEmpty = false)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String && value.GetString() is { } text && (text.Length > 0 || !nonEmpty) ? text
            : throw new InvalidDataException($"{path}: '{field ?? name}' must be a {(nonEmpty ? "non-empty " : "")}string, not {value.GetRawText()}");
    }

    /// <summary>The string property <paramref name="name"/>, or null where it is absent or not a string.</summary>
    public static string? OptionalString(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
