namespace TTScale.Scaling;

/// <summary>
/// One problem of a <see cref="SamplePool"/>: its K samples and what they cost. The prompt prefill is
/// <see cref="SharedCost"/>, paid once whatever N; each sample carries its own share of generation and verifier cost.
/// </summary>
public sealed class PoolProblem
{
    // Flat arrays for the replay hot path: answer ids (-1 = no answer), correctness, vote weights, naive order.
    internal readonly int[] AnswerIds;
    internal readonly int AnswerCount;
    internal readonly bool[] CorrectFlags;
    internal readonly double[] VoteWeights;
    internal readonly int[] NaiveOrder;

    private readonly int[] _tokensAscending;
    private readonly Dictionary<int, double> _expectedLongest = [];

    /// <summary>
    /// Creates a problem from its samples and costs; <paramref name="sampleVerifierCosts"/> is each sample's verifier share of
    /// its cost (none when null), <paramref name="stepEFlops"/> the eFLOPs of one forward pass's weight reads.
    /// </summary>
    /// <exception cref="ArgumentException">No samples, or a cost list of another length.</exception>
    public PoolProblem(string id, int? level, IReadOnlyList<PoolSample> samples, ComputeCost sharedCost, IReadOnlyList<ComputeCost> sampleCosts,
        IReadOnlyList<ComputeCost>? sampleVerifierCosts = null, double stepEFlops = 0)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(sampleCosts);
        if (samples.Count == 0) throw new ArgumentException($"problem '{id}' has no samples: a pool needs best-of-n records with n = K", nameof(samples));
        if (sampleCosts.Count != samples.Count) throw new ArgumentException($"problem '{id}': {sampleCosts.Count} costs for {samples.Count} samples", nameof(sampleCosts));
        if (sampleVerifierCosts is not null && sampleVerifierCosts.Count != samples.Count)
            throw new ArgumentException($"problem '{id}': {sampleVerifierCosts.Count} verifier costs for {samples.Count} samples", nameof(sampleVerifierCosts));
        Id = id;
        Level = level;
        Samples = samples;
        SharedCost = sharedCost;
        SampleCosts = sampleCosts;
        Correct = samples.Count(s => s.Correct);
        StepEFlops = stepEFlops;
        _tokensAscending = [.. samples.Select(s => s.Tokens).Order()];

        int k = samples.Count;
        AnswerIds = new int[k];
        CorrectFlags = new bool[k];
        VoteWeights = new double[k];
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < k; i++)
        {
            string key = samples[i].AnswerKey;
            AnswerIds[i] = key.Length == 0 ? -1 : ids.TryGetValue(key, out int a) ? a : ids[key] = ids.Count;
            CorrectFlags[i] = samples[i].Correct;
            VoteWeights[i] = samples[i].Score ?? 0f; // as Selection's weighted vote: a float widened to double
        }
        AnswerCount = ids.Count;
        // Naive selection takes the highest score (null = -inf), the earliest on ties: a total order on samples.
        NaiveOrder = Enumerable.Range(0, k)
            .OrderByDescending(i => samples[i].Score ?? float.NegativeInfinity).ThenBy(i => i).ToArray();
        var mean = new ComputeCost();
        foreach (var cost in sampleCosts) mean += cost;
        MeanSampleCost = (1.0 / k) * mean;
        var verifier = new ComputeCost();
        foreach (var cost in sampleVerifierCosts ?? []) verifier += cost;
        MeanSampleVerifierCost = (1.0 / k) * verifier;
    }

    /// <summary>The problem's id.</summary>
    public string Id { get; }

    /// <summary>Its difficulty level, where it has one.</summary>
    public int? Level { get; }

    /// <summary>The K samples, in the order they were produced.</summary>
    public IReadOnlyList<PoolSample> Samples { get; }

    /// <summary>K.</summary>
    public int K => Samples.Count;

    /// <summary>How many samples are right (c).</summary>
    public int Correct { get; }

    /// <summary>Oracle pass@1: c / K.</summary>
    public double PassAt1 => (double)Correct / K;

    /// <summary>Cost paid once whatever N: the prompt prefill (and its KV).</summary>
    public ComputeCost SharedCost { get; }

    /// <summary>Each sample's own cost: its generation and its verifier scoring.</summary>
    public IReadOnlyList<ComputeCost> SampleCosts { get; }

    /// <summary>The mean of <see cref="SampleCosts"/>.</summary>
    public ComputeCost MeanSampleCost { get; }

    /// <summary>The verifier's share of <see cref="MeanSampleCost"/>: what a sample costs less when it is not scored.</summary>
    public ComputeCost MeanSampleVerifierCost { get; }

    /// <summary>
    /// eFLOPs of the weight reads of one forward pass: paid once per pass whatever its rows, so N samples pay it for the
    /// prefill and as many steps as the longest of them.
    /// </summary>
    public double StepEFlops { get; }

    /// <summary>Expected cost of N samples drawn from the K, every one scored: shared + N x mean per-sample cost + the passes' weight reads.</summary>
    public ComputeCost ExpectedCost(int n) => ExpectedCost(n, n);

    /// <summary>Expected cost of N samples of which only <paramref name="scored"/> are scored by the verifier; none (N = 0) runs nothing, not even the prefill.</summary>
    public ComputeCost ExpectedCost(int n, int scored) => n == 0 ? new ComputeCost() : SharedCost + n * MeanSampleCost + (Math.Clamp(scored, 0, n) - n) * MeanSampleVerifierCost
        + new ComputeCost(0, 0, 0, StepEFlops * (1 + ExpectedLongest(n)), 0);

    /// <summary>
    /// The expected token count of the longest of N samples drawn without replacement from the K: the i-th shortest is the
    /// longest drawn with probability C(i-1, N-1) / C(K, N).
    /// </summary>
    public double ExpectedLongest(int n)
    {
        int k = _tokensAscending.Length;
        n = Math.Clamp(n, 1, k);
        lock (_expectedLongest)
        {
            if (_expectedLongest.TryGetValue(n, out double cached)) return cached;
            double logChooseKN = 0; // ln C(K, N)
            for (int j = 1; j <= n; j++) logChooseKN += Math.Log((double)(k - n + j) / j);
            double expected = 0, logChoose = 0; // ln C(i-1, N-1), from i = N
            for (int i = n; i <= k; i++)
            {
                if (i > n) logChoose += Math.Log((double)(i - 1) / (i - n));
                expected += _tokensAscending[i - 1] * Math.Exp(logChoose - logChooseKN);
            }
            return _expectedLongest[n] = expected;
        }
    }
}
