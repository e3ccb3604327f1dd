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
internal sealed record StrategySettings(int N = 16, SelectionRule? Select = null, int Revisions = 4, int Chains = 4, int BeamWidth = 4,
    int Iterations = 40, int Lookahead = 2, bool Dedupe = false, EtsOptions? Ets = null);

/// <summary>The strategies the command line knows: their names, defaults, what they need, and what a budget means for each.</summary>
internal static class StrategyCatalog
{
    public static readonly string[] SearchNames = ["beam", "dvts", "lookahead", "particle", "ets"];
    public static readonly string[] Names = ["greedy", "sample", "best-of-n", "revise", "hybrid", .. SearchNames];

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
        IsSearch(name) || name == "hybrid" || (Selection.NeedsScores(rule) && name is "best-of-n" or "revise");

    /// <summary>Builds the strategy; a library argument error becomes a CLI error naming the option.</summary>
    public static IStrategy Create(string name, StrategyContext context, StrategySettings s)
    {
        var rule = s.Select ?? DefaultSelection(name);
        try
        {
            return name switch
            {
                "greedy" or "sample" => new BestOfN(context, 1, SelectionRule.Last),
                "best-of-n" => new BestOfN(context, s.N, rule),
                "revise" => new Revision(context, 1, s.Revisions, rule),
                "hybrid" => new Revision(context, s.Chains, s.Revisions, rule),
                _ when IsSearch(name) => new TreeSearch(context, Enum.Parse<TreeSearch.Kind>(name, ignoreCase: true), s.N, s.BeamWidth, s.Iterations, rule, s.Lookahead,
                    s.Dedupe, s.Ets),
                _ => throw new CliException($"--strategy '{name}' is not a strategy: use one of {string.Join(", ", Names)}"),
            };
        }
        catch (ArgumentException e)
        {
            throw CliErrors.FromArgument(e);
        }
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
    public static bool HasBudget(string name) => name is not ("greedy" or "sample");
}
