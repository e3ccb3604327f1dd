using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace TTScale.Onnx;

/// <summary>
/// The inputs TTScale feeds a decoder-layout graph, policy or PRM, in the order it feeds them: <c>input_ids</c>,
/// <c>attention_mask</c>, <c>position_ids</c> and <c>use_cache_branch</c> where the graph has them, then the KV cache's
/// past (<see cref="Kv"/>, null for a PRM that reads every text whole). A graph with any other input (an encoder's
/// <c>token_type_ids</c>, a newer exporter's <c>cache_position</c>) is refused at load, naming the input: ONNX Runtime
/// would only fail at the first pass, without naming the file.
/// </summary>
internal sealed record GraphInputs(bool HasPositionIds, bool HasCacheBranch, KvLayout? Kv, string[] Names)
{
    /// <exception cref="InvalidDataException">The graph lacks <c>input_ids</c> or <c>attention_mask</c>, its KV disagrees
    /// with the config, or it has an input TTScale does not feed; the message names the file.</exception>
    public static GraphInputs Read(InferenceSession session, ModelConfig config, string path)
    {
        var inputs = session.InputMetadata;
        foreach (var name in new[] { "input_ids", "attention_mask" })
            if (!inputs.ContainsKey(name)) throw KvLayout.Mismatch(path, $"has no '{name}' input (inputs: {string.Join(", ", inputs.Keys)})");
        var kv = KvLayout.Read(session, config, path);
        bool positions = inputs.ContainsKey("position_ids"), cacheBranch = inputs.ContainsKey("use_cache_branch"); // an Optimum merged decoder
        string[] names = ["input_ids", "attention_mask", .. positions ? ["position_ids"] : Array.Empty<string>(),
            .. cacheBranch ? ["use_cache_branch"] : Array.Empty<string>(), .. kv?.PastNames ?? []];
        var unfed = inputs.Keys.Except(names, StringComparer.Ordinal).ToArray();
        if (unfed.Length > 0)
            throw KvLayout.Mismatch(path, $"has input{(unfed.Length > 1 ? "s" : "")} TTScale does not feed: {string.Join(", ", unfed)} (it feeds " +
                "input_ids, attention_mask, position_ids, use_cache_branch and past_key_values.{i}.key/value); export the model as a decoder in the Optimum layout");
        // ONNX Runtime would refuse TTScale's int64 ids only at the first pass, without naming the file.
        foreach (var name in names.Take(names.Length - (kv?.PastNames.Length ?? 0)))
        {
            var expected = name == "use_cache_branch" ? TensorElementType.Bool : TensorElementType.Int64;
            if (inputs[name].ElementDataType != expected)
                throw KvLayout.Mismatch(path, $"has '{name}' of type {inputs[name].ElementDataType}; TTScale feeds {expected} (the Optimum layout)");
        }
        return new GraphInputs(positions, cacheBranch, kv, names);
    }

    /// <summary>
    /// The values of one pass in <see cref="Names"/>' order: <paramref name="ids"/> and <paramref name="positions"/>
    /// [batch, width], <paramref name="mask"/> [batch, past + width], then <paramref name="past"/> (null: an empty one).
    /// Disposing the feed frees what it made, never the past.
    /// </summary>
    public GraphFeed Feed(long[] ids, long[] mask, long[] positions, int batch, IReadOnlyList<OrtValue>? past)
    {
        int width = ids.Length / batch, total = mask.Length / batch;
        var feed = new GraphFeed(Names.Length);
        feed.Own(OrtValue.CreateTensorValueFromMemory(ids, [batch, width]));
        feed.Own(OrtValue.CreateTensorValueFromMemory(mask, [batch, total]));
        if (HasPositionIds) feed.Own(OrtValue.CreateTensorValueFromMemory(positions, [batch, width]));
        if (HasCacheBranch) feed.Own(OrtValue.CreateTensorValueFromMemory(new[] { total > width }, [1])); // a past is fed
        if (Kv is null) return feed;
        if (past is null)
            for (int t = 0; t < 2 * Kv.Layers; t++) feed.Own(Kv.EmptyPast(batch));
        else
            feed.Values.AddRange(past);
        return feed;
    }
}

/// <summary>One pass's input values, in the graph's feeding order; disposing frees those the feed made.</summary>
internal sealed class GraphFeed(int capacity) : IDisposable
{
    private readonly List<OrtValue> _owned = new(capacity);

    public List<OrtValue> Values { get; } = new(capacity);

    public void Own(OrtValue value)
    {
        _owned.Add(value);
        Values.Add(value);
    }

    public void Dispose()
    {
        foreach (var value in _owned) value.Dispose();
    }
}
