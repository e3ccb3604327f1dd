namespace TTScale.Scaling;

/// <summary>How a pool replay computes expectations for the voting rules.</summary>
public sealed record ReplayOptions
{
    /// <summary>Enumerate every N-subset of the K samples when C(K, N) is at most this; otherwise Monte-Carlo.</summary>
    public long ExactLimit { get; init; } = 20_000;

    /// <summary>Random N-subsets drawn per problem and budget when enumeration is too large.</summary>
    public int MonteCarloDraws { get; init; } = 256;

    /// <summary>Seed of the Monte-Carlo subsets (each problem and budget has its own SplitMix64 stream).</summary>
    public long Seed { get; init; }

    /// <summary>Replay problems on several threads. Results do not depend on it.</summary>
    public bool Parallel { get; init; } = true;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A non-positive draw count or a negative limit.</exception>
    public void Validate()
    {
        if (MonteCarloDraws < 1) throw new ArgumentException($"--draws {MonteCarloDraws} must be 1 or more", nameof(MonteCarloDraws));
        if (ExactLimit < 0) throw new ArgumentException($"--exact-limit {ExactLimit} must be 0 or more", nameof(ExactLimit));
    }
}
