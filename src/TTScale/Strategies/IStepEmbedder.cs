namespace TTScale.Strategies;

/// <summary>
/// Groups the newest steps of search leaves into semantic clusters, for ETS's coverage term. Built-ins compare normalised
/// text (<see cref="TextStepEmbedder"/>) or an ArithChain step's resulting value (<see cref="ArithValueStepEmbedder"/>);
/// an embedding model plugs in by embedding the steps and clustering the vectors with <see cref="StepClusters.ByCosine"/>.
/// </summary>
public interface IStepEmbedder
{
    /// <summary>The embedder's name, for records.</summary>
    string Name { get; }

    /// <summary>One cluster id per step, numbered from 0 in order of first appearance.</summary>
    ValueTask<IReadOnlyList<int>> ClusterAsync(IReadOnlyList<string> steps, CancellationToken cancellationToken = default);
}
