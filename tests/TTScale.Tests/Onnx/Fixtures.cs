using System.Text.Json;

namespace TTScale.Tests.Onnx;

/// <summary>Paths to the committed model fixtures and the repository's models/ folder.</summary>
internal static class Fixtures
{
    public static string ModelsDirectory { get; } = FindModels();

    public static string Path(string fixture, string file) => System.IO.Path.Combine(ModelsDirectory, "fixtures", fixture, file);

    public static JsonElement Golden(string fixture) => JsonDocument.Parse(File.ReadAllText(Path(fixture, "golden.json"))).RootElement;

    public static float[][] Matrix(JsonElement rows) =>
        rows.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

    private static string FindModels()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "models", "fixtures");
            if (Directory.Exists(candidate)) return System.IO.Path.Combine(dir.FullName, "models");
        }
        throw new DirectoryNotFoundException($"no models/fixtures folder above {AppContext.BaseDirectory}");
    }
}
