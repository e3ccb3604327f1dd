using TTScale.Compute;
using TTScale.Tasks;

namespace TTScale.Verifiers;

/// <summary>
/// The exact ArithChain step checker as a process verifier: a step scores 1 while the solution is still right, 0 once it
/// is not. It knows the answer, so it bounds what a learned verifier could do. It costs no model compute.
/// </summary>
public sealed class OracleStepVerifier : IProcessVerifier
{
    /// <inheritdoc/>
    public string Name => "oracle";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The problem is not an ArithChain problem, or its values run past what the checker reads.</exception>
    public Task<IReadOnlyList<IReadOnlyList<float>>> ScoreStepsAsync(Problem problem, IReadOnlyList<string> completions,
        ComputeLedger? ledger = null, CancellationToken cancellationToken = default)
    {
        if (problem.Format != AnswerFormat.ArithChain) throw new ArgumentException($"the oracle verifier checks ArithChain problems only; '{problem.Id}' is not one", nameof(problem));
        ArithProblem arith;
        try
        {
            arith = ArithFormat.ParsePrompt(problem.Prompt, problem.Level ?? 0);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"the oracle verifier cannot check '{problem.Id}': {e.Message}", nameof(problem), e);
        }
        IReadOnlyList<IReadOnlyList<float>> scores = completions
            .Select(c => (IReadOnlyList<float>)ArithStepChecker.Check(arith, c).Select(v => v.PrefixCorrect ? 1f : 0f).ToArray())
            .ToArray();
        return Task.FromResult(scores);
    }
}
