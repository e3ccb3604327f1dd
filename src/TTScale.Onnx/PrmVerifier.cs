using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using TTScale.Compute;
using TTScale.Tasks;
using TTScale.Verifiers;

namespace TTScale.Onnx;

/// <summary>
/// A process reward model as an ONNX graph: <c>input_ids</c>, <c>attention_mask</c> (and optional <c>position_ids</c>) in,
/// <c>step_scores</c> [batch, seq] out, the probability that the solution is still correct at each position. Scores are
/// read at the step delimiters of each completion (and at the last token of an unfinished last line). Completions of a
/// problem are scored together in batches, right-padded: the model is causal, so padding never changes a real position.
/// </summary>
public sealed class PrmVerifier : IProcessVerifier, IDisposable
{
    private readonly InferenceSession _session;
    private readonly bool _hasPositionIds;
    private readonly int _maxBatchRows;

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

    private PrmVerifier(InferenceSession session, ModelConfig config, Tokenizer tokenizer, int maxBatchRows)
    {
        _session = session;
        Config = config;
        Tokenizer = tokenizer;
        _maxBatchRows = maxBatchRows;
        _hasPositionIds = session.InputMetadata.ContainsKey("position_ids");
        StepDelimiter = config.StepDelimiter ?? "\n";
        Cost = new ModelCost(config.Layers, config.Heads, config.KvHeads, config.HeadDim, config.Parameters, config.NonEmbeddingParameters,
            config.WeightBytesPerParameter, 0);
    }

    /// <summary>Loads the PRM in <paramref name="directory"/>.</summary>
    /// <exception cref="FileNotFoundException">config.json, the model or the tokenizer is missing.</exception>
    /// <exception cref="InvalidDataException">The graph is not a PRM (no <c>step_scores</c> output) or cannot be loaded; the message names the file.</exception>
    public static PrmVerifier Load(string directory, ExecutionDevice? device = null, int maxBatchRows = 32)
    {
        var config = ModelConfig.LoadDirectory(directory, "PRM");
        var tokenizer = TokenizerLoader.Load(directory, config);
        string modelPath = Path.Combine(directory, config.ModelFile);
        var session = (device ?? ExecutionDevice.Cpu).OpenSession(modelPath);
        foreach (var name in new[] { "input_ids", "attention_mask" })
            if (!session.InputMetadata.ContainsKey(name))
            {
                session.Dispose();
                throw new InvalidDataException($"{modelPath}: the graph has no '{name}' input");
            }
        if (!session.OutputMetadata.ContainsKey("step_scores"))
        {
            session.Dispose();
            throw new InvalidDataException($"{modelPath}: the graph has no 'step_scores' output; is this a process reward model?");
        }
        return new PrmVerifier(session, config, tokenizer, maxBatchRows);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<IReadOnlyList<float>>> ScoreStepsAsync(Problem problem, IReadOnlyList<string> completions,
        ComputeLedger? ledger = null, CancellationToken cancellationToken = default)
    {
        var prefix = new List<int>();
        if (Config.BosTokenId is int bos) prefix.Add(bos);
        prefix.AddRange(Tokenizer.EncodeToIds(problem.Prompt));
        var rows = completions.Select(c => Row(prefix, c)).ToArray();
        var scores = new IReadOnlyList<float>[rows.Length];
        for (int start = 0; start < rows.Length; start += _maxBatchRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(_maxBatchRows, rows.Length - start);
            var batch = rows.AsSpan(start, count).ToArray();
            var batchScores = Run(batch, ledger);
            for (int i = 0; i < count; i++) scores[start + i] = batchScores[i];
        }
        return Task.FromResult<IReadOnlyList<IReadOnlyList<float>>>(scores);
    }

    /// <summary>The row's tokens (cut to the context) and the positions to read: each step's last token.</summary>
    private (int[] Tokens, int[] StepEnds) Row(List<int> prefix, string completion)
    {
        var tokens = new List<int>(prefix);
        var stepEnds = new List<int>();
        var ids = Tokenizer.EncodeToIds(completion);
        bool open = false;
        foreach (int id in ids)
        {
            tokens.Add(id);
            open = true;
            if (Tokenizer.Decode([id])?.Contains(StepDelimiter, StringComparison.Ordinal) == true)
            {
                stepEnds.Add(tokens.Count - 1);
                open = false;
            }
        }
        if (open) stepEnds.Add(tokens.Count - 1);
        int limit = Config.ContextLength;
        if (tokens.Count > limit)
        {
            tokens.RemoveRange(limit, tokens.Count - limit);
            // Steps past the context are read at its last position: the PRM's latest view.
            stepEnds = stepEnds.Select(p => Math.Min(p, limit - 1)).ToList();
        }
        return (tokens.ToArray(), stepEnds.ToArray());
    }

    private IReadOnlyList<float>[] Run((int[] Tokens, int[] StepEnds)[] rows, ComputeLedger? ledger)
    {
        int batch = rows.Length, width = rows.Max(r => r.Tokens.Length);
        var ids = new long[batch * width];
        var mask = new long[batch * width];
        var positions = new long[batch * width];
        for (int r = 0; r < batch; r++)
            for (int t = 0; t < rows[r].Tokens.Length; t++)
            {
                ids[r * width + t] = rows[r].Tokens[t];
                mask[r * width + t] = 1;
                positions[r * width + t] = t;
            }
        long[] shape = [batch, width];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var positionValue = OrtValue.CreateTensorValueFromMemory(positions, shape);
        var names = new List<string> { "input_ids", "attention_mask" };
        var values = new List<OrtValue> { idsValue, maskValue };
        if (_hasPositionIds)
        {
            names.Add("position_ids");
            values.Add(positionValue);
        }
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, names, values, ["step_scores"]);
        var flat = outputs[0].GetTensorDataAsSpan<float>();
        var result = new IReadOnlyList<float>[batch];
        for (int r = 0; r < batch; r++)
        {
            var steps = new float[rows[r].StepEnds.Length];
            for (int i = 0; i < steps.Length; i++) steps[i] = flat[r * width + rows[r].StepEnds[i]];
            result[r] = steps;
            int n = rows[r].Tokens.Length;
            ledger?.AddVerifier(n, Cost.FlopsForTokens(0, n), (double)Cost.WeightBytes / batch);
        }
        return result;
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
