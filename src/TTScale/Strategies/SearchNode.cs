namespace TTScale.Strategies;

/// <summary>
/// A node of a search tree: one step (or the prompt, at the root) and its token count. Beams that fork share their
/// parent's node, so the tree's unique tokens are what a prefix-sharing cache holds.
/// </summary>
internal sealed class SearchNode(SearchNode? parent, int tokens)
{
    public SearchNode? Parent { get; } = parent;
    public int Tokens { get; } = tokens;

    /// <summary>The node's ancestors, nearest first, the root included.</summary>
    public IEnumerable<SearchNode> Ancestors()
    {
        for (var p = Parent; p is not null; p = p.Parent) yield return p;
    }

    /// <summary>Tokens of every unique node on the paths from <paramref name="leaves"/> to the root: shared prefixes once (ETS's <c>get_kv_size</c>).</summary>
    public static long UniqueTokens(IEnumerable<SearchNode> leaves)
    {
        var seen = new HashSet<SearchNode>(ReferenceEqualityComparer.Instance);
        long total = 0;
        foreach (var leaf in leaves)
            for (var node = leaf; node is not null && seen.Add(node); node = node.Parent) total += node.Tokens;
        return total;
    }
}
