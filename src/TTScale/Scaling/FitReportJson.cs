using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TTScale.Scaling;

/// <summary>fit.json reading and writing: snake_case names, enums as their CLI names (axis "eflops", model "power_law").</summary>
public static class FitReportJson
{
    /// <summary>The serializer options (indented; non-finite numbers written as "NaN"/"Infinity" so a report always round-trips).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static readonly JsonSerializerOptions ReadOptions = StrictJson.ForReading(Options);

    /// <summary>The report as JSON text.</summary>
    public static string Serialize(FitReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>A report from JSON text.</summary>
    /// <exception cref="JsonException">Malformed or empty JSON, a required member missing or null, or another schema version.</exception>
    public static FitReport Deserialize(string json)
    {
        // An older file's curves lack what this version reads: say so rather than name the first missing member.
        using (var document = JsonDocument.Parse(json))
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("schema_version", out var version)
                && version.ValueKind == JsonValueKind.Number && version.TryGetInt32(out int v) && v != FitReport.CurrentSchemaVersion)
                throw new JsonException($"schema_version {v} is not {FitReport.CurrentSchemaVersion}; run ttscale fit again to rewrite it");
        return JsonSerializer.Deserialize<FitReport>(json, ReadOptions) ?? throw new JsonException("fit.json holds null, not a fit report");
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep '±' and '@' (pass@k) readable
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            WriteIndented = true,
        };
        options.Converters.Add(new AxisConverter());
        options.Converters.Add(new ModelConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class AxisConverter : JsonConverter<ComputeAxis>
    {
        public override ComputeAxis Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            try { return ComputeAxes.Parse(reader.GetString() ?? ""); }
            catch (ArgumentException e) { throw new JsonException(e.Message, e); }
        }

        public override void Write(Utf8JsonWriter writer, ComputeAxis value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());
    }

    private sealed class ModelConverter : JsonConverter<CurveModel>
    {
        public override CurveModel Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            try { return CurveModels.Parse(reader.GetString() ?? ""); }
            catch (ArgumentException e) { throw new JsonException(e.Message, e); }
        }

        public override void Write(Utf8JsonWriter writer, CurveModel value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());
    }
}
