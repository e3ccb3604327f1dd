namespace TTScale.Reporting.Model;

/// <summary>The compute a report's curves are drawn against: one per problem, on a log2 axis.</summary>
public enum ComputeAxis
{
    /// <summary>The budget: candidates, beams or attempts per problem.</summary>
    Samples,

    /// <summary>Mean generated tokens per problem.</summary>
    Tokens,

    /// <summary>Mean FLOPs per problem, the verifier's included.</summary>
    Flops,

    /// <summary>Mean eFLOPs per problem: FLOPs plus the hardware's FLOPs per byte times the bytes moved.</summary>
    EFlops,

    /// <summary>Mean peak logical KV bytes per problem: the memory a prefix-sharing server would hold.</summary>
    Kv,
}

/// <summary>Names and labels of <see cref="ComputeAxis"/>.</summary>
public static class ComputeAxes
{
    /// <summary>The option values, in order.</summary>
    public static readonly IReadOnlyList<string> Names = ["samples", "tokens", "flops", "eflops", "kv"];

    /// <summary>Parses an option value (case-insensitive); null when it is none of <see cref="Names"/>.</summary>
    public static ComputeAxis? Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "samples" => ComputeAxis.Samples,
        "tokens" => ComputeAxis.Tokens,
        "flops" => ComputeAxis.Flops,
        "eflops" => ComputeAxis.EFlops,
        "kv" => ComputeAxis.Kv,
        _ => null,
    };

    /// <summary>The axis label, with its unit.</summary>
    public static string Label(this ComputeAxis axis) => axis switch
    {
        ComputeAxis.Samples => "budget (samples per problem)",
        ComputeAxis.Tokens => "generated tokens per problem",
        ComputeAxis.Flops => "FLOPs per problem (verifier included)",
        ComputeAxis.EFlops => "eFLOPs per problem",
        _ => "peak logical KV bytes per problem",
    };

    /// <summary>The axis's unit, as a table header says it.</summary>
    public static string Unit(this ComputeAxis axis) => axis switch
    {
        ComputeAxis.Samples => "samples",
        ComputeAxis.Tokens => "tokens",
        ComputeAxis.Flops => "FLOPs",
        ComputeAxis.EFlops => "eFLOPs",
        _ => "KV bytes",
    };

    /// <summary>A point's position on the axis.</summary>
    public static double Of(this ComputeAxis axis, ScalingPoint point) => axis switch
    {
        ComputeAxis.Samples => point.Budget,
        ComputeAxis.Tokens => point.MeanTokens,
        ComputeAxis.Flops => point.MeanFlops,
        ComputeAxis.EFlops => point.MeanEFlops,
        _ => point.PeakLogicalKvBytes,
    };
}
