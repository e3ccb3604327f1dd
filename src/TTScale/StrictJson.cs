using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TTScale;

/// <summary>
/// Reading TTScale's own JSON files strictly: a constructor member that is neither nullable nor defaulted must be present
/// and not null, so a damaged or hand-edited file fails where it is read, naming the member, instead of as a null far
/// from the file. Members added later carry defaults, so older files still read.
/// </summary>
public static class StrictJson
{
    /// <summary>A copy of <paramref name="options"/> for reading strictly.</summary>
    public static JsonSerializerOptions ForReading(JsonSerializerOptions options) => new(options)
    {
        RespectNullableAnnotations = true,
        TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(RequireNonNullable),
    };

    private static void RequireNonNullable(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in info.Properties)
            if (!property.IsSetNullable && property.AssociatedParameter is { HasDefaultValue: false }) property.IsRequired = true;
    }
}
