using TTScale.Compute;

namespace TTScale.Strategies;

/// <summary>One completion a strategy produced.</summary>
/// <param name="Text">The completion.</param>
/// <param name="Answer">Its extracted answer, as written; null where there is none.</param>
/// <param name="StepScores">Verifier scores per step; empty where it was not scored.</param>
/// <param name="Score">The aggregated verifier score; null where it was not scored.</param>
/// <param name="Tokens">Tokens generated for it.</param>
/// <param name="LogProb">Its log-probability under the policy.</param>
/// <param name="Chain">For sequential strategies, the chain it belongs to.</param>
/// <param name="Attempt">For sequential strategies, its position in the chain (0 = first attempt).</param>
public sealed record Candidate(string Text, string? Answer, IReadOnlyList<float> StepScores, float? Score, int Tokens, double LogProb,
    int? Chain = null, int? Attempt = null);

/// <summary>What every strategy returns: the chosen answer, every candidate it produced, and what it spent.</summary>
/// <param name="Answer">The chosen answer; null where no candidate had one.</param>
/// <param name="Chosen">Index of the candidate the answer was taken from; null where there is none.</param>
/// <param name="Candidates">Every candidate, in the order produced.</param>
/// <param name="Ledger">Compute and memory spent on this problem, verifier included.</param>
/// <param name="Details">What a strategy decided per problem (the adaptive strategy's bin and choice); null for most.</param>
public sealed record StrategyResult(string? Answer, int? Chosen, IReadOnlyList<Candidate> Candidates, ComputeLedger Ledger,
    IReadOnlyDictionary<string, object>? Details = null);
