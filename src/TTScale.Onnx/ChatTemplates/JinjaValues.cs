using System.Globalization;
using System.Text;

namespace TTScale.Onnx.ChatTemplates;

/// <summary>A name the template reads that has no value: false, empty and printed as nothing; anything more is an error.</summary>
internal sealed record Undefined(string Name)
{
    public JinjaException Error(int line) => new($"'{Name}' is undefined", line);
}

/// <summary>What <c>namespace()</c> makes: the one object a template may assign attributes on (<c>set ns.x = ...</c>).</summary>
internal sealed class JinjaNamespace : Dictionary<string, object?>
{
    public JinjaNamespace() : base(StringComparer.Ordinal) { }
}

/// <summary>A macro or a built-in function.</summary>
internal interface IJinjaCallable
{
    object? Call(IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, int line);
}

/// <summary>
/// Python's semantics for the values a chat template sees: strings, integers (<see cref="long"/>), floats, booleans,
/// None (<c>null</c>), lists, tuples (arrays) and dicts (ordered by insertion).
/// </summary>
internal static class JinjaValues
{
    public static bool Truthy(object? v) => v switch
    {
        null or Undefined => false,
        bool b => b,
        long n => n != 0,
        double d => d != 0,
        string s => s.Length > 0,
        System.Collections.ICollection c => c.Count > 0,
        _ => true,
    };

    /// <summary>Python's <c>str()</c>, as <c>{{ }}</c> prints: None, True, 1.0, ['a', 1].</summary>
    public static string Str(object? v) => v is string s ? s : Repr(v);

    /// <summary>A dict's <c>items()</c>: (key, value) pairs.</summary>
    public static List<object?> Items(Dictionary<string, object?> d) => [.. d.Select(kv => (object?)new object?[] { kv.Key, kv.Value })];

    public static string Repr(object? v) => v switch
    {
        null => "None",
        Undefined => "",
        bool b => b ? "True" : "False",
        long n => n.ToString(CultureInfo.InvariantCulture),
        double d => Float(d),
        string s => QuoteRepr(s),
        object?[] tuple => "(" + string.Join(", ", tuple.Select(Repr)) + (tuple.Length == 1 ? ",)" : ")"),
        Dictionary<string, object?> d => "{" + string.Join(", ", d.Select(kv => QuoteRepr(kv.Key) + ": " + Repr(kv.Value))) + "}",
        List<object?> l => "[" + string.Join(", ", l.Select(Repr)) + "]",
        _ => v.ToString() ?? "",
    };

    /// <summary>Python's float repr: shortest round trip, <c>1.0</c> for whole numbers, <c>1e-05</c> exponents.</summary>
    public static string Float(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == Math.Floor(d) && Math.Abs(d) < 1e16) return d.ToString("F1", CultureInfo.InvariantCulture);
        string r = d.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E');
        if (e < 0) return r;
        string exponent = r[(e + 1)..];
        string sign = exponent.StartsWith('-') ? "-" : "+";
        string digits = exponent.TrimStart('+', '-').PadLeft(2, '0');
        return r[..e] + "e" + sign + digits;
    }

    private static string QuoteRepr(string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var b = new StringBuilder().Append(quote);
        foreach (char c in s)
            b.Append(c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c == quote => "\\" + c,
                _ => c.ToString(),
            });
        return b.Append(quote).ToString();
    }

    public static bool AreEqual(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (Undefined, Undefined) => true,
        (string x, string y) => x == y,
        _ when Number(a) is double x && Number(b) is double y => x == y,
        (System.Collections.IList x, System.Collections.IList y) => x.Count == y.Count && Enumerable.Range(0, x.Count).All(i => AreEqual(x[i], y[i])),
        (Dictionary<string, object?> x, Dictionary<string, object?> y) => x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var w) && AreEqual(kv.Value, w)),
        _ => false,
    };

    /// <summary>A number as a double, booleans counting as 0 and 1 as in Python; null for anything else.</summary>
    public static double? Number(object? v) => v switch
    {
        long n => n,
        double d => d,
        bool b => b ? 1 : 0,
        _ => null,
    };

    public static int Compare(object? a, object? b, int line) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        _ when Number(a) is double x && Number(b) is double y => x.CompareTo(y),
        _ => throw new JinjaException($"cannot order {TypeName(a)} and {TypeName(b)}", line),
    };

    public static string TypeName(object? v) => v switch
    {
        null => "None",
        Undefined u => $"undefined '{u.Name}'",
        string => "str",
        long => "int",
        double => "float",
        bool => "bool",
        object?[] => "tuple",
        List<object?> => "list",
        Dictionary<string, object?> => "dict",
        _ => v.GetType().Name,
    };

    /// <summary>The items a <c>for</c> loop or a filter walks: a list's items, a dict's keys, a string's characters.</summary>
    public static IReadOnlyList<object?> Iterate(object? v, int line) => v switch
    {
        Undefined => [],
        List<object?> l => l,
        object?[] t => t,
        Dictionary<string, object?> d => d.Keys.Cast<object?>().ToList(),
        string s => s.EnumerateRunes().Select(r => (object?)r.ToString()).ToList(),
        _ => throw new JinjaException($"{TypeName(v)} is not iterable", line),
    };

    public static bool Contains(object? container, object? item, int line) => container switch
    {
        string s when item is string x => s.Contains(x, StringComparison.Ordinal),
        Dictionary<string, object?> d => item is string k && d.ContainsKey(k),
        List<object?> or object?[] => Iterate(container, line).Any(x => AreEqual(x, item)),
        Undefined u => throw u.Error(line),
        _ => throw new JinjaException($"'in' needs a string, list or dict, not {TypeName(container)}", line),
    };

    /// <summary><c>obj.name</c>: a dict's key; anything missing is undefined.</summary>
    public static object? Attribute(object? obj, string name, int line) => obj switch
    {
        Undefined u => throw u.Error(line),
        Dictionary<string, object?> d => d.TryGetValue(name, out var v) ? v : new Undefined(name),
        _ => new Undefined(name),
    };

    /// <summary><c>obj[key]</c>: list and string indices (negative from the end), dict keys; a miss is undefined.</summary>
    public static object? Item(object? obj, object? key, int line)
    {
        switch (obj)
        {
            case Undefined u: throw u.Error(line);
            case Dictionary<string, object?> d:
                return key is string k && d.TryGetValue(k, out var v) ? v : new Undefined(Str(key));
            case string or List<object?> or object?[] when key is long or bool:
                var items = Iterate(obj, line);
                long i = (long)Number(key)!;
                if (i < 0) i += items.Count;
                return i >= 0 && i < items.Count ? items[(int)i] : new Undefined($"[{key}]");
            default:
                return new Undefined($"[{Str(key)}]");
        }
    }

    /// <summary><c>obj[start:stop:step]</c> with Python's clamping and negative indices.</summary>
    public static object? Slice(object? obj, object? start, object? stop, object? step, int line)
    {
        if (obj is Undefined u) throw u.Error(line);
        var items = Iterate(obj, line);
        long n = items.Count, by = step is null ? 1 : Integer(step, "a slice step", line);
        if (by == 0) throw new JinjaException("a slice step cannot be zero", line);
        long Bound(object? v, long whenNone)
        {
            if (v is null) return whenNone;
            long i = Integer(v, "a slice index", line);
            if (i < 0) i += n;
            return by > 0 ? Math.Clamp(i, 0, n) : Math.Clamp(i, -1, n - 1);
        }
        long from = Bound(start, by > 0 ? 0 : n - 1), to = Bound(stop, by > 0 ? n : -1);
        var picked = new List<object?>();
        for (long i = from; by > 0 ? i < to : i > to; i += by) picked.Add(items[(int)i]);
        return obj is string ? string.Concat(picked.Cast<string>()) : obj is object?[] ? picked.ToArray() : picked;
    }

    public static long Integer(object? v, string what, int line) => v switch
    {
        long n => n,
        bool b => b ? 1 : 0,
        _ => throw new JinjaException($"{what} must be an integer, not {TypeName(v)}", line),
    };

    public static object? Arithmetic(string op, object? a, object? b, int line)
    {
        if (a is Undefined ua) throw ua.Error(line);
        if (b is Undefined ub) throw ub.Error(line);
        switch (op, a, b)
        {
            case ("+", string x, string y): return x + y;
            case ("+", List<object?> x, List<object?> y): return x.Concat(y).ToList();
            case ("+", object?[] x, object?[] y): return x.Concat(y).ToArray();
            case ("*", string x, long n): return string.Concat(Enumerable.Repeat(x, (int)Math.Max(0, n)));
            case ("*", List<object?> x, long n): return Enumerable.Repeat(x, (int)Math.Max(0, n)).SelectMany(l => l).ToList();
        }
        if (Number(a) is not double p || Number(b) is not double q)
            throw new JinjaException($"unsupported operand types for {op}: {TypeName(a)} and {TypeName(b)}", line);
        bool integers = a is long or bool && b is long or bool;
        long i = integers ? (long)p : 0, j = integers ? (long)q : 0;
        if (op is "/" or "//" or "%" && q == 0) throw new JinjaException($"division by zero ({op})", line);
        if (integers && op != "/" && !(op == "**" && j < 0))
            return op switch
            {
                "+" => i + j,
                "-" => i - j,
                "*" => i * j,
                "//" => (long)Math.Floor((double)i / j),
                "%" => ((i % j) + j) % j,
                "**" => (long)Math.Pow(i, j),
                _ => throw new JinjaException($"unknown operator {op}", line),
            };
        return op switch
        {
            "+" => p + q,
            "-" => p - q,
            "*" => p * q,
            "/" => p / q,
            "//" => Math.Floor(p / q),
            "%" => p - q * Math.Floor(p / q),
            "**" => Math.Pow(p, q),
            _ => throw new JinjaException($"unknown operator {op}", line),
        };
    }
}
