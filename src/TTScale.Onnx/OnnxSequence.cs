using TTScale.Generation;
using TTScale.Randomness;

namespace TTScale.Onnx;

/// <summary>
/// A sequence in an <see cref="OnnxGenerator"/>: its tokens, a view of its cached KV (shared with forks until one of
/// them runs), the logits for its next token, and its own random stream.
/// </summary>
internal sealed class OnnxSequence : Sequence
{
    private readonly OnnxGenerator _owner;
    private readonly List<int> _tokens;
    private bool _disposed, _inFlight;
    // Claiming for a call, forking, appending and disposing each check and change the sequence under this gate: two
    // callers that checked apart could both pass (two calls sampling into one sequence, or one disposing it mid-call).
    private readonly Lock _gate = new();

    internal KvView? Kv { get; private set; }
    internal float[]? NextLogits { get; private set; }
    internal SplitMix64 Random;
    internal PrefixSegment Segment { get; private set; }
    /// <summary>Tokens at the end that the model sampled but has not processed yet (they count as generated, not prompt).</summary>
    internal int PendingSampled { get; private set; }

    /// <summary>Marks the sequence as in a generation call; <see cref="Claim.Disposed"/> or <see cref="Claim.Busy"/> where it cannot be.</summary>
    internal Claim TryClaim()
    {
        lock (_gate)
        {
            if (_disposed) return Claim.Disposed;
            if (_inFlight) return Claim.Busy;
            _inFlight = true;
            return Claim.Taken;
        }
    }

    /// <summary>The generation call that claimed the sequence is over.</summary>
    internal void EndCall()
    {
        lock (_gate) _inFlight = false;
    }

    internal enum Claim { Taken, Disposed, Busy }

    internal OnnxSequence(OnnxGenerator owner, IEnumerable<int> tokens, long seed)
        : this(owner, [.. tokens], null, null, SplitMix64.ForStream(seed, 0), new PrefixSegment(null, 0), 0) { }

    private OnnxSequence(OnnxGenerator owner, List<int> tokens, KvView? kv, float[]? nextLogits, SplitMix64 random, PrefixSegment segment, int pendingSampled)
    {
        _owner = owner;
        _tokens = tokens;
        Kv = kv;
        kv?.Storage.AddReference();
        NextLogits = nextLogits;
        Random = random;
        Segment = segment;
        PendingSampled = pendingSampled;
        owner.Register(this);
    }

    public override IReadOnlyList<int> Tokens => _tokens;

    /// <summary>Tokens not yet in the cache.</summary>
    internal int Pending => _tokens.Count - (Kv?.Length ?? 0);

    internal int CachedLength => Kv?.Length ?? 0;

    public override Sequence Fork(long seed)
    {
        lock (_gate)
        {
            CheckUsable();
            // Both branches continue from here in new segments, so the shared prefix is counted once in logical KV.
            var shared = Segment.Freeze(_tokens.Count);
            Segment = new PrefixSegment(shared, _tokens.Count);
            return new OnnxSequence(_owner, [.. _tokens], Kv, NextLogits, SplitMix64.ForStream(seed, 0), new PrefixSegment(shared, _tokens.Count), PendingSampled);
        }
    }

    public override void Append(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        lock (_gate) AppendChecked(tokens);
    }

    private void AppendChecked(IReadOnlyList<int> tokens)
    {
        CheckUsable();
        if (tokens.Count == 0) return;
        // Checked here: an id outside the embedding fails the whole batched pass, and with it every other caller's rows.
        foreach (int token in tokens)
            if (token < 0 || token >= _owner.Config.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(tokens), token, $"token id {token} is outside the vocabulary of {_owner.Config.VocabSize}");
        // As for a prompt: past the context a model reads positions it never saw (or, with learned positions, fails).
        if (_tokens.Count + tokens.Count >= _owner.ContextLength)
            throw new ArgumentException($"the sequence would hold {_tokens.Count + tokens.Count} tokens; the context holds {_owner.ContextLength}", nameof(tokens));
        _tokens.AddRange(tokens);
        NextLogits = null; // a sampled token not yet read stays counted as sampled: it goes into the ledger once, as generated
    }

    internal void AppendSampled(int token)
    {
        _tokens.Add(token);
        NextLogits = null;
        PendingSampled++;
    }

    /// <summary>After a forward pass: the cache now covers every token, and <paramref name="logits"/> predict the next.</summary>
    internal void Processed(KvView kv, float[] logits)
    {
        MoveCache(kv);
        NextLogits = logits;
        PendingSampled = 0;
    }

    /// <summary>Points the sequence at another copy of its cache, holding that storage and letting go of the old one.</summary>
    internal void MoveCache(KvView kv)
    {
        kv.Storage.AddReference();
        Kv?.Storage.Release();
        Kv = kv;
    }

    public override void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            if (_inFlight) throw new InvalidOperationException("a sequence cannot be disposed while a generation call is using it");
            _disposed = true;
        }
        Kv?.Storage.Release();
        Kv = null;
        NextLogits = null;
        _owner.Unregister(this);
    }

    private void CheckUsable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_inFlight) throw new InvalidOperationException("a sequence cannot be changed while a generation call is using it");
    }

    internal bool Belongs(OnnxGenerator owner) => ReferenceEquals(owner, _owner) && !_disposed;
}

/// <summary>
/// A stretch of tokens in the tree of live sequences: a sequence owns the tokens from <see cref="Start"/> on, and its
/// ancestors' frozen segments hold the prefix it shares with its forks. Counting each segment once gives logical KV.
/// </summary>
internal sealed class PrefixSegment(PrefixSegment? parent, int start)
{
    public PrefixSegment? Parent { get; } = parent;
    public int Start { get; } = start;
    public int End { get; private set; } = -1;

    public PrefixSegment Freeze(int end)
    {
        End = end;
        return this;
    }

    /// <summary>Unique tokens across <paramref name="sequences"/>: each shared prefix segment once.</summary>
    public static long UniqueTokens(IEnumerable<OnnxSequence> sequences)
    {
        var seen = new HashSet<PrefixSegment>();
        long total = 0;
        foreach (var sequence in sequences)
        {
            total += sequence.Length - sequence.Segment.Start;
            for (var p = sequence.Segment.Parent; p is not null && seen.Add(p); p = p.Parent) total += p.End - p.Start;
        }
        return total;
    }
}
