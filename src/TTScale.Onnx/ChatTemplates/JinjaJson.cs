using System.Globalization;
using System.Text;

namespace TTScale.Onnx.ChatTemplates;

/// <summary>
/// The <c>tojson</c> filter as transformers defines it: Python's <c>json.dumps(x, ensure_ascii=False)</c>, so
/// <c>", "</c> and <c>": "</c> between items (<c>","</c> at line ends with an indent) and non-ASCII text as is.
/// </summary>
internal static class JinjaJson
{
    public static string Dumps(object? value, int? indent, int line)
    {
        var b = new StringBuilder();
        Write(b, value, indent, 0, line);
        return b.ToString();
    }

    private static void Write(StringBuilder b, object? v, int? indent, int depth, int line)
    {
        switch (v)
        {
            case null: b.Append("null"); break;
            case bool x: b.Append(x ? "true" : "false"); break;
            case long n: b.Append(n.ToString(CultureInfo.InvariantCulture)); break;
            case double d: b.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : JinjaValues.Float(d)); break;
            case string s: Quote(b, s); break;
            case Dictionary<string, object?> d:
                Container(b, '{', '}', d.ToList(), indent, depth, (kv, depth) =>
                {
                    Quote(b, kv.Key);
                    b.Append(": ");
                    Write(b, kv.Value, indent, depth, line);
                });
                break;
            case List<object?> or object?[]:
                Container(b, '[', ']', JinjaValues.Iterate(v, line).ToList(), indent, depth, (x, depth) => Write(b, x, indent, depth, line));
                break;
            case Undefined u: throw u.Error(line);
            default: throw new JinjaException($"tojson cannot write {JinjaValues.TypeName(v)}", line);
        }
    }

    private static void Container<T>(StringBuilder b, char open, char close, List<T> items, int? indent, int depth, Action<T, int> write)
    {
        b.Append(open);
        if (items.Count == 0) { b.Append(close); return; }
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0) b.Append(indent is null ? ", " : ",");
            if (indent is int width) b.Append('\n').Append(' ', width * (depth + 1));
            write(items[i], depth + 1);
        }
        if (indent is int w) b.Append('\n').Append(' ', w * depth);
        b.Append(close);
    }

    private static void Quote(StringBuilder b, string s)
    {
        b.Append('"');
        foreach (char c in s)
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                case '\b': b.Append("\\b"); break;
                case '\f': b.Append("\\f"); break;
                case < ' ': b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: b.Append(c); break;
            }
        b.Append('"');
    }
}
