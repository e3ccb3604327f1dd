using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace TTScale.Tests.Onnx;

/// <summary>
/// The exported fixtures, run directly through ONNX Runtime, reproduce PyTorch's golden outputs: this checks the export
/// layout (Optimum decoder inputs and outputs, an empty past, fp16 KV) that the engine is built on.
/// </summary>
public class FixtureGoldenTests
{
    [Theory]
    [InlineData("tiny-lm-fp32", 1e-4f)]
    [InlineData("tiny-lm-fp16", 2e-2f)]
    public void FullSequenceLogitsMatchPyTorch(string fixture, float tolerance)
    {
        var golden = Fixtures.Golden(fixture);
        long[] ids = golden.GetProperty("input_ids").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        using var model = new DecoderRunner(Fixtures.Path(fixture, "model.onnx"));
        var (logits, _) = model.Forward(ids, position: 0, model.EmptyPast());
        AssertClose(Fixtures.Matrix(golden.GetProperty("full_logits")), logits, tolerance);
    }

    [Theory]
    [InlineData("tiny-lm-fp32", 1e-4f)]
    [InlineData("tiny-lm-fp16", 2e-2f)]
    public void CachedDecodingFromAnEmptyPastMatchesPyTorch(string fixture, float tolerance)
    {
        var golden = Fixtures.Golden(fixture);
        long[] ids = golden.GetProperty("input_ids").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        int prefill = golden.GetProperty("prefill_length").GetInt32();
        using var model = new DecoderRunner(Fixtures.Path(fixture, "model.onnx"));
        var rows = new List<float[]>();
        var past = model.EmptyPast();
        int position = 0;
        foreach (var chunk in new[] { ids[..prefill] }.Concat(ids[prefill..].Select(id => new[] { id })))
        {
            var (logits, present) = model.Forward(chunk, position, past);
            foreach (var p in past) p.Dispose();
            past = present;
            rows.AddRange(logits);
            position += chunk.Length;
        }
        foreach (var p in past) p.Dispose();
        AssertClose(Fixtures.Matrix(golden.GetProperty("cached_logits")), rows.ToArray(), tolerance);
    }

    [Fact]
    public void PrmStepScoresMatchPyTorch()
    {
        var golden = Fixtures.Golden("tiny-prm");
        long[] ids = golden.GetProperty("input_ids").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        using var session = new InferenceSession(Fixtures.Path("tiny-prm", "model.onnx"));
        Assert.DoesNotContain(session.InputMetadata.Keys, name => name.StartsWith("past_key_values", StringComparison.Ordinal));
        long[] shape = [1, ids.Length];
        using var inputIds = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, ids.Length).ToArray(), shape);
        using var positions = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, ids.Length).Select(i => (long)i).ToArray(), shape);
        using var outputs = session.Run(new RunOptions(), ["input_ids", "attention_mask", "position_ids"], [inputIds, mask, positions], ["step_scores"]);
        var scores = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var expected = golden.GetProperty("step_scores").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(expected.Length, scores.Length);
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.InRange(scores[i], 0f, 1f);
            Assert.True(Math.Abs(expected[i] - scores[i]) <= 1e-5f, $"position {i}: expected {expected[i]}, got {scores[i]}");
        }
    }

    [Theory]
    [InlineData("tiny-lm-fp32")]
    [InlineData("tiny-lm-fp16")]
    [InlineData("tiny-lm-merged")]
    [InlineData("tiny-prm")]
    public void FixturesAreSmallAndDescribeThemselves(string fixture)
    {
        Assert.True(new FileInfo(Fixtures.Path(fixture, "model.onnx")).Length < 1024 * 1024, "fixtures must stay under 1 MB");
        var config = JsonDocument.Parse(File.ReadAllText(Fixtures.Path(fixture, "config.json"))).RootElement;
        // A PRM's num_layers counts its KV layers: those of the frozen policy copy it reads, then its own decoder's.
        var layers = config.TryGetProperty("decoder_layers", out var decoder) ? decoder : config.GetProperty("num_layers");
        Assert.Equal(2, layers.GetInt32());
        Assert.True(config.GetProperty("num_kv_heads").GetInt32() < config.GetProperty("num_heads").GetInt32(), "fixtures use grouped-query attention");
        Assert.Equal("\n", config.GetProperty("step_delimiter").GetString());
    }

    private static void AssertClose(float[][] expected, float[][] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int t = 0; t < expected.Length; t++)
        {
            Assert.Equal(expected[t].Length, actual[t].Length);
            float scale = Math.Max(1f, expected[t].Max(Math.Abs));
            for (int v = 0; v < expected[t].Length; v++)
                Assert.True(Math.Abs(expected[t][v] - actual[t][v]) <= tolerance * scale,
                    $"position {t}, token {v}: expected {expected[t][v]}, got {actual[t][v]}");
        }
    }
}
