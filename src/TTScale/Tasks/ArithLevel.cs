namespace TTScale.Tasks;

/// <summary>
/// How one difficulty level draws its problems. Difficulty rises with the number of steps, the size of
/// the operands and the values carried between steps, and with multiplication from level 3 on.
/// </summary>
internal sealed record ArithLevel(
    int MinSteps, int MaxSteps,
    int MinStart, int MaxStart,
    int MinOperand, int MaxOperand,
    int MaxValue,
    int MinFactor, int MaxFactor)
{
    public bool AllowsMultiply => MaxFactor >= 2;

    public static ArithLevel Get(int level) => level switch
    {
        1 => new(2, 2, 1, 20, 1, 9, 99, 0, 0),
        2 => new(3, 3, 10, 60, 2, 40, 99, 0, 0),
        3 => new(4, 4, 10, 99, 5, 99, 999, 2, 3),
        4 => new(5, 6, 20, 300, 10, 300, 999, 2, 5),
        5 => new(6, 8, 100, 999, 100, 999, 999, 2, 9),
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "ArithChain levels are 1 to 5"),
    };
}
