namespace TTScale.Tests.Onnx;

/// <summary>
/// Adds a graph input to an ONNX file by editing its protobuf directly (ModelProto.graph = 7, GraphProto.input = 11):
/// enough to make a graph that asks for an input TTScale does not feed, without a fixture per case.
/// </summary>
internal static class OnnxInputEdit
{
    /// <summary>Writes <paramref name="model"/> with an extra int64 [batch, sequence] input named <paramref name="name"/>.</summary>
    public static void AddInt64Input(string model, string name)
    {
        byte[] bytes = File.ReadAllBytes(model);
        byte[] input = Field(1, System.Text.Encoding.UTF8.GetBytes(name))            // ValueInfoProto.name
            .Concat(Field(2, Field(1, [.. Varint(1 << 3), .. Varint(7),            // TypeProto.tensor_type { elem_type INT64,
                .. Field(2, [.. Field(1, Field(2, "batch"u8.ToArray())),          //   shape { dim batch,
                             .. Field(1, Field(2, "sequence"u8.ToArray()))])])))  //           dim sequence } }
            .ToArray();
        using var output = new MemoryStream();
        for (int at = 0; at < bytes.Length;)
        {
            int start = at;
            ulong tag = ReadVarint(bytes, ref at);
            int end = (tag & 7) switch
            {
                0 => SkipVarint(bytes, at),
                1 => at + 8,
                2 => (int)ReadVarint(bytes, ref at) + at,
                5 => at + 4,
                var w => throw new InvalidDataException($"{model}: wire type {w} at byte {start}"),
            };
            if (tag == (7 << 3 | 2)) output.Write(Field(7, [.. bytes[at..end], .. Field(11, input)]));
            else output.Write(bytes, start, end - start);
            at = end;
        }
        File.WriteAllBytes(model, output.ToArray());
    }

    /// <summary>
    /// Writes <paramref name="model"/> with graph input <paramref name="name"/> of element type <paramref name="elementType"/>
    /// (an ONNX TensorProto.DataType: 6 int32, 7 int64) in place of int64: the ValueInfoProto is name, then type { tensor_type
    /// { elem_type } }, and one-byte varints swap without changing any length.
    /// </summary>
    public static void RetypeInt64Input(string model, string name, byte elementType)
    {
        byte[] bytes = File.ReadAllBytes(model);
        byte[] nameField = Field(1, System.Text.Encoding.UTF8.GetBytes(name));
        for (int at = 0; at + nameField.Length + 6 <= bytes.Length; at++)
        {
            int type = at + nameField.Length;
            if (!bytes.AsSpan(at, nameField.Length).SequenceEqual(nameField) || bytes[type] != (2 << 3 | 2) || bytes[type + 2] != (1 << 3 | 2)
                || bytes[type + 4] != (1 << 3) || bytes[type + 5] != 7)
                continue;
            bytes[type + 5] = elementType;
            File.WriteAllBytes(model, bytes);
            return;
        }
        throw new InvalidDataException($"{model}: no int64 graph input '{name}'");
    }

    private static byte[] Field(int number, byte[] payload) => [.. Varint((ulong)(number << 3 | 2)), .. Varint((ulong)payload.Length), .. payload];

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        for (; value >= 0x80; value >>= 7) bytes.Add((byte)(value | 0x80));
        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static ulong ReadVarint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }

    private static int SkipVarint(byte[] bytes, int at)
    {
        ReadVarint(bytes, ref at);
        return at;
    }
}
