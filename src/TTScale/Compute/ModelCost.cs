namespace TTScale.Compute;

/// <summary>
/// The shape of a decoder that compute accounting needs. FLOPs per token follow the standard estimate:
/// <c>2 * P_nonembedding</c> for the matrix multiplies, plus <c>4 * layers * heads * head_dim * context</c> for
/// attention (QK^T and AV over the positions the token attends to).
/// </summary>
/// <param name="Layers">Decoder layers.</param>
/// <param name="Heads">Query heads per layer.</param>
/// <param name="KvHeads">Key/value heads per layer (fewer than <paramref name="Heads"/> under grouped-query attention).</param>
/// <param name="HeadDim">Size of one head.</param>
/// <param name="Parameters">All parameters, embeddings included.</param>
/// <param name="NonEmbeddingParameters">Parameters outside the token embedding.</param>
/// <param name="WeightBytesPerParameter">Bytes per stored weight (4 for fp32, 2 for fp16).</param>
/// <param name="KvBytesPerElement">Bytes per cached key/value element.</param>
public sealed record ModelCost(int Layers, int Heads, int KvHeads, int HeadDim, long Parameters, long NonEmbeddingParameters,
    int WeightBytesPerParameter, int KvBytesPerElement)
{
    /// <summary>FLOPs to process one token that attends to <paramref name="context"/> positions (itself included).</summary>
    public double FlopsPerToken(long context) => 2.0 * NonEmbeddingParameters + 4.0 * Layers * Heads * HeadDim * context;

    /// <summary>FLOPs to process <paramref name="count"/> tokens in a row after <paramref name="pastLength"/> cached ones.</summary>
    public double FlopsForTokens(long pastLength, long count) =>
        // Token i (0-based) attends to pastLength + i + 1 positions; the sum of the attention terms is closed-form.
        count * 2.0 * NonEmbeddingParameters + 4.0 * Layers * Heads * HeadDim * (count * pastLength + count * (count + 1) / 2.0);

    /// <summary>Bytes of key and value cache one token occupies: <c>2 * layers * kv_heads * head_dim * dtype_bytes</c>.</summary>
    public long KvBytesPerToken => 2L * Layers * KvHeads * HeadDim * KvBytesPerElement;

    /// <summary>
    /// Bytes of weights read by one forward pass: the non-embedding parameters (the output head included); the input
    /// embedding is only gathered, a row per token.
    /// </summary>
    public long WeightBytes => NonEmbeddingParameters * WeightBytesPerParameter;
}
