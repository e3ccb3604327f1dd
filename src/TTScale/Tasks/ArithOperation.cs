namespace TTScale.Tasks;

/// <summary>One operation of an ArithChain problem: <c>+</c>, <c>-</c> or <c>x</c> (multiply) by an operand.</summary>
public readonly record struct ArithOperation(char Op, int Operand)
{
    /// <summary>The operator characters, as written in prompts and solutions.</summary>
    public const char Add = '+', Subtract = '-', Multiply = 'x';

    /// <summary>Applies the operation to a value (a problem's values have at most <see cref="ArithFormat.MaxDigits"/> digits).</summary>
    public int Apply(int value) => checked((int)Apply((long)value));

    /// <summary>Applies the operation exactly, where the int one could overflow (values read from text, not generated).</summary>
    public long Apply(long value) => Op switch
    {
        Add => value + Operand,
        Subtract => value - Operand,
        Multiply => value * Operand,
        _ => throw new InvalidOperationException($"unknown operator '{Op}'"),
    };

    /// <summary>The operation as it appears in a prompt, e.g. <c>+28</c> or <c>x3</c>.</summary>
    public override string ToString() => $"{Op}{Operand}";
}
