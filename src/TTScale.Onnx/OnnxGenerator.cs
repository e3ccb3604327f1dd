using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using TTScale.Compute;
using TTScale.Generation;

namespace TTScale.Onnx;

/// <summary>
/// Runs a model directory (<c>config.json</c>, <c>model.onnx</c>, tokenizer files) through ONNX Runtime behind
/// <see cref="IGenerator"/>. One scheduler loop takes requests from a bounded channel and advances every live sequence
/// of every admitted request together: each iteration samples a token per row, then runs one batched forward pass for
/// the rows that need one. Rows of different lengths share a batch through the attention mask and per-row positions.
/// </summary>
public sealed partial class OnnxGenerator : IGenerator
{
    private readonly DecoderGraph _graph;
    private readonly GeneratorOptions _options;
    private readonly Channel<Request> _queue;
    private readonly SemaphoreSlim _queueSlots;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Thread _loop;
    private readonly KvAccounting _kv = new();
    private readonly HashSet<OnnxSequence> _live = [];
    private readonly Lock _liveLock = new();
    private readonly int _padTokenId;
    private readonly int? _startTokenId; // what the model's tokenizer puts before a text

    /// <summary>The model directory.</summary>
    public string Directory { get; }

    /// <summary>The model's configuration.</summary>
    public ModelConfig Config { get; }

    /// <summary>The model's tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>Where the model runs.</summary>
    public ExecutionDevice Device => _options.Device;

    /// <inheritdoc/>
    public ModelCost Cost { get; }

    /// <inheritdoc/>
    public int ContextLength => Config.ContextLength;

    /// <inheritdoc/>
    /// <remarks>config.json's <c>step_delimiter</c>; a newline where it has none (ArithChain's, one step a line).</remarks>
    public string StepDelimiter => Config.StepDelimiter ?? "\n";

    /// <summary>The text around every prompt: <see cref="GeneratorOptions.PromptTemplate"/>, else config.json's; null: the prompt alone.</summary>
    public PromptTemplate? PromptTemplate => _options.PromptTemplate ?? Config.PromptTemplate;

    /// <inheritdoc/>
    public ComputeLedger Ledger { get; } = new();

    /// <summary>Time the scheduler spent in steps (sampling, batching, copies and forward passes).</summary>
    public TimeSpan StepTime => TimeSpan.FromTicks(Interlocked.Read(ref _stepTicks));

    /// <summary>Time spent inside <c>InferenceSession.Run</c>; the rest of <see cref="StepTime"/> is engine overhead.</summary>
    public TimeSpan OnnxRunTime => TimeSpan.FromTicks(Interlocked.Read(ref _runTicks));

    private long _stepTicks, _runTicks;

    /// <summary>Requests submitted and not yet running: at most <see cref="GeneratorOptions.QueueCapacity"/>, further callers wait to submit.</summary>
    public int QueuedRequests => _options.QueueCapacity - _queueSlots.CurrentCount;

    /// <summary>KV bytes held right now, across every live sequence and batch.</summary>
    public long PhysicalKvBytes => _kv.Bytes;

    private OnnxGenerator(string directory, ModelConfig config, DecoderGraph graph, Tokenizer tokenizer, int? startTokenId, GeneratorOptions options)
    {
        _startTokenId = startTokenId;
        Directory = directory;
        Config = config;
        _graph = graph;
        Tokenizer = tokenizer;
        _options = options;
        _padTokenId = config.PadTokenId ?? (config.EosTokenIds.Count > 0 ? config.EosTokenIds[0] : 0);
        Cost = new ModelCost(config.Layers, config.Heads, config.KvHeads, config.HeadDim, config.Parameters, config.NonEmbeddingParameters,
            config.WeightBytesPerParameter ?? graph.KvElementBytes, graph.KvElementBytes); // without a dtype: weights as the KV, as exports store them
        // The scheduler drains the channel into its own waiting list (to see every waiting request's cancellation), so
        // the channel is unbounded and these slots, taken on submit and given back on admission, bound the waiting.
        _queueSlots = new SemaphoreSlim(options.QueueCapacity);
        _queue = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
        _loop = new Thread(Run) { IsBackground = true, Name = "TTScale scheduler" };
        _loop.Start();
    }

    /// <summary>Loads the model in <paramref name="directory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">config.json, the model file or the tokenizer is missing.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, or the graph, config and tokenizer disagree; the message names the file.</exception>
    /// <exception cref="NotSupportedException">The device is not available in this ONNX Runtime build.</exception>
    public static OnnxGenerator Load(string directory, GeneratorOptions? options = null)
    {
        options ??= new GeneratorOptions();
        if (options.MaxBatchRows < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxBatchRows, "MaxBatchRows must be 1 or more");
        if (options.QueueCapacity < 1) throw new ArgumentOutOfRangeException(nameof(options), options.QueueCapacity, "QueueCapacity must be 1 or more");
        var config = ModelConfig.LoadDirectory(directory, "model");
        var tokenizer = TokenizerLoader.Load(directory, config, out int? start);
        CheckVocabulary(directory, config, tokenizer, start);
        var graph = new DecoderGraph(config.GraphPath(directory), config, options.Device);
        return new OnnxGenerator(directory, config, graph, tokenizer, start, options);
    }

    /// <summary>Every id the tokenizer or config.json can put into the graph must be a row of its embedding (ONNX Runtime
    /// would otherwise fail mid-run, taking every other request in that pass with it).</summary>
    private static void CheckVocabulary(string directory, ModelConfig config, Tokenizer tokenizer, int? startTokenId)
    {
        if (LargestId(tokenizer) is var (largest, token) && largest >= config.VocabSize)
            throw new InvalidDataException($"{directory}: the tokenizer has token id {largest} ('{token}') but config.json says vocab_size {config.VocabSize}");
        var ids = config.EosTokenIds.Select(id => ("eos_token_id", (int?)id))
            .Prepend(("bos_token_id", config.BosTokenId)).Prepend(("pad_token_id", config.PadTokenId));
        foreach (var (name, id) in ids)
            if (id is int i && (i < 0 || i >= config.VocabSize))
                throw new InvalidDataException($"{directory}: config.json {name} {i} is outside the vocabulary of {config.VocabSize}");
        if (startTokenId is int start && (start < 0 || start >= config.VocabSize))
            throw new InvalidDataException($"{directory}: the tokenizer starts every text with token id {start}, outside config.json's vocab_size {config.VocabSize}");
    }

    /// <summary>The tokenizer's largest id and its token; null for a kind whose vocabulary the library does not expose.</summary>
    private static (int Id, string Token)? LargestId(Tokenizer tokenizer)
    {
        IEnumerable<KeyValuePair<string, int>>? entries = tokenizer switch
        {
            AddedTokenTokenizer wrapped => (LargestId(wrapped.Model) is var (id, token) ? [new(token, id)] : Enumerable.Empty<KeyValuePair<string, int>>())
                .Concat(wrapped.Added.All.Select(t => new KeyValuePair<string, int>(t.Content, t.Id))),
            BpeTokenizer bpe => bpe.Vocabulary.Concat(bpe.SpecialTokens ?? new Dictionary<string, int>()),
            SentencePieceTokenizer sentencePiece => sentencePiece.Vocabulary.Concat(sentencePiece.SpecialTokens ?? new Dictionary<string, int>()),
            _ => null,
        };
        var largest = entries?.DefaultIfEmpty().MaxBy(e => e.Value);
        return largest is { Key: not null } e ? (e.Value, e.Key) : null;
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text) => Tokenizer.EncodeToIds(text);

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> tokens) => Tokenizer.Decode(tokens) ?? "";

    /// <inheritdoc/>
    public Sequence Start(string prompt, long seed)
    {
        ObjectDisposedException.ThrowIf(_shutdown.IsCancellationRequested, this);
        ArgumentNullException.ThrowIfNull(prompt);
        var tokens = PromptTokens(prompt);
        if (tokens.Count == 0) throw new ArgumentException("the prompt is empty and the model has no start token", nameof(prompt));
        if (tokens.Count >= ContextLength) throw new ArgumentException($"the prompt has {tokens.Count} tokens; the context holds {ContextLength}", nameof(prompt));
        return new OnnxSequence(this, tokens, seed);
    }

    /// <summary>How many tokens <see cref="Start"/> gives <paramref name="prompt"/>: its template and start token included.</summary>
    public int PromptLength(string prompt) => PromptTokens(prompt).Count;

    private IReadOnlyList<int> PromptTokens(string prompt) => Tokenizer.EncodePrompt(PromptTemplate?.Apply(prompt) ?? prompt, _startTokenId);

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The chat template cannot go on from its first turn.</exception>
    public string? ContinueChat(string prompt, IReadOnlyList<ChatTurn> turns) => PromptTemplate?.Continue(prompt, turns);

    /// <inheritdoc/>
    public Task PrefillAsync(IReadOnlyList<Sequence> sequences, ComputeLedger? ledger = null, CancellationToken cancellationToken = default) =>
        SubmitAsync(sequences, null, ledger, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<Completion>> GenerateAsync(IReadOnlyList<Sequence> sequences, SamplingOptions options,
        ComputeLedger? ledger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return SubmitAsync(sequences, options, ledger, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<Completion>> GenerateAsync(IReadOnlyList<Sequence> sequences, IReadOnlyList<int> maxTokens, SamplingOptions options,
        ComputeLedger? ledger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(maxTokens);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (maxTokens.Count != sequences.Count)
            throw new ArgumentException($"{maxTokens.Count} token limits for {sequences.Count} sequences", nameof(maxTokens));
        for (int i = 0; i < maxTokens.Count; i++)
            if (maxTokens[i] < 1) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens[i], $"sequence {i}: max tokens must be 1 or more");
        return SubmitAsync(sequences, options, ledger, cancellationToken, maxTokens);
    }

    private async Task<IReadOnlyList<Completion>> SubmitAsync(IReadOnlyList<Sequence> sequences, SamplingOptions? sampling,
        ComputeLedger? ledger, CancellationToken cancellationToken, IReadOnlyList<int>? maxTokens = null)
    {
        ObjectDisposedException.ThrowIf(_shutdown.IsCancellationRequested, this);
        ArgumentNullException.ThrowIfNull(sequences);
        var rows = new Row[sequences.Count];
        var distinct = new HashSet<Sequence>(ReferenceEqualityComparer.Instance);
        int claimed = 0;
        try
        {
            for (; claimed < rows.Length; claimed++)
            {
                int i = claimed;
                if (sequences[i] is not OnnxSequence s || !s.Belongs(this))
                    throw new ArgumentException($"sequence {i} does not belong to this generator (or is disposed)", nameof(sequences));
                if (!distinct.Add(s)) throw new ArgumentException($"sequence {i} appears twice; fork it to sample it twice", nameof(sequences));
                if (s.Length == 0) throw new ArgumentException($"sequence {i} is empty", nameof(sequences));
                // Checked and marked at once: two calls that both saw the sequence free would both run it.
                switch (s.TryClaim())
                {
                    case OnnxSequence.Claim.Disposed: throw new ArgumentException($"sequence {i} is disposed", nameof(sequences));
                    case OnnxSequence.Claim.Busy: throw new InvalidOperationException($"sequence {i} is already in a generation call");
                }
                rows[i] = new Row(s, maxTokens?[i] ?? sampling?.MaxTokens ?? 0);
            }
        }
        catch
        {
            for (int i = 0; i < claimed; i++) rows[i].Sequence.EndCall();
            throw;
        }
        if (rows.Length == 0) return [];
        var request = new Request(rows, sampling, ledger, cancellationToken);
        foreach (var row in rows) row.Request = request;
        try
        {
            using var waitOrShutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
            await _queueSlots.WaitAsync(waitOrShutdown.Token).ConfigureAwait(false); // back-pressure: a full queue waits here
            if (!_queue.Writer.TryWrite(request)) throw Disposed();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            foreach (var row in rows) row.Sequence.EndCall();
            throw Disposed();
        }
        catch
        {
            foreach (var row in rows) row.Sequence.EndCall();
            throw;
        }
        return await request.Done.Task.ConfigureAwait(false);
    }

    internal void Register(OnnxSequence sequence) { lock (_liveLock) _live.Add(sequence); }

    internal void Unregister(OnnxSequence sequence) { lock (_liveLock) _live.Remove(sequence); }

    private long LogicalKvBytes()
    {
        lock (_liveLock) return PrefixSegment.UniqueTokens(_live) * Cost.KvBytesPerToken;
    }

    private static ObjectDisposedException Disposed() => new(nameof(OnnxGenerator), "the generator was disposed");

    /// <summary>Stops the scheduler (pending calls fail) and releases the model.</summary>
    public void Dispose()
    {
        if (_shutdown.IsCancellationRequested) return;
        _queue.Writer.TryComplete();
        _shutdown.Cancel();
        _loop.Join();
        _graph.Dispose();
        _shutdown.Dispose();
    }

    private sealed class Request(Row[] rows, SamplingOptions? sampling, ComputeLedger? ledger, CancellationToken cancellation)
    {
        public Row[] Rows { get; } = rows;
        public SamplingOptions? Sampling { get; } = sampling;
        public ComputeLedger? Ledger { get; } = ledger;
        public CancellationToken Cancellation { get; } = cancellation;
        public long Submitted { get; } = Stopwatch.GetTimestamp();
        public TaskCompletionSource<IReadOnlyList<Completion>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Finished => Rows.All(r => r.Finished);
    }

    private sealed class Row(OnnxSequence sequence, int maxTokens)
    {
        public OnnxSequence Sequence { get; } = sequence;
        public int MaxTokens { get; } = maxTokens; // generation rows only
        public Request Request { get; set; } = null!;
        public List<int> Generated { get; } = [];
        public List<float> LogProbs { get; } = [];
        public FinishReason? Reason { get; set; }
        /// <summary>A generation row is finished once it stops; a prefill row once its cache covers every token.</summary>
        public bool Finished => Request.Sampling is null ? Sequence.Pending == 0 : Reason is not null;
    }
}
