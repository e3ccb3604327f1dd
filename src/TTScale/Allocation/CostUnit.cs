using TTScale.Scaling;

namespace TTScale.Allocation;

/// <summary>The unit a policy's costs and budgets are expressed in.</summary>
public enum CostUnit
{
    /// <summary>Sampled candidates (the strategy's N).</summary>
    Samples,
    /// <summary>Generated tokens.</summary>
    Tokens,
    /// <summary>FLOPs, verifier included.</summary>
    Flops,
    /// <summary>Effective FLOPs: FLOPs plus the hardware's FLOPs per byte times bytes moved.</summary>
    Eflops,
}

/// <summary>Parsing and ledger reading for <see cref="CostUnit"/>.</summary>
public static class CostUnits
{
    /// <summary>Parses "samples", "tokens", "flops" or "eflops"; an <see cref="ArgumentException"/> naming <paramref name="option"/> otherwise.</summary>
    public static CostUnit Parse(string text, string option = "--cost-unit") => text.Trim().ToLowerInvariant() switch
    {
        "samples" => CostUnit.Samples,
        "tokens" => CostUnit.Tokens,
        "flops" => CostUnit.Flops,
        "eflops" => CostUnit.Eflops,
        _ => throw new ArgumentException($"{option} must be samples, tokens, flops or eflops (got '{text}')", option),
    };

    /// <summary>The name used on the command line and in policy.json.</summary>
    public static string Name(this CostUnit unit) => unit.ToString().ToLowerInvariant();

    /// <summary>The compute axis measuring the same quantity (scaling curves and pool costs are kept per axis).</summary>
    public static ComputeAxis Axis(this CostUnit unit) => unit switch
    {
        CostUnit.Samples => ComputeAxis.Samples,
        CostUnit.Tokens => ComputeAxis.Tokens,
        CostUnit.Flops => ComputeAxis.Flops,
        CostUnit.Eflops => ComputeAxis.EFlops,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, null),
    };
}
