using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace TTScale.Onnx;

/// <summary>
/// A graph's KV cache in the Optimum layout: <c>past_key_values.{i}.key/value</c> [batch, kv_heads, past, head_dim] in,
/// <c>present.{i}.key/value</c> out, read from the graph and checked against the config.
/// </summary>
internal sealed record KvLayout(int Layers, int KvHeads, int HeadDim, TensorElementType Type)
{
    public int ElementBytes => Type == TensorElementType.Float16 ? 2 : 4;

    public string[] PastNames { get; } = [.. Enumerable.Range(0, Layers).SelectMany(i => new[] { $"past_key_values.{i}.key", $"past_key_values.{i}.value" })];

    public string[] PresentNames { get; } = [.. Enumerable.Range(0, Layers).SelectMany(i => new[] { $"present.{i}.key", $"present.{i}.value" })];

    /// <summary>The graph's KV layout; null where it has no <c>past_key_values</c> inputs at all.</summary>
    /// <exception cref="InvalidDataException">The KV inputs or outputs are incomplete or disagree with the config; the message names the file.</exception>
    public static KvLayout? Read(InferenceSession session, ModelConfig config, string path)
    {
        var inputs = session.InputMetadata;
        int layers = inputs.Keys.Count(k => k.StartsWith("past_key_values.", StringComparison.Ordinal) && k.EndsWith(".key", StringComparison.Ordinal));
        if (layers == 0) return null;
        if (layers != config.Layers) throw Mismatch(path, $"has {layers} layers of KV inputs but config.json says {config.Layers}");
        if (!inputs.TryGetValue("past_key_values.0.key", out var key)) throw Mismatch(path, "has no 'past_key_values.0.key' input");
        if (key.Dimensions.Length != 4) throw Mismatch(path, $"past_key_values.0.key has rank {key.Dimensions.Length}, expected [batch, kv_heads, past, head_dim]");
        int kvHeads = key.Dimensions[1] > 0 ? key.Dimensions[1] : config.KvHeads;
        int headDim = key.Dimensions[3] > 0 ? key.Dimensions[3] : config.HeadDim;
        if (kvHeads != config.KvHeads) throw Mismatch(path, $"has {kvHeads} KV heads but config.json says {config.KvHeads}");
        if (headDim != config.HeadDim) throw Mismatch(path, $"has head size {headDim} but config.json says {config.HeadDim}");
        if (key.ElementDataType is not (TensorElementType.Float or TensorElementType.Float16))
            throw Mismatch(path, $"has {key.ElementDataType} KV; only float32 and float16 are supported");
        var layout = new KvLayout(layers, kvHeads, headDim, key.ElementDataType);
        foreach (var name in layout.PastNames)
            if (!inputs.ContainsKey(name)) throw Mismatch(path, $"has no '{name}' input");
        foreach (var name in layout.PresentNames)
            if (!session.OutputMetadata.ContainsKey(name)) throw Mismatch(path, $"has no '{name}' output");
        return layout;
    }

    /// <summary>Empty past tensors [batch, kv_heads, 0, head_dim]: the first pass over a text.</summary>
    public OrtValue EmptyPast(int batch)
    {
        long[] shape = [batch, KvHeads, 0, HeadDim];
        return Type == TensorElementType.Float16
            ? OrtValue.CreateTensorValueFromMemory(Array.Empty<Float16>(), shape)
            : OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), shape);
    }

    public static InvalidDataException Mismatch(string path, string what) => new($"{path}: the graph {what}");
}
