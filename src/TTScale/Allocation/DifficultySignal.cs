namespace TTScale.Allocation;

/// <summary>What a <see cref="DifficultySignal"/> carries.</summary>
public enum DifficultySignalKind
{
    /// <summary>Nothing (a default value); deciding on it is an error.</summary>
    None,
    /// <summary>A known bin (oracle, or predicted upstream).</summary>
    Bin,
    /// <summary>Probe features, mapped to a bin by the policy's difficulty model.</summary>
    Features,
    /// <summary>A probability per bin.</summary>
    Probabilities,
}

/// <summary>
/// What the caller knows about one prompt's difficulty, plus an optional per-request cost cap. A small struct passed by
/// <c>in</c>, so deciding does not allocate.
/// </summary>
public readonly struct DifficultySignal
{
    private readonly double[]? _probabilities;
    private readonly double _maxCost; // NaN: no cap (so that default(DifficultySignal) has none)

    private DifficultySignal(DifficultySignalKind kind, int bin, DifficultyFeatures features, double[]? probabilities, double maxCost)
    {
        if (!(maxCost >= 0) && !double.IsNaN(maxCost)) throw new ArgumentException("--max-cost must not be negative", nameof(maxCost));
        Kind = kind;
        Bin = bin;
        Features = features;
        _probabilities = probabilities;
        _maxCost = maxCost;
    }

    /// <summary>What the signal carries.</summary>
    public DifficultySignalKind Kind { get; }

    /// <summary>The bin, for <see cref="DifficultySignalKind.Bin"/>.</summary>
    public int Bin { get; }

    /// <summary>The probe features, for <see cref="DifficultySignalKind.Features"/>.</summary>
    public DifficultyFeatures Features { get; }

    /// <summary>Per-bin probabilities, for <see cref="DifficultySignalKind.Probabilities"/>; empty otherwise.</summary>
    public ReadOnlySpan<double> Probabilities => _probabilities;

    /// <summary>The most this request may cost (positive infinity where uncapped). The bin's cheapest option is always allowed.</summary>
    public double MaxCost => double.IsNaN(_maxCost) ? double.PositiveInfinity : _maxCost;

    /// <summary>A prompt whose bin is known (0 easiest).</summary>
    public static DifficultySignal FromBin(int bin, double maxCost = double.NaN)
    {
        if (bin < 0) throw new ArgumentException("--bin must not be negative", nameof(bin));
        return new DifficultySignal(DifficultySignalKind.Bin, bin, default, null, maxCost);
    }

    /// <summary>A prompt described by its probe; the policy's difficulty model predicts the bin.</summary>
    /// <exception cref="ArgumentException">A feature is NaN or infinite (the difficulty model would read it as bin 0).</exception>
    public static DifficultySignal FromFeatures(in DifficultyFeatures features, double maxCost = double.NaN)
    {
        if (!features.AllFinite) throw new ArgumentException($"probe features must be finite numbers: {features}", nameof(features));
        return new DifficultySignal(DifficultySignalKind.Features, -1, features, null, maxCost);
    }

    /// <summary>A prompt with a probability per bin (held by reference: do not change the array afterwards).</summary>
    public static DifficultySignal FromProbabilities(double[] probabilities, double maxCost = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        // Finite, or the allocation's expected accuracy comes out NaN.
        if (probabilities.Length == 0 || probabilities.Any(p => !(p >= 0 && double.IsFinite(p))) || !(probabilities.Sum() is > 0 and < double.PositiveInfinity))
            throw new ArgumentException("bin probabilities must be finite and non-negative with a positive sum", nameof(probabilities));
        return new DifficultySignal(DifficultySignalKind.Probabilities, -1, default, probabilities, maxCost);
    }
}
