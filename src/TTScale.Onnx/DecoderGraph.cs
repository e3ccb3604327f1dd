using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace TTScale.Onnx;

/// <summary>
/// An Optimum-layout decoder graph: <c>input_ids</c>, <c>attention_mask</c>, optional <c>position_ids</c> and
/// <c>use_cache_branch</c>, <c>past_key_values.{i}.key/value</c> [batch, kv_heads, past, head_dim] in; <c>logits</c> and
/// <c>present.{i}.key/value</c> out. Its KV layout is read from the graph and checked against the config.
/// </summary>
internal sealed class DecoderGraph : IDisposable
{
    public InferenceSession Session { get; }
    public int Layers { get; }
    public int KvHeads { get; }
    public int HeadDim { get; }
    public TensorElementType KvType { get; }
    public int KvElementBytes => KvType == TensorElementType.Float16 ? 2 : 4;
    public TensorElementType LogitsType { get; }
    public bool HasPositionIds { get; }
    public bool HasCacheBranch { get; }
    public string[] InputNames { get; }
    public string[] OutputNames { get; }

    public DecoderGraph(string path, ModelConfig config, ExecutionDevice device)
    {
        Session = device.OpenSession(path);
        try
        {
            var inputs = Session.InputMetadata;
            foreach (var name in new[] { "input_ids", "attention_mask" })
                if (!inputs.ContainsKey(name)) throw Mismatch(path, $"has no '{name}' input (inputs: {string.Join(", ", inputs.Keys)})");
            HasPositionIds = inputs.ContainsKey("position_ids");
            HasCacheBranch = inputs.ContainsKey("use_cache_branch");
            Layers = inputs.Keys.Count(k => k.StartsWith("past_key_values.", StringComparison.Ordinal) && k.EndsWith(".key", StringComparison.Ordinal));
            if (Layers == 0) throw Mismatch(path, "has no 'past_key_values.{i}.key' inputs: export it with the KV cache (use_past)");
            if (!Session.OutputMetadata.ContainsKey("logits")) throw Mismatch(path, "has no 'logits' output");
            if (Layers != config.Layers) throw Mismatch(path, $"has {Layers} layers of KV inputs but config.json says {config.Layers}");
            var key = inputs["past_key_values.0.key"];
            if (key.Dimensions.Length != 4) throw Mismatch(path, $"past_key_values.0.key has rank {key.Dimensions.Length}, expected [batch, kv_heads, past, head_dim]");
            KvHeads = key.Dimensions[1] > 0 ? key.Dimensions[1] : config.KvHeads;
            HeadDim = key.Dimensions[3] > 0 ? key.Dimensions[3] : config.HeadDim;
            if (KvHeads != config.KvHeads) throw Mismatch(path, $"has {KvHeads} KV heads but config.json says {config.KvHeads}");
            if (HeadDim != config.HeadDim) throw Mismatch(path, $"has head size {HeadDim} but config.json says {config.HeadDim}");
            KvType = key.ElementDataType;
            if (KvType is not (TensorElementType.Float or TensorElementType.Float16))
                throw Mismatch(path, $"has {KvType} KV; only float32 and float16 are supported");
            for (int i = 0; i < Layers; i++)
            {
                foreach (var name in new[] { $"past_key_values.{i}.key", $"past_key_values.{i}.value" })
                    if (!inputs.ContainsKey(name)) throw Mismatch(path, $"has no '{name}' input");
                foreach (var name in new[] { $"present.{i}.key", $"present.{i}.value" })
                    if (!Session.OutputMetadata.ContainsKey(name)) throw Mismatch(path, $"has no '{name}' output");
            }
            int vocab = Session.OutputMetadata["logits"].Dimensions[^1];
            if (vocab > 0 && vocab != config.VocabSize) throw Mismatch(path, $"has {vocab} logits per token but config.json says vocab_size {config.VocabSize}");
            LogitsType = Session.OutputMetadata["logits"].ElementDataType;
            InputNames = [.. new[] { "input_ids", "attention_mask" }.Concat(HasPositionIds ? ["position_ids"] : []).Concat(HasCacheBranch ? ["use_cache_branch"] : [])
                .Concat(Enumerable.Range(0, Layers).SelectMany(i => new[] { $"past_key_values.{i}.key", $"past_key_values.{i}.value" }))];
            OutputNames = [.. new[] { "logits" }.Concat(Enumerable.Range(0, Layers).SelectMany(i => new[] { $"present.{i}.key", $"present.{i}.value" }))];
        }
        catch
        {
            Session.Dispose();
            throw;
        }
    }

    private static InvalidDataException Mismatch(string path, string what) => new($"{path}: the graph {what}");

    public void Dispose() => Session.Dispose();
}
