using System.Diagnostics;

namespace TTScale.Compute;

/// <summary>
/// What a request (or a whole run) spent: tokens, forward passes, FLOPs, bytes moved, KV memory and wall time.
/// The engine writes it as it works; evaluation reads it and never re-derives cost. Thread-safe.
/// </summary>
public sealed class ComputeLedger
{
    private readonly Lock _lock = new();
    private long _promptTokens, _generatedTokens, _forwardPasses, _verifierTokens, _verifierCalls;
    private double _flops, _verifierFlops, _weightBytesRead, _kvBytesRead, _verifierBytesRead;
    private long _peakPhysicalKvBytes, _peakLogicalKvBytes, _kvObservations;
    private double _sumPhysicalKvBytes, _sumLogicalKvBytes;
    private long _roundPeakPhysicalKvBytes, _peakVerifierKvBytes, _heldPhysicalKvBytes;
    private readonly List<KvRound> _rounds = [];
    private TimeSpan _wallTime;

    /// <summary>
    /// Tokens processed that the model did not sample: prompts and appended text, counted each time a forward pass reads
    /// them: once for a prompt prefilled and then forked, once per fork for forks taken before the prefill.
    /// </summary>
    public long PromptTokens { get { lock (_lock) return _promptTokens; } }

    /// <summary>Tokens sampled by the model, end-of-sequence included.</summary>
    public long GeneratedTokens { get { lock (_lock) return _generatedTokens; } }

    /// <summary>Batched forward passes this ledger took part in.</summary>
    public long ForwardPasses { get { lock (_lock) return _forwardPasses; } }

    /// <summary>Tokens the verifier (PRM) scored.</summary>
    public long VerifierTokens { get { lock (_lock) return _verifierTokens; } }

    /// <summary>Texts the verifier scored: one per text in each call, a text it had read whole before included (at 0 tokens).</summary>
    public long VerifierCalls { get { lock (_lock) return _verifierCalls; } }

    /// <summary>FLOPs of the policy model.</summary>
    public double Flops { get { lock (_lock) return _flops; } }

    /// <summary>FLOPs of the verifier.</summary>
    public double VerifierFlops { get { lock (_lock) return _verifierFlops; } }

    /// <summary>Policy and verifier FLOPs together: the default compute axis.</summary>
    public double TotalFlops { get { lock (_lock) return _flops + _verifierFlops; } }

    /// <summary>
    /// The policy's weight bytes read: its weights once per batched forward pass. The engine's ledger shares them among
    /// all the rows of the pass; a request's ledger among its own rows only, so a problem's figure does not depend on
    /// the other problems batched beside it.
    /// </summary>
    public double WeightBytesRead { get { lock (_lock) return _weightBytesRead; } }

    /// <summary>The policy's KV-cache bytes read: each row reads its own cached keys and values every pass.</summary>
    public double KvBytesRead { get { lock (_lock) return _kvBytesRead; } }

    /// <summary>What the verifier's calls read, its weights and KV together (apart from the policy's in the two above).</summary>
    public double VerifierBytesRead { get { lock (_lock) return _verifierBytesRead; } }

    /// <summary>Memory traffic: the policy's weights and KV, and the verifier's reads.</summary>
    public double BytesMoved { get { lock (_lock) return _weightBytesRead + _kvBytesRead + _verifierBytesRead; } }

    /// <summary>
    /// Most KV bytes the engine physically held for this ledger at once: its rows' share of every storage that held them
    /// (padding and dead rows included), gathered copies, and a pass's past and present together. A storage shared with
    /// other problems' rows (batched beside them) is charged by rows, and stays charged until it is freed, so this figure
    /// depends on what ran beside the problem; the logical one does not.
    /// </summary>
    public long PeakPhysicalKvBytes { get { lock (_lock) return _peakPhysicalKvBytes; } }

    /// <summary>
    /// Most KV bytes of the unique tokens of the live sequence tree: what a prefix-sharing server would hold. A sampled
    /// token counts from the step that samples it, one step before the pass that writes its KV.
    /// </summary>
    public long PeakLogicalKvBytes { get { lock (_lock) return _peakLogicalKvBytes; } }

    /// <summary>
    /// Most KV bytes the verifier held for this ledger at once: its cached texts of this problem, and a pass's gathered past,
    /// present and cached copies. Apart from the policy's figures above; 0 for a verifier without a KV cache.
    /// </summary>
    public long PeakVerifierKvBytes { get { lock (_lock) return _peakVerifierKvBytes; } }

    /// <summary>KV bytes the engine holds for this ledger now (<see cref="HoldPhysicalKv"/> less <see cref="ReleasePhysicalKv"/>).</summary>
    public long HeldPhysicalKvBytes { get { lock (_lock) return _heldPhysicalKvBytes; } }

    /// <summary>
    /// The engine allocated KV for this ledger's rows (their share of a batch's storage, padding included): raises the
    /// physical peaks the moment it happens, so a pass's past and present held together are seen together.
    /// </summary>
    public void HoldPhysicalKv(long bytes)
    {
        lock (_lock)
        {
            _heldPhysicalKvBytes += bytes;
            _peakPhysicalKvBytes = Math.Max(_peakPhysicalKvBytes, _heldPhysicalKvBytes);
            _roundPeakPhysicalKvBytes = Math.Max(_roundPeakPhysicalKvBytes, _heldPhysicalKvBytes);
        }
    }

    /// <summary>The engine freed KV it held for this ledger (what <see cref="HoldPhysicalKv"/> added).</summary>
    public void ReleasePhysicalKv(long bytes)
    {
        lock (_lock) _heldPhysicalKvBytes -= bytes;
    }

    /// <summary>Records KV the verifier held for this ledger at one moment: raises <see cref="PeakVerifierKvBytes"/>.</summary>
    public void ObserveVerifierKv(long bytes)
    {
        lock (_lock) _peakVerifierKvBytes = Math.Max(_peakVerifierKvBytes, bytes);
    }

    /// <summary>Mean physical KV bytes over the engine steps this ledger was observed in.</summary>
    public double MeanPhysicalKvBytes { get { lock (_lock) return _kvObservations == 0 ? 0 : _sumPhysicalKvBytes / _kvObservations; } }

    /// <summary>Mean logical KV bytes over the engine steps this ledger was observed in.</summary>
    public double MeanLogicalKvBytes { get { lock (_lock) return _kvObservations == 0 ? 0 : _sumLogicalKvBytes / _kvObservations; } }

    /// <summary>Wall time spent on this ledger's work.</summary>
    public TimeSpan WallTime { get { lock (_lock) return _wallTime; } }

    /// <summary>FLOP-equivalents on <paramref name="hardware"/>: <c>total FLOPs + I * bytes moved</c>.</summary>
    public double EFlops(HardwareProfile hardware) => TotalFlops + hardware.FlopsPerByte * BytesMoved;

    /// <summary>Records a row's share of one forward pass.</summary>
    /// <param name="promptTokens">Tokens processed that the model did not sample (prompts, appended text).</param>
    /// <param name="flops">FLOPs of the tokens processed.</param>
    /// <param name="weightBytes">This row's share of the pass's weight reads.</param>
    /// <param name="kvBytes">KV bytes the row read.</param>
    public void AddProcessed(long promptTokens, double flops, double weightBytes, double kvBytes)
    {
        lock (_lock)
        {
            _promptTokens += promptTokens;
            _flops += flops;
            _weightBytesRead += weightBytes;
            _kvBytesRead += kvBytes;
        }
    }

    /// <summary>Counts a batched forward pass this ledger had rows in.</summary>
    public void AddForwardPass() { lock (_lock) _forwardPasses++; }

    /// <summary>Counts sampled tokens (end-of-sequence included).</summary>
    public void AddSampled(long tokens) { lock (_lock) _generatedTokens += tokens; }

    /// <summary>Records one text the verifier scored, reading <paramref name="tokens"/> tokens of it.</summary>
    public void AddVerifier(long tokens, double flops, double bytes)
    {
        lock (_lock)
        {
            _verifierCalls++;
            _verifierTokens += tokens;
            _verifierFlops += flops;
            _verifierBytesRead += bytes;
        }
    }

    /// <summary>Records the KV held at one engine step: raises the peaks and adds to the means.</summary>
    public void ObserveKv(long physicalBytes, long logicalBytes)
    {
        lock (_lock)
        {
            _peakPhysicalKvBytes = Math.Max(_peakPhysicalKvBytes, physicalBytes);
            _peakLogicalKvBytes = Math.Max(_peakLogicalKvBytes, logicalBytes);
            _roundPeakPhysicalKvBytes = Math.Max(_roundPeakPhysicalKvBytes, physicalBytes);
            _kvObservations++;
            _sumPhysicalKvBytes += physicalBytes;
            _sumLogicalKvBytes += logicalBytes;
        }
    }

    /// <summary>
    /// Closes one search round: records the logical KV of the search tree the strategy holds now (each unique node on the
    /// paths of the live leaves once) beside the most physical KV the engine held for this ledger since the previous round.
    /// </summary>
    public void ObserveRound(int round, long logicalBytes)
    {
        lock (_lock)
        {
            _rounds.Add(new KvRound(round, logicalBytes, _roundPeakPhysicalKvBytes));
            _roundPeakPhysicalKvBytes = 0;
        }
    }

    /// <summary>The per-round KV series of a search, in order; empty for strategies without rounds.</summary>
    public IReadOnlyList<KvRound> Rounds { get { lock (_lock) return [.. _rounds]; } }

    /// <summary>Adds wall time.</summary>
    public void AddWallTime(TimeSpan elapsed) { lock (_lock) _wallTime += elapsed; }

    /// <summary>Times a block of work into <see cref="WallTime"/>: <c>using (ledger.Time()) { ... }</c>.</summary>
    public WallTimer Time() => new(this);

    /// <summary>
    /// Adds another ledger's counts to this one. Peaks take the larger value: ledgers of requests that ran one after
    /// another never held their KV at the same time. Round series are per search and stay with their own ledger.
    /// </summary>
    public void Add(ComputeLedger other)
    {
        if (ReferenceEquals(other, this)) throw new ArgumentException("a ledger cannot be added to itself", nameof(other));
        LedgerReport o = other.Report(HardwareProfile.CpuLocal);
        long observations;
        double sumPhysical, sumLogical;
        lock (other._lock) (observations, sumPhysical, sumLogical) = (other._kvObservations, other._sumPhysicalKvBytes, other._sumLogicalKvBytes);
        lock (_lock)
        {
            _kvObservations += observations;
            _sumPhysicalKvBytes += sumPhysical;
            _sumLogicalKvBytes += sumLogical;
            _promptTokens += o.PromptTokens;
            _generatedTokens += o.GeneratedTokens;
            _forwardPasses += o.ForwardPasses;
            _verifierTokens += o.VerifierTokens;
            _verifierCalls += o.VerifierCalls;
            _flops += o.Flops;
            _verifierFlops += o.VerifierFlops;
            _weightBytesRead += o.WeightBytesRead;
            _kvBytesRead += o.KvBytesRead;
            _verifierBytesRead += o.VerifierBytesRead;
            _peakPhysicalKvBytes = Math.Max(_peakPhysicalKvBytes, o.PeakPhysicalKvBytes);
            _peakLogicalKvBytes = Math.Max(_peakLogicalKvBytes, o.PeakLogicalKvBytes);
            _peakVerifierKvBytes = Math.Max(_peakVerifierKvBytes, o.PeakVerifierKvBytes);
            _wallTime += TimeSpan.FromSeconds(o.WallSeconds);
        }
    }

    /// <summary>A consistent copy of every figure, with eFLOPs on <paramref name="hardware"/>.</summary>
    public LedgerReport Report(HardwareProfile hardware)
    {
        lock (_lock)
        {
            double bytes = _weightBytesRead + _kvBytesRead + _verifierBytesRead;
            return new LedgerReport(_promptTokens, _generatedTokens, _forwardPasses, _verifierTokens, _verifierCalls,
                _flops, _verifierFlops, _flops + _verifierFlops, _weightBytesRead, _kvBytesRead, bytes,
                _peakPhysicalKvBytes, _peakLogicalKvBytes, hardware.Name, _flops + _verifierFlops + hardware.FlopsPerByte * bytes,
                _wallTime.TotalSeconds,
                _kvObservations == 0 ? 0 : _sumPhysicalKvBytes / _kvObservations, _kvObservations == 0 ? 0 : _sumLogicalKvBytes / _kvObservations,
                _rounds.Count == 0 ? null : [.. _rounds],
                _rounds.Count == 0 ? 0 : _rounds.Average(r => (double)r.LogicalKvBytes), _rounds.Count == 0 ? 0 : _rounds.Max(r => r.LogicalKvBytes),
                _rounds.Count == 0 ? 0 : _rounds.Average(r => (double)r.PhysicalKvBytes), _rounds.Count == 0 ? 0 : _rounds.Max(r => r.PhysicalKvBytes),
                _verifierBytesRead, _peakVerifierKvBytes);
        }
    }

    /// <summary>Adds the time between its creation and disposal to a ledger.</summary>
    public readonly struct WallTimer(ComputeLedger ledger) : IDisposable
    {
        private readonly long _start = Stopwatch.GetTimestamp();

        /// <inheritdoc/>
        public void Dispose() => ledger.AddWallTime(Stopwatch.GetElapsedTime(_start));
    }
}

/// <summary>A ledger's figures at one moment, ready to print or serialise. Fields are only ever added.</summary>
/// <param name="PromptTokens">See <see cref="ComputeLedger.PromptTokens"/>.</param>
/// <param name="GeneratedTokens">See <see cref="ComputeLedger.GeneratedTokens"/>.</param>
/// <param name="ForwardPasses">See <see cref="ComputeLedger.ForwardPasses"/>.</param>
/// <param name="VerifierTokens">See <see cref="ComputeLedger.VerifierTokens"/>.</param>
/// <param name="VerifierCalls">See <see cref="ComputeLedger.VerifierCalls"/>.</param>
/// <param name="Flops">See <see cref="ComputeLedger.Flops"/>.</param>
/// <param name="VerifierFlops">See <see cref="ComputeLedger.VerifierFlops"/>.</param>
/// <param name="TotalFlops">See <see cref="ComputeLedger.TotalFlops"/>.</param>
/// <param name="WeightBytesRead">See <see cref="ComputeLedger.WeightBytesRead"/>.</param>
/// <param name="KvBytesRead">See <see cref="ComputeLedger.KvBytesRead"/>.</param>
/// <param name="BytesMoved">See <see cref="ComputeLedger.BytesMoved"/>.</param>
/// <param name="PeakPhysicalKvBytes">See <see cref="ComputeLedger.PeakPhysicalKvBytes"/>.</param>
/// <param name="PeakLogicalKvBytes">See <see cref="ComputeLedger.PeakLogicalKvBytes"/>.</param>
/// <param name="Hardware">The hardware profile the eFLOPs are for.</param>
/// <param name="EFlops">FLOP-equivalents on that hardware.</param>
/// <param name="WallSeconds">See <see cref="ComputeLedger.WallTime"/>.</param>
/// <param name="MeanPhysicalKvBytes">See <see cref="ComputeLedger.MeanPhysicalKvBytes"/>.</param>
/// <param name="MeanLogicalKvBytes">See <see cref="ComputeLedger.MeanLogicalKvBytes"/>.</param>
/// <param name="KvRounds">The per-round KV series of a search (<see cref="ComputeLedger.Rounds"/>); null where there were no rounds.</param>
/// <param name="MeanRoundLogicalKvBytes">Mean over the rounds of the search tree's logical KV.</param>
/// <param name="PeakRoundLogicalKvBytes">Largest logical KV of any round.</param>
/// <param name="MeanRoundPhysicalKvBytes">Mean over the rounds of the physical KV the engine held.</param>
/// <param name="PeakRoundPhysicalKvBytes">Largest physical KV of any round.</param>
/// <param name="VerifierBytesRead">See <see cref="ComputeLedger.VerifierBytesRead"/> (0 in records written before it was kept).</param>
/// <param name="PeakVerifierKvBytes">See <see cref="ComputeLedger.PeakVerifierKvBytes"/> (0 in records written before it was kept).</param>
public sealed record LedgerReport(
    long PromptTokens, long GeneratedTokens, long ForwardPasses, long VerifierTokens, long VerifierCalls,
    double Flops, double VerifierFlops, double TotalFlops, double WeightBytesRead, double KvBytesRead, double BytesMoved,
    long PeakPhysicalKvBytes, long PeakLogicalKvBytes, string Hardware, double EFlops, double WallSeconds,
    double MeanPhysicalKvBytes = 0, double MeanLogicalKvBytes = 0, IReadOnlyList<KvRound>? KvRounds = null,
    double MeanRoundLogicalKvBytes = 0, long PeakRoundLogicalKvBytes = 0, double MeanRoundPhysicalKvBytes = 0, long PeakRoundPhysicalKvBytes = 0,
    double VerifierBytesRead = 0, long PeakVerifierKvBytes = 0);

/// <summary>One search round's KV: the tree's logical bytes (shared prefixes once) and the physical bytes the engine held.</summary>
/// <param name="Round">The round, from 0.</param>
/// <param name="LogicalKvBytes">Unique tokens of the nodes on the paths of the live leaves, times KV bytes per token.</param>
/// <param name="PhysicalKvBytes">The most KV bytes the engine held for the search during the round (copies and padding included).</param>
public sealed record KvRound(int Round, long LogicalKvBytes, long PhysicalKvBytes);
