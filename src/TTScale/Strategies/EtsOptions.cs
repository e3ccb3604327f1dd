namespace TTScale.Strategies;

/// <summary>The knobs of ETS's keep-set program (defaults from the ETS paper's configurations).</summary>
/// <param name="LambdaC">Weight of the KV-cost term: the tokens of every retained node, over the tree's tokens.</param>
/// <param name="LambdaS">Weight of semantic coverage: lambda_s / K per cluster covered (ETS uses 1.4 to 1.5).</param>
/// <param name="Embedder">Groups the leaves' newest steps into clusters; default <see cref="ArithValueStepEmbedder"/>.</param>
public sealed record EtsOptions(double LambdaC = 1.0, double LambdaS = 1.45, IStepEmbedder? Embedder = null)
{
    /// <summary>The embedder in use.</summary>
    public IStepEmbedder StepEmbedder => Embedder ?? new ArithValueStepEmbedder();
}
