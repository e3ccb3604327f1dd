using System.Text;
using System.Text.Json;
using TTScale.Evaluation;

namespace TTScale.Cli;

/// <summary>
/// An eval's JSONL output, opened for resuming: records already there are kept (a torn last line from a kill is cut
/// off; a damaged whole line is an error), their problems are skipped, and each new record is appended as one line and flushed at once, so stopping at any
/// moment loses nothing already written.
/// </summary>
internal sealed class EvalOutput : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;

    /// <summary>Records already in the file, by problem id.</summary>
    public Dictionary<string, EvalRecord> Existing { get; } = [];

    private EvalOutput(string path, FileStream stream)
    {
        _path = path;
        _stream = stream;
    }

    /// <summary>
    /// Opens (or creates) <paramref name="path"/>; checks existing records were made by the same strategy, parameters and
    /// run settings (<paramref name="stamp"/>; records written before stamps were kept have none to check).
    /// </summary>
    public static EvalOutput Open(string path, string strategy, IReadOnlyDictionary<string, object> parameters, IReadOnlyDictionary<string, object> stamp)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) CliFiles.CreateFolder(directory);
        if (Directory.Exists(path)) throw new CliException($"--out {path} is a folder; give a file");
        FileStream stream;
        try
        {
            // Locked against a second writer (an advisory lock on Linux, which other TTScale runs respect), not readers.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(path))
        {
            throw new CliException($"--out {path}: another run is writing it ({e.Message}); wait for it or use another --out");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliFiles.CannotWrite(path, e);
        }
        var output = new EvalOutput(path, stream);
        try
        {
            output.ReadExisting(strategy, JsonSerializer.Serialize(parameters, Jsonl.Options), JsonSerializer.SerializeToElement(stamp, Jsonl.Options));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        stream.Seek(0, SeekOrigin.End);
        return output;
    }

    private void ReadExisting(string strategy, string parameters, JsonElement stamp)
    {
        var bytes = new byte[_stream.Length];
        _stream.ReadExactly(bytes);
        var (records, wholeLength) = Parse(bytes, _path, "; use another --out");
        foreach (var (line, record) in records)
        {
            if (record.Strategy != strategy || JsonSerializer.Serialize(record.Parameters, Jsonl.Options) != parameters)
                throw new CliException($"{_path}:{line}: holds results of {record.Strategy} {JsonSerializer.Serialize(record.Parameters, Jsonl.Options)}, " +
                    $"not {strategy} {parameters}; use another --out");
            if (record.Run is not null && Mismatch(JsonSerializer.SerializeToElement(record.Run, Jsonl.Options), stamp) is string mismatch)
                throw new CliException($"{_path}:{line}: was run with other settings ({mismatch}); use another --out");
            Existing[record.Id] = record;
        }
        if (wholeLength < bytes.Length) _stream.SetLength(wholeLength); // cut the torn last line
    }

    /// <summary>The first setting that differs, as "--option: there, now"; a model is compared by its graph's hash, not its path.</summary>
    private static string? Mismatch(JsonElement there, JsonElement now)
    {
        static string Value(JsonElement stamp, string key) => stamp.TryGetProperty(key, out var v) ? StampValue(v) : "none";
        var keys = there.EnumerateObject().Select(p => p.Name).Union(now.EnumerateObject().Select(p => p.Name));
        return keys.Where(key => Value(there, key) != Value(now, key))
            .Select(key => $"--{key.Replace('_', '-')}: {Value(there, key)} there, {Value(now, key)} now").FirstOrDefault();
    }

    /// <summary>A run stamp's value as errors show it: a model by its graph's hash, anything else as written.</summary>
    internal static string StampValue(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty("sha256", out var hash) ? ModelStamp.Shown(hash.GetString()!) : value.ToString();

    /// <summary>
    /// The records of an eval's JSONL file (a sweep's run, say), as a resume would keep them: a missing file (a run not
    /// started) has none, a torn last line (a run still writing, or killed) is left out.
    /// </summary>
    public static List<EvalRecord> ReadRecords(string path) =>
        File.Exists(path) ? [.. Parse(File.ReadAllBytes(path), path, "").Records.Select(r => r.Record)] : [];

    /// <summary>
    /// Every newline-ended line must be a record (else an error naming file and line, then <paramref name="hint"/>); what
    /// follows the last newline is a write cut short by a kill and is left out. Returns the records with their line
    /// numbers and the length of the whole lines.
    /// </summary>
    private static (List<(int Line, EvalRecord Record)> Records, long WholeLength) Parse(byte[] bytes, string path, string hint)
    {
        var records = new List<(int, EvalRecord)>();
        int lineStart = 0, number = 0;
        while (lineStart < bytes.Length)
        {
            int newline = Array.IndexOf(bytes, (byte)'\n', lineStart);
            if (newline < 0) break;
            number++;
            string line = Encoding.UTF8.GetString(bytes, lineStart, newline - lineStart);
            lineStart = newline + 1;
            if (line.Trim().Length == 0) continue;
            try
            {
                records.Add((number, JsonSerializer.Deserialize<EvalRecord>(line, Jsonl.ReadOptions) ?? throw new JsonException("null record")));
            }
            catch (JsonException e)
            {
                throw new CliException($"{path}:{number}: not an eval record ({StrictJson.Describe(e, withLine: false)}){hint}");
            }
        }
        return (records, lineStart);
    }

    /// <summary>Appends one record as one line and flushes it to the operating system.</summary>
    public void Append(EvalRecord record)
    {
        byte[] line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, Jsonl.Options) + "\n");
        _stream.Write(line);
        _stream.Flush();
    }

    public void Dispose() => _stream.Dispose();
}
