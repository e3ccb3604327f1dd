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
}
