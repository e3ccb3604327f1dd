using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;

namespace TTScale.Onnx;

/// <summary>
/// How a PRM graph's output becomes a score at each position, and where in a solution the scores are read.
/// <list type="bullet">
/// <item>A <c>step_scores</c> [batch, seq] output (the demo PRM): the score itself.</item>
/// <item>A language-model or token-classification head, <c>logits</c> [batch, seq, V]: the two-way softmax of a "good"
/// and a "bad" logit, as the reference PRMs are read (Math-Shepherd: "+" against "-" at the step tag " ки";
/// Qwen2.5-Math-PRM: class 1 against class 0 at "&lt;extra_0&gt;").</item>
/// </list>
/// By default scores are read at each step delimiter. A <c>step_tag</c> is written at the end of every step (before its
/// delimiter, or in its place) and the scores are read at the tag's token. Both come from the <c>prm</c> object of the
/// model's config.json: <c>{"step_tag": " ки", "step_tag_id": 12902, "score_token_ids": [648, 387], "keep_delimiter": true}</c>
/// (<c>step_tag_id</c> defaults to the tag's last token; <c>score_token_ids</c> is [good, bad] and required for a
/// <c>logits</c> head). <see cref="ValuesPerPosition"/> is the output's last dimension: 1 for <c>step_scores</c>, the
/// head's width for <c>logits</c>.
/// </summary>
internal sealed record PrmReadout(string ConfigPath, string Output, string? StepTag, int StepTagId, int Good, int Bad, bool KeepDelimiter,
    int ValuesPerPosition)
{
    public const string ScoresOutput = "step_scores", LogitsOutput = "logits";

    /// <summary>
    /// The readout of the PRM whose config is <paramref name="configPath"/> and graph <paramref name="session"/>; a
    /// <c>logits</c> head the graph leaves open is <paramref name="vocabularySize"/> wide (config.json's vocab_size).
    /// </summary>
    /// <exception cref="InvalidDataException">The graph has neither output, or the <c>prm</c> object is malformed or names
    /// tokens the head does not have; the message names the file and field.</exception>
    public static PrmReadout Read(string configPath, string modelPath, InferenceSession session, Tokenizer tokenizer, int vocabularySize)
    {
        var root = JsonFile.ReadObject(configPath);
        var prm = root.TryGetProperty("prm", out var p) ? p : default;
        if (prm.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Object))
            throw new InvalidDataException($"{configPath}: 'prm' must be an object");
        JsonElement Field(string name) => prm.ValueKind == JsonValueKind.Object && prm.TryGetProperty(name, out var v) ? v : default;
        InvalidDataException Bad(string name, string what) => new($"{configPath}: prm.{name} {what}");

        string? tag = Field("step_tag") switch
        {
            { ValueKind: JsonValueKind.Undefined or JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.String } s when s.GetString() is { Length: > 0 } text => text,
            _ => throw Bad("step_tag", "must be a non-empty string"),
        };
        int tagId = Field("step_tag_id") switch
        {
            { ValueKind: JsonValueKind.Undefined } => tag is null ? -1 : tokenizer.EncodeToIds(tag).LastOrDefault(-1),
            { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out int id) && id >= 0 => id,
            _ => throw Bad("step_tag_id", "must be a token id"),
        };
        if (tag is not null && tagId < 0) throw Bad("step_tag", $"'{tag}' encodes to no token");
        if (tag is null && tagId >= 0) throw Bad("step_tag_id", "needs prm.step_tag, the text that ends each step");
        bool keepDelimiter = Field("keep_delimiter") switch
        {
            { ValueKind: JsonValueKind.Undefined or JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            _ => throw Bad("keep_delimiter", "must be true or false"),
        };

        var outputs = session.OutputMetadata;
        if (outputs.ContainsKey(ScoresOutput)) return new PrmReadout(configPath, ScoresOutput, tag, tagId, -1, -1, keepDelimiter, 1);
        if (!outputs.TryGetValue(LogitsOutput, out var logits))
            throw new InvalidDataException($"{modelPath}: the graph has no '{ScoresOutput}' output; is this a process reward model?");
        var ids = Field("score_token_ids");
        if (ids.ValueKind == JsonValueKind.Undefined)
            throw new InvalidDataException($"{modelPath}: the graph has '{LogitsOutput}' but no '{ScoresOutput}' output; to read its head as a " +
                $"PRM, give {configPath} a \"prm\" object with \"score_token_ids\": [good, bad] (and a \"step_tag\" where the PRM reads one)");
        int[] pair = ids.ValueKind == JsonValueKind.Array && ids.GetArrayLength() == 2
            && ids.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i >= 0)
            ? [.. ids.EnumerateArray().Select(v => v.GetInt32())]
            : throw Bad("score_token_ids", "must be [good, bad], two token ids");
        int? width = logits.Dimensions is [_, _, > 0 and var v] ? v : null;
        if (logits.Dimensions.Length != 3) throw new InvalidDataException($"{modelPath}: '{LogitsOutput}' has rank {logits.Dimensions.Length}, expected [batch, seq, vocab]");
        if (pair.Any(id => id >= (width ?? int.MaxValue))) throw Bad("score_token_ids", $"[{pair[0]}, {pair[1]}] is outside the head's {width} outputs");
        return new PrmReadout(configPath, LogitsOutput, tag, tagId, pair[0], pair[1], keepDelimiter, width ?? vocabularySize);
    }

    /// <summary>
    /// The text the PRM reads for <paramref name="completion"/>: with a step tag, the tag at the end of every step (before
    /// its delimiter, or instead of it) and after an unfinished last line; a tag the policy wrote itself is dropped, so
    /// that each tag is one step; <paramref name="steps"/> counts the tags written. Without a tag, the completion (and 0).
    /// </summary>
    public string Text(string completion, string delimiter, out int steps)
    {
        steps = 0;
        if (StepTag is null) return completion;
        string text = completion.Replace(StepTag, "", StringComparison.Ordinal);
        var tagged = new StringBuilder(text.Length + 8 * StepTag.Length);
        int start = 0;
        for (int at = text.IndexOf(delimiter, StringComparison.Ordinal); at >= 0; at = text.IndexOf(delimiter, start, StringComparison.Ordinal))
        {
            tagged.Append(text, start, at - start).Append(StepTag);
            if (KeepDelimiter) tagged.Append(delimiter);
            start = at + delimiter.Length;
            steps++;
        }
        if (start < text.Length)
        {
            tagged.Append(text, start, text.Length - start).Append(StepTag);
            steps++;
        }
        return tagged.ToString();
    }

    /// <summary>Writes the scores of row <paramref name="row"/>'s first <c>destination.Length</c> positions of a pass <paramref name="width"/> wide.</summary>
    public void Scores(OrtValue output, int row, int width, Span<float> destination)
    {
        var info = output.GetTensorTypeAndShape();
        bool logits = Output == LogitsOutput;
        int stride = logits ? checked((int)info.Shape[2]) : 1, first = checked(row * width * stride);
        if (info.ElementDataType == TensorElementType.Float16)
        {
            var data = output.GetTensorDataAsSpan<Float16>();
            for (int t = 0, at = first; t < destination.Length; t++, at += stride)
                destination[t] = logits ? TwoWay(data[at + Good].ToFloat(), data[at + Bad].ToFloat()) : data[at].ToFloat();
        }
        else
        {
            var data = output.GetTensorDataAsSpan<float>();
            for (int t = 0, at = first; t < destination.Length; t++, at += stride)
                destination[t] = logits ? TwoWay(data[at + Good], data[at + Bad]) : data[at];
        }
    }

    /// <summary>The softmax over {good, bad}, taking good's share.</summary>
    private static float TwoWay(float good, float bad) => 1f / (1f + MathF.Exp(bad - good));
}
