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
}
