using TTScale.Tasks;

namespace TTScale.Strategies;

/// <summary>
/// A strategy that decides across a whole problem set before it solves any problem of it: the adaptive strategy
/// spending one budget over every prompt. The runner plans over the full set (resumed problems included, so a resumed
/// run decides as an uninterrupted one did), then solves problem by problem.
/// </summary>
public interface IPlannedStrategy : IStrategy
{
    /// <summary>Whether this instance plans at all (the adaptive strategy deciding prompt by prompt does not).</summary>
    bool Plans { get; }

    /// <summary>Plans <paramref name="problems"/>; <paramref name="seedOf"/> gives each the seed its solve will get.</summary>
    Task PlanAsync(IReadOnlyList<Problem> problems, Func<Problem, long> seedOf, int concurrency, CancellationToken cancellationToken = default);
}
