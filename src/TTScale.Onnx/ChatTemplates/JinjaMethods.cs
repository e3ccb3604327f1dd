using System.Globalization;
using System.Text;

namespace TTScale.Onnx.ChatTemplates;

/// <summary>The Python string and dict methods chat templates call: <c>content.strip()</c>, <c>message.get('x')</c>.</summary>
internal static class JinjaMethods
{
    public static object? Call(object? target, string name, List<object?> args, Dictionary<string, object?> kwargs, int line)
    {
        object? Arg(int i, string key) => i < args.Count ? args[i] : kwargs.GetValueOrDefault(key);
        switch (target)
        {
            case Undefined u:
                throw u.Error(line);
            case Dictionary<string, object?> d when d.TryGetValue(name, out var member) && member is IJinjaCallable f:
                return f.Call(args, kwargs, line);
            case Dictionary<string, object?> d:
                switch (name)
                {
                    case "get": return Arg(0, "key") is string key && d.TryGetValue(key, out var v) ? v : Arg(1, "default");
                    case "items": return JinjaValues.Items(d);
                    case "keys": return d.Keys.Cast<object?>().ToList();
                    case "values": return d.Values.ToList();
                }
                break;
            case string s:
                string? chars = Arg(0, "chars") as string;
                switch (name)
                {
                    case "strip": return chars is null ? s.Trim() : s.Trim(chars.ToCharArray());
                    case "lstrip": return chars is null ? s.TrimStart() : s.TrimStart(chars.ToCharArray());
                    case "rstrip": return chars is null ? s.TrimEnd() : s.TrimEnd(chars.ToCharArray());
                    case "upper": return s.ToUpperInvariant();
                    case "lower": return s.ToLowerInvariant();
                    case "title": return Title(s);
                    case "capitalize": return Capitalize(s);
                    case "startswith": return Affixes(Arg(0, "prefix"), line).Any(p => s.StartsWith(p, StringComparison.Ordinal));
                    case "endswith": return Affixes(Arg(0, "suffix"), line).Any(p => s.EndsWith(p, StringComparison.Ordinal));
                    case "split": return Split(s, Arg(0, "sep") as string, Arg(1, "maxsplit") is long n ? (int)n : -1, line);
                    case "replace":
                        long count = Arg(2, "count") is long c ? c : -1;
                        return Replace(s, Str(Arg(0, "old"), "replace's old", line), Str(Arg(1, "new"), "replace's new", line), count);
                    case "find": return (long)s.IndexOf(Str(Arg(0, "sub"), "find's text", line), StringComparison.Ordinal);
                    case "count": return (long)CountOf(s, Str(Arg(0, "sub"), "count's text", line));
                    case "join": return string.Join(s, JinjaValues.Iterate(Arg(0, "iterable"), line).Select(JinjaValues.Str));
                    case "isdigit": return s.Length > 0 && s.All(char.IsDigit);
                    case "isspace": return s.Length > 0 && s.All(char.IsWhiteSpace);
                }
                break;
        }
        throw new JinjaException($"{JinjaValues.TypeName(target)} has no method '{name}'", line);
    }

    private static string Str(object? v, string what, int line) =>
        v as string ?? throw new JinjaException($"{what} must be a string, not {JinjaValues.TypeName(v)}", line);

    private static IEnumerable<string> Affixes(object? v, int line) => v switch
    {
        string s => [s],
        object?[] tuple => tuple.Select(x => Str(x, "a prefix", line)),
        _ => throw new JinjaException($"startswith/endswith take a string or a tuple, not {JinjaValues.TypeName(v)}", line),
    };

    /// <summary>Python's <c>str.split</c>: with no separator, runs of whitespace split and the ends are dropped.</summary>
    private static List<object?> Split(string s, string? separator, int max, int line)
    {
        if (separator == "") throw new JinjaException("split's separator is empty", line);
        var parts = new List<object?>();
        if (separator is null)
        {
            int i = 0;
            while (true)
            {
                while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
                if (i == s.Length) break;
                if (max >= 0 && parts.Count == max) { parts.Add(s[i..].TrimEnd()); break; }
                int start = i;
                while (i < s.Length && !char.IsWhiteSpace(s[i])) i++;
                parts.Add(s[start..i]);
            }
            return parts;
        }
        int from = 0;
        for (int at; (max < 0 || parts.Count < max) && (at = s.IndexOf(separator, from, StringComparison.Ordinal)) >= 0; from = at + separator.Length)
            parts.Add(s[from..at]);
        parts.Add(s[from..]);
        return parts;
    }

    private static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0) return old.Length == 0 ? string.Join(replacement, ["", .. s.Select(c => c.ToString()), ""]) : s.Replace(old, replacement, StringComparison.Ordinal);
        var b = new StringBuilder();
        int from = 0;
        for (int at; count > 0 && old.Length > 0 && (at = s.IndexOf(old, from, StringComparison.Ordinal)) >= 0; count--, from = at + old.Length)
            b.Append(s, from, at - from).Append(replacement);
        return b.Append(s, from, s.Length - from).ToString();
    }

    private static int CountOf(string s, string sub)
    {
        if (sub.Length == 0) return s.Length + 1;
        int n = 0;
        for (int at = s.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sub, at + sub.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    public static string Title(string s)
    {
        var b = new StringBuilder(s.Length);
        bool start = true;
        foreach (char c in s)
        {
            b.Append(start ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            start = !char.IsLetter(c);
        }
        return b.ToString();
    }
}
