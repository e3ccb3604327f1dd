using System.Reflection;
using System.Security.Cryptography;

namespace TTScale.Cli;

/// <summary>What the commands record about files and themselves: atomic writes, content hashes, the TTScale version.</summary>
internal static class CliFiles
{
    /// <summary>This build's version (with its commit), as sweeps and reports record it.</summary>
    public static string Version { get; } =
        typeof(CliFiles).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Writes <paramref name="text"/> atomically (see the other overload).</summary>
    public static void WriteAtomically(string path, string text) => WriteAtomically(path, writer => writer.Write(text));

    /// <summary>
    /// Writes to a temporary file beside <paramref name="path"/> and renames it into place, so a failure (a bad input
    /// line met while writing) leaves the file as it was and no temporary behind; creates the folder. The temporary's
    /// name is new each time, so a file of the user's is never taken for it and two writers do not share one.
    /// </summary>
    /// <exception cref="CliException"><paramref name="path"/> is a folder.</exception>
    public static void WriteAtomically(string path, Action<TextWriter> write)
    {
        string full = Path.GetFullPath(path), temporary = $"{full}.{Path.GetRandomFileName()}.tmp";
        if (Directory.Exists(full)) throw new CliException($"{path} is a folder; give a file to write");
        CreateFolder(Path.GetDirectoryName(full)!);
        try
        {
            StreamWriter writer;
            try
            {
                writer = new StreamWriter(temporary) { NewLine = "\n" };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CannotWrite(path, e, temporary);
            }
            using (writer) write(writer);
            try
            {
                File.Move(temporary, full, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CannotWrite(path, e, temporary);
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Creates <paramref name="folder"/> and its parents.</summary>
    /// <exception cref="CliException">One of them is a file (.NET says only that it "could not find a part of the path").</exception>
    public static void CreateFolder(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (IOException) when (FileOnPath(folder) is string file)
        {
            throw new CliException($"cannot make the folder {folder}: {file} is a file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot make the folder {folder}: {Reason(e)}");
        }
    }

    /// <summary>An output that cannot be written, named as the user gave it (not by the temporary written first).</summary>
    public static CliException CannotWrite(string path, Exception e, string? temporary = null) =>
        new($"cannot write {path}: {(temporary is null ? Reason(e) : Reason(e).Replace(temporary, Path.GetFullPath(path), StringComparison.Ordinal))}");

    private static string Reason(Exception e) => e is UnauthorizedAccessException ? "permission denied" : e.Message;

    private static string? FileOnPath(string folder)
    {
        for (string? part = Path.GetFullPath(folder); part is not null; part = Path.GetDirectoryName(part))
            if (File.Exists(part)) return part;
        return null;
    }

    /// <summary>The file's SHA-256 in lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
