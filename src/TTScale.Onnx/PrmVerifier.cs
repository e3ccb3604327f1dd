using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using System.Text;
using TTScale.Compute;
using TTScale.Tasks;
using TTScale.Verifiers;

namespace TTScale.Onnx;

/// <summary>
/// A process reward model as an ONNX graph: <c>input_ids</c>, <c>attention_mask</c> (and optional <c>position_ids</c>) in,
/// <c>step_scores</c> [batch, seq] out, the probability that the solution is still correct at each position, or a
/// <c>logits</c> head read as a PRM as config.json's <c>prm</c> object says (<see cref="PrmReadout"/>). Scores are
/// read at the step delimiters of each completion (and at the last token of an unfinished last line), or at the step
/// tag the readout writes at each step's end. Completions of a
/// problem are scored together in batches. A graph with the policy's KV layout (<c>past_key_values</c> in,
/// <c>present</c> out) keeps each problem's last completions cached within a search (one ledger), so a text that extends
/// one (a tree search's next step) is read from where that one ended; the scores are those of reading it whole, and the ledger charges what ran.
/// </summary>
public sealed class PrmVerifier : IProcessVerifier, IDisposable
{
    /// <summary>KV a cached PRM keeps by default, across problems (a beam of 16 holds about 3 MB per problem).</summary>
    public const long DefaultCacheBytes = 256L << 20;

    /// <summary>
    /// The most output one pass may return: a <c>logits</c> head returns [rows, tokens, vocabulary], 2.5 GB for 32 rows of
    /// 600 tokens over a 32k vocabulary (Math-Shepherd), so its passes take fewer rows (8 of 512 tokens at this budget).
    /// </summary>
    public const long DefaultMaxOutputBytes = 512L << 20;

    private readonly InferenceSession _session;
    private readonly GraphInputs _inputs;
    private readonly string[] _outputNames;
    private readonly int _maxBatchRows;
    private readonly long _maxOutputBytes;
    private readonly KvAccounting _kv = new();
    private readonly PrmPrefixCache? _cache;
    private readonly PrmReadout _readout;
    private readonly int? _startTokenId; // what the PRM's tokenizer puts before a text
    private readonly string _modelPath;

    /// <inheritdoc/>
    public string Name => "prm";

    /// <summary>The PRM's configuration.</summary>
    public ModelConfig Config { get; }

    /// <summary>The PRM's tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The PRM's shape, for the verifier FLOPs in the ledger.</summary>
    public ModelCost Cost { get; }

    /// <summary>The step delimiter the scores are read at.</summary>
    public string StepDelimiter { get; }

    /// <summary>Whether extended texts are read from where they were left (a graph with KV inputs, and a cache to keep it in).</summary>
    public bool Cached => _cache is not null;

    /// <summary>KV bytes the cache holds right now.</summary>
    public long CachedKvBytes => _cache?.Bytes ?? 0;

    private PrmVerifier(InferenceSession session, string modelPath, ModelConfig config, Tokenizer tokenizer, int? startTokenId, PrmReadout readout,
        int maxBatchRows, long maxOutputBytes, GraphInputs inputs, long cacheBytes)
    {
        _session = session;
        _modelPath = modelPath;
        _startTokenId = startTokenId;
        _readout = readout;
        Config = config;
        Tokenizer = tokenizer;
        _maxBatchRows = maxBatchRows;
        _maxOutputBytes = maxOutputBytes;
        _inputs = inputs;
        var kv = inputs.Kv;
        _outputNames = [readout.Output, .. kv?.PresentNames ?? []];
        _cache = kv is null || cacheBytes <= 0 ? null : new PrmPrefixCache(cacheBytes);
        StepDelimiter = config.StepDelimiter ?? "\n";
        Cost = new ModelCost(config.Layers, config.Heads, config.KvHeads, config.HeadDim, config.Parameters, config.NonEmbeddingParameters,
            config.WeightBytesPerParameter ?? kv?.ElementBytes ?? 4, // without a dtype: weights as the KV, else fp32
            kv?.ElementBytes ?? config.WeightBytesPerParameter ?? 4); // a graph without a KV cache reads keys and values as wide all the same
    }

    /// <summary>Loads the PRM in <paramref name="directory"/>.</summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="device">Where it runs (default: the CPU).</param>
    /// <param name="maxBatchRows">Most completions per forward pass.</param>
    /// <param name="maxOutputBytes">Most output bytes per forward pass (fp32); a pass takes fewer rows where more would exceed it, and always one.</param>
    /// <param name="cacheBytes">KV a graph with a KV cache may keep across problems; 0 reads every text whole.</param>
    /// <exception cref="FileNotFoundException">config.json, the model or the tokenizer is missing.</exception>
    /// <exception cref="InvalidDataException">The graph is not a PRM (no <c>step_scores</c> output, nor a <c>logits</c> head config.json's <c>prm</c> object reads), its KV disagrees with the config, or it cannot be loaded; the message names the file.</exception>
    public static PrmVerifier Load(string directory, ExecutionDevice? device = null, int maxBatchRows = 32, long cacheBytes = DefaultCacheBytes,
        long maxOutputBytes = DefaultMaxOutputBytes)
    {
        var config = ModelConfig.LoadDirectory(directory, "PRM");
        var tokenizer = TokenizerLoader.Load(directory, config, out int? start);
        string modelPath = config.GraphPath(directory);
        var session = (device ?? ExecutionDevice.Cpu).OpenSession(modelPath);
        try
        {
            var inputs = GraphInputs.Read(session, config, modelPath);
            var readout = PrmReadout.Read(Path.Combine(directory, "config.json"), modelPath, session, tokenizer, config.VocabSize);
            return new PrmVerifier(session, modelPath, config, tokenizer, start, readout, maxBatchRows, maxOutputBytes, inputs, cacheBytes);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The graph gave a step a score that is not a finite number; the message names the model.</exception>
    public Task<IReadOnlyList<IReadOnlyList<float>>> ScoreStepsAsync(Problem problem, IReadOnlyList<string> completions,
        ComputeLedger? ledger = null, CancellationToken cancellationToken = default)
    {
        var prefix = Tokenizer.EncodePrompt(Config.PromptTemplate?.Apply(problem.Prompt) ?? problem.Prompt, _startTokenId);
        var rows = completions.Select(c => Row(prefix, c)).ToArray();
        var read = new PrmPrefixCache.Entry?[rows.Length]; // cached: what each completion extends
        if (_cache is not null)
            for (int i = 0; i < rows.Length; i++) read[i] = _cache.Longest(new(ledger, problem.Prompt), completions[i], rows[i].Tokens, StepDelimiter);
        var positionScores = new float[rows.Length][];
        var kept = new Dictionary<string, PrmPrefixCache.Entry>(StringComparer.Ordinal);
        // Held through every pass: this problem's cached texts (until the call replaces them) and what the call has read so far.
        long cached = _cache?.BytesOf(new(ledger, problem.Prompt)) ?? 0, fresh = 0;
        try
        {
            var todo = new List<int>();
            for (int i = 0; i < rows.Length; i++)
            {
                // What this call reads on from stays (lookahead extends the same texts again next round).
                if (read[i] is { } from && kept.TryAdd(from.Completion, from)) from.Kv.AddReference();
                if (read[i] is { } whole && whole.Tokens.Length == rows[i].Tokens.Length)
                {
                    positionScores[i] = whole.Scores; // read before: nothing runs
                    ledger?.AddVerifier(0, 0, 0);
                }
                else todo.Add(i);
            }
            for (int start = 0; start < todo.Count;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = NextBatch(todo, start, i => rows[i].Tokens.Length - (read[i]?.Tokens.Length ?? 0));
                start += batch.Length;
                var scores = Run([.. batch.Select(i => (completions[i], rows[i].Tokens, read[i]))], ledger, cached + fresh, out var entries);
                for (int b = 0; b < batch.Length; b++)
                {
                    positionScores[batch[b]] = scores[b];
                    if (entries is null) continue;
                    if (kept.TryAdd(completions[batch[b]], entries[b])) fresh += entries[b].Kv.Bytes;
                    else entries[b].Kv.Release();
                }
            }
        }
        finally
        {
            foreach (var entry in read) entry?.Kv.Release();
            _cache?.Replace(new(ledger, problem.Prompt), kept); // whatever was read, even if a later batch failed
        }
        var result = new IReadOnlyList<float>[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            float[] steps = [.. rows[i].StepEnds.Select(e => positionScores[i][e])];
            // A NaN compares false with every score, so selection and search would go on with it, silently wrong.
            if (Array.FindIndex(steps, s => !float.IsFinite(s)) is int bad and >= 0)
                throw new InvalidDataException($"{_modelPath}: the PRM scored step {bad + 1} of a solution to {problem.Id} as {steps[bad]}, " +
                    "not a probability; its graph is broken (or overflows in fp16)");
            result[i] = steps;
        }
        return Task.FromResult<IReadOnlyList<IReadOnlyList<float>>>(result);
    }

    /// <summary>
    /// The rows from <paramref name="start"/> that one pass reads: at most <c>maxBatchRows</c>, and no more than keep the
    /// output, rows x widest <paramref name="pending"/> x values per position, within its budget; always at least one.
    /// </summary>
    private int[] NextBatch(List<int> todo, int start, Func<int, int> pending)
    {
        int count = 0, width = 0;
        while (start + count < todo.Count && count < _maxBatchRows)
        {
            int wider = Math.Max(width, pending(todo[start + count]));
            if (count > 0 && (long)(count + 1) * wider * _readout.ValuesPerPosition * sizeof(float) > _maxOutputBytes) break;
            width = wider;
            count++;
        }
        return todo.GetRange(start, count).ToArray();
    }

    /// <summary>The row's tokens (cut to the context) and the positions to read: each step's last token, or its tag.</summary>
    private (int[] Tokens, int[] StepEnds) Row(List<int> prefix, string completion)
    {
        var tokens = new List<int>(prefix);
        var stepEnds = new List<int>();
        var ids = Tokenizer.EncodeToIds(_readout.Text(completion, StepDelimiter, out int steps));
        if (_readout.StepTag is { } tag)
        {
            foreach (int id in ids)
            {
                tokens.Add(id);
                if (id == _readout.StepTagId) stepEnds.Add(tokens.Count - 1);
            }
            if (stepEnds.Count != steps)
                throw new InvalidDataException($"{_readout.ConfigPath}: prm.step_tag '{tag}' did not encode to token {_readout.StepTagId} once a step " +
                    $"({stepEnds.Count} for {steps} steps); set prm.step_tag_id to the token the tag becomes in running text");
        }
        else
        {
            bool open = false;
            var text = new StringBuilder();
            int searched = 0; // text before here holds no delimiter not yet counted
            foreach (int id in ids)
            {
                tokens.Add(id);
                open = true;
                string piece = Tokenizer.Decode([id]) ?? "";
                text.Append(piece);
                // A delimiter may span tokens ("\n\n" as two newline tokens): look for one ending in this token's text.
                int from = Math.Max(searched, text.Length - piece.Length - StepDelimiter.Length + 1);
                int found = text.ToString(from, text.Length - from).IndexOf(StepDelimiter, StringComparison.Ordinal);
                if (found < 0) continue;
                stepEnds.Add(tokens.Count - 1);
                open = false;
                searched = text.Length;
            }
            if (open) stepEnds.Add(tokens.Count - 1);
        }
        int limit = Config.ContextLength;
        if (tokens.Count > limit)
        {
            tokens.RemoveRange(limit, tokens.Count - limit);
            // Steps past the context are read at its last position: the PRM's latest view.
            stepEnds = stepEnds.Select(p => Math.Min(p, limit - 1)).ToList();
        }
        return (tokens.ToArray(), stepEnds.ToArray());
    }

    /// <summary>
    /// Rows read on from their cached prefix (none: from the start; always, for a graph without KV inputs): cached
    /// positions right-aligned in the past, new tokens left-aligned in the input window right after them (padding after a
    /// row's tokens never reaches them: the model is causal), so each row's KV is one contiguous run. Returns every
    /// position's score (the prefix's from the cache) and, where there is a cache, per row an entry holding its whole KV.
    /// <paramref name="held"/> is the KV held for this problem beside the pass, for the ledger's verifier KV peak.
    /// </summary>
    private float[][] Run((string Completion, int[] Tokens, PrmPrefixCache.Entry? From)[] rows, ComputeLedger? ledger, long held,
        out PrmPrefixCache.Entry[]? entries)
    {
        var kv = _inputs.Kv; // null: no KV inputs, every text is read whole
        int batch = rows.Length;
        int[] cached = [.. rows.Select(r => r.From?.Tokens.Length ?? 0)];
        int pastLength = cached.Max(), width = rows.Select((r, i) => r.Tokens.Length - cached[i]).Max(), total = pastLength + width;
        var ids = new long[batch * width];
        var mask = new long[batch * total];
        var positions = new long[batch * width];
        for (int r = 0; r < batch; r++)
        {
            int pending = rows[r].Tokens.Length - cached[r];
            for (int t = pastLength - cached[r]; t < pastLength; t++) mask[r * total + t] = 1;
            for (int j = 0; j < pending; j++)
            {
                ids[r * width + j] = rows[r].Tokens[cached[r] + j];
                positions[r * width + j] = cached[r] + j;
                mask[r * total + pastLength + j] = 1;
            }
        }
        var past = pastLength == 0 || kv is null ? null
            : KvStorage.Gather([.. rows.Select(r => r.From is { } e ? new KvView(e.Kv, 0, e.Tokens.Length) : null)], pastLength, kv.Layers, kv.KvHeads, kv.HeadDim, kv.Type, _kv);
        past?.AddReference();
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            using var feed = _inputs.Feed(ids, mask, positions, batch, past?.Tensors);
            using var runOptions = new RunOptions();
            outputs = _session.Run(runOptions, _inputs.Names, feed.Values, _outputNames);
        }
        finally
        {
            past?.Release();
        }
        var present = kv is null ? null : new KvStorage([.. outputs.Skip(1)], batch, total, kv.KvHeads, kv.HeadDim, kv.ElementBytes, _kv);
        long pass = (past?.Bytes ?? 0) + (present?.Bytes ?? 0); // the past is released only once the present exists
        present?.AddReference();
        var result = new float[batch][];
        entries = _cache is null ? null : new PrmPrefixCache.Entry[batch];
        try
        {
            for (int r = 0; r < batch; r++)
            {
                int length = rows[r].Tokens.Length, pending = length - cached[r];
                var scores = new float[length];
                rows[r].From?.Scores.AsSpan().CopyTo(scores);
                _readout.Scores(outputs[0], r, width, scores.AsSpan(cached[r], pending));
                result[r] = scores;
                if (entries is not null && kv is not null)
                {
                    // Its own copy of the row, so that the batch's storage goes now and the cache holds only what it keeps.
                    var own = KvStorage.Gather([new KvView(present!, r, length, End: pastLength + pending)], length, kv.Layers, kv.KvHeads, kv.HeadDim, kv.Type, _kv);
                    own.AddReference();
                    pass += own.Bytes;
                    entries[r] = new PrmPrefixCache.Entry(rows[r].Completion, rows[r].Tokens, scores, own);
                }
                ledger?.AddVerifier(pending, Cost.FlopsForTokens(cached[r], pending),
                    (double)Cost.WeightBytes / batch + (double)Cost.KvBytesPerToken * length);
            }
        }
        finally
        {
            ledger?.ObserveVerifierKv(held + pass);
            if (present is null) outputs.Dispose();
            else
            {
                outputs[0].Dispose(); // the presents go with their storage
                present.Release();
            }
        }
        return result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _cache?.Dispose();
        _session.Dispose();
    }
}
