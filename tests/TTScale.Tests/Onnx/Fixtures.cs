using System.Text.Json;

namespace TTScale.Tests.Onnx;

/// <summary>Paths to the committed model fixtures and the repository's models/ folder.</summary>
internal static class Fixtures
{
    public static string ModelsDirectory { get; } = FindModels();

    public static string Path(string fixture, string file) => System.IO.Path.Combine(ModelsDirectory, "fixtures", fixture, file);

    /// <summary>Copies the fixture's files, but <paramref name="except"/>, into <paramref name="directory"/> (made if need be); returns it.</summary>
    public static string CopyTo(string fixture, string directory, params string[] except)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in Directory.GetFiles(System.IO.Path.Combine(ModelsDirectory, "fixtures", fixture)))
            if (!except.Contains(System.IO.Path.GetFileName(file))) File.Copy(file, System.IO.Path.Combine(directory, System.IO.Path.GetFileName(file)));
        return directory;
    }

    /// <summary>A copy of the fixture in a new temporary directory, its config.json's <paramref name="key"/> set to <paramref name="value"/>.</summary>
    public static string CopyWithConfig(string fixture, string key, System.Text.Json.Nodes.JsonNode? value) =>
        CopyWithConfig(fixture, System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"ttscale-{fixture}-{Guid.NewGuid():N}"), config => config[key] = value);

    /// <summary>Copies the fixture's files, but <paramref name="except"/>, into <paramref name="directory"/>, its config.json as <paramref name="edit"/> leaves it; returns the directory.</summary>
    public static string CopyWithConfig(string fixture, string directory, Action<System.Text.Json.Nodes.JsonObject> edit, params string[] except)
    {
        CopyTo(fixture, directory, [.. except, "config.json"]);
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path(fixture, "config.json")))!.AsObject();
        edit(config);
        File.WriteAllText(System.IO.Path.Combine(directory, "config.json"), config.ToJsonString());
        return directory;
    }

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
