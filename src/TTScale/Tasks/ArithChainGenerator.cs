using TTScale.Randomness;

namespace TTScale.Tasks;

/// <summary>
/// Deterministic generator of ArithChain problems: <c>(seed, index, level)</c> fixes a problem, and every
/// running value stays within [0, the level's maximum], so no step ever goes negative.
/// </summary>
public static class ArithChainGenerator
{
    /// <summary>The lowest and highest level.</summary>
    public const int MinLevel = 1, MaxLevel = 5;

    /// <summary>The problem at <paramref name="index"/> of the stream fixed by <paramref name="seed"/>.</summary>
    public static ArithProblem Generate(long seed, long index, int level)
    {
        var spec = ArithLevel.Get(level);
        var rng = SplitMix64.ForStream(seed, index);
        int steps = rng.NextInt(spec.MinSteps, spec.MaxSteps);
        int value = rng.NextInt(spec.MinStart, spec.MaxStart);
        int start = value;
        var operations = new ArithOperation[steps];
        Span<char> feasible = stackalloc char[3];
        for (int i = 0; i < steps; i++)
        {
            int count = 0;
            if (value + spec.MinOperand <= spec.MaxValue) feasible[count++] = ArithOperation.Add;
            if (value - spec.MinOperand >= 0) feasible[count++] = ArithOperation.Subtract;
            if (spec.AllowsMultiply && value >= 2 && value * spec.MinFactor <= spec.MaxValue) feasible[count++] = ArithOperation.Multiply;
            char op = feasible[rng.NextInt(0, count - 1)];
            int operand = op switch
            {
                ArithOperation.Add => rng.NextInt(spec.MinOperand, Math.Min(spec.MaxOperand, spec.MaxValue - value)),
                ArithOperation.Subtract => rng.NextInt(spec.MinOperand, Math.Min(spec.MaxOperand, value)),
                _ => rng.NextInt(spec.MinFactor, Math.Min(spec.MaxFactor, spec.MaxValue / value)),
            };
            operations[i] = new ArithOperation(op, operand);
            value = operations[i].Apply(value);
        }
        return new ArithProblem(start, operations, level);
    }

    /// <summary>
    /// <paramref name="count"/> problems for a seed, cycling through <paramref name="levels"/> so every level
    /// gets an equal share. Problem i is <c>Generate(seed, i, levels[i % levels.Count])</c>.
    /// </summary>
    public static IEnumerable<ArithProblem> Generate(long seed, int count, IReadOnlyList<int> levels)
    {
        if (levels.Count == 0) throw new ArgumentException("at least one level is needed", nameof(levels));
        for (int i = 0; i < count; i++) yield return Generate(seed, i, levels[i % levels.Count]);
    }

    /// <summary>Parses a level list such as <c>1-5</c>, <c>3</c> or <c>1,3-4</c>.</summary>
    /// <exception cref="FormatException">The text is not a level list within 1..5.</exception>
    public static IReadOnlyList<int> ParseLevels(string text)
    {
        var levels = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length > 2 || !int.TryParse(bounds[0], out int lo) || !int.TryParse(bounds[^1], out int hi)
                || lo < MinLevel || hi > MaxLevel || lo > hi)
                throw new FormatException($"'{text}' is not a level list: use levels {MinLevel}-{MaxLevel}, e.g. '1-5' or '1,3-4'");
            for (int level = lo; level <= hi; level++) levels.Add(level);
        }
        if (levels.Count == 0) throw new FormatException($"'{text}' names no level");
        return levels.ToArray();
    }
}
