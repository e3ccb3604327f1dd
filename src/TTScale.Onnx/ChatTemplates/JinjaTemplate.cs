using System.Text;

namespace TTScale.Onnx.ChatTemplates;

internal delegate void Stmt(Scope scope, StringBuilder output);

/// <summary>Variables, looked up through the enclosing scopes. A <c>for</c> iteration and a macro call each get their own.</summary>
internal sealed class Scope(Scope? parent)
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    /// <summary>Set by <c>break</c> and <c>continue</c>; the loop whose iteration this is clears it.</summary>
    public string? LoopSignal { get; set; }

    public object? Get(string name) =>
        _variables.TryGetValue(name, out var v) ? v : parent is null ? new Undefined(name) : parent.Get(name);

    public void Set(string name, object? value) => _variables[name] = value;
}

/// <summary>
/// A Jinja template compiled to closures: the subset Hugging Face chat templates use (<c>if</c>/<c>elif</c>/<c>else</c>,
/// <c>for</c> with <c>loop</c>, <c>else</c>, a filter condition, <c>break</c> and <c>continue</c>, <c>set</c> (also into a
/// <c>namespace()</c> and as a block), <c>macro</c>, <c>generation</c>; expressions with filters, tests and the string and
/// dict methods templates call), rendered with <c>trim_blocks</c> and <c>lstrip_blocks</c> as transformers does.
/// </summary>
internal sealed class JinjaTemplate
{
    private readonly List<Stmt> _body;
    private readonly List<Segment> _segments;
    private int _at;

    private JinjaTemplate(string source)
    {
        _segments = JinjaLexer.Split(source);
        _body = Body([], out string? end, out _);
        if (end is not null) throw new JinjaException($"unexpected '{{% {end} %}}'", _segments[_at - 1].Line);
    }

    /// <exception cref="JinjaException">The template does not parse, or uses what this subset lacks.</exception>
    public static JinjaTemplate Parse(string source) => new(source);

    /// <exception cref="JinjaException">Rendering failed: an undefined value used, a type error, <c>raise_exception</c>.</exception>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        var globals = new Scope(null);
        JinjaBuiltins.Define(globals);
        var scope = new Scope(globals);
        foreach (var (name, value) in variables) scope.Set(name, value);
        var output = new StringBuilder();
        Run(_body, scope, output);
        return output.ToString();
    }

    private static void Run(List<Stmt> body, Scope scope, StringBuilder output)
    {
        foreach (var statement in body)
        {
            statement(scope, output);
            if (scope.LoopSignal is not null) return;
        }
    }

    /// <summary>Statements up to one of the <paramref name="stops"/> tags (returned with its tokens) or the end.</summary>
    private List<Stmt> Body(string[] stops, out string? end, out TokenStream? endTag)
    {
        var body = new List<Stmt>();
        while (_at < _segments.Count)
        {
            var segment = _segments[_at++];
            if (segment.Text is { } text)
            {
                body.Add((_, o) => o.Append(text));
                continue;
            }
            var t = new TokenStream(segment.Tokens!, segment.Line);
            if (segment.IsOutput)
            {
                var value = JinjaExpressions.Parse(t);
                t.ExpectEnd();
                body.Add((s, o) => o.Append(JinjaValues.Str(value(s))));
                continue;
            }
            string tag = t.Name();
            if (stops.Contains(tag))
            {
                (end, endTag) = (tag, t);
                return body;
            }
            body.Add(tag switch
            {
                "if" => If(t),
                "for" => For(t),
                "set" => Set(t),
                "macro" => Macro(t),
                "break" or "continue" => Signal(tag, t),
                "generation" => Block(t, "endgeneration"),
                _ => throw new JinjaException(stops.Length > 0 || tag.StartsWith("end", StringComparison.Ordinal)
                    ? $"unexpected '{{% {tag} %}}'" : $"'{{% {tag} %}}' is not supported in chat templates", segment.Line),
            });
        }
        if (stops.Length > 0) throw new JinjaException($"the template ends before '{{% {stops[^1]} %}}'", _segments.Count > 0 ? _segments[^1].Line : 1);
        (end, endTag) = (null, null);
        return body;
    }

    private Stmt If(TokenStream t)
    {
        var branches = new List<(Expr? Condition, List<Stmt> Body)>();
        Expr? condition = JinjaExpressions.Parse(t);
        t.ExpectEnd();
        while (true)
        {
            var body = Body(["elif", "else", "endif"], out string? end, out var next);
            branches.Add((condition, body));
            if (end == "endif") break;
            condition = end == "elif" ? JinjaExpressions.Parse(next!) : null;
            next!.ExpectEnd();
        }
        return (s, o) =>
        {
            foreach (var (c, body) in branches)
                if (c is null || JinjaValues.Truthy(c(s)))
                {
                    Run(body, s, o);
                    return;
                }
        };
    }

    private Stmt For(TokenStream t)
    {
        int line = t.Line;
        var targets = new List<string> { t.Name() };
        while (t.Accept(",")) targets.Add(t.Name());
        t.Expect("in");
        var items = JinjaExpressions.Parse(NoConditional(t));
        Expr? filter = t.Accept("if") ? JinjaExpressions.Parse(t) : null;
        t.ExpectEnd();
        var body = Body(["else", "endfor"], out string? end, out var next);
        next!.ExpectEnd();
        List<Stmt> otherwise = [];
        if (end == "else")
        {
            otherwise = Body(["endfor"], out _, out next);
            next!.ExpectEnd();
        }
        return (s, o) =>
        {
            var all = JinjaValues.Iterate(items(s), line);
            var kept = new List<object?>();
            foreach (var item in all)
            {
                if (filter is null) { kept.Add(item); continue; }
                var probe = new Scope(s);
                Bind(probe, targets, item, line);
                if (JinjaValues.Truthy(filter(probe))) kept.Add(item);
            }
            if (kept.Count == 0) Run(otherwise, s, o);
            for (int i = 0; i < kept.Count; i++)
            {
                var iteration = new Scope(s);
                iteration.Set("loop", Loop(kept, i));
                Bind(iteration, targets, kept[i], line);
                Run(body, iteration, o);
                if (iteration.LoopSignal == "break") break;
            }
        };
    }

    /// <summary>The tokens up to a top-level <c>if</c>, so <c>for x in xs if cond</c> is a filter, not a conditional expression.</summary>
    private static TokenStream NoConditional(TokenStream t)
    {
        var tokens = new List<Token>();
        int depth = 0;
        while (t.Peek() is { } p && !(depth == 0 && p.Is("if")))
        {
            if (p.Is("(") || p.Is("[") || p.Is("{")) depth++;
            if (p.Is(")") || p.Is("]") || p.Is("}")) depth--;
            tokens.Add(t.Next());
        }
        return new TokenStream(tokens, t.Line);
    }

    private static Dictionary<string, object?> Loop(List<object?> items, int i) => new(StringComparer.Ordinal)
    {
        ["index"] = (long)i + 1,
        ["index0"] = (long)i,
        ["revindex"] = (long)(items.Count - i),
        ["revindex0"] = (long)(items.Count - i - 1),
        ["first"] = i == 0,
        ["last"] = i == items.Count - 1,
        ["length"] = (long)items.Count,
        ["previtem"] = i > 0 ? items[i - 1] : new Undefined("loop.previtem"),
        ["nextitem"] = i + 1 < items.Count ? items[i + 1] : new Undefined("loop.nextitem"),
    };

    private static void Bind(Scope scope, List<string> targets, object? item, int line)
    {
        if (targets.Count == 1)
        {
            scope.Set(targets[0], item);
            return;
        }
        var parts = JinjaValues.Iterate(item, line);
        if (parts.Count != targets.Count) throw new JinjaException($"cannot unpack {parts.Count} values into {targets.Count} names", line);
        for (int i = 0; i < parts.Count; i++) scope.Set(targets[i], parts[i]);
    }

    private Stmt Set(TokenStream t)
    {
        int line = t.Line;
        string name = t.Name();
        if (t.Accept("."))
        {
            string attribute = t.Name();
            t.Expect("=");
            var value = JinjaExpressions.Parse(t);
            t.ExpectEnd();
            return (s, _) =>
            {
                if (s.Get(name) is not JinjaNamespace ns) throw new JinjaException($"'{name}' is not a namespace(): only a namespace's attributes can be set", line);
                ns[attribute] = value(s);
            };
        }
        var names = new List<string> { name };
        while (t.Accept(",")) names.Add(t.Name());
        if (t.AtEnd && names.Count == 1)
        {
            var block = Body(["endset"], out _, out var end);
            end!.ExpectEnd();
            return (s, _) =>
            {
                var captured = new StringBuilder();
                Run(block, s, captured);
                s.Set(name, captured.ToString());
            };
        }
        t.Expect("=");
        var expr = JinjaExpressions.Parse(t);
        t.ExpectEnd();
        return (s, _) => Bind(s, names, expr(s), line);
    }

    private Stmt Macro(TokenStream t)
    {
        string name = t.Name();
        t.Expect("(");
        var parameters = new List<(string Name, Expr? Default)>();
        while (!t.Accept(")"))
        {
            string parameter = t.Name();
            parameters.Add((parameter, t.Accept("=") ? JinjaExpressions.Parse(t) : null));
            if (!t.Accept(",")) { t.Expect(")"); break; }
        }
        t.ExpectEnd();
        var body = Body(["endmacro"], out _, out var end);
        end!.ExpectEnd();
        return (s, _) => s.Set(name, new JinjaMacro(name, parameters, body, s));
    }

    private sealed class JinjaMacro(string name, List<(string Name, Expr? Default)> parameters, List<Stmt> body, Scope defined) : IJinjaCallable
    {
        public object? Call(IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs, int line)
        {
            if (args.Count > parameters.Count) throw new JinjaException($"macro '{name}' takes {parameters.Count} arguments, {args.Count} given", line);
            var scope = new Scope(defined);
            for (int i = 0; i < parameters.Count; i++)
            {
                var (parameter, fallback) = parameters[i];
                scope.Set(parameter, i < args.Count ? args[i]
                    : kwargs.TryGetValue(parameter, out var named) ? named
                    : fallback is null ? new Undefined(parameter) : fallback(scope));
            }
            var output = new StringBuilder();
            Run(body, scope, output);
            return output.ToString();
        }
    }

    private static Stmt Signal(string which, TokenStream t)
    {
        t.ExpectEnd();
        return (s, _) => s.LoopSignal = which;
    }

    private Stmt Block(TokenStream t, string endTag)
    {
        t.ExpectEnd();
        var body = Body([endTag], out _, out var end);
        end!.ExpectEnd();
        return (s, o) => Run(body, s, o);
    }
}
