namespace TTScale.Onnx;

/// <summary>
/// Edits a SentencePiece <c>tokenizer.model</c> (a ModelProto) before Microsoft.ML.Tokenizers reads it. Hugging Face
/// decides per piece of text whether the dummy prefix '▁' goes in front (its tokenizer.json, not the model, says); the
/// library takes that from the model's <c>normalizer_spec.add_dummy_prefix</c>, so each choice gets its own copy.
/// </summary>
internal static class SentencePieceModelFile
{
    private const int NormalizerSpecField = 3, AddDummyPrefixField = 3;

    /// <summary>The model with <c>normalizer_spec.add_dummy_prefix</c> set to <paramref name="on"/>; every other field as it was.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a protobuf message; the message names <paramref name="path"/>.</exception>
    public static byte[] WithDummyPrefix(byte[] model, bool on, string path)
    {
        var output = new MemoryStream(model.Length + 8);
        bool seen = false;
        foreach (var field in Fields(model, path))
        {
            if (field.Number == NormalizerSpecField && field.WireType == 2)
            {
                WriteLengthDelimited(output, NormalizerSpecField, WithFlag(model.AsSpan(field.Payload), on, path));
                seen = true;
            }
            else output.Write(model, field.Whole.Start.Value, field.Whole.End.Value - field.Whole.Start.Value);
        }
        if (!seen) WriteLengthDelimited(output, NormalizerSpecField, WithFlag([], on, path));
        return output.ToArray();
    }

    private static byte[] WithFlag(ReadOnlySpan<byte> spec, bool on, string path)
    {
        var copy = spec.ToArray();
        var output = new MemoryStream(spec.Length + 2);
        foreach (var field in Fields(copy, path))
            if (field.Number != AddDummyPrefixField)
                output.Write(copy, field.Whole.Start.Value, field.Whole.End.Value - field.Whole.Start.Value);
        output.WriteByte(AddDummyPrefixField << 3); // varint
        output.WriteByte(on ? (byte)1 : (byte)0);
        return output.ToArray();
    }

    private readonly record struct Field(int Number, int WireType, Range Whole, Range Payload);

    private static IEnumerable<Field> Fields(byte[] message, string path)
    {
        int at = 0;
        while (at < message.Length)
        {
            int start = at;
            ulong tag = ReadVarint(message, ref at, path);
            int wireType = (int)(tag & 7), payloadStart;
            switch (wireType)
            {
                case 0: ReadVarint(message, ref at, path); payloadStart = start; break;
                case 1: payloadStart = at; at += 8; break;
                case 5: payloadStart = at; at += 4; break;
                case 2:
                    ulong length = ReadVarint(message, ref at, path);
                    payloadStart = at;
                    at = length <= (ulong)(message.Length - at) ? at + (int)length : throw Corrupt(path);
                    break;
                default: throw Corrupt(path);
            }
            if (at > message.Length) throw Corrupt(path);
            yield return new Field((int)(tag >> 3), wireType, start..at, payloadStart..at);
        }
    }

    private static ulong ReadVarint(byte[] message, ref int at, string path)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (at >= message.Length) throw Corrupt(path);
            byte b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw Corrupt(path);
    }

    private static void WriteLengthDelimited(MemoryStream output, int number, byte[] payload)
    {
        WriteVarint(output, (ulong)(number << 3 | 2));
        WriteVarint(output, (ulong)payload.Length);
        output.Write(payload);
    }

    private static void WriteVarint(MemoryStream output, ulong value)
    {
        for (; value >= 0x80; value >>= 7) output.WriteByte((byte)(value | 0x80));
        output.WriteByte((byte)value);
    }

    private static InvalidDataException Corrupt(string path) => new($"{path}: not a SentencePiece model (malformed protobuf)");
}
