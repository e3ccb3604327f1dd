using TTScale.Compute;
using TTScale.Evaluation;

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

    /// <summary>
    /// What one solved problem cost in <paramref name="unit"/>, read from its record: candidates for samples, generated
    /// tokens, total FLOPs (verifier included) or eFLOPs.
    /// </summary>
    public static double CostOf(EvalRecord record, CostUnit unit)
    {
        ArgumentNullException.ThrowIfNull(record);
        LedgerReport ledger = record.Ledger;
        return unit switch
        {
            CostUnit.Samples => record.Candidates.Count,
            CostUnit.Tokens => ledger.GeneratedTokens,
            CostUnit.Flops => ledger.TotalFlops,
            CostUnit.Eflops => ledger.EFlops,
            _ => throw new ArgumentOutOfRangeException(nameof(unit)),
        };
    }
}
