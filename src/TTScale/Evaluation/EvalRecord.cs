using TTScale.Compute;

namespace TTScale.Evaluation;

/// <summary>One candidate in a record.</summary>
public sealed record CandidateRecord(string Text, string? Answer, bool Correct, IReadOnlyList<float> StepScores, float? Score, int Tokens, double LogProb,
    int? Chain, int? Attempt);

/// <summary>
/// One problem's result: one JSONL line of an eval's output. Sweeps, fits, the allocator and reports all read this, so
/// fields are only ever added.
/// </summary>
/// <param name="Id">The problem's id.</param>
/// <param name="Level">Its difficulty level, where it has one.</param>
/// <param name="Strategy">The strategy's name.</param>
/// <param name="Parameters">The strategy's hyperparameters.</param>
/// <param name="Seed">The seed the problem was solved with (derived from the run's seed and the id).</param>
/// <param name="GoldAnswer">The gold answer.</param>
/// <param name="Answer">The chosen answer.</param>
/// <param name="Correct">Whether the chosen answer is right.</param>
/// <param name="Chosen">Index of the chosen candidate.</param>
/// <param name="Candidates">Every candidate.</param>
/// <param name="Ledger">What solving it cost.</param>
/// <param name="Details">What the strategy decided for this problem, where it decides per problem (adaptive: bin, strategy, budget).</param>
/// <param name="Run">
/// The settings outside the strategy's parameters that decided the result (the CLI's: models with their graphs' hashes,
/// prompt template, verifier, step aggregation, top-p, token limit), so a resume can refuse records made with others.
/// </param>
public sealed record EvalRecord(string Id, int? Level, string Strategy, IReadOnlyDictionary<string, object> Parameters, long Seed,
    string GoldAnswer, string? Answer, bool Correct, int? Chosen, IReadOnlyList<CandidateRecord> Candidates, LedgerReport Ledger,
    IReadOnlyDictionary<string, object>? Details = null, IReadOnlyDictionary<string, object>? Run = null);
