using TTScale.Generation;
using TTScale.Tasks;
using TTScale.Verifiers;

namespace TTScale.Strategies;

/// <summary>A test-time compute strategy: spends generation (and verification) on one problem and picks an answer.</summary>
public interface IStrategy
{
    /// <summary>The strategy's name, as on the command line.</summary>
    string Name { get; }

    /// <summary>Its hyperparameters, for records.</summary>
    IReadOnlyDictionary<string, object> Parameters { get; }

    /// <summary>Solves one problem. <paramref name="seed"/> fixes every random choice.</summary>
    Task<StrategyResult> SolveAsync(Problem problem, long seed, CancellationToken cancellationToken = default);
}

/// <summary>What strategies run on: the policy, an optional verifier, and how to sample and score.</summary>
/// <param name="Generator">The policy model.</param>
/// <param name="Verifier">The process verifier; null where none is used.</param>
/// <param name="Sampling">How candidates are sampled.</param>
/// <param name="Aggregation">How step scores become a candidate's score.</param>
public sealed record StrategyContext(IGenerator Generator, IProcessVerifier? Verifier, SamplingOptions Sampling, StepAggregation Aggregation = StepAggregation.Last)
{
    /// <summary>Scores candidates' steps with the verifier (its cost into <paramref name="ledger"/>) and builds the candidate records.</summary>
    internal async Task<List<Candidate>> CandidatesAsync(Problem problem, IReadOnlyList<Completion> completions, bool score,
        Compute.ComputeLedger ledger, CancellationToken cancellationToken, Func<int, (int? Chain, int? Attempt)>? position = null)
    {
        var texts = completions.Select(c => c.Text).ToList();
        var steps = score ? await ScoreStepsAsync(problem, texts, ledger, cancellationToken).ConfigureAwait(false) : null;
        return completions.Select((c, i) =>
        {
            var (chain, attempt) = position?.Invoke(i) ?? (null, null);
            return new Candidate(c.Text, problem.ExtractAnswer(c.Text), steps?[i] ?? [], steps is null ? null : StepScores.Aggregate(steps[i], Aggregation),
                c.Tokens.Count, c.LogProbs.Sum(), chain, attempt);
        }).ToList();
    }

    /// <summary>
    /// The candidates with verifier scores, scoring those drawn without (an unscored probe's) into
    /// <paramref name="ledger"/>; scored ones are kept as they are.
    /// </summary>
    internal async Task<List<Candidate>> WithScoresAsync(Problem problem, List<Candidate> candidates, Compute.ComputeLedger ledger,
        CancellationToken cancellationToken)
    {
        var unscored = candidates.Select((c, i) => (c, i)).Where(x => x.c.Score is null).Select(x => x.i).ToList();
        if (unscored.Count == 0) return candidates;
        var steps = await ScoreStepsAsync(problem, unscored.Select(i => candidates[i].Text).ToList(), ledger, cancellationToken).ConfigureAwait(false);
        var result = candidates.ToList();
        for (int j = 0; j < unscored.Count; j++)
            result[unscored[j]] = result[unscored[j]] with { StepScores = steps[j], Score = StepScores.Aggregate(steps[j], Aggregation) };
        return result;
    }

    private Task<IReadOnlyList<IReadOnlyList<float>>> ScoreStepsAsync(Problem problem, IReadOnlyList<string> texts, Compute.ComputeLedger ledger,
        CancellationToken cancellationToken) =>
        (Verifier ?? throw new InvalidOperationException("this selection needs a verifier (--prm DIR or --verifier oracle)"))
            .ScoreStepsAsync(problem, texts, ledger, cancellationToken);
}
