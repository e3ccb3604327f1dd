using System.Text.Json;

namespace TTScale.Cli;

/// <summary>A model a sweep ran, with the hash of its graph, so a report can say exactly what ran.</summary>
internal sealed record ModelStamp(string Path, string Sha256)
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelStamp> Hashed = new();

    /// <summary>The model in <paramref name="directory"/>, its graph hashed once per process (a sweep stamps every run).</summary>
    public static ModelStamp Of(string directory) => Hashed.GetOrAdd(System.IO.Path.GetFullPath(directory),
        path => new ModelStamp(path, CliFiles.Sha256(System.IO.Path.Combine(path, "model.onnx"))));
}

/// <summary>One strategy at one budget in a sweep, and the records file it wrote (relative to the sweep folder).</summary>
internal sealed record SweepRun(string Strategy, int Budget, IReadOnlyDictionary<string, object> Parameters, string File);

/// <summary>
/// <c>sweep.json</c>: what a sweep folder holds and how it was made. <see cref="Pool"/> is the best-of-n run with
/// <see cref="PoolSize"/> samples per problem that every best-of-N budget is replayed from; <see cref="Runs"/> are the
/// strategies run directly at each budget. Rerunning a sweep adds to it, so the settings that decide results must match.
/// </summary>
internal sealed record SweepManifest(
    int Version, string Dataset, int? Limit, long Seed, ModelStamp Policy, string? PromptTemplate, ModelStamp? Prm, string Verifier, double Temperature, double TopP,
    int MaxTokens, string Aggregation, string Hardware, int PoolSize, SweepRun? Pool, IReadOnlyList<SweepRun> Runs, string TtscaleVersion,
    DateTimeOffset Created)
{
    public const string FileName = "sweep.json";
    private static readonly JsonSerializerOptions Indented = new(Jsonl.Options) { WriteIndented = true };

    /// <summary>Reads <c>DIR/sweep.json</c>; a missing or unreadable file is an error naming it.</summary>
    public static SweepManifest Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new CliException($"{path}: not found; is {folder} a sweep folder (made by ttscale sweep)?");
        try
        {
            return JsonSerializer.Deserialize<SweepManifest>(File.ReadAllText(path), Jsonl.ReadOptions) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new CliException($"{path}: not a sweep manifest ({e.Message})");
        }
    }

    /// <summary>Writes it atomically (temporary file, then rename).</summary>
    public void Write(string folder) => CliFiles.WriteAtomically(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Indented) + "\n");

    /// <summary>The first setting that differs from <paramref name="other"/>'s, as "--option: this vs that", or null.</summary>
    public string? Mismatch(SweepManifest other)
    {
        (string Option, object? Mine, object? Theirs)[] settings =
        [
            ("--dataset", Dataset, other.Dataset), ("--seed", Seed, other.Seed), ("--model", Policy.Sha256, other.Policy.Sha256),
            ("--prompt-template", PromptTemplate, other.PromptTemplate),
            ("--prm", Prm?.Sha256, other.Prm?.Sha256), ("--verifier", Verifier, other.Verifier), ("--temperature", Temperature, other.Temperature),
            ("--top-p", TopP, other.TopP), ("--max-tokens", MaxTokens, other.MaxTokens), ("--agg", Aggregation, other.Aggregation),
            ("--hardware", Hardware, other.Hardware), // the records' eFLOPs are on its profile
        ];
        foreach (var (option, mine, theirs) in settings)
            if (!Equals(mine, theirs)) return $"{option}: {mine ?? "none"} there, {theirs ?? "none"} now";
        return null;
    }
}
