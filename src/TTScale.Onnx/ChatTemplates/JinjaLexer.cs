using System.Globalization;
using System.Text;

namespace TTScale.Onnx.ChatTemplates;

internal enum TokenKind { Name, String, Integer, Float, Operator }

internal readonly record struct Token(TokenKind Kind, string Text, int Line, object? Value = null)
{
    public bool Is(string text) => Kind is TokenKind.Operator or TokenKind.Name && Text == text;
}

/// <summary>A stretch of literal text, or a tag: <c>{{ expression }}</c> (<see cref="IsOutput"/>) or <c>{% statement %}</c>.</summary>
internal sealed record Segment(int Line, string? Text, bool IsOutput = false, IReadOnlyList<Token>? Tokens = null);

/// <summary>
/// Splits a template into text and tags as Hugging Face's chat-template environment does: <c>trim_blocks</c> (a block
/// tag eats the newline after it), <c>lstrip_blocks</c> (and the spaces before it on its line), the <c>-</c> markers that
/// strip all whitespace on their side, and one trailing newline of the template dropped.
/// </summary>
internal static class JinjaLexer
{
    public static List<Segment> Split(string source)
    {
        if (source.EndsWith('\n')) source = source[..^(source.EndsWith("\r\n", StringComparison.Ordinal) ? 2 : 1)];
        var segments = new List<Segment>();
        var text = new StringBuilder();
        int i = 0, line = 1, textLine = 1;
        bool stripLeading = false, trimNewline = false;
        while (i < source.Length)
        {
            int open = NextTag(source, i);
            string literal = source[i..(open < 0 ? source.Length : open)];
            if (stripLeading) literal = literal.TrimStart();
            else if (trimNewline && literal.StartsWith('\n')) literal = literal[1..];
            else if (trimNewline && literal.StartsWith("\r\n", StringComparison.Ordinal)) literal = literal[2..];
            text.Append(literal);
            line += Count(source, i, open < 0 ? source.Length : open);
            if (open < 0) break;

            char kind = source[open + 1];
            int at = open + 2;
            char modifier = at < source.Length ? source[at] : '\0';
            if (modifier == '-') TrimEnd(text);
            else if (kind != '{' && modifier != '+') StripLineIndent(text, source, open);
            if (modifier is '-' or '+') at++;
            if (text.Length > 0) segments.Add(new Segment(textLine, text.ToString()));
            text.Clear();

            int tagLine = line;
            if (kind == '#')
            {
                int close = source.IndexOf("#}", at, StringComparison.Ordinal);
                if (close < 0) throw new JinjaException("a comment is not closed with #}", tagLine);
                stripLeading = source[close - 1] == '-' && close - 1 >= at;
                trimNewline = source[close - 1] != '+';
                line += Count(source, open, close + 2);
                i = close + 2;
            }
            else
            {
                var tokens = new List<Token>();
                i = ReadTag(source, at, kind == '{' ? '}' : '%', tokens, ref line, out stripLeading, out bool keepNewline);
                trimNewline = kind == '%' && !keepNewline;
                segments.Add(new Segment(tagLine, null, kind == '{', tokens));
            }
            textLine = line;
        }
        if (text.Length > 0) segments.Add(new Segment(textLine, text.ToString()));
        return segments;
    }

    private static int NextTag(string s, int from)
    {
        for (int i = s.IndexOf('{', from); i >= 0 && i + 1 < s.Length; i = s.IndexOf('{', i + 1))
            if (s[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    private static int Count(string s, int from, int to)
    {
        int n = 0;
        for (int i = from; i < to; i++) if (s[i] == '\n') n++;
        return n;
    }

    private static void TrimEnd(StringBuilder text)
    {
        int end = text.Length;
        while (end > 0 && char.IsWhiteSpace(text[end - 1])) end--;
        text.Length = end;
    }

    /// <summary>lstrip_blocks: the spaces and tabs between a line's start (in the source) and a block tag go.</summary>
    private static void StripLineIndent(StringBuilder text, string source, int tag)
    {
        int start = tag;
        while (start > 0 && source[start - 1] is ' ' or '\t') start--;
        if (start > 0 && source[start - 1] != '\n') return;
        int end = text.Length;
        while (end > 0 && tag - start > text.Length - end && text[end - 1] is ' ' or '\t') end--;
        text.Length = end;
    }

    /// <remarks>Inside brackets a <c>}}</c> closes a dict, as in <c>{'a': {}}</c>.</remarks>
    private static int ReadTag(string s, int i, char closer, List<Token> tokens, ref int line, out bool stripAfter, out bool keepNewline)
    {
        int depth = 0;
        while (true)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i])) line += s[i++] == '\n' ? 1 : 0;
            if (i >= s.Length) throw new JinjaException($"a tag is not closed with {closer}}}", line);
            if (depth > 0)
            {
                var token = ReadToken(s, ref i, ref line);
                depth += token.Kind != TokenKind.Operator ? 0 : token.Text is "(" or "[" or "{" ? 1 : token.Text is ")" or "]" or "}" ? -1 : 0;
                tokens.Add(token);
                continue;
            }
            if (s[i] is '-' or '+' && i + 2 < s.Length && s[i + 1] == closer && s[i + 2] == '}')
            {
                (stripAfter, keepNewline) = (s[i] == '-', s[i] == '+');
                return i + 3;
            }
            if (s[i] == closer && i + 1 < s.Length && s[i + 1] == '}')
            {
                (stripAfter, keepNewline) = (false, false);
                return i + 2;
            }
            var next = ReadToken(s, ref i, ref line);
            if (next.Kind == TokenKind.Operator && next.Text is "(" or "[" or "{") depth++;
            tokens.Add(next);
        }
    }

    private static readonly string[] Operators = ["**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ".", ",", ":", "|"];

    private static Token ReadToken(string s, ref int i, ref int line)
    {
        char c = s[i];
        int start = i;
        if (char.IsLetter(c) || c == '_')
        {
            while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
            return new Token(TokenKind.Name, s[start..i], line);
        }
        if (char.IsAsciiDigit(c))
        {
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '_')) i++;
            bool isFloat = false;
            if (i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
            {
                isFloat = true;
                for (i++; i < s.Length && char.IsAsciiDigit(s[i]); i++) { }
            }
            if (i < s.Length && s[i] is 'e' or 'E')
            {
                int e = i + 1;
                if (e < s.Length && s[e] is '+' or '-') e++;
                if (e < s.Length && char.IsAsciiDigit(s[e]))
                {
                    isFloat = true;
                    for (i = e; i < s.Length && char.IsAsciiDigit(s[i]); i++) { }
                }
            }
            string digits = s[start..i].Replace("_", "", StringComparison.Ordinal);
            return isFloat
                ? new Token(TokenKind.Float, digits, line, double.Parse(digits, CultureInfo.InvariantCulture))
                : new Token(TokenKind.Integer, digits, line, long.Parse(digits, CultureInfo.InvariantCulture));
        }
        if (c is '\'' or '"') return ReadString(s, ref i, ref line);
        foreach (string op in Operators)
            if (string.CompareOrdinal(s, i, op, 0, op.Length) == 0)
            {
                i += op.Length;
                return new Token(TokenKind.Operator, op, line);
            }
        throw new JinjaException($"unexpected character '{c}'", line);
    }

    /// <summary>A quoted string with Python's escapes.</summary>
    private static Token ReadString(string s, ref int i, ref int line)
    {
        char quote = s[i++];
        int startLine = line;
        var value = new StringBuilder();
        while (true)
        {
            if (i >= s.Length) throw new JinjaException("a string is not closed", startLine);
            char c = s[i++];
            if (c == quote) break;
            if (c == '\n') line++;
            if (c != '\\' || i >= s.Length)
            {
                value.Append(c);
                continue;
            }
            char e = s[i++];
            switch (e)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case '0': value.Append('\0'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case '\\' or '\'' or '"': value.Append(e); break;
                case '\n': line++; break; // a line continuation
                case 'x' or 'u' or 'U':
                    int width = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + width > s.Length || !int.TryParse(s.AsSpan(i, width), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
                        throw new JinjaException($"a bad \\{e} escape in a string", line);
                    value.Append(char.ConvertFromUtf32(code));
                    i += width;
                    break;
                default: value.Append('\\').Append(e); break; // Python keeps unknown escapes as written
            }
        }
        return new Token(TokenKind.String, value.ToString(), startLine, value.ToString());
    }
}

/// <summary>A template that cannot be parsed or rendered, at a line of the template.</summary>
internal sealed class JinjaException(string message, int line) : Exception(message)
{
    public int Line { get; } = line;
}
