namespace TTScale.Randomness;

/// <summary>
/// A small, fast, seedable random stream (SplitMix64). Its output is fixed by this code alone, not by the
/// runtime's <see cref="System.Random"/> implementation, so a seed gives the same values on every .NET version.
/// </summary>
public struct SplitMix64
{
    private ulong _state;

    /// <summary>Creates a stream from a seed.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>A stream derived from a seed and a stream index, independent of every other index.</summary>
    public static SplitMix64 ForStream(long seed, long index)
    {
        var mixer = new SplitMix64(unchecked((ulong)seed));
        ulong baseValue = mixer.NextUInt64();
        return new SplitMix64(baseValue ^ Mix(unchecked((ulong)index) + 0x632BE59BD9B4E019UL));
    }

    /// <summary>A seed for item <paramref name="index"/> of a run seeded with <paramref name="seed"/> (sample i, candidate i, ...).</summary>
    public static long Derive(long seed, long index) => unchecked((long)ForStream(seed, index).NextUInt64());

    /// <summary>A seed for the item named <paramref name="key"/> (a problem id): from a stable hash (FNV-1a) of its UTF-8 bytes, so it does not depend on where the item sits in a file.</summary>
    public static long Derive(long seed, string key)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(key)) hash = unchecked((hash ^ b) * 1099511628211UL);
        return Derive(seed, unchecked((long)hash));
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state = unchecked(_state + 0x9E3779B97F4A7C15UL);
        return Mix(_state);
    }

    /// <summary>A uniform integer in [minInclusive, maxInclusive].</summary>
    public int NextInt(int minInclusive, int maxInclusive)
    {
        if (maxInclusive < minInclusive) throw new ArgumentOutOfRangeException(nameof(maxInclusive));
        ulong range = (ulong)((long)maxInclusive - minInclusive) + 1;
        return (int)(minInclusive + (long)(NextUInt64() % range));
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
