namespace TTScale.Onnx.ChatTemplates;

internal delegate object? Expr(Scope scope);

/// <summary>The tokens of one tag, read front to back.</summary>
internal sealed class TokenStream(IReadOnlyList<Token> tokens, int line)
{
    private int _at;

    public int Line => _at < tokens.Count ? tokens[_at].Line : line;
    public bool AtEnd => _at >= tokens.Count;
    public Token? Peek(int ahead = 0) => _at + ahead < tokens.Count ? tokens[_at + ahead] : null;
    public Token Next() => _at < tokens.Count ? tokens[_at++] : throw new JinjaException("the tag ends too early", line);

    public bool Accept(string text)
    {
        if (Peek() is not { } t || !t.Is(text)) return false;
        _at++;
        return true;
    }

    public void Expect(string text)
    {
        if (!Accept(text)) throw new JinjaException($"expected '{text}'{Found()}", Line);
    }

    public string Name()
    {
        var t = Next();
        return t.Kind == TokenKind.Name ? t.Text : throw new JinjaException($"expected a name, found '{t.Text}'", t.Line);
    }

    public void ExpectEnd()
    {
        if (!AtEnd) throw new JinjaException($"unexpected '{Peek()!.Value.Text}'", Line);
    }

    private string Found() => Peek() is { } t ? $", found '{t.Text}'" : " before the tag ends";
}

/// <summary>
/// Compiles Jinja expressions into closures, with Jinja's precedence: conditional, or, and, not, comparisons
/// (<c>== != &lt; &gt; &lt;= &gt;= in, not in</c>), <c>+ -</c>, <c>~</c>, <c>* / // %</c>, <c>**</c>, unary minus, then a
/// primary with its <c>.attr</c>, <c>[key]</c>, <c>[a:b]</c>, calls, <c>| filter</c> and <c>is test</c>.
/// </summary>
internal static class JinjaExpressions
{
    public static Expr Parse(TokenStream t)
    {
        var value = Or(t);
        if (!t.Accept("if")) return value;
        var condition = Or(t);
        Expr otherwise = t.Accept("else") ? Parse(t) : _ => new Undefined("else");
        return s => JinjaValues.Truthy(condition(s)) ? value(s) : otherwise(s);
    }

    private static Expr Or(TokenStream t)
    {
        var left = And(t);
        while (t.Accept("or"))
        {
            var (a, b) = (left, And(t));
            left = s => a(s) is var x && JinjaValues.Truthy(x) ? x : b(s);
        }
        return left;
    }

    private static Expr And(TokenStream t)
    {
        var left = Not(t);
        while (t.Accept("and"))
        {
            var (a, b) = (left, Not(t));
            left = s => a(s) is var x && !JinjaValues.Truthy(x) ? x : b(s);
        }
        return left;
    }

    private static Expr Not(TokenStream t)
    {
        if (!t.Accept("not")) return Compare(t);
        var operand = Not(t);
        return s => !JinjaValues.Truthy(operand(s));
    }

    private static readonly string[] Comparisons = ["==", "!=", "<", ">", "<=", ">="];

    private static Expr Compare(TokenStream t)
    {
        var left = Sum(t);
        while (true)
        {
            int line = t.Line;
            string? op = t.Peek() is { Kind: TokenKind.Operator } p && Comparisons.Contains(p.Text) ? t.Next().Text
                : t.Accept("in") ? "in"
                : t.Peek() is { } n && n.Is("not") && t.Peek(1) is { } i && i.Is("in") ? "not in" : null;
            if (op is null) return left;
            if (op == "not in") { t.Next(); t.Next(); }
            var (a, b) = (left, Sum(t));
            left = op switch
            {
                "==" => s => JinjaValues.AreEqual(a(s), b(s)),
                "!=" => s => !JinjaValues.AreEqual(a(s), b(s)),
                "in" => s => JinjaValues.Contains(b(s), a(s), line),
                "not in" => s => !JinjaValues.Contains(b(s), a(s), line),
                _ => s => Ordered(op, JinjaValues.Compare(a(s), b(s), line)),
            };
        }
    }

    private static bool Ordered(string op, int c) => op switch { "<" => c < 0, ">" => c > 0, "<=" => c <= 0, _ => c >= 0 };

    private static Expr Sum(TokenStream t) => Binary(t, ["+", "-"], Concat);

    private static Expr Concat(TokenStream t)
    {
        var left = Product(t);
        while (t.Accept("~"))
        {
            var (a, b) = (left, Product(t));
            left = s => JinjaValues.Str(a(s)) + JinjaValues.Str(b(s));
        }
        return left;
    }

    private static Expr Product(TokenStream t) => Binary(t, ["*", "/", "//", "%"], Power);

    private static Expr Power(TokenStream t) => Binary(t, ["**"], Unary);

    private static Expr Binary(TokenStream t, string[] ops, Func<TokenStream, Expr> operand)
    {
        var left = operand(t);
        while (t.Peek() is { Kind: TokenKind.Operator } p && ops.Contains(p.Text))
        {
            int line = t.Next().Line;
            var (a, b, op) = (left, operand(t), p.Text);
            left = s => JinjaValues.Arithmetic(op, a(s), b(s), line);
        }
        return left;
    }

    private static Expr Unary(TokenStream t)
    {
        int line = t.Line;
        if (t.Accept("-"))
        {
            var operand = Unary(t);
            return s => JinjaValues.Arithmetic("-", 0L, operand(s), line);
        }
        if (t.Accept("+")) return Unary(t);
        return FiltersAndTests(t, Postfix(t, Primary(t)));
    }

    private static Expr FiltersAndTests(TokenStream t, Expr value)
    {
        while (true)
        {
            int line = t.Line;
            if (t.Accept("|"))
            {
                string name = t.Name();
                var (args, kwargs) = t.Accept("(") ? Arguments(t) : (new List<Expr>(), new List<(string, Expr)>());
                var filter = JinjaFilters.Find(name, line);
                var v = value;
                value = s => filter(v(s), Evaluate(args, s), Evaluate(kwargs, s), line);
                value = Postfix(t, value);
            }
            else if (t.Accept("is"))
            {
                bool negate = t.Accept("not");
                string name = t.Name();
                List<Expr> args = [];
                if (t.Accept("(")) args = Arguments(t).Positional;
                else if (t.Peek() is { } next && StartsArgument(next)) args = [Postfix(t, Primary(t))];
                var test = JinjaTests.Find(name, line);
                var v = value;
                value = s => test(v(s), Evaluate(args, s), line) != negate;
            }
            else return value;
        }
    }

    private static bool StartsArgument(Token next) =>
        next.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float
        || next.Kind == TokenKind.Name && next.Text is not ("else" or "or" or "and" or "if" or "in" or "not" or "is")
        || next.Is("(") || next.Is("[") || next.Is("{");

    private static Expr Primary(TokenStream t)
    {
        int line = t.Line;
        var token = t.Next();
        switch (token.Kind)
        {
            case TokenKind.String:
                string text = (string)token.Value!;
                while (t.Peek() is { Kind: TokenKind.String } more) text += (string)t.Next().Value!; // 'a' 'b' is 'ab'
                return _ => text;
            case TokenKind.Integer or TokenKind.Float:
                object? number = token.Value;
                return _ => number;
            case TokenKind.Name:
                switch (token.Text)
                {
                    case "true" or "True": return _ => true;
                    case "false" or "False": return _ => false;
                    case "none" or "None": return _ => null;
                }
                string name = token.Text;
                return s => s.Get(name);
        }
        if (token.Is("("))
        {
            if (t.Accept(")")) return _ => Array.Empty<object?>();
            var first = Parse(t);
            if (t.Accept(")")) return first;
            t.Expect(",");
            var items = new List<Expr> { first };
            items.AddRange(Items(t, ")"));
            return s => items.Select(e => e(s)).ToArray();
        }
        if (token.Is("["))
        {
            var items = Items(t, "]");
            return s => items.Select(e => e(s)).ToList();
        }
        if (token.Is("{"))
        {
            var pairs = new List<(Expr Key, Expr Value)>();
            while (!t.Accept("}"))
            {
                var key = Parse(t);
                t.Expect(":");
                pairs.Add((key, Parse(t)));
                if (!t.Accept(",")) { t.Expect("}"); break; }
            }
            return s =>
            {
                var d = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, value) in pairs) d[JinjaValues.Str(key(s))] = value(s);
                return d;
            };
        }
        throw new JinjaException($"unexpected '{token.Text}'", line);
    }

    private static List<Expr> Items(TokenStream t, string close)
    {
        var items = new List<Expr>();
        while (!t.Accept(close))
        {
            items.Add(Parse(t));
            if (!t.Accept(",")) { t.Expect(close); break; }
        }
        return items;
    }

    private static Expr Postfix(TokenStream t, Expr value)
    {
        while (true)
        {
            int line = t.Line;
            var v = value;
            if (t.Accept("."))
            {
                var member = t.Next();
                string name = member.Text;
                if (member.Kind == TokenKind.Integer) { long index = (long)member.Value!; value = s => JinjaValues.Item(v(s), index, line); continue; }
                if (t.Accept("("))
                {
                    var (args, kwargs) = Arguments(t);
                    value = s => JinjaMethods.Call(v(s), name, Evaluate(args, s), Evaluate(kwargs, s), line);
                }
                else value = s => JinjaValues.Attribute(v(s), name, line);
            }
            else if (t.Accept("["))
            {
                Expr? start = t.Peek() is { } p && p.Is(":") ? null : Parse(t);
                if (t.Accept("]"))
                {
                    var key = start!;
                    value = s => JinjaValues.Item(v(s), key(s), line);
                    continue;
                }
                t.Expect(":");
                Expr? stop = t.Peek() is { } q && (q.Is("]") || q.Is(":")) ? null : Parse(t);
                Expr? step = t.Accept(":") && !(t.Peek() is { } r && r.Is("]")) ? Parse(t) : null;
                t.Expect("]");
                value = s => JinjaValues.Slice(v(s), start?.Invoke(s), stop?.Invoke(s), step?.Invoke(s), line);
            }
            else if (t.Accept("("))
            {
                var (args, kwargs) = Arguments(t);
                value = s => v(s) switch
                {
                    IJinjaCallable f => f.Call(Evaluate(args, s), Evaluate(kwargs, s), line),
                    Undefined u => throw u.Error(line),
                    var other => throw new JinjaException($"{JinjaValues.TypeName(other)} is not callable", line),
                };
            }
            else return value;
        }
    }

    /// <summary>A call's arguments after its <c>(</c>, through the <c>)</c>.</summary>
    public static (List<Expr> Positional, List<(string Name, Expr Value)> Named) Arguments(TokenStream t)
    {
        var positional = new List<Expr>();
        var named = new List<(string, Expr)>();
        while (!t.Accept(")"))
        {
            if (t.Peek() is { Kind: TokenKind.Name } n && t.Peek(1) is { } eq && eq.Is("="))
            {
                t.Next();
                t.Next();
                named.Add((n.Text, Parse(t)));
            }
            else positional.Add(Parse(t));
            if (!t.Accept(",")) { t.Expect(")"); break; }
        }
        return (positional, named);
    }

    public static List<object?> Evaluate(List<Expr> args, Scope s) => args.Select(a => a(s)).ToList();

    public static Dictionary<string, object?> Evaluate(List<(string Name, Expr Value)> kwargs, Scope s) =>
        kwargs.ToDictionary(kv => kv.Name, kv => kv.Value(s), StringComparer.Ordinal);
}
