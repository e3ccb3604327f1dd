namespace TTScale.Scaling;

/// <summary>A cost on every compute axis at once.</summary>
/// <param name="Samples">Candidates.</param>
/// <param name="Tokens">Generated tokens.</param>
/// <param name="Flops">Policy plus verifier FLOPs.</param>
/// <param name="EFlops">Effective FLOPs.</param>
/// <param name="Kv">Logical KV bytes.</param>
public readonly record struct ComputeCost(double Samples, double Tokens, double Flops, double EFlops, double Kv)
{
    /// <summary>The cost on one axis.</summary>
    public double On(ComputeAxis axis) => axis switch
    {
        ComputeAxis.Samples => Samples,
        ComputeAxis.Tokens => Tokens,
        ComputeAxis.Flops => Flops,
        ComputeAxis.EFlops => EFlops,
        ComputeAxis.Kv => Kv,
        _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, null),
    };

    /// <summary>Axis-wise sum.</summary>
    public static ComputeCost operator +(ComputeCost a, ComputeCost b) =>
        new(a.Samples + b.Samples, a.Tokens + b.Tokens, a.Flops + b.Flops, a.EFlops + b.EFlops, a.Kv + b.Kv);

    /// <summary>Axis-wise scaling.</summary>
    public static ComputeCost operator *(double factor, ComputeCost a) =>
        new(factor * a.Samples, factor * a.Tokens, factor * a.Flops, factor * a.EFlops, factor * a.Kv);
}
