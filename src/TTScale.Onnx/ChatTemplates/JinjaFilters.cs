using System.Globalization;

namespace TTScale.Onnx.ChatTemplates;

internal delegate object? Filter(object? value, List<object?> args, Dictionary<string, object?> kwargs, int line);

/// <summary>The filters chat templates use (<c>x | name(args)</c>), with Jinja's argument names.</summary>
internal static class JinjaFilters
{
    public static Filter Find(string name, int line) =>
        All.TryGetValue(name, out var f) ? f : throw new JinjaException($"unknown filter '{name}'", line);

    private static readonly Dictionary<string, Filter> All = new(StringComparer.Ordinal)
    {
        ["trim"] = (v, a, k, l) => JinjaMethods.Call(Text(v, l), "strip", a, k, l),
        ["upper"] = (v, _, _, l) => Text(v, l).ToUpperInvariant(),
        ["lower"] = (v, _, _, l) => Text(v, l).ToLowerInvariant(),
        ["capitalize"] = (v, _, _, l) => JinjaMethods.Capitalize(Text(v, l)),
        ["title"] = (v, _, _, l) => JinjaMethods.Title(Text(v, l)),
        ["string"] = (v, _, _, _) => JinjaValues.Str(v),
        ["safe"] = (v, _, _, _) => v,
        ["length"] = Length,
        ["count"] = Length,
        ["first"] = (v, _, _, l) => JinjaValues.Iterate(v, l) is { Count: > 0 } items ? items[0] : new Undefined("first"),
        ["last"] = (v, _, _, l) => JinjaValues.Iterate(v, l) is { Count: > 0 } items ? items[^1] : new Undefined("last"),
        ["list"] = (v, _, _, l) => JinjaValues.Iterate(v, l).ToList(),
        ["reverse"] = (v, _, _, l) => v is string s ? string.Concat(s.EnumerateRunes().Reverse()) : JinjaValues.Iterate(v, l).Reverse().ToList(),
        ["join"] = (v, a, k, l) => string.Join(JinjaValues.Str(Arg(a, k, 0, "d") ?? ""),
            Pick(JinjaValues.Iterate(v, l), Arg(a, k, 1, "attribute"), l).Select(JinjaValues.Str)),
        ["default"] = Default,
        ["d"] = Default,
        ["replace"] = (v, a, k, l) => JinjaMethods.Call(JinjaValues.Str(v), "replace", a, k, l),
        ["int"] = (v, a, k, _) => ToInteger(v) ?? Arg(a, k, 0, "default") ?? 0L,
        ["float"] = (v, a, k, _) => ToFloat(v) ?? Arg(a, k, 0, "default") ?? 0.0,
        ["abs"] = (v, _, _, l) => v switch { long n => Math.Abs(n), double d => Math.Abs(d), _ => throw Bad("abs", v, l) },
        ["round"] = (v, a, k, l) => Math.Round(JinjaValues.Number(v) ?? throw Bad("round", v, l),
            (int)(JinjaValues.Number(Arg(a, k, 0, "precision")) ?? 0), MidpointRounding.ToEven),
        ["items"] = (v, _, _, l) => v is Dictionary<string, object?> d ? JinjaValues.Items(d) : throw Bad("items", v, l),
        ["tojson"] = (v, a, k, l) => JinjaJson.Dumps(v, Arg(a, k, 0, "indent") is long n ? (int)n : null, l),
        ["indent"] = Indent,
        ["map"] = Map,
        ["select"] = (v, a, _, l) => Select(v, a, l, attribute: false, keep: true),
        ["reject"] = (v, a, _, l) => Select(v, a, l, attribute: false, keep: false),
        ["selectattr"] = (v, a, _, l) => Select(v, a, l, attribute: true, keep: true),
        ["rejectattr"] = (v, a, _, l) => Select(v, a, l, attribute: true, keep: false),
        ["unique"] = (v, _, _, l) => JinjaValues.Iterate(v, l).Aggregate(new List<object?>(), (seen, x) =>
        {
            if (!seen.Any(y => JinjaValues.AreEqual(x, y))) seen.Add(x);
            return seen;
        }),
        ["sum"] = (v, a, k, l) => Pick(JinjaValues.Iterate(v, l), Arg(a, k, 0, "attribute"), l).Aggregate((object?)0L, (sum, x) => JinjaValues.Arithmetic("+", sum, x, l)),
        ["min"] = (v, _, _, l) => JinjaValues.Iterate(v, l).Aggregate((x, y) => JinjaValues.Compare(y, x, l) < 0 ? y : x),
        ["max"] = (v, _, _, l) => JinjaValues.Iterate(v, l).Aggregate((x, y) => JinjaValues.Compare(y, x, l) > 0 ? y : x),
        ["sort"] = (v, a, k, l) =>
        {
            var all = JinjaValues.Iterate(v, l);
            var items = Pick(all, Arg(a, k, 2, "attribute"), l).Zip(all).ToList();
            items.Sort((x, y) => JinjaValues.Compare(x.First, y.First, l));
            if (JinjaValues.Truthy(Arg(a, k, 0, "reverse"))) items.Reverse();
            return items.Select(p => p.Second).ToList();
        },
    };

    private static object? Arg(List<object?> args, Dictionary<string, object?> kwargs, int position, string name) =>
        position < args.Count ? args[position] : kwargs.GetValueOrDefault(name);

    private static string Text(object? v, int line) => v switch
    {
        Undefined u => throw u.Error(line),
        _ => JinjaValues.Str(v),
    };

    private static JinjaException Bad(string filter, object? v, int line) =>
        v is Undefined u ? u.Error(line) : new($"the {filter} filter cannot take {JinjaValues.TypeName(v)}", line);

    private static object? Length(object? v, List<object?> a, Dictionary<string, object?> k, int line) => v switch
    {
        string s => (long)s.EnumerateRunes().Count(),
        Dictionary<string, object?> d => (long)d.Count,
        _ => (long)JinjaValues.Iterate(v, line).Count,
    };

    private static object? Default(object? v, List<object?> a, Dictionary<string, object?> k, int line) =>
        v is Undefined || JinjaValues.Truthy(Arg(a, k, 1, "boolean")) && !JinjaValues.Truthy(v)
            ? a.Count > 0 ? a[0] : k.TryGetValue("default_value", out var d) ? d : ""
            : v;

    private static object? Indent(object? v, List<object?> a, Dictionary<string, object?> k, int line)
    {
        var width = Arg(a, k, 0, "width") ?? 4L;
        string pad = width is string s ? s : new string(' ', (int)JinjaValues.Integer(width, "indent's width", line));
        bool first = JinjaValues.Truthy(Arg(a, k, 1, "first")), blank = JinjaValues.Truthy(Arg(a, k, 2, "blank"));
        var lines = Text(v, line).Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if ((i > 0 || first) && (blank || lines[i].Trim().Length > 0)) lines[i] = pad + lines[i];
        return string.Join('\n', lines);
    }

    /// <summary><c>map(attribute='x')</c> or <c>map('filter', args...)</c>.</summary>
    private static object? Map(object? v, List<object?> a, Dictionary<string, object?> k, int line)
    {
        var items = JinjaValues.Iterate(v, line);
        if (k.TryGetValue("attribute", out var attribute))
            return Pick(items, attribute, line).Select((x, i) => x is Undefined && k.TryGetValue("default", out var d) ? d : x).ToList();
        if (a.Count == 0 || a[0] is not string name) throw new JinjaException("map needs a filter name or attribute=", line);
        var filter = Find(name, line);
        return items.Select(x => filter(x, a.Skip(1).ToList(), k, line)).ToList();
    }

    private static List<object?> Pick(IReadOnlyList<object?> items, object? attribute, int line) =>
        attribute is null ? items.ToList() : items.Select(x => Path(x, JinjaValues.Str(attribute), line)).ToList();

    /// <summary>A dotted attribute path (<c>function.name</c>); digits index lists.</summary>
    private static object? Path(object? item, string path, int line)
    {
        foreach (string part in path.Split('.'))
            item = long.TryParse(part, out long i) && item is not Dictionary<string, object?> ? JinjaValues.Item(item, i, line) : JinjaValues.Attribute(item, part, line);
        return item;
    }

    /// <summary><c>select('test', args)</c>, <c>selectattr('attr', 'test', args)</c> and their rejecting twins; no test: truthiness.</summary>
    private static object? Select(object? v, List<object?> a, int line, bool attribute, bool keep)
    {
        int at = attribute ? 1 : 0;
        string? attr = attribute ? (a.Count > 0 ? JinjaValues.Str(a[0]) : throw new JinjaException("selectattr needs an attribute", line)) : null;
        Func<object?, bool> passes = a.Count > at
            ? x => JinjaTests.Find(JinjaValues.Str(a[at]), line)(x, a.Skip(at + 1).ToList(), line)
            : JinjaValues.Truthy;
        return JinjaValues.Iterate(v, line).Where(x => passes(attr is null ? x : Path(x, attr, line)) == keep).ToList();
    }

    private static object? ToInteger(object? v) => v switch
    {
        long n => n,
        double d => (long)Math.Truncate(d),
        bool b => b ? 1L : 0L,
        string s when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) => n,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => (long)Math.Truncate(d),
        _ => null,
    };

    private static object? ToFloat(object? v) => v switch
    {
        long n => (double)n,
        double d => d,
        bool b => b ? 1.0 : 0.0,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => null,
    };
}
