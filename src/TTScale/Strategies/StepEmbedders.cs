using System.Text.RegularExpressions;

namespace TTScale.Strategies;

/// <summary>Clusters steps whose normalised text is equal.</summary>
public sealed class TextStepEmbedder : IStepEmbedder
{
    /// <inheritdoc/>
    public string Name => "text";

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<int>> ClusterAsync(IReadOnlyList<string> steps, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(StepText.Number(steps.Select(StepText.Normalize)));
}

/// <summary>
/// Clusters ArithChain steps by the value they reach (<c>47+28=75</c> and <c>50+25=75</c> land in one state), answer lines by
/// their answer; any other text by its normalised form, so the embedder is safe on every task.
/// </summary>
public sealed partial class ArithValueStepEmbedder : IStepEmbedder
{
    /// <inheritdoc/>
    public string Name => "arith-value";

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<int>> ClusterAsync(IReadOnlyList<string> steps, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(StepText.Number(steps.Select(Key)));

    private static string Key(string step)
    {
        var match = ValuePattern().Match(step);
        if (!match.Success) return "text:" + StepText.Normalize(step);
        return (match.Groups["answer"].Success ? "answer:" : "value:") + match.Groups["value"].Value;
    }

    [GeneratedRegex(@"^\s*(?:(?<answer>A:)\s*|\S*=)(?<value>-?\d+)\s*$")]
    private static partial Regex ValuePattern();
}

/// <summary>Clustering of step embeddings, as ETS does it: average linkage on cosine distance, cut at a distance.</summary>
public static class StepClusters
{
    /// <summary>
    /// Cluster ids for <paramref name="embeddings"/>: agglomerative average-linkage clustering on cosine distance, merging
    /// while the closest pair of clusters is within <paramref name="threshold"/> (SciPy's <c>fcluster(linkage(..., 'average',
    /// 'cosine'), t, 'distance')</c>, ETS's default t = 0.05). Ids count from 0 in order of first appearance.
    /// </summary>
    /// <exception cref="ArgumentException">Vectors of different lengths.</exception>
    public static IReadOnlyList<int> ByCosine(IReadOnlyList<float[]> embeddings, double threshold = 0.05)
    {
        int n = embeddings.Count;
        if (n > 0 && embeddings.Any(e => e.Length != embeddings[0].Length)) throw new ArgumentException("embeddings must all have one length", nameof(embeddings));
        var distance = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) distance[i, j] = distance[j, i] = CosineDistance(embeddings[i], embeddings[j]);
        var clusters = Enumerable.Range(0, n).Select(i => new List<int> { i }).ToList();
        while (clusters.Count > 1)
        {
            (int a, int b, double d) best = (-1, -1, double.PositiveInfinity);
            for (int a = 0; a < clusters.Count; a++)
                for (int b = a + 1; b < clusters.Count; b++)
                {
                    double d = clusters[a].Sum(i => clusters[b].Sum(j => distance[i, j])) / (clusters[a].Count * clusters[b].Count);
                    if (d < best.d) best = (a, b, d);
                }
            if (best.d > threshold) break;
            clusters[best.a].AddRange(clusters[best.b]);
            clusters.RemoveAt(best.b);
        }
        var label = new int[n];
        foreach (var (members, id) in clusters.Select((c, id) => (c, id))) foreach (int i in members) label[i] = id;
        return StepText.Number(label.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static double CosineDistance(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return na == 0 || nb == 0 ? 1 : 1 - dot / Math.Sqrt(na * nb);
    }
}
