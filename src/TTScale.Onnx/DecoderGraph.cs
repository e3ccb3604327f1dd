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
    public KvLayout Kv => Inputs.Kv!; // checked at load: a decoder without KV inputs is refused
    public int Layers => Kv.Layers;
    public int KvHeads => Kv.KvHeads;
    public int HeadDim => Kv.HeadDim;
    public TensorElementType KvType => Kv.Type;
    public int KvElementBytes => Kv.ElementBytes;
    public TensorElementType LogitsType { get; }
    public GraphInputs Inputs { get; }
    public string[] OutputNames { get; }

    public DecoderGraph(string path, ModelConfig config, ExecutionDevice device)
    {
        Session = device.OpenSession(path);
        try
        {
            Inputs = GraphInputs.Read(Session, config, path);
            var kv = Inputs.Kv ?? throw KvLayout.Mismatch(path, "has no 'past_key_values.{i}.key' inputs: export it with the KV cache (use_past)");
            if (!Session.OutputMetadata.ContainsKey("logits")) throw KvLayout.Mismatch(path, "has no 'logits' output");
            int vocab = Session.OutputMetadata["logits"].Dimensions[^1];
            if (vocab > 0 && vocab != config.VocabSize) throw KvLayout.Mismatch(path, $"has {vocab} logits per token but config.json says vocab_size {config.VocabSize}");
            LogitsType = Session.OutputMetadata["logits"].ElementDataType;
            OutputNames = ["logits", .. kv.PresentNames];
        }
        catch
        {
            Session.Dispose();
            throw;
        }
    }

    public void Dispose() => Session.Dispose();
}
