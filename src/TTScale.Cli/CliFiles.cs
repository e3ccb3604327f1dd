using System.Reflection;
using System.Security.Cryptography;

namespace TTScale.Cli;

/// <summary>What the commands record about files and themselves: atomic writes, content hashes, the TTScale version.</summary>
internal static class CliFiles
{
    /// <summary>This build's version (with its commit), as sweeps and reports record it.</summary>
    public static string Version { get; } =
        typeof(CliFiles).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Writes <paramref name="text"/> to a temporary file beside <paramref name="path"/> and renames it into place, so a failure never leaves half a file; creates the folder.</summary>
    public static void WriteAtomically(string path, string text)
    {
        string full = Path.GetFullPath(path), temporary = full + ".tmp";
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(temporary, text);
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>The file's SHA-256 in lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
