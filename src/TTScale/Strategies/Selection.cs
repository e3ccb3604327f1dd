using TTScale.Tasks;

namespace TTScale.Strategies;

/// <summary>How best-of-N style strategies pick among candidates.</summary>
public enum SelectionRule
{
    /// <summary>The candidate with the highest aggregated verifier score.</summary>
    Naive,
    /// <summary>The answer whose candidates' scores sum highest.</summary>
    Weighted,
    /// <summary>The most frequent answer; no verifier.</summary>
    Majority,
    /// <summary>The last candidate (sequential strategies).</summary>
    Last,
}

/// <summary>The selection rules over candidates. Answers are compared after <see cref="AnswerNormalizer"/>; ties go to the earliest candidate.</summary>
public static class Selection
{
    /// <summary>Parses naive, weighted, majority or last (verifier is accepted for naive).</summary>
    /// <exception cref="FormatException">Any other text.</exception>
    public static SelectionRule Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "naive" or "verifier" => SelectionRule.Naive, "weighted" => SelectionRule.Weighted, "majority" => SelectionRule.Majority, "last" => SelectionRule.Last,
        _ => throw new FormatException($"--select '{text}' is not a selection rule: use naive, weighted, majority or last"),
    };

    /// <summary>True when the rule needs verifier scores.</summary>
    public static bool NeedsScores(SelectionRule rule) => rule is SelectionRule.Naive or SelectionRule.Weighted;

    /// <summary>The index of the chosen candidate, or null when no candidate can be chosen.</summary>
    public static int? Choose(IReadOnlyList<Candidate> candidates, SelectionRule rule) => rule switch
    {
        SelectionRule.Naive => Naive(candidates),
        SelectionRule.Weighted => Vote(candidates, c => c.Score ?? 0f),
        SelectionRule.Majority => Vote(candidates, _ => 1f),
        SelectionRule.Last => candidates.Count > 0 ? candidates.Count - 1 : null,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };

    private static int? Naive(IReadOnlyList<Candidate> candidates)
    {
        int? best = null;
        for (int i = 0; i < candidates.Count; i++)
            if (best is null || (candidates[i].Score ?? float.NegativeInfinity) > (candidates[best.Value].Score ?? float.NegativeInfinity)) best = i;
        return best;
    }

    /// <summary>Sums each answer's weights; returns the first candidate of the answer with the largest total.</summary>
    private static int? Vote(IReadOnlyList<Candidate> candidates, Func<Candidate, float> weight)
    {
        var totals = new Dictionary<string, (double Total, int First)>();
        for (int i = 0; i < candidates.Count; i++)
        {
            string key = AnswerNormalizer.Normalize(candidates[i].Answer);
            if (key.Length == 0) continue;
            var (total, first) = totals.TryGetValue(key, out var t) ? t : (0.0, i);
            totals[key] = (total + weight(candidates[i]), first);
        }
        if (totals.Count == 0) return null;
        return totals.Values.OrderByDescending(t => t.Total).ThenBy(t => t.First).First().First;
    }
}
