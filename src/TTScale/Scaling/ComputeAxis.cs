namespace TTScale.Scaling;

/// <summary>The axis compute is measured on when curves are fitted and budgets are compared.</summary>
public enum ComputeAxis
{
    /// <summary>Candidates (N).</summary>
    Samples,
    /// <summary>Generated tokens.</summary>
    Tokens,
    /// <summary>Policy plus verifier FLOPs (the default).</summary>
    Flops,
    /// <summary>Effective FLOPs: FLOPs plus the hardware's FLOPs-per-byte times bytes moved.</summary>
    EFlops,
    /// <summary>Peak logical KV bytes (unique tokens of the sequence tree).</summary>
    Kv,
}

/// <summary>Parsing and naming of <see cref="ComputeAxis"/> values, as the CLI's <c>--axis</c> spells them.</summary>
public static class ComputeAxes
{
    /// <summary>Parses samples, tokens, flops, eflops or kv (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Any other text, with a message naming <c>--axis</c>.</exception>
    public static ComputeAxis Parse(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "samples" => ComputeAxis.Samples,
        "tokens" => ComputeAxis.Tokens,
        "flops" => ComputeAxis.Flops,
        "eflops" => ComputeAxis.EFlops,
        "kv" => ComputeAxis.Kv,
        _ => throw new ArgumentException($"--axis '{text}' is not an axis: use samples, tokens, flops, eflops or kv", nameof(text)),
    };

    /// <summary>The axis's CLI name (samples, tokens, flops, eflops, kv).</summary>
    public static string Name(this ComputeAxis axis) => axis switch
    {
        ComputeAxis.Samples => "samples",
        ComputeAxis.Tokens => "tokens",
        ComputeAxis.Flops => "flops",
        ComputeAxis.EFlops => "eflops",
        ComputeAxis.Kv => "kv",
        _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, null),
    };
}
