using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TTScale.Compute;

namespace TTScale.Onnx;

/// <summary>
/// One batch of KV tensors, <c>[batch, kv_heads, length, head_dim]</c> per layer for keys and values, as a forward pass
/// produced them. Never written after creation, so forks share it freely; it is freed when the last sequence holding one
/// of its rows lets go. Row r holds its sequence's last <c>n</c> positions, right-aligned: [length - n, length).
/// </summary>
internal sealed class KvStorage
{
    private readonly OrtValue[] _tensors;
    private readonly KvAccounting _accounting;
    private int _references;
    private (ComputeLedger Ledger, long Bytes)[] _charges = [];

    public int Batch { get; }
    public int Length { get; }
    public int KvHeads { get; }
    public int HeadDim { get; }
    public long Bytes { get; }
    public IReadOnlyList<OrtValue> Tensors => _tensors;

    public KvStorage(OrtValue[] tensors, int batch, int length, int kvHeads, int headDim, int elementBytes, KvAccounting accounting)
    {
        _tensors = tensors;
        _accounting = accounting;
        Batch = batch;
        Length = length;
        KvHeads = kvHeads;
        HeadDim = headDim;
        Bytes = (long)tensors.Length * batch * kvHeads * length * headDim * elementBytes;
        accounting.Allocated(Bytes);
    }

    public void AddReference() => Interlocked.Increment(ref _references);

    /// <summary>
    /// Charges the storage to the ledgers of the rows it was made for (one entry a row, null for rows no ledger pays),
    /// each its share by rows, until it is freed. Called once, as it is made.
    /// </summary>
    public KvStorage Charge(IReadOnlyList<ComputeLedger?> rowLedgers)
    {
        _charges = [.. rowLedgers.OfType<ComputeLedger>().GroupBy(l => l).Select(g => (g.Key, Bytes * g.Count() / rowLedgers.Count))];
        foreach (var (ledger, bytes) in _charges) ledger.HoldPhysicalKv(bytes);
        return this;
    }

    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0) return;
        if (left < 0) throw new InvalidOperationException("KV storage released more often than referenced");
        foreach (var tensor in _tensors) tensor.Dispose();
        _accounting.Freed(Bytes);
        foreach (var (ledger, bytes) in _charges) ledger.ReleasePhysicalKv(bytes);
    }

    /// <summary>
    /// Copies rows into a new storage of <paramref name="length"/> positions: row i of the result holds
    /// <c>sources[i]</c>'s positions right-aligned, zeros before them (masked out, but finite so no NaN reaches softmax).
    /// A source may appear in several rows (forks being tiled).
    /// </summary>
    public static KvStorage Gather(IReadOnlyList<KvView?> sources, int length, int layers, int kvHeads, int headDim,
        TensorElementType type, KvAccounting accounting)
    {
        int batch = sources.Count, elementBytes = type == TensorElementType.Float16 ? 2 : 4;
        long[] shape = [batch, kvHeads, length, headDim];
        var tensors = new OrtValue[2 * layers];
        int positionBytes = headDim * elementBytes;
        for (int t = 0; t < tensors.Length; t++)
        {
            tensors[t] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
            var destination = tensors[t].GetTensorMutableRawData();
            for (int row = 0; row < batch; row++)
            {
                var source = sources[row];
                int n = source?.Length ?? 0;
                for (int h = 0; h < kvHeads; h++)
                {
                    int block = ((row * kvHeads + h) * length) * positionBytes;
                    destination.Slice(block, (length - n) * positionBytes).Clear();
                    if (n == 0) continue;
                    var from = source!.Storage._tensors[t].GetTensorMutableRawData();
                    int sourceBlock = ((source.Row * kvHeads + h) * source.Storage.Length + (source.End ?? source.Storage.Length) - n) * positionBytes;
                    from.Slice(sourceBlock, n * positionBytes).CopyTo(destination.Slice(block + (length - n) * positionBytes));
                }
            }
        }
        return new KvStorage(tensors, batch, length, kvHeads, headDim, elementBytes, accounting);
    }
}

/// <summary>
/// A sequence's cached positions: the <see cref="Length"/> positions of one row of a storage that end at
/// <see cref="End"/> (by default the row's end, where the engine right-aligns them).
/// </summary>
internal sealed record KvView(KvStorage Storage, int Row, int Length, int? End = null);

/// <summary>Bytes of KV the engine holds right now, and the most it has held since the last <see cref="TakePeak"/>.</summary>
internal sealed class KvAccounting
{
    private long _bytes, _peak;
    public long Bytes => Interlocked.Read(ref _bytes);

    public void Allocated(long bytes)
    {
        long now = Interlocked.Add(ref _bytes, bytes);
        for (long peak = Interlocked.Read(ref _peak); now > peak; peak = Interlocked.Read(ref _peak))
            if (Interlocked.CompareExchange(ref _peak, now, peak) == peak) break;
    }

    public void Freed(long bytes) => Interlocked.Add(ref _bytes, -bytes);

    /// <summary>
    /// The most held since the last call, then starts over from what is held now. A step holds its past, its present and
    /// any gathered copies at once, and frees the past before it ends; the peak sees them together.
    /// </summary>
    public long TakePeak() => Math.Max(Interlocked.Exchange(ref _peak, Bytes), Bytes);
}
