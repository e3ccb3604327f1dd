namespace TTScale.Onnx.ChatTemplates;

internal delegate bool Test(object? value, List<object?> args, int line);

/// <summary>The tests of <c>x is name</c> and <c>x is not name(args)</c>.</summary>
internal static class JinjaTests
{
    public static Test Find(string name, int line) =>
        All.TryGetValue(name, out var t) ? t : throw new JinjaException($"unknown test '{name}'", line);

    private static readonly Test Equal = (v, a, l) => JinjaValues.AreEqual(v, Arg(a, l));
    private static readonly Test NotEqual = (v, a, l) => !JinjaValues.AreEqual(v, Arg(a, l));
    private static readonly Test Iterable = (v, _, _) => v is string or List<object?> or object?[] or Dictionary<string, object?>;

    private static readonly Dictionary<string, Test> All = new(StringComparer.Ordinal)
    {
        ["defined"] = (v, _, _) => v is not Undefined,
        ["undefined"] = (v, _, _) => v is Undefined,
        ["none"] = (v, _, _) => v is null,
        ["boolean"] = (v, _, _) => v is bool,
        ["true"] = (v, _, _) => v is true,
        ["false"] = (v, _, _) => v is false,
        ["string"] = (v, _, _) => v is string,
        ["number"] = (v, _, _) => v is long or double,
        ["integer"] = (v, _, _) => v is long,
        ["float"] = (v, _, _) => v is double,
        ["mapping"] = (v, _, _) => v is Dictionary<string, object?>,
        ["sequence"] = Iterable,
        ["iterable"] = Iterable,
        ["callable"] = (v, _, _) => v is IJinjaCallable,
        ["odd"] = (v, _, l) => JinjaValues.Integer(v, "odd's value", l) % 2 != 0,
        ["even"] = (v, _, l) => JinjaValues.Integer(v, "even's value", l) % 2 == 0,
        ["divisibleby"] = (v, a, l) => JinjaValues.Integer(v, "divisibleby's value", l) % JinjaValues.Integer(Arg(a, l), "divisibleby's divisor", l) == 0,
        ["lower"] = (v, _, _) => v is string s && s == s.ToLowerInvariant(),
        ["upper"] = (v, _, _) => v is string s && s == s.ToUpperInvariant(),
        ["equalto"] = Equal,
        ["eq"] = Equal,
        ["=="] = Equal,
        ["sameas"] = (v, a, l) => Arg(a, l) is var x && (v is null or bool ? Equals(v, x) : ReferenceEquals(v, x)),
        ["ne"] = NotEqual,
        ["!="] = NotEqual,
        ["lt"] = (v, a, l) => JinjaValues.Compare(v, Arg(a, l), l) < 0,
        ["le"] = (v, a, l) => JinjaValues.Compare(v, Arg(a, l), l) <= 0,
        ["gt"] = (v, a, l) => JinjaValues.Compare(v, Arg(a, l), l) > 0,
        ["ge"] = (v, a, l) => JinjaValues.Compare(v, Arg(a, l), l) >= 0,
        ["in"] = (v, a, l) => JinjaValues.Contains(Arg(a, l), v, l),
    };

    private static object? Arg(List<object?> args, int line) =>
        args.Count > 0 ? args[0] : throw new JinjaException("this test needs an argument", line);
}
