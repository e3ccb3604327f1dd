using TTScale.Strategies;

namespace TTScale.Scaling;

/// <summary>What a pool replay measures at each N.</summary>
public enum ReplayRule
{
    /// <summary>Coverage: some sample among the N is right (unbiased pass@k). The ceiling of every selection rule.</summary>
    Coverage,
    /// <summary>Best-of-N, highest verifier score.</summary>
    Naive,
    /// <summary>Best-of-N, answer with the largest score sum.</summary>
    Weighted,
    /// <summary>Best-of-N, most frequent answer.</summary>
    Majority,
}

/// <summary>Names of replay rules as strategy names in series and fit.json.</summary>
public static class ReplayRules
{
    /// <summary>The three best-of-N selection rules (the default replay set).</summary>
    public static IReadOnlyList<ReplayRule> Selections { get; } = [ReplayRule.Naive, ReplayRule.Weighted, ReplayRule.Majority];

    /// <summary>
    /// The selection rules a pool can replay: all three where its samples were scored, majority alone where they were not
    /// (a sweep run with <c>--verifier none</c>): naive and weighted would only replay the first sample's answer.
    /// </summary>
    public static IReadOnlyList<ReplayRule> SelectionsFor(SamplePool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return pool.Scored ? Selections : [ReplayRule.Majority];
    }

    /// <summary>Whether the rule reads verifier scores (naive and weighted).</summary>
    public static bool ReadsScores(this ReplayRule rule) => rule is ReplayRule.Naive or ReplayRule.Weighted;

    /// <summary>
    /// Whether best-of-N under this rule runs the verifier on its samples: naive and weighted do from N = 2; majority
    /// votes without scores, and N = 1 keeps its only sample. Pool costs drop the verifier where it is not run.
    /// </summary>
    public static bool Scores(this ReplayRule rule, int n) => n > 1 && rule.ReadsScores();

    /// <summary>pass@k, best-of-n/naive, best-of-n/weighted or best-of-n/majority.</summary>
    public static string StrategyName(this ReplayRule rule) => rule switch
    {
        ReplayRule.Coverage => "pass@k",
        ReplayRule.Naive => "best-of-n/naive",
        ReplayRule.Weighted => "best-of-n/weighted",
        ReplayRule.Majority => "best-of-n/majority",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };

    /// <summary>Parses a strategy name as above, or a bare selection rule (naive, weighted, majority, coverage).</summary>
    /// <exception cref="ArgumentException">Any other text, naming <c>--select</c>.</exception>
    public static ReplayRule Parse(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "pass@k" or "coverage" => ReplayRule.Coverage,
        "best-of-n/naive" or "naive" or "verifier" => ReplayRule.Naive,
        "best-of-n/weighted" or "weighted" => ReplayRule.Weighted,
        "best-of-n/majority" or "majority" => ReplayRule.Majority,
        _ => throw new ArgumentException($"--select '{text}' is not a replay rule: use naive, weighted, majority or coverage (pass@k)", nameof(text)),
    };

    /// <summary>The replay rule of a best-of-N selection rule.</summary>
    /// <exception cref="ArgumentException">The <see cref="SelectionRule.Last"/> rule, which has no replay.</exception>
    public static ReplayRule From(SelectionRule rule) => rule switch
    {
        SelectionRule.Naive => ReplayRule.Naive,
        SelectionRule.Weighted => ReplayRule.Weighted,
        SelectionRule.Majority => ReplayRule.Majority,
        _ => throw new ArgumentException($"--select {rule.ToString().ToLowerInvariant()} cannot be replayed from a pool", nameof(rule)),
    };
}
