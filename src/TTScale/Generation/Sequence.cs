namespace TTScale.Generation;

/// <summary>
/// A handle to one token sequence in a generator: its tokens, its cached state and its own random stream.
/// Fork it to branch (children share the prefix), append text to it, and generate on many at once with
/// <see cref="IGenerator.GenerateAsync(IReadOnlyList{Sequence}, SamplingOptions, Compute.ComputeLedger?, CancellationToken)"/>. Dispose it to release its cache; a shared prefix lives while any handle holds it.
/// </summary>
public abstract class Sequence : IDisposable
{
    /// <summary>Every token so far: the prompt, appended text and generated tokens.</summary>
    public abstract IReadOnlyList<int> Tokens { get; }

    /// <summary>The number of tokens.</summary>
    public int Length => Tokens.Count;

    /// <summary>A new sequence with the same tokens and cache, drawing from the random stream fixed by <paramref name="seed"/>.</summary>
    public abstract Sequence Fork(long seed);

    /// <summary>Adds tokens; they are processed by the next prefill or generation.</summary>
    /// <exception cref="ArgumentException">The sequence would fill the model's context, as a prompt may not.</exception>
    public abstract void Append(IReadOnlyList<int> tokens);

    /// <summary>Releases the sequence's share of the cache.</summary>
    public abstract void Dispose();
}

/// <summary>Why a sequence stopped generating.</summary>
public enum FinishReason
{
    /// <summary>The model produced end-of-sequence.</summary>
    Eos,
    /// <summary>The text reached a stop string.</summary>
    Stop,
    /// <summary>The call's token limit was reached.</summary>
    MaxTokens,
    /// <summary>The model's context is full.</summary>
    ContextFull,
}

/// <summary>What one sequence produced in one generation call.</summary>
/// <param name="Sequence">The sequence, now holding the new tokens.</param>
/// <param name="Tokens">The tokens sampled in this call (end-of-sequence excluded).</param>
/// <param name="LogProbs">Each sampled token's log-probability under the model.</param>
/// <param name="Text">The decoded text of <paramref name="Tokens"/>.</param>
/// <param name="Reason">Why it stopped.</param>
public sealed record Completion(Sequence Sequence, IReadOnlyList<int> Tokens, IReadOnlyList<float> LogProbs, string Text, FinishReason Reason);
