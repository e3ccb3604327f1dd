using TTScale.Compute;
using TTScale.Tasks;

namespace TTScale.Verifiers;

/// <summary>Scores each step of each completion: the probability the solution is still correct after that step.</summary>
public interface IProcessVerifier
{
    /// <summary>A short name for records and reports (<c>prm</c>, <c>oracle</c>).</summary>
    string Name { get; }

    /// <summary>
    /// One score per step for every completion (a step ends at the step delimiter; an unfinished last line is a step too).
    /// What the scoring costs goes to <paramref name="ledger"/>.
    /// </summary>
    Task<IReadOnlyList<IReadOnlyList<float>>> ScoreStepsAsync(Problem problem, IReadOnlyList<string> completions,
        ComputeLedger? ledger = null, CancellationToken cancellationToken = default);
}

/// <summary>Scores whole completions.</summary>
public interface IOutcomeVerifier
{
    /// <summary>A short name for records and reports.</summary>
    string Name { get; }

    /// <summary>One score per completion, higher is better.</summary>
    Task<IReadOnlyList<float>> ScoreAsync(Problem problem, IReadOnlyList<string> completions,
        ComputeLedger? ledger = null, CancellationToken cancellationToken = default);
}

/// <summary>How step scores become one score per completion.</summary>
public enum StepAggregation
{
    /// <summary>The last step's score (the default: a PRM's view of the finished solution).</summary>
    Last,
    /// <summary>The weakest step.</summary>
    Min,
    /// <summary>The product of step scores.</summary>
    Prod,
    /// <summary>The mean step score.</summary>
    Mean,
}

/// <summary>Step-score aggregation, and a process verifier used as an outcome verifier.</summary>
public static class StepScores
{
    /// <summary>Aggregates one completion's step scores; 0 for a completion with no steps.</summary>
    public static float Aggregate(IReadOnlyList<float> scores, StepAggregation aggregation)
    {
        if (scores.Count == 0) return 0f;
        return aggregation switch
        {
            StepAggregation.Last => scores[^1],
            StepAggregation.Min => scores.Min(),
            StepAggregation.Prod => scores.Aggregate(1f, (a, b) => a * b),
            StepAggregation.Mean => scores.Average(),
            _ => throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, null),
        };
    }

    /// <summary>Parses <c>last</c>, <c>min</c>, <c>prod</c> or <c>mean</c>.</summary>
    /// <exception cref="FormatException">Any other text.</exception>
    public static StepAggregation Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "last" => StepAggregation.Last, "min" => StepAggregation.Min, "prod" => StepAggregation.Prod, "mean" => StepAggregation.Mean,
        _ => throw new FormatException($"--agg '{text}' is not an aggregation: use last, min, prod or mean"),
    };

    /// <summary>Scores whole completions with a process verifier's aggregated step scores.</summary>
    public static IOutcomeVerifier AsOutcomeVerifier(this IProcessVerifier verifier, StepAggregation aggregation) => new Aggregated(verifier, aggregation);

    private sealed class Aggregated(IProcessVerifier inner, StepAggregation aggregation) : IOutcomeVerifier
    {
        public string Name => inner.Name;

        public async Task<IReadOnlyList<float>> ScoreAsync(Problem problem, IReadOnlyList<string> completions, ComputeLedger? ledger, CancellationToken cancellationToken)
        {
            var steps = await inner.ScoreStepsAsync(problem, completions, ledger, cancellationToken).ConfigureAwait(false);
            return steps.Select(s => Aggregate(s, aggregation)).ToArray();
        }
    }
}
