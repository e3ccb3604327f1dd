using System.Text;

namespace TTScale.Strategies;

/// <summary>Step text compared loosely: trimmed, whitespace runs collapsed to one space, lower case.</summary>
public static class StepText
{
    /// <summary>The normal form of <paramref name="text"/>.</summary>
    public static string Normalize(string text)
    {
        var result = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space) result.Append(' ');
            space = false;
            result.Append(char.ToLowerInvariant(c));
        }
        return result.ToString();
    }

    /// <summary>Cluster ids for keys: equal keys share an id; ids count from 0 in order of first appearance.</summary>
    internal static IReadOnlyList<int> Number(IEnumerable<string> keys)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        return keys.Select(k => ids.TryGetValue(k, out int id) ? id : ids[k] = ids.Count).ToList();
    }
}
