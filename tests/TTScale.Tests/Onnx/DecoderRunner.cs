using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace TTScale.Tests.Onnx;

/// <summary>A bare single-row forward pass over an Optimum-layout decoder graph, fp32 or fp16 KV, for checking exports.</summary>
internal sealed class DecoderRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly int _layers, _kvHeads, _headDim;
    private readonly bool _fp16;

    public DecoderRunner(string path)
    {
        _session = new InferenceSession(path);
        var key = _session.InputMetadata["past_key_values.0.key"];
        _layers = _session.InputMetadata.Keys.Count(k => k.EndsWith(".key", StringComparison.Ordinal));
        _kvHeads = key.Dimensions[1];
        _headDim = key.Dimensions[3];
        _fp16 = key.ElementDataType == TensorElementType.Float16;
    }

    public List<OrtValue> EmptyPast() =>
        Enumerable.Range(0, 2 * _layers).Select(_ => _fp16
            ? OrtValue.CreateTensorValueFromMemory(Array.Empty<Float16>(), [1, _kvHeads, 0, _headDim])
            : OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [1, _kvHeads, 0, _headDim])).ToList();

    /// <summary>Runs <paramref name="ids"/> at positions from <paramref name="position"/>; returns fp32 logits per token and the presents.</summary>
    public (float[][] Logits, List<OrtValue> Present) Forward(long[] ids, int position, List<OrtValue> past)
    {
        int n = ids.Length;
        using var inputIds = OrtValue.CreateTensorValueFromMemory(ids, [1, n]);
        using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, position + n).ToArray(), [1, position + n]);
        using var positions = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(position, n).Select(i => (long)i).ToArray(), [1, n]);
        var names = new List<string> { "input_ids", "attention_mask", "position_ids" };
        var values = new List<OrtValue> { inputIds, mask, positions };
        var outputNames = new List<string> { "logits" };
        for (int i = 0; i < _layers; i++)
        {
            names.Add($"past_key_values.{i}.key");
            names.Add($"past_key_values.{i}.value");
            outputNames.Add($"present.{i}.key");
            outputNames.Add($"present.{i}.value");
        }
        values.AddRange(past);
        var outputs = _session.Run(new RunOptions(), names, values, outputNames);
        var logits = outputs[0];
        int vocab = (int)logits.GetTensorTypeAndShape().Shape[2];
        float[] flat = _fp16
            ? logits.GetTensorDataAsSpan<Float16>().ToArray().Select(h => h.ToFloat()).ToArray()
            : logits.GetTensorDataAsSpan<float>().ToArray();
        logits.Dispose();
        var rows = Enumerable.Range(0, n).Select(t => flat.AsSpan(t * vocab, vocab).ToArray()).ToArray();
        return (rows, outputs.Skip(1).ToList());
    }

    public void Dispose() => _session.Dispose();
}
