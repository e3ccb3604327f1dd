namespace TTScale.Tests;

/// <summary>
/// The real datasets in ../shared/data beside the repository. They are not part of the project: where the folder is
/// absent (a user's own clone), tests that need it are skipped with a message saying so.
/// </summary>
internal static class SharedData
{
    public static string? Directory { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Directory ?? "", .. parts]);

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared", "data");
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}

/// <summary>A fact that needs ../shared/data; skipped, with the reason, where that folder is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (SharedData.Directory is null) Skip = "../shared/data is not present beside this clone (real datasets for tests live there)";
    }
}
