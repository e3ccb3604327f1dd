using TTScale.Randomness;

namespace TTScale.Tasks;

/// <summary>A training example for the revision format: a revision prompt and the attempt that should follow it.</summary>
public sealed record RevisionExample(string Prompt, string Solution, int PreviousAttempts);

/// <summary>
/// Builds revision training examples: up to <see cref="ArithFormat.MaxPreviousAttempts"/> previous attempts in
/// context, followed by the correct one (as Snell et al. trained their revision model). On-policy examples use
/// the model's own attempts; synthetic ones corrupt a step of the reference solution.
/// </summary>
public static class ArithRevisionExamples
{
    /// <summary>
    /// <paramref name="examples"/> examples from a problem's sampled attempts. Each example's context is a random
    /// 1..4 of the attempts, right and wrong alike, in random order; the target is the reference solution (for
    /// ArithChain the correct solution text is unique). A context ending in a wrong attempt teaches a revision to fix
    /// it; one ending in a right attempt (as often as the model was right) teaches it to keep it. Trained on wrong
    /// contexts alone, revisions learned to avoid every answer in context and turned right first attempts wrong.
    /// With a token counter, the context is cut to fit <paramref name="contextTokens"/> with room for the solution,
    /// as at inference.
    /// </summary>
    public static IEnumerable<RevisionExample> FromAttempts(ArithProblem problem, IReadOnlyList<string> attempts, int examples,
        ref SplitMix64 rng, Func<string, int>? countTokens = null, int contextTokens = int.MaxValue)
    {
        var result = new List<RevisionExample>();
        for (int e = 0; e < examples && attempts.Count > 0; e++)
        {
            int k = rng.NextInt(1, Math.Min(ArithFormat.MaxPreviousAttempts, attempts.Count));
            result.Add(Example(problem, Pick(attempts, k, ref rng), countTokens, contextTokens));
        }
        return result;
    }

    private static RevisionExample Example(ArithProblem problem, List<string> previous, Func<string, int>? countTokens, int contextTokens)
    {
        // The attempts kept, counted as rendered: an attempt may itself hold the separator, so the text cannot be split to count them.
        int kept = 0;
        string prompt = ArithFormat.FitRevision(previous, attempts =>
        {
            kept = attempts.Count;
            return ArithFormat.RevisionPrompt(problem.Prompt, attempts);
        }, countTokens, contextTokens, problem.Solution.Length + 1);
        return new RevisionExample(prompt, problem.Solution, kept);
    }

    /// <summary>An example whose context holds 1..4 synthetic wrong attempts, each with one corrupted step.</summary>
    public static RevisionExample Synthetic(ArithProblem problem, ref SplitMix64 rng)
    {
        int k = rng.NextInt(1, ArithFormat.MaxPreviousAttempts);
        var previous = new string[k];
        for (int i = 0; i < k; i++) previous[i] = CorruptedSolution(problem, ref rng);
        return new RevisionExample(ArithFormat.RevisionPrompt(problem.Prompt, previous), problem.Solution, k);
    }

    /// <summary>The reference solution with one random step's result off by 1-10, the later steps carried on from it.</summary>
    public static string CorruptedSolution(ArithProblem problem, ref SplitMix64 rng)
    {
        int wrongStep = rng.NextInt(0, problem.Operations.Count - 1);
        int delta = rng.NextInt(1, 10) * (rng.NextInt(0, 1) == 0 ? -1 : 1);
        return problem.SolutionWithSlip(wrongStep, delta);
    }

    private static List<string> Pick(IReadOnlyList<string> pool, int count, ref SplitMix64 rng)
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
