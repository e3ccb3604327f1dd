using TTScale.Randomness;

namespace TTScale.Tasks;

/// <summary>A training example for the revision format: a revision prompt and the attempt that should follow it.</summary>
public sealed record RevisionExample(string Prompt, string Solution, int PreviousAttempts);

/// <summary>
/// Builds revision training examples: up to <see cref="ArithFormat.MaxPreviousAttempts"/> wrong attempts in
/// context, followed by a correct one (as Snell et al. trained their revision model). On-policy examples use
/// the model's own wrong attempts; synthetic ones corrupt a step of the reference solution.
/// </summary>
public static class ArithRevisionExamples
{
    /// <summary>
    /// Up to <paramref name="maxExamples"/> examples from a problem's sampled attempts. Each example takes a random
    /// 1..4 of the wrong attempts as context; the target is the reference solution (for ArithChain the correct
    /// solution text is unique). Where the model also got it right once, one more example ends its context with
    /// that correct attempt, so a revision learns to keep a right answer rather than always change it. A problem
    /// without a wrong attempt gives no example. With a token counter, the context is cut to fit
    /// <paramref name="contextTokens"/> with room for the solution, as at inference.
    /// </summary>
    public static IEnumerable<RevisionExample> FromAttempts(ArithProblem problem, IReadOnlyList<string> attempts, int maxExamples,
        ref SplitMix64 rng, Func<string, int>? countTokens = null, int contextTokens = int.MaxValue)
    {
        var wrong = attempts.Where(a => !ArithStepChecker.IsFullyCorrect(problem, a)).Distinct().ToList();
        string? right = attempts.FirstOrDefault(a => ArithStepChecker.IsFullyCorrect(problem, a));
        var examples = new List<RevisionExample>();
        for (int e = 0; e < maxExamples && wrong.Count > 0; e++)
        {
            int k = rng.NextInt(1, Math.Min(ArithFormat.MaxPreviousAttempts, wrong.Count));
            examples.Add(Example(problem, Pick(wrong, k, ref rng), countTokens, contextTokens));
        }
        if (right is not null && wrong.Count > 0)
        {
            var previous = Pick(wrong, rng.NextInt(0, Math.Min(ArithFormat.MaxPreviousAttempts - 1, wrong.Count)), ref rng);
            previous.Add(right);
            examples.Add(Example(problem, previous, countTokens, contextTokens));
        }
        return examples;
    }

    private static RevisionExample Example(ArithProblem problem, List<string> previous, Func<string, int>? countTokens, int contextTokens)
    {
        string prompt = ArithFormat.RevisionPrompt(problem.Prompt, previous, countTokens, contextTokens, problem.Solution.Length + 1);
        return new RevisionExample(prompt, problem.Solution, prompt.Split(ArithFormat.RevisionSeparator).Length - 1);
    }

    /// <summary>An example whose context holds 1..4 synthetic wrong attempts, each with one corrupted step.</summary>
    public static RevisionExample Synthetic(ArithProblem problem, ref SplitMix64 rng)
    {
        int k = rng.NextInt(1, ArithFormat.MaxPreviousAttempts);
        var previous = new string[k];
        for (int i = 0; i < k; i++) previous[i] = CorruptedSolution(problem, ref rng);
        return new RevisionExample(ArithFormat.RevisionPrompt(problem.Prompt, previous), problem.Solution, k);
    }

    /// <summary>
    /// The reference solution with one step's result off by a small amount, the later steps carried on
    /// consistently from the wrong value, as a model's slip would be.
    /// </summary>
    public static string CorruptedSolution(ArithProblem problem, ref SplitMix64 rng)
    {
        int wrongStep = rng.NextInt(0, problem.Operations.Count - 1);
        int delta = rng.NextInt(1, 10) * (rng.NextInt(0, 1) == 0 ? -1 : 1);
        var text = new System.Text.StringBuilder();
        int value = problem.Start;
        for (int i = 0; i < problem.Operations.Count; i++)
        {
            var operation = problem.Operations[i];
            int result = operation.Apply(value) + (i == wrongStep ? delta : 0);
            text.Append(System.FormattableString.Invariant($"{value}{operation.Op}{operation.Operand}={result}\n"));
            value = result;
        }
        return text.Append(ArithFormat.AnswerLine(value)).ToString();
    }

    private static List<string> Pick(List<string> pool, int count, ref SplitMix64 rng)
    {
        var indices = Enumerable.Range(0, pool.Count).ToArray();
        for (int i = 0; i < count; i++)
        {
            int j = rng.NextInt(i, indices.Length - 1);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        return indices.Take(count).Select(i => pool[i]).ToList();
    }
}
