using System.Globalization;
using System.Text.Json;
using TTScale.Allocation;
using TTScale.Strategies;

namespace TTScale.Cli;

/// <summary>A strategy's hyperparameters as the command line gives them.</summary>
/// <param name="N">Candidates for best-of-n; beams or particles for tree search.</param>
/// <param name="Select">The selection rule; null for the strategy's default.</param>
/// <param name="Revisions">Attempts per chain (revise, hybrid).</param>
/// <param name="Chains">Parallel chains (hybrid).</param>
/// <param name="BeamWidth">M: each survivor is expanded M times (beam, dvts, lookahead).</param>
/// <param name="Iterations">Most search rounds.</param>
/// <param name="Lookahead">Greedy rollout steps before scoring (lookahead).</param>
/// <param name="Dedupe">Drop proposals whose normalised text repeats another's (tree search).</param>
/// <param name="Ets">ETS's cost and coverage weights; null for their defaults.</param>
/// <param name="RevisionRequest">What a chat model is asked after each attempt (revise, hybrid); null for the default.</param>
internal sealed record StrategySettings(int N = 16, SelectionRule? Select = null, int Revisions = 4, int Chains = 4, int BeamWidth = 4,
    int Iterations = 40, int Lookahead = 2, bool Dedupe = false, EtsOptions? Ets = null, string? RevisionRequest = null);

/// <summary>The strategies the command line knows: their names, defaults, what they need, and what a budget means for each.</summary>
internal static class StrategyCatalog
{
    public static readonly string[] SearchNames = ["beam", "dvts", "lookahead", "particle", "ets"];
    public static readonly string[] Names = ["greedy", "sample", "best-of-n", "revise", "hybrid", .. SearchNames, "adaptive"];

    /// <summary>The name, checked, in lower case.</summary>
    public static string Parse(string text, string option = "--strategy")
    {
        string name = text.Trim().ToLowerInvariant();
        return Names.Contains(name) ? name : throw new CliException($"{option} '{name}' is not a strategy: use one of {string.Join(", ", Names)}");
    }

    public static bool IsSearch(string name) => SearchNames.Contains(name);

    /// <summary>revise picks by verifier; best-of-n, hybrid and tree search by weighted vote; the rest take the last candidate.</summary>
    public static SelectionRule DefaultSelection(string name) =>
        name == "revise" ? SelectionRule.Naive : IsSearch(name) || name is "best-of-n" or "hybrid" ? SelectionRule.Weighted : SelectionRule.Last;

    public static bool NeedsVerifier(string name, SelectionRule rule) =>
        IsSearch(name) || name is "adaptive" || (Selection.NeedsScores(rule) && name is "best-of-n" or "revise" or "hybrid");

    /// <summary>Builds the strategy; a library argument error becomes a CLI error naming the option.</summary>
    public static IStrategy Create(string name, StrategyContext context, StrategySettings s)
    {
        var rule = s.Select ?? DefaultSelection(name);
        return CliErrors.Checked<IStrategy>(() => name switch
        {
            "greedy" => new BestOfN(context with { Sampling = context.Sampling with { Temperature = 0 } }, 1, SelectionRule.Last),
            "sample" => new BestOfN(context, 1, SelectionRule.Last),
            "best-of-n" => new BestOfN(context, s.N, rule),
            "revise" => new Revision(context, 1, s.Revisions, rule, s.RevisionRequest),
            "hybrid" => new Revision(context, s.Chains, s.Revisions, rule, s.RevisionRequest),
            "adaptive" => throw new CliException("--strategy adaptive needs --policy and --budget"),
            _ when IsSearch(name) => new TreeSearch(context, Enum.Parse<TreeSearch.Kind>(name, ignoreCase: true), s.N, s.BeamWidth, s.Iterations, rule, s.Lookahead,
                s.Dedupe, s.Ets),
            _ => throw new CliException($"--strategy '{name}' is not a strategy: use one of {string.Join(", ", Names)}"),
        });
    }

    /// <summary>
    /// The adaptive strategy: probe, difficulty from the policy's model, and the policy's option for that bin, run with the
    /// hyperparameters the policy names over <paramref name="defaults"/>; <paramref name="budget"/> per prompt on average
    /// (in the policy's unit) is spent across the set, or sets the dual price each prompt is decided at alone.
    /// </summary>
    /// <param name="oracleSweep">A sweep whose pool gives each problem's oracle bin, instead of the difficulty model's prediction.</param>
    /// <param name="batch">Spend budget x problems across the whole set (probe all, then allocate); otherwise decide each prompt alone at the price.</param>
    /// <param name="k">Samples in the difficulty probe, as <see cref="LoadAdaptivePolicy"/> settled it.</param>
    public static IStrategy CreateAdaptive(StrategyContext context, string policyPath, Policy policy, double budget, int k, StrategySettings defaults,
        string? oracleSweep = null, bool batch = true)
    {
        var allocator = new BudgetAllocator(policy);
        // Every option the policy may choose is built now, so a bad name or parameter fails before any model time, not mid-run.
        static string Key(string strategy, IReadOnlyDictionary<string, JsonElement> parameters) => $"{strategy} {JsonSerializer.Serialize(parameters)}";
        var options = new Dictionary<string, IStrategy>();
        foreach (var bin in allocator.Policy.Bins)
            foreach (var point in bin.Curve)
            {
                string key = Key(point.Strategy, point.Parameters);
                if (options.ContainsKey(key)) continue;
                try
                {
                    options[key] = Create(point.Strategy, context, FromParameters(point.Parameters, defaults));
                    CheckMeasuredAs(options[key], point.Parameters);
                }
                catch (Exception e) when (e is CliException or InvalidOperationException or FormatException or ArgumentException)
                {
                    throw new CliException($"--policy {policyPath}: bin {bin.Bin}'s option {key}: {e.Message}");
                }
            }
        // The price is what a prompt decided alone is decided at; a batch is checked against its own prompts when planned.
        double price = batch ? 0 : CliErrors.Checked(() => allocator.PriceForRate(budget));
        var parameters = new Dictionary<string, object>
        {
            ["policy"] = Path.GetFullPath(policyPath), ["policy_sha256"] = CliFiles.Sha256(policyPath), ["budget"] = budget, ["cost_unit"] = allocator.CostUnit.Name(), ["probe"] = k,
            ["allocation"] = batch ? "batch" : "prompt",
        };
        if (!batch) parameters["price"] = price;
        IReadOnlyDictionary<string, int>? oracle = null;
        if (oracleSweep is not null)
        {
            var pool = SweepFolder.Read(oracleSweep).SamplePool() ?? throw new CliException($"--oracle-bins {oracleSweep}: the sweep has no best-of-n pool");
            oracle = CliErrors.Checked(() => Scaling.DifficultyBins.FromPool(pool, allocator.Bins)).Assignment.ToDictionary(a => a.Key, a => a.Value - 1);
            parameters["oracle_bins"] = Path.GetFullPath(oracleSweep);
        }
        return CliErrors.Checked(() => new Adaptive(context, allocator.WithPrice(price), k, allocator.Policy.ScoresProbe,
            decision => options[Key(decision.Strategy, decision.Parameters)], parameters, oracle, batch ? budget : null));
    }

    /// <summary>
    /// The policy an adaptive run spends <paramref name="budget"/> by and its probe size, read once and checked with the
    /// budget and <paramref name="probe"/> before any model time: an infinite budget went on to fail as a JSON error when
    /// its record was written.
    /// </summary>
    public static (Policy Policy, int Probe) LoadAdaptivePolicy(string? policyPath, double? budget, int? probe)
    {
        if (policyPath is null) throw new CliException("--strategy adaptive needs --policy FILE");
        if (budget is not double b) throw new CliException("--strategy adaptive needs --budget B (average per prompt, in the policy's cost unit)");
        if (!(b > 0 && double.IsFinite(b)))
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--budget {b} must be a positive number (per prompt, in the policy's cost unit)"));
        if (!File.Exists(policyPath)) throw new CliException($"--policy {policyPath}: file not found");
        var policy = Policy.Load(policyPath);
        if (policy.DifficultyModel is null) throw new CliException($"--policy {policyPath}: the policy has no difficulty_model to read a probe with");
        // The difficulty model reads features of the policy's k samples, and its menu's costs include that probe.
        if (probe is int k && policy.ProbeSamples is int built && k != built)
            throw new CliException($"--probe {k}: the policy {policyPath} was built for a probe of {built} samples (its difficulty model reads " +
                $"that many and its costs include them); leave --probe out, or build a policy with --probe {k}");
        return (policy, probe ?? policy.ProbeSamples ?? throw new CliException($"--policy {policyPath}: the policy does not say its probe size; pass --probe"));
    }

    /// <summary>
    /// An option runs as the sweep measured it: a setting it recorded that this run would change (its temperature or step
    /// aggregation, which come from the command line) is an error, since its predicted accuracy and cost were measured there.
    /// </summary>
    private static void CheckMeasuredAs(IStrategy option, IReadOnlyDictionary<string, JsonElement> measured)
    {
        foreach (var (name, value) in option.Parameters)
            if (measured.TryGetValue(name, out var recorded) && JsonSerializer.Serialize(value) != recorded.GetRawText())
                throw new CliException($"it was measured with {name} {recorded.GetRawText()}, and this run gives it {JsonSerializer.Serialize(value)}" +
                    (name switch { "temperature" => " (--temperature)", "agg" => " (--agg)", _ => "" }) + "; run with the sweep's settings");
    }

    /// <summary>A policy option's hyperparameters (as policy.json keeps them) over the command line's.</summary>
    public static StrategySettings FromParameters(IReadOnlyDictionary<string, JsonElement> p, StrategySettings defaults)
    {
        int Int(string key, int fallback) => p.TryGetValue(key, out var v) ? v.GetInt32() : fallback;
        double Double(string key, double fallback) => p.TryGetValue(key, out var v) ? v.GetDouble() : fallback;
        var ets = defaults.Ets ?? new EtsOptions();
        return defaults with
        {
            N = Int("n", defaults.N), Revisions = Int("revisions", defaults.Revisions), Chains = Int("chains", defaults.Chains),
            BeamWidth = Int("beam_width", defaults.BeamWidth), Iterations = Int("iterations", defaults.Iterations), Lookahead = Int("lookahead", defaults.Lookahead),
            Select = p.TryGetValue("select", out var select)
                ? Selection.Parse(select.GetString() ?? throw new FormatException("select is null, not a selection rule")) : defaults.Select,
            // A search records dedupe only where it was on: an option without it was measured without, whatever --dedupe says.
            Dedupe = p.TryGetValue("dedupe", out var dedupe) && dedupe.GetBoolean(),
            Ets = ets with { LambdaC = Double("lambda_c", ets.LambdaC), LambdaS = Double("lambda_s", ets.LambdaS) },
            RevisionRequest = p.TryGetValue("revision_request", out var request) ? request.GetString() : defaults.RevisionRequest,
        };
    }

    /// <summary>
    /// What a budget of B candidates means for each strategy in a sweep: B samples (best-of-n), B beams or particles
    /// (the beam width capped at B), B attempts (revise), or B = chains x revisions (hybrid: as square as B allows, with at
    /// most --revisions attempts per chain, so 16 is 4x4 and 64 is 16x4). greedy and sample have no budget.
    /// </summary>
    public static StrategySettings AtBudget(string name, int budget, StrategySettings defaults)
    {
        if (name == "hybrid")
        {
            int revisions = Enumerable.Range(1, Math.Min(defaults.Revisions, (int)Math.Sqrt(budget))).Last(r => budget % r == 0);
            return defaults with { Revisions = revisions, Chains = budget / revisions };
        }
        return name switch
        {
            "revise" => defaults with { Revisions = budget },
            _ when IsSearch(name) => defaults with { N = budget, BeamWidth = Math.Min(defaults.BeamWidth, budget) },
            _ => defaults with { N = budget },
        };
    }

    /// <summary>Strategies whose result does not change with the budget.</summary>
    public static bool HasBudget(string name) => name is not ("greedy" or "sample" or "adaptive");
}
