namespace TTScale.Onnx;

/// <summary>
/// What a cached PRM read lately for each problem in each search (a problem's prompt under one ledger: texts another run
/// scored are neither reused nor left uncharged, so a run costs the same whatever ran before it): every completion of its
/// latest call and the entries that call read on from, each with its tokens, the score at every position and its KV in a storage of its own. A tree search scores each
/// round's texts, which extend the last round's by one step (lookahead's rollouts extend them by several, and its next
/// round extends the same texts again), so the next call finds its prefixes here and runs only the new tokens. A call
/// replaces its problem's entries, so what the search has moved on from is dropped; past the byte capacity, the
/// problems used longest ago go first, whole, so a search in progress keeps its entries whatever runs beside it.
/// Thread-safe.
/// </summary>
internal sealed class PrmPrefixCache(long capacityBytes) : IDisposable
{
    /// <summary>A completion read in full: its row's tokens, every position's score and the KV of all of them.</summary>
    internal sealed record Entry(string Completion, int[] Tokens, float[] Scores, KvStorage Kv);

    private sealed class Problem
    {
        public Dictionary<string, Entry> Entries { get; set; } = new(StringComparer.Ordinal);
        public long LastUse { get; set; }
    }

    /// <summary>A problem in one search: its prompt, and the ledger the search charges (compared by reference).</summary>
    internal readonly record struct Key(object? Search, string Prompt);

    private readonly Dictionary<Key, Problem> _problems = [];
    private readonly Lock _lock = new();
    private long _bytes, _clock;

    /// <summary>Bytes of KV held.</summary>
    public long Bytes { get { lock (_lock) return _bytes; } }

    /// <summary>Bytes of KV held for <paramref name="key"/>'s problem.</summary>
    public long BytesOf(Key key)
    {
        lock (_lock) return _problems.TryGetValue(key, out var problem) ? problem.Entries.Values.Sum(e => e.Kv.Bytes) : 0;
    }

    /// <summary>
    /// The longest entry of <paramref name="key"/> whose completion is <paramref name="completion"/> cut after one of
    /// its delimiters (or all of it) and whose tokens begin <paramref name="tokens"/>; null where none. The caller holds
    /// a reference to the entry's KV and releases it when done.
    /// </summary>
    public Entry? Longest(Key key, string completion, int[] tokens, string delimiter)
    {
        lock (_lock)
        {
            if (!_problems.TryGetValue(key, out var problem)) return null;
            problem.LastUse = ++_clock;
            foreach (int end in PrefixEnds(completion, delimiter))
                if (problem.Entries.TryGetValue(completion[..end], out var entry) && entry.Tokens.Length <= tokens.Length
                    && entry.Tokens.AsSpan().SequenceEqual(tokens.AsSpan(0, entry.Tokens.Length)))
                {
                    entry.Kv.AddReference();
                    return entry;
                }
            return null;
        }
    }

    /// <summary>
    /// Where the completion may have been cut before: its end, then after each delimiter, longest first. Delimiters are
    /// found front to back, as steps are split, so "\n\n\n" holds one "\n\n" step end, not two overlapping ones.
    /// </summary>
    private static IEnumerable<int> PrefixEnds(string completion, string delimiter)
    {
        var ends = new List<int> { completion.Length };
        for (int at = completion.IndexOf(delimiter, StringComparison.Ordinal); at >= 0; at = completion.IndexOf(delimiter, at + delimiter.Length, StringComparison.Ordinal))
            if (at + delimiter.Length < completion.Length) ends.Insert(1, at + delimiter.Length);
        return ends;
    }

    /// <summary>Makes <paramref name="entries"/> (by completion, each holding one reference to its KV) the problem's entries.</summary>
    public void Replace(Key key, Dictionary<string, Entry> entries)
    {
        var released = new List<Entry>();
        lock (_lock)
        {
            if (!_problems.TryGetValue(key, out var problem)) _problems[key] = problem = new Problem();
            released.AddRange(problem.Entries.Values);
            problem.Entries = entries;
            problem.LastUse = ++_clock;
            _bytes += entries.Values.Sum(e => e.Kv.Bytes) - released.Sum(e => e.Kv.Bytes);
            while (_bytes > capacityBytes && _problems.Count > 1)
            {
                var oldest = _problems.Where(p => p.Key != key).MinBy(p => p.Value.LastUse);
                _problems.Remove(oldest.Key);
                released.AddRange(oldest.Value.Entries.Values);
                _bytes -= oldest.Value.Entries.Values.Sum(e => e.Kv.Bytes);
            }
        }
        foreach (var entry in released) entry.Kv.Release();
    }

    public void Dispose()
    {
        List<Entry> all;
        lock (_lock)
        {
            all = [.. _problems.Values.SelectMany(p => p.Entries.Values)];
            _problems.Clear();
            _bytes = 0;
        }
        foreach (var entry in all) entry.Kv.Release();
    }
}
