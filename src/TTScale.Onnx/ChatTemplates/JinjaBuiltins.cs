namespace TTScale.Onnx.ChatTemplates;

/// <summary>
/// The functions a chat template may call: Jinja's <c>range</c>, <c>namespace</c> and <c>dict</c>, and transformers'
/// <c>raise_exception</c>. <c>strftime_now</c> is left undefined on purpose: a prompt must not change with the day, and
/// templates that use it (Llama 3.1) check <c>is defined</c> and fall back to a fixed date.
/// </summary>
internal static class JinjaBuiltins
{
    private sealed class Function(Func<IReadOnlyList<object?>, IReadOnlyDictionary<string, object?>, int, object?> body) : IJinjaCallable
    {
        public object? Call(IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, int line) => body(args, kwargs, line);
    }

    public static void Define(Scope scope)
    {
        scope.Set("range", new Function(Range));
        scope.Set("namespace", new Function((args, kwargs, line) =>
        {
            var ns = new JinjaNamespace();
            foreach (var arg in args)
                if (arg is Dictionary<string, object?> d) foreach (var (k, v) in d) ns[k] = v;
                else throw new JinjaException($"namespace() takes a dict or names, not {JinjaValues.TypeName(arg)}", line);
            foreach (var (k, v) in kwargs) ns[k] = v;
            return ns;
        }));
        scope.Set("dict", new Function((_, kwargs, _) => new Dictionary<string, object?>(kwargs, StringComparer.Ordinal)));
        scope.Set("raise_exception", new Function((args, _, line) =>
            throw new JinjaException($"the template raised: {(args.Count > 0 ? JinjaValues.Str(args[0]) : "an error")}", line)));
    }

    private static object? Range(IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, int line)
    {
        var n = args.Select(a => JinjaValues.Integer(a, "range's arguments", line)).ToArray();
        var (start, stop, step) = n.Length switch
        {
            1 => (0L, n[0], 1L),
            2 => (n[0], n[1], 1L),
            3 => (n[0], n[1], n[2]),
            _ => throw new JinjaException("range takes 1 to 3 integers", line),
        };
        if (step == 0) throw new JinjaException("range's step cannot be zero", line);
        var items = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            items.Add(i);
            if (items.Count > 1_000_000) throw new JinjaException("range is too long", line);
        }
        return items;
    }
}
