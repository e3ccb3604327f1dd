namespace TTScale.Scaling;

/// <summary>One difficulty bin.</summary>
/// <param name="Bin">1 (easiest: highest oracle pass@1) to the bin count (hardest).</param>
/// <param name="Problems">Problems in it.</param>
/// <param name="MinPassAt1">Lowest pass@1 in it.</param>
/// <param name="MaxPassAt1">Highest pass@1 in it.</param>
/// <param name="MeanPassAt1">Mean pass@1.</param>
public sealed record DifficultyBin(int Bin, int Problems, double MinPassAt1, double MaxPassAt1, double MeanPassAt1);

/// <summary>
/// Quantile bins of oracle pass@1 (c / K) over a pool, as in Snell et al. 2024: problems ranked by pass@1
/// descending, so bin 1 is the easiest and bin 5 the hardest; ties are ordered by id (ordinal), so the assignment is
/// deterministic and every bin holds floor or ceil of P / bins problems.
/// </summary>
public sealed class DifficultyBins
{
    private readonly Dictionary<string, int> _binOf;
    private readonly int[][] _indices;

    private DifficultyBins(IReadOnlyList<DifficultyBin> bins, Dictionary<string, int> binOf, int[][] indices)
    {
        Bins = bins;
        _binOf = binOf;
        _indices = indices;
    }

    /// <summary>The bins, 1 first.</summary>
    public IReadOnlyList<DifficultyBin> Bins { get; }

    /// <summary>The default number of bins: quintiles.</summary>
    public const int Default = 5;

    /// <summary>Every problem id's bin.</summary>
    public IReadOnlyDictionary<string, int> Assignment => _binOf;

    /// <summary>Bins a pool's problems.</summary>
    /// <exception cref="ArgumentException">Fewer than 1 bin, or more bins than problems.</exception>
    public static DifficultyBins FromPool(SamplePool pool, int count = Default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        int problems = pool.Problems.Count;
        if (count < 1 || count > problems) throw new ArgumentException($"--bins {count} must be in [1, {problems}] (the pool's problem count)", nameof(count));
        var ranked = Enumerable.Range(0, problems)
            .OrderByDescending(i => pool.Problems[i].PassAt1).ThenBy(i => pool.Problems[i].Id, StringComparer.Ordinal).ToArray();
        var members = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        var binOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int rank = 0; rank < problems; rank++)
        {
            int bin = (int)((long)rank * count / problems); // rank-based quantiles: sizes differ by at most one
            members[bin].Add(ranked[rank]);
            binOf[pool.Problems[ranked[rank]].Id] = bin + 1;
        }
        var bins = members.Select((m, b) =>
        {
            var pass = m.Select(i => pool.Problems[i].PassAt1).ToList();
            return new DifficultyBin(b + 1, m.Count, pass.Min(), pass.Max(), pass.Average());
        }).ToList();
        return new DifficultyBins(bins, binOf, members.Select(m => m.Order().ToArray()).ToArray());
    }

    /// <summary>Bins a pool as a fit does: <paramref name="count"/> bins, or one a problem where the pool has fewer problems.</summary>
    /// <exception cref="ArgumentException">Fewer than 1 bin.</exception>
    public static DifficultyBins AtMost(SamplePool pool, int count = Default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return FromPool(pool, Math.Min(count, pool.Problems.Count));
    }

    /// <summary>The bin of a problem id.</summary>
    /// <exception cref="ArgumentException">An id not in the pool.</exception>
    public int BinOf(string id) => _binOf.TryGetValue(id, out int bin) ? bin : throw new ArgumentException($"problem '{id}' is not in the pool", nameof(id));

    /// <summary>Indices (into the pool's problems, ascending) of the problems in bin <paramref name="bin"/> (1-based).</summary>
    public IReadOnlyList<int> ProblemIndices(int bin) =>
        bin >= 1 && bin <= _indices.Length ? _indices[bin - 1] : throw new ArgumentException($"bin {bin} is not in [1, {_indices.Length}]", nameof(bin));
}
