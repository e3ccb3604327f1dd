using TTScale.Compute;
using TTScale.Randomness;
using TTScale.Strategies;
using TTScale.Tasks;

namespace TTScale.Evaluation;

/// <summary>Where an eval stands, for a progress display.</summary>
public sealed record EvalProgress(int Done, int Total, int Correct, long GeneratedTokens, TimeSpan Elapsed);

/// <summary>
/// Runs a strategy over problems, <c>concurrency</c> problems at a time, all through the same generator, whose scheduler
/// batches their sequences together. Each problem's seed comes from the run's seed and the problem's id, so results do
/// not depend on concurrency, order or resuming, nor on <c>--limit</c> except for a planned strategy, whose decisions
/// depend on the set it plans over.
/// </summary>
public static class EvalRunner
{
    /// <summary>
    /// Solves every problem; <paramref name="onRecord"/> receives each record as its problem finishes (one at a time).
    /// A <see cref="IPlannedStrategy"/> is first planned over <paramref name="planOver"/> (default: the problems), which a
    /// resumed run sets to the whole set so that its decisions do not change.
    /// </summary>
    public static async Task RunAsync(IReadOnlyList<Problem> problems, IStrategy strategy, long seed, int concurrency, HardwareProfile hardware,
        Action<EvalRecord> onRecord, IProgress<EvalProgress>? progress = null, CancellationToken cancellationToken = default,
        IReadOnlyList<Problem>? planOver = null)
    {
        if (concurrency < 1) throw new ArgumentOutOfRangeException(nameof(concurrency), concurrency, "--concurrency must be 1 or more");
        if (strategy is IPlannedStrategy { Plans: true } planned && problems.Count > 0)
            await planned.PlanAsync(planOver ?? problems, p => ProblemSeed(seed, p.Id), concurrency, cancellationToken).ConfigureAwait(false);
        var gate = new Lock();
        int done = 0, correct = 0;
        long tokens = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(problems, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (problem, token) =>
            {
                long problemSeed = ProblemSeed(seed, problem.Id);
                var result = await strategy.SolveAsync(problem, problemSeed, token).ConfigureAwait(false);
                var record = ToRecord(problem, strategy, problemSeed, result, hardware);
                lock (gate)
                {
                    onRecord(record);
                    done++;
                    if (record.Correct) correct++;
                    tokens += record.Ledger.GeneratedTokens;
                    progress?.Report(new EvalProgress(done, problems.Count, correct, tokens, started.Elapsed));
                }
            }).ConfigureAwait(false);
    }

    /// <summary>The seed for a problem: from the run's seed and a stable hash of its id.</summary>
    public static long ProblemSeed(long seed, string id) => SplitMix64.Derive(seed, id);

    /// <summary>The record of a solved problem.</summary>
    public static EvalRecord ToRecord(Problem problem, IStrategy strategy, long seed, StrategyResult result, HardwareProfile hardware) =>
        new(problem.Id, problem.Level, strategy.Name, strategy.Parameters, seed, problem.Answer, result.Answer,
            AnswerNormalizer.Equivalent(result.Answer, problem.Answer), result.Chosen,
            result.Candidates.Select(c => new CandidateRecord(c.Text, c.Answer, AnswerNormalizer.Equivalent(c.Answer, problem.Answer), c.StepScores, c.Score,
                c.Tokens, Math.Round(c.LogProb, 4), c.Chain, c.Attempt)).ToList(),
            result.Ledger.Report(hardware), result.Details);
}
