using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TTScale.Cli;

/// <summary>JSONL reading and writing with the CLI's conventions: snake_case, readable operators, one record per line.</summary>
internal static class Jsonl
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep '+' and '<' readable in prompts
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary><see cref="Options"/> for reading records and manifests: a missing or null required member is an error naming it.</summary>
    public static readonly JsonSerializerOptions ReadOptions = StrictJson.ForReading(Options);

    /// <summary>Writes records to a file (atomically, <see cref="CliFiles.WriteAtomically(string, Action{TextWriter})"/>) or to standard output when <paramref name="path"/> is null.</summary>
    public static void Write<T>(string? path, IEnumerable<T> records)
    {
        if (path is null)
        {
            using var stdout = new StreamWriter(Console.OpenStandardOutput()) { NewLine = "\n" };
            foreach (var record in records) stdout.WriteLine(JsonSerializer.Serialize(record, Options));
            return;
        }
        CliFiles.WriteAtomically(path, writer =>
        {
            foreach (var record in records) writer.WriteLine(JsonSerializer.Serialize(record, Options));
        });
    }

    /// <summary>Reads a JSONL file's objects with their line numbers; a malformed line is an error naming file and line.</summary>
    public static IEnumerable<(int Line, JsonObject Record)> Read(string path)
    {
        if (!File.Exists(path)) throw new CliException($"{path}: file not found");
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonObject? record;
            try
            {
                record = JsonNode.Parse(line, documentOptions: StrictJson.UniqueProperties) as JsonObject;
            }
            catch (JsonException e)
            {
                throw new CliException($"{path}:{number}: malformed JSON ({e.Message})");
            }
            yield return (number, record ?? throw new CliException($"{path}:{number}: expected a JSON object"));
        }
    }

    /// <summary>A required string field of a record, or an error naming the file, line and field.</summary>
    public static string RequireString(JsonObject record, string field, string path, int line) =>
        record[field] is JsonValue value && value.TryGetValue(out string? text)
            ? text
            : throw new CliException($"{path}:{line}: field '{field}' is missing or not a string");
}
