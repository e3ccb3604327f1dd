using System.Text.Json;
using System.Text.Json.Serialization;
using TTScale.Onnx;

namespace TTScale.Cli;

/// <summary>A model a sweep ran, with the hash of its graph, so a report can say exactly what ran.</summary>
internal sealed record ModelStamp(string Path, string Sha256)
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelStamp> Hashed = new();

    /// <summary>The <paramref name="what"/> ("model", "PRM") in <paramref name="directory"/>, its graph hashed once per process (a sweep stamps every run).</summary>
    public static ModelStamp Of(string directory, string what) => Hashed.GetOrAdd(System.IO.Path.GetFullPath(directory),
        path => new ModelStamp(path, CliFiles.Sha256(ModelConfig.LoadDirectory(directory, what).GraphPath(directory))));

    /// <summary>A model as messages show it: by its graph's hash, not its path (a copy elsewhere is the same model) or its file name (config.json may name another than model.onnx).</summary>
    public static string Shown(string sha256) => $"ONNX graph sha256 {sha256}";
}

/// <summary>One strategy at one budget in a sweep, and the records file it wrote (relative to the sweep folder).</summary>
internal sealed record SweepRun(string Strategy, int Budget, IReadOnlyDictionary<string, object> Parameters, string File);

/// <summary>
/// <c>sweep.json</c>: what a sweep folder holds and how it was made. <see cref="Pool"/> is the best-of-n run with
/// <see cref="PoolSize"/> samples per problem that every best-of-N budget is replayed from; <see cref="Runs"/> are the
/// strategies run directly at each budget. Rerunning a sweep adds to it, so the settings that decide results must match.
/// Every planned run and <see cref="Problems"/>, the problems each covers, are written before the first run starts: a sweep
/// killed early is then seen as unfinished, not as one of fewer runs or problems. Manifests from before it lack Problems.
/// </summary>
internal sealed record SweepManifest(
    int Version, string Dataset, int? Limit, long Seed, ModelStamp Policy, string? PromptTemplate, ModelStamp? Prm, string Verifier, double Temperature, double TopP,
    int MaxTokens, string Aggregation, string Hardware, int PoolSize, SweepRun? Pool, IReadOnlyList<SweepRun> Runs, string TtscaleVersion,
    DateTimeOffset Created, int? Problems = null)
{
    public const string FileName = "sweep.json";

    /// <summary>The manifest version this TTScale writes, and the newest it reads.</summary>
    public const int CurrentVersion = 1;
    private static readonly JsonSerializerOptions Indented = new(Jsonl.Options) { WriteIndented = true };

    /// <summary>Reads <c>DIR/sweep.json</c>; a missing, unreadable or edited-out-of-range file is an error naming it.</summary>
    public static SweepManifest Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new CliException($"{path}: not found; is {folder} a sweep folder (made by ttscale sweep)?");
        SweepManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<SweepManifest>(File.ReadAllText(path), Jsonl.ReadOptions) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new CliException($"{path}: not a sweep manifest ({StrictJson.Describe(e)})");
        }
        // Checked here, or a later check blames an option the user never gave (a budget of -3 as "--budgets -3").
        if (manifest.Version is < 1 or > CurrentVersion)
            throw new CliException($"{path}: version {manifest.Version}; this TTScale reads versions 1 to {CurrentVersion}");
        if (manifest.PoolSize < 1) throw new CliException($"{path}: pool_size {manifest.PoolSize}; it is 1 or more");
        if (manifest.Problems < 1) throw new CliException($"{path}: problems {manifest.Problems}; it is 1 or more");
        var runs = manifest.Pool is { } pool ? manifest.Runs.Prepend(pool) : manifest.Runs;
        if (runs.FirstOrDefault(r => r.Budget < 1) is { } bad)
            throw new CliException($"{path}: the {bad.Strategy} run in {bad.File} has budget {bad.Budget}; a budget is 1 or more");
        return manifest;
    }

    /// <summary>Writes it atomically (temporary file, then rename).</summary>
    public void Write(string folder) => CliFiles.WriteAtomically(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Indented) + "\n");

    /// <summary>The settings that decide results, as policy.json keeps them.</summary>
    [JsonIgnore]
    public SweepSettings Settings => new(Dataset, Limit, Seed, Policy, PromptTemplate, Prm, Verifier, Temperature, TopP, MaxTokens, Aggregation, Hardware);

    /// <summary>The first setting that differs from <paramref name="other"/>'s, as "--option: this vs that", or null.</summary>
    public string? Mismatch(SweepManifest other) => Settings.Mismatch(other.Settings);
}

/// <summary>
/// What a sweep was made with that decides its results: <c>sweep.json</c> less its pool and runs. policy.json keeps it
/// (<c>sweep</c>), so that a run of the policy's options is checked against the settings they were measured at.
/// </summary>
internal sealed record SweepSettings(string Dataset, int? Limit, long Seed, ModelStamp Policy, string? PromptTemplate, ModelStamp? Prm, string Verifier,
    double Temperature, double TopP, int MaxTokens, string Aggregation, string Hardware)
{
    /// <summary>A run's settings as a sweep would record them; <paramref name="usesPrm"/>: whether it runs the PRM.</summary>
    public static SweepSettings Of(RunSettings run, bool usesPrm) => new(run.Dataset, run.Limit, run.Seed, ModelStamp.Of(run.Model, "model"), run.PolicyTemplate?.Text,
        usesPrm ? ModelStamp.Of(run.PrmDirectory, "PRM") : null, run.Verifier, run.Sampling.Temperature, run.Sampling.TopP, run.Sampling.MaxTokens,
        run.Aggregation.ToString().ToLowerInvariant(), run.Hardware.Name);

    /// <summary>The first setting that differs from <paramref name="other"/>'s, as "--option: this vs that", or null; <paramref name="ignoring"/> names options not compared.</summary>
    public string? Mismatch(SweepSettings other, params string[] ignoring)
    {
        bool bothPrm = Prm is not null && other.Prm is not null; // a PRM stamp only matters where both ran one
        (string Option, object? Mine, object? Theirs)[] settings =
        [
            ("--dataset", Dataset, other.Dataset), ("--seed", Seed, other.Seed), ("--model", Policy.Sha256, other.Policy.Sha256),
            ("--prompt-template", PromptTemplate, other.PromptTemplate),
            ("--prm", bothPrm ? Prm!.Sha256 : null, bothPrm ? other.Prm!.Sha256 : null),
            ("--verifier", Verifier, other.Verifier), ("--temperature", Temperature, other.Temperature),
            ("--top-p", TopP, other.TopP), ("--max-tokens", MaxTokens, other.MaxTokens), ("--agg", Aggregation, other.Aggregation),
            ("--hardware", Hardware, other.Hardware), // the records' eFLOPs are on its profile
        ];
        foreach (var (option, mine, theirs) in settings)
            if (!ignoring.Contains(option) && !Equals(mine, theirs)) return $"{option}: {mine ?? "none"} there, {theirs ?? "none"} now";
        return null;
    }

    /// <summary>
    /// Refuses an adaptive run of <paramref name="policy"/> (from <paramref name="path"/>) whose settings differ from its
    /// sweep's: its options' accuracies and costs were measured there. The problems may differ (a policy is for new ones),
    /// and the hardware does only where the costs are eFLOPs, which are on its profile. A policy that does not record its
    /// sweep (built before policy.json kept it) is run unchecked, with a note.
    /// </summary>
    public static void CheckPolicy(Allocation.Policy policy, string path, RunSettings run)
    {
        if (policy.Sweep is not { } recorded)
        {
            Console.Error.WriteLine($"note: --policy {path} does not record its sweep's settings; this run's are not checked against them");
            return;
        }
        SweepSettings sweep;
        try
        {
            sweep = recorded.Deserialize<SweepSettings>(Jsonl.ReadOptions) ?? throw new JsonException("sweep is null");
        }
        catch (JsonException e)
        {
            throw new CliException($"--policy {path}: not a valid policy (sweep: {StrictJson.Describe(e, withLine: false)})");
        }
        string[] ignoring = policy.CostUnit == Allocation.CostUnit.Eflops ? ["--dataset", "--seed"] : ["--dataset", "--seed", "--hardware"];
        if (sweep.Mismatch(Of(run, usesPrm: run.Verifier == "prm"), ignoring) is string mismatch)
            throw new CliException($"--policy {path}: its sweep was made with other settings ({mismatch}); run with the sweep's, or build a policy from a sweep made with these");
    }
}
