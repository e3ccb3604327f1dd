using TTScale.Compute;
using TTScale.Generation;

namespace TTScale.Tests.Strategies;

/// <summary>
/// Passes every call to a real generator and keeps, for each generation call, the text each sequence held when it was
/// called (what the model read) and its length in tokens, and the completions (the tokens actually generated).
/// </summary>
internal sealed class RecordingGenerator(IGenerator inner) : IGenerator
{
    public List<IReadOnlyList<string>> Read { get; } = [];
    public List<int[]> Lengths { get; } = [];
    public List<IReadOnlyList<Completion>> Calls { get; } = [];
    public ModelCost Cost => inner.Cost;
    public int ContextLength => inner.ContextLength;
    public string StepDelimiter => inner.StepDelimiter;
    public ComputeLedger Ledger => inner.Ledger;
    public IReadOnlyList<int> Encode(string text) => inner.Encode(text);
    public string Decode(IEnumerable<int> tokens) => inner.Decode(tokens);
    public Sequence Start(string prompt, long seed) => inner.Start(prompt, seed);
    public string? ContinueChat(string prompt, IReadOnlyList<ChatTurn> turns) => inner.ContinueChat(prompt, turns);
    public Task PrefillAsync(IReadOnlyList<Sequence> sequences, ComputeLedger? ledger = null, CancellationToken cancellationToken = default) =>
        inner.PrefillAsync(sequences, ledger, cancellationToken);

    public Task<IReadOnlyList<Completion>> GenerateAsync(IReadOnlyList<Sequence> sequences, SamplingOptions options, ComputeLedger? ledger = null,
        CancellationToken cancellationToken = default) =>
        Record(sequences, () => inner.GenerateAsync(sequences, options, ledger, cancellationToken));

    public Task<IReadOnlyList<Completion>> GenerateAsync(IReadOnlyList<Sequence> sequences, IReadOnlyList<int> maxTokens, SamplingOptions options,
        ComputeLedger? ledger = null, CancellationToken cancellationToken = default) =>
        Record(sequences, () => inner.GenerateAsync(sequences, maxTokens, options, ledger, cancellationToken));

    private async Task<IReadOnlyList<Completion>> Record(IReadOnlyList<Sequence> sequences, Func<Task<IReadOnlyList<Completion>>> generate)
    {
        Read.Add(sequences.Select(s => inner.Decode(s.Tokens)).ToList());
        Lengths.Add(sequences.Select(s => s.Length).ToArray());
        var completions = await generate();
        Calls.Add(completions);
        return completions;
    }

    public void Dispose() { }
}
