namespace TTScale.Tasks;

/// <summary>
/// An ArithChain problem: a start value and a chain of operations applied strictly left to right
/// (no operator precedence). See <see cref="ArithFormat"/> for how it is written as text.
/// </summary>
public sealed record ArithProblem(int Start, IReadOnlyList<ArithOperation> Operations, int Level)
{
    /// <summary>The value after every operation: the answer.</summary>
    public int Answer => Values[^1];

    /// <summary>The running values: Start, then the value after each operation.</summary>
    public IReadOnlyList<int> Values
    {
        get
        {
            var values = new int[Operations.Count + 1];
            values[0] = Start;
            for (int i = 0; i < Operations.Count; i++) values[i + 1] = Operations[i].Apply(values[i]);
            return values;
        }
    }

    /// <summary>The prompt text, e.g. <c>Q: 47 +28 -13 x3\n</c>.</summary>
    public string Prompt => ArithFormat.Prompt(this);

    /// <summary>The reference solution: one step per line, then the answer line.</summary>
    public string Solution => ArithFormat.Solution(this);

    /// <summary>
    /// The reference solution with step <paramref name="step"/>'s result off by <paramref name="delta"/> and every
    /// later step carried on consistently from the wrong value, as a model's slip is: only that one step is wrong.
    /// </summary>
    public string SolutionWithSlip(int step, int delta)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, Operations.Count);
        var text = new System.Text.StringBuilder();
        int value = Start;
        for (int i = 0; i < Operations.Count; i++)
        {
            int result = Operations[i].Apply(value) + (i == step ? delta : 0);
            text.Append(ArithFormat.Step(value, Operations[i], result));
            value = result;
        }
        return text.Append(ArithFormat.AnswerLine(value)).ToString();
    }
}
