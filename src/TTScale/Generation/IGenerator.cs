using TTScale.Compute;

namespace TTScale.Generation;

/// <summary>
/// A language model behind batched sequence handles. Strategies speak only this interface, so any engine (ONNX Runtime
/// on CPU or GPU, a remote server) can sit under them. Calls from many concurrent callers are coalesced into batched
/// forward passes; each call's spending goes to the ledger it passes.
/// </summary>
public interface IGenerator : IDisposable
{
    /// <summary>The model's shape, for compute accounting.</summary>
    ModelCost Cost { get; }

    /// <summary>The most tokens a sequence can hold.</summary>
    int ContextLength { get; }

    /// <summary>The text that ends a step of the model's solutions, where tree searches stop each proposal.</summary>
    string StepDelimiter { get; }

    /// <summary>Every forward pass this generator ran, whoever asked for it.</summary>
    ComputeLedger Ledger { get; }

    /// <summary>Text to token ids (no special tokens added).</summary>
    IReadOnlyList<int> Encode(string text);

    /// <summary>Token ids to text, as the model's tokenizer decodes them: a SentencePiece model drops its special tokens, a BPE vocabulary prints them.</summary>
    string Decode(IEnumerable<int> tokens);

    /// <summary>A new sequence for <paramref name="prompt"/>, in the model's prompt template and with its start token where it uses them. Nothing runs yet.</summary>
    Sequence Start(string prompt, long seed);

    /// <summary>
    /// For a model that reads its chat template: the text that follows <see cref="Start"/>'s for <paramref name="prompt"/>
    /// when the conversation goes on with <paramref name="turns"/> (assistant and user turns), the assistant's next turn
    /// opened. Appended to a sequence started on the prompt, it gives the whole conversation as the template prints it.
    /// Null for a model that reads plain text.
    /// </summary>
    string? ContinueChat(string prompt, IReadOnlyList<ChatTurn> turns);

    /// <summary>Processes the tokens not yet in each sequence's cache. Prefill once, then fork, to share a prompt.</summary>
    Task PrefillAsync(IReadOnlyList<Sequence> sequences, ComputeLedger? ledger = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Samples from every sequence, in batched steps, until each stops; returns one completion per sequence, in order.
    /// A cancelled call stops at the next step and keeps what it sampled in its sequences (no completion returns it):
    /// fork before the call to retry from where it started.
    /// </summary>
    Task<IReadOnlyList<Completion>> GenerateAsync(IReadOnlyList<Sequence> sequences, SamplingOptions options,
        ComputeLedger? ledger = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// As the other overload, with each sequence's own token limit (1 or more) in place of
    /// <see cref="SamplingOptions.MaxTokens"/>: a search whose beams have spent different shares of one budget steps them
    /// together, none cut short by another's.
    /// </summary>
    Task<IReadOnlyList<Completion>> GenerateAsync(IReadOnlyList<Sequence> sequences, IReadOnlyList<int> maxTokens, SamplingOptions options,
        ComputeLedger? ledger = null, CancellationToken cancellationToken = default);
}
