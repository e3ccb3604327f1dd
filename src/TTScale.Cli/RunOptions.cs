using System.CommandLine;
using TTScale.Compute;
using TTScale.Generation;
using TTScale.Onnx;
using TTScale.Strategies;
using TTScale.Tasks;
using TTScale.Verifiers;

namespace TTScale.Cli;

/// <summary>
/// The options every command that runs strategies shares (eval, sweep): models, verifier, dataset, sampling, search
/// hyperparameters, seed and concurrency; and what they load.
/// </summary>
internal sealed class RunOptions
{
    public readonly Option<string?> Model = new("--model") { Description = "Policy model directory (default: models/arith-lm)." };
    public readonly Option<string?> PromptTemplate = PromptTemplateOption.Create();
    public readonly Option<string?> SystemPrompt = PromptTemplateOption.CreateSystemPrompt();
    public readonly Option<string?> Prm = new("--prm") { Description = "Process reward model directory (default: models/arith-prm)." };
    public readonly Option<double> PrmCache = new("--prm-cache")
    {
        Description = "MB of PRM KV kept between verifier calls (each problem's last scored texts), so extended texts are read on from where they were left; 0 reads every text whole.",
        DefaultValueFactory = _ => PrmVerifier.DefaultCacheBytes / (1 << 20),
    };
    public readonly Option<string> Verifier = new("--verifier") { Description = "prm, oracle (the exact ArithChain checker) or none.", DefaultValueFactory = _ => "prm" };
    public readonly Option<string> Dataset = new("--dataset") { Description = "arith:count=N,levels=1-5,seed=S or a JSONL file (GSM8K, MATH or {id, prompt, answer}).", DefaultValueFactory = _ => "arith:count=100,levels=1-5,seed=1234" };
    public readonly Option<bool> SkipBad = new("--skip-bad") { Description = "Skip malformed dataset lines, and problems too long for the policy's context, instead of failing." };
    public readonly Option<string?> Select = new("--select") { Description = "naive, weighted or majority (best-of-n, hybrid and tree search: weighted; revise: naive, i.e. by verifier); last for revise." };
    public readonly Option<int> Revisions = new("--revisions") { Description = "Attempts per chain for revise and hybrid.", DefaultValueFactory = _ => 4 };
    public readonly Option<string?> RevisionRequest = new("--revision-request")
    {
        Description = $"revise and hybrid on a chat model: the user turn after each attempt, asking for the next (\\n is a newline; default: '{Revision.DefaultRequest}').",
    };
    public readonly Option<int> BeamWidth = new("--beam-width") { Description = "M for beam, dvts and lookahead: each survivor is expanded M times (ets sizes its own expansions).", DefaultValueFactory = _ => 4 };
    public readonly Option<int> Iterations = new("--iterations") { Description = "Most search rounds (steps) for tree search.", DefaultValueFactory = _ => 40 };
    public readonly Option<int> Lookahead = new("--lookahead") { Description = "Greedy rollout steps before scoring, for lookahead.", DefaultValueFactory = _ => 2 };
    public readonly Option<double> LambdaC = new("--lambda-c") { Description = "ets: weight of the KV cost of retained nodes (their tokens over the tree's).", DefaultValueFactory = _ => 1.0 };
    public readonly Option<double> LambdaS = new("--lambda-s") { Description = "ets: weight of semantic coverage (lambda_s / K per step cluster kept).", DefaultValueFactory = _ => 1.45 };
    public readonly Option<bool> Dedupe = new("--dedupe") { Description = "beam, lookahead and ets: drop proposals whose normalised text equals another live proposal's before selection." };
    public readonly Option<string> Aggregation = new("--agg") { Description = "Step-score aggregation: last, min, prod or mean.", DefaultValueFactory = _ => "last" };
    public readonly Option<double> Temperature = new("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 0.8 };
    public readonly Option<double> TopP = new("--top-p") { Description = "Nucleus sampling mass (1 = off).", DefaultValueFactory = _ => 1.0 };
    public readonly Option<int> MaxTokens = new("--max-tokens") { Description = "Most tokens per candidate.", DefaultValueFactory = _ => 160 };
    public readonly Option<int?> Limit = new("--limit") { Description = "Only the first L problems." };
    public readonly Option<long> Seed = new("--seed") { Description = "Run seed; each problem's seed derives from it and the problem id.", DefaultValueFactory = _ => 1234 };
    public readonly Option<int> Concurrency = new("--concurrency") { Description = "Problems solved at once (their sequences share batches).", DefaultValueFactory = _ => 8 };
    public readonly Option<string> Hardware = new("--hardware") { Description = $"Hardware profile for eFLOPs: {string.Join(", ", HardwareProfile.All.Select(p => p.Name))}.", DefaultValueFactory = _ => "cpu-local" };
    public readonly Option<string> Device = new("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
    public readonly Option<int> Threads = GenerateCommand.ThreadsOption();

    /// <summary>
    /// The search and revision options, each with the strategies that read it (adaptive reads all but --dedupe, as its
    /// options' defaults). In a <paramref name="sweep"/>, best-of-n comes from the pool (every rule replayed) and a revise budget is its revisions.
    /// </summary>
    public IEnumerable<(Option Option, Func<string, bool> Reads)> StrategyOptions(bool sweep = false)
    {
        yield return (Select, name => name is not ("greedy" or "sample") && !(sweep && name == "best-of-n"));
        yield return (Revisions, name => name is "hybrid" or "adaptive" || (!sweep && name == "revise"));
        yield return (RevisionRequest, name => name is "revise" or "hybrid" or "adaptive");
        yield return (BeamWidth, name => name is "beam" or "dvts" or "lookahead" or "adaptive");
        yield return (Iterations, name => StrategyCatalog.IsSearch(name) || name == "adaptive");
        yield return (Lookahead, name => name is "lookahead" or "adaptive");
        yield return (LambdaC, name => name is "ets" or "adaptive");
        yield return (LambdaS, name => name is "ets" or "adaptive");
        yield return (Dedupe, StrategyCatalog.IsSearch); // dvts and particle refuse it themselves; adaptive's options run as measured
    }

    /// <summary>
    /// Options given on the command line that none of <paramref name="strategies"/> reads, each named in a note on stderr:
    /// a user who set --beam-width for best-of-n should know it changed nothing.
    /// </summary>
    public static void NoteUnread(ParseResult result, IReadOnlyCollection<string> strategies, IEnumerable<(Option Option, Func<string, bool> Reads)> options)
    {
        foreach (var (option, reads) in options)
            if (result.GetResult(option) is { Implicit: false } && !strategies.Any(reads))
                Console.Error.WriteLine($"note: {option.Name} is not read by {string.Join(", ", strategies)}; ignored");
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, PromptTemplate, SystemPrompt, Prm, PrmCache, Verifier, Dataset, SkipBad, Select, Revisions, RevisionRequest, BeamWidth, Iterations, Lookahead, LambdaC, LambdaS, Dedupe, Aggregation,
            Temperature, TopP, MaxTokens, Limit, Seed, Concurrency, Hardware, Device, Threads })
            command.Options.Add(option);
    }

    /// <summary>The options as given, checked.</summary>
    public RunSettings Read(ParseResult result)
    {
        int? limit = result.GetValue(Limit);
        if (limit < 1) throw new CliException("--limit must be 1 or more");
        int concurrency = result.GetValue(Concurrency);
        if (concurrency < 1) throw new CliException("--concurrency must be 1 or more");
        string verifier = result.GetValue(Verifier)!;
        if (verifier is not ("prm" or "oracle" or "none")) throw new CliException($"--verifier '{verifier}' is not a verifier: use prm, oracle or none");
        double prmCache = result.GetValue(PrmCache);
        if (!(prmCache >= 0 && prmCache <= long.MaxValue >> 20)) throw new CliException($"--prm-cache {prmCache} must be a number of MB, 0 or more");
        var sampling = new SamplingOptions
        {
            Temperature = result.GetValue(Temperature), TopP = result.GetValue(TopP), MaxTokens = result.GetValue(MaxTokens),
        };
        GenerateCommand.ValidateSampling(sampling);
        string? select = result.GetValue(Select);
        string model = result.GetValue(Model) ?? ModelPaths.Demo("arith-lm");
        return new RunSettings(
            model, PromptTemplateOption.Read(result.GetValue(PromptTemplate), result.GetValue(SystemPrompt), model), result.GetValue(Prm), (long)(prmCache * (1 << 20)), verifier,
            result.GetValue(Dataset)!, result.GetValue(SkipBad), limit, sampling, StepScores.Parse(result.GetValue(Aggregation)!),
            new StrategySettings(Select: select is null ? null : Selection.Parse(select), Revisions: result.GetValue(Revisions),
                BeamWidth: result.GetValue(BeamWidth), Iterations: result.GetValue(Iterations), Lookahead: result.GetValue(Lookahead),
                Dedupe: result.GetValue(Dedupe), Ets: new EtsOptions(result.GetValue(LambdaC), result.GetValue(LambdaS)),
                RevisionRequest: result.GetValue(RevisionRequest)?.Replace("\\n", "\n", StringComparison.Ordinal)),
            result.GetValue(Seed), concurrency, GenerateCommand.Hardware(result.GetValue(Hardware)!),
            GenerateCommand.Device(result.GetValue(Device)!, result.GetValue(Threads)));
    }
}

/// <summary>What <see cref="RunOptions"/> read.</summary>
internal sealed record RunSettings(string Model, PromptTemplate? PromptTemplate, string? Prm, long PrmCacheBytes, string Verifier, string Dataset, bool SkipBad, int? Limit, SamplingOptions Sampling,
    StepAggregation Aggregation, StrategySettings Strategy, long Seed, int Concurrency, HardwareProfile Hardware, ExecutionDevice Device)
{
    /// <summary>The dataset's problems (the first <see cref="Limit"/>); lines skipped by --skip-bad are named on stderr.</summary>
    public IReadOnlyList<Problem> LoadProblems()
    {
        const int named = 10;
        var problems = ProblemSource.Load(Dataset, SkipBad, out var skipped);
        if (skipped.Count > 0)
        {
            Console.Error.WriteLine($"skipped {skipped.Count} bad line(s) in {Dataset}:");
            foreach (string line in skipped.Take(named)) Console.Error.WriteLine($"  {line}");
            if (skipped.Count > named) Console.Error.WriteLine($"  and {skipped.Count - named} more");
        }
        return Limit is int count ? problems.Take(count).ToList() : problems;
    }

    /// <summary>The PRM directory: --prm, else the demo PRM (looked for only when a PRM is used).</summary>
    public string PrmDirectory => Prm ?? ModelPaths.Demo("arith-prm");

    /// <summary>The prompt template the policy reads: --prompt-template, else its config's.</summary>
    public PromptTemplate? PolicyTemplate => PromptTemplate ?? ModelConfig.LoadDirectory(Model, "model").PromptTemplate;

    /// <summary>
    /// What each record keeps of these settings beyond the strategy's own parameters (<see cref="EvalRecord.Run"/>): the
    /// policy (path and graph hash), its prompt template, top-p and token limit, the hardware profile the ledger's eFLOPs
    /// are on, and where a verifier scores, which one (the PRM with its hash) and the step aggregation.
    /// </summary>
    public Dictionary<string, object> RunStamp(bool usesVerifier)
    {
        var stamp = new Dictionary<string, object> { ["model"] = ModelStamp.Of(Model, "model") };
        if (PolicyTemplate?.Text is string template) stamp["prompt_template"] = template;
        stamp["top_p"] = Sampling.TopP;
        stamp["max_tokens"] = Sampling.MaxTokens;
        stamp["hardware"] = Hardware.Name;
        if (usesVerifier && Verifier != "none")
        {
            stamp["verifier"] = Verifier;
            if (Verifier == "prm") stamp["prm"] = ModelStamp.Of(PrmDirectory, "PRM");
            stamp["agg"] = Aggregation.ToString().ToLowerInvariant();
        }
        return stamp;
    }

    /// <summary>Loads the policy and, when <paramref name="needsVerifier"/>, the verifier.</summary>
    public ModelRuntime Open(bool needsVerifier)
    {
        var generator = OnnxGenerator.Load(Model, new GeneratorOptions { Device = Device, MaxBatchRows = 128, PromptTemplate = PromptTemplate });
        try
        {
            PromptTemplateOption.WarnIfChatModelRunsBare(generator);
            if (Strategy.RevisionRequest is not null && generator.ContinueChat("", []) is null)
                throw new CliException($"--revision-request goes with a chat model (--prompt-template {TTScale.Onnx.PromptTemplate.Chat}): {Model} reads its attempts in the revision format");
            var prm = needsVerifier && Verifier == "prm" ? PrmVerifier.Load(PrmDirectory, Device, cacheBytes: PrmCacheBytes) : null;
            if (prm is not null) PromptTemplateOption.WarnIfChatModelRunsBare(PrmDirectory, prm.Config.PromptTemplate, $"set \"prompt_template\": \"{TTScale.Onnx.PromptTemplate.Chat}\" in {Path.Combine(PrmDirectory, "config.json")}");
            IProcessVerifier? verifier = Verifier switch { "prm" => prm, "oracle" => new OracleStepVerifier(), _ => null };
            return new ModelRuntime(generator, prm, new StrategyContext(generator, verifier, Sampling, Aggregation));
        }
        catch
        {
            generator.Dispose();
            throw;
        }
    }
}

/// <summary>The loaded models and the context strategies run on; disposing releases the sessions.</summary>
internal sealed class ModelRuntime(OnnxGenerator generator, PrmVerifier? prm, StrategyContext context) : IDisposable
{
    public StrategyContext Context { get; } = context;

    /// <summary>
    /// The problems whose prompts leave the policy room to write: one that fills its context is an error naming it
    /// (the run would otherwise stop at it), or with <paramref name="skipBad"/> is skipped with a note on stderr.
    /// </summary>
    public IReadOnlyList<Problem> Fitting(IReadOnlyList<Problem> problems, bool skipBad)
    {
        var tooLong = problems.Select(p => (Problem: p, Tokens: generator.PromptLength(p.Prompt))).Where(p => p.Tokens >= generator.ContextLength).ToList();
        if (tooLong.Count == 0) return problems;
        string which = $"{tooLong.Count} problem(s) too long for the context of {generator.Directory} ({generator.ContextLength} tokens): " +
            string.Join(", ", tooLong.Take(5).Select(p => $"{p.Problem.Id} ({p.Tokens} tokens)")) + (tooLong.Count > 5 ? ", ..." : "");
        if (!skipBad) throw new CliException($"{which}; --skip-bad skips them");
        Console.Error.WriteLine($"skipped {which}");
        var skipped = tooLong.Select(p => p.Problem).ToHashSet();
        return [.. problems.Where(p => !skipped.Contains(p))];
    }

    public void Dispose()
    {
        prm?.Dispose();
        generator.Dispose();
    }
}
