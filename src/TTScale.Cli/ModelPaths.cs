namespace TTScale.Cli;

/// <summary>Finds the demo models shipped in the repository's models/ folder.</summary>
internal static class ModelPaths
{
    /// <summary>models/<paramref name="name"/>, looked for above the working directory, then above the program.</summary>
    public static string Demo(string name)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "models", name);
                if (File.Exists(Path.Combine(candidate, "config.json"))) return candidate;
            }
        throw new CliException($"the demo model models/{name} was not found above {Directory.GetCurrentDirectory()}; pass --model DIR");
    }
}
