namespace TTScale.Generation;

/// <summary>How tokens are drawn, and when a generation stops.</summary>
public sealed record SamplingOptions
{
    /// <summary>Softmax temperature; 0 (or one too small for 1/T to be finite) means greedy (always the most likely token).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the K most likely tokens; 0 keeps all.</summary>
    public int TopK { get; init; }

    /// <summary>Keep the smallest set of most likely tokens that holds P of the probability top-k left (nucleus sampling); 1 keeps all.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Drop tokens less likely than MinP times the most likely token's probability; 0 keeps all.</summary>
    public double MinP { get; init; }

    /// <summary>Most tokens to sample per sequence in one generation call.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Stop once the generated text contains one of these (the step delimiter, for one step at a time). The stop string is kept.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Stop on the model's end-of-sequence token (which is not added to the text).</summary>
    public bool StopOnEos { get; init; } = true;

    /// <summary>Greedy decoding.</summary>
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0 };

    /// <summary>Throws when an option is out of range, naming it.</summary>
    public void Validate()
    {
        if (!(Temperature >= 0) || double.IsInfinity(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "temperature must be 0 (greedy) or more");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "top-k must be 0 (off) or more");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top-p must be in (0, 1]");
        if (!(MinP >= 0 && MinP < 1)) throw new ArgumentOutOfRangeException(nameof(MinP), MinP, "min-p must be in [0, 1)");
        if (MaxTokens < 1) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "max tokens must be 1 or more");
        if (StopStrings.Any(string.IsNullOrEmpty)) throw new ArgumentException("stop strings must not be empty", nameof(StopStrings));
    }
}
