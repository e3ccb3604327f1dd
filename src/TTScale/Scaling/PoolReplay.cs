using TTScale.Randomness;

namespace TTScale.Scaling;

/// <summary>
/// Expected accuracy of best-of-N style strategies at every budget N &lt;= K, replayed from a <see cref="SamplePool"/>:
/// the expectation over uniformly random N-subsets of each problem's K samples. Coverage is the unbiased pass@k;
/// naive selection has a closed form by order statistics; weighted and majority votes are enumerated exactly when
/// C(K, N) is small and estimated from seeded random subsets otherwise. Rules and ties follow
/// <see cref="TTScale.Strategies.Selection"/>: a subset keeps the samples' original order and ties go to the earliest.
/// </summary>
public sealed class PoolReplay
{
    private static readonly ReplayRule[] AllRules = [ReplayRule.Coverage, ReplayRule.Naive, ReplayRule.Weighted, ReplayRule.Majority];
    private readonly double[,][] _means; // [rule, budget][problem]
    private readonly double[,][] _variances; // Monte-Carlo variance of each mean; 0 when exact
    private readonly bool[] _exact; // per budget: all problems exact

    private PoolReplay(SamplePool pool, IReadOnlyList<int> budgets, double[,][] means, double[,][] variances, bool[] exact)
    {
        Pool = pool;
        Budgets = budgets;
        _means = means;
        _variances = variances;
        _exact = exact;
    }

    /// <summary>The pool replayed.</summary>
    public SamplePool Pool { get; }

    /// <summary>The budgets replayed, as given.</summary>
    public IReadOnlyList<int> Budgets { get; }

    /// <summary>Replays every rule at every budget.</summary>
    /// <exception cref="ArgumentException">A budget outside [1, K], or bad options.</exception>
    public static PoolReplay Run(SamplePool pool, IReadOnlyList<int> budgets, ReplayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(budgets);
        options ??= new ReplayOptions();
        options.Validate();
        foreach (int n in budgets)
            if (n < 1 || n > pool.K) throw new ArgumentException($"--budgets {n} is outside [1, {pool.K}] (K = samples per problem in the pool)", nameof(budgets));
        int problems = pool.Problems.Count;
        var means = new double[AllRules.Length, budgets.Count][];
        var variances = new double[AllRules.Length, budgets.Count][];
        for (int r = 0; r < AllRules.Length; r++)
            for (int b = 0; b < budgets.Count; b++)
            {
                means[r, b] = new double[problems];
                variances[r, b] = new double[problems];
            }
        var exact = new bool[budgets.Count];
        for (int b = 0; b < budgets.Count; b++) exact[b] = true;
        var exactLock = new Lock();

        void ReplayProblem(int i)
        {
            var problem = pool.Problems[i];
            var scratch = new VoteScratch(problem.K, problem.AnswerCount);
            for (int b = 0; b < budgets.Count; b++)
            {
                var e = Expect(problem, budgets[b], options, SplitMix64.Derive(options.Seed, problem.Id), scratch);
                for (int r = 0; r < AllRules.Length; r++)
                {
                    means[r, b][i] = e.Mean(AllRules[r]);
                    variances[r, b][i] = e.Variance(AllRules[r]);
                }
                if (!e.Exact) lock (exactLock) exact[b] = false;
            }
        }

        if (options.Parallel) System.Threading.Tasks.Parallel.For(0, problems, ReplayProblem);
        else for (int i = 0; i < problems; i++) ReplayProblem(i);
        return new PoolReplay(pool, budgets, means, variances, exact);
    }

    /// <summary>One problem's expected success at budget N under one rule (the same computation <see cref="Run"/> does).</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="n">N, in [1, K].</param>
    /// <param name="options">Exact limit, draws and seed.</param>
    public static (double Mean, double MonteCarloVariance, bool Exact) ProblemExpectation(PoolProblem problem, ReplayRule rule, int n,
        ReplayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        options ??= new ReplayOptions();
        options.Validate();
        if (n < 1 || n > problem.K) throw new ArgumentException($"--budgets {n} is outside [1, {problem.K}]", nameof(n));
        var e = Expect(problem, n, options, SplitMix64.Derive(options.Seed, problem.Id), new VoteScratch(problem.K, problem.AnswerCount));
        bool exact = rule is ReplayRule.Coverage or ReplayRule.Naive || e.Exact;
        return (e.Mean(rule), e.Variance(rule), exact);
    }

    /// <summary>A problem's expected success under a rule at a replayed budget.</summary>
    public double ProblemAccuracy(ReplayRule rule, int budget, int problemIndex) => _means[(int)rule, BudgetIndex(budget)][problemIndex];

    /// <summary>Expected accuracy at a replayed budget over all problems, or over the problems at the given indices.</summary>
    /// <exception cref="ArgumentException">A budget that was not replayed.</exception>
    public AccuracyEstimate Accuracy(ReplayRule rule, int budget, IReadOnlyList<int>? problemIndices = null)
    {
        int b = BudgetIndex(budget);
        double[] means = _means[(int)rule, b], variances = _variances[(int)rule, b];
        int count = problemIndices?.Count ?? means.Length;
        double sum = 0, variance = 0;
        for (int j = 0; j < count; j++)
        {
            int i = problemIndices?[j] ?? j;
            sum += means[i];
            variance += variances[i];
        }
        bool exact = rule is ReplayRule.Coverage or ReplayRule.Naive || _exact[b];
        return count == 0 ? AccuracyEstimate.Create(budget, 0, 0, 0, exact)
            : AccuracyEstimate.Create(budget, sum / count, count, variance / ((double)count * count), exact);
    }

    /// <summary>The replayed curve of one rule as a series on an axis (compute: the mean expected cost of the problems, the verifier only where the rule runs it).</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="axis">The compute axis.</param>
    /// <param name="bin">The bin number to record (0 = all problems).</param>
    /// <param name="problemIndices">The problems to average over; all when null.</param>
    public ScalingSeries Series(ReplayRule rule, ComputeAxis axis, int bin = 0, IReadOnlyList<int>? problemIndices = null)
    {
        var subset = problemIndices?.Select(i => Pool.Problems[i]).ToList() ?? Pool.Problems;
        var points = Budgets.Select(n =>
        {
            var estimate = Accuracy(rule, n, problemIndices);
            return new ScalingPoint(n, Pool.ExpectedCost(n, subset, rule.Scores(n)).On(axis), estimate.Accuracy, estimate.Problems, estimate.Low, estimate.High);
        }).ToList();
        var outcomes = (problemIndices ?? Enumerable.Range(0, Pool.Problems.Count).ToList())
            .Select(i => (IReadOnlyList<double>)[.. Budgets.Select(n => ProblemAccuracy(rule, n, i))]).ToList();
        return new ScalingSeries(rule.StrategyName(), bin, axis, "replay", points, outcomes);
    }

    private int BudgetIndex(int budget)
    {
        for (int b = 0; b < Budgets.Count; b++)
            if (Budgets[b] == budget) return b;
        throw new ArgumentException($"budget {budget} was not replayed (replayed: {string.Join(", ", Budgets)})", nameof(budget));
    }

    /// <summary>Expectations of all rules for one problem at one N. Coverage and naive are exact; votes may be sampled.</summary>
    private static Expectation Expect(PoolProblem problem, int n, ReplayOptions options, long problemSeed, VoteScratch scratch)
    {
        int k = problem.K;
        double coverage = PassAtK.Estimate(k, problem.Correct, n);
        double naive = NaiveExpectation(problem, n);
        if (Binomial(k, n, options.ExactLimit) <= options.ExactLimit)
        {
            var (weighted, majority, subsets) = EnumerateVotes(problem, n, scratch);
            return new Expectation(coverage, naive, weighted / subsets, majority / subsets, 0, 0, true);
        }
        var random = SplitMix64.ForStream(problemSeed, n);
        int draws = options.MonteCarloDraws, weightedHits = 0, majorityHits = 0;
        var order = scratch.Permutation;
        for (int i = 0; i < k; i++) order[i] = i;
        var subset = scratch.Subset.AsSpan(0, n);
        for (int d = 0; d < draws; d++)
        {
            // Partial Fisher-Yates: the first n positions are a uniform n-subset whatever the array held before.
            ulong mask = 0;
            for (int i = 0; i < n; i++)
            {
                int j = i + Below(ref random, k - i);
                (order[i], order[j]) = (order[j], order[i]);
                mask |= 1UL << (order[i] & 63);
            }
            // The subset keeps the samples' order, so "earliest" means what it means in Selection. Up to 64 samples a
            // bit mask lists it in order without sorting.
            if (k <= 64)
            {
                for (int i = 0; i < n; i++, mask &= mask - 1) subset[i] = System.Numerics.BitOperations.TrailingZeroCount(mask);
            }
            else
            {
                order.AsSpan(0, n).CopyTo(subset);
                subset.Sort();
            }
            var (w, m) = Vote(problem, subset, scratch);
            weightedHits += w ? 1 : 0;
            majorityHits += m ? 1 : 0;
        }
        double pw = (double)weightedHits / draws, pm = (double)majorityHits / draws;
        return new Expectation(coverage, naive, pw, pm, pw * (1 - pw) / draws, pm * (1 - pm) / draws, false);
    }

    /// <summary>
    /// Naive selection: the sample ranked r-th (score descending, earliest first) is chosen exactly when it is in the
    /// subset and none of the r ranked above it is: probability C(K-1-r, N-1) / C(K, N).
    /// </summary>
    private static double NaiveExpectation(PoolProblem problem, int n)
    {
        int k = problem.K;
        double probability = (double)n / k, sum = 0;
        for (int r = 0; r <= k - n; r++)
        {
            if (problem.CorrectFlags[problem.NaiveOrder[r]]) sum += probability;
            probability *= (double)(k - r - n) / (k - 1 - r); // C(K-2-r, N-1) / C(K-1-r, N-1)
        }
        return sum;
    }

    private static (double Weighted, double Majority, double Subsets) EnumerateVotes(PoolProblem problem, int n, VoteScratch scratch)
    {
        int k = problem.K;
        var subset = scratch.Subset.AsSpan(0, n);
        for (int i = 0; i < n; i++) subset[i] = i;
        double weighted = 0, majority = 0, count = 0;
        while (true)
        {
            var (w, m) = Vote(problem, subset, scratch);
            weighted += w ? 1 : 0;
            majority += m ? 1 : 0;
            count++;
            int p = n - 1;
            while (p >= 0 && subset[p] == k - n + p) p--;
            if (p < 0) break;
            subset[p]++;
            for (int q = p + 1; q < n; q++) subset[q] = subset[q - 1] + 1;
        }
        return (weighted, majority, count);
    }

    /// <summary>Weighted and majority votes over a sorted subset: whether each picks a right sample.</summary>
    private static (bool Weighted, bool Majority) Vote(PoolProblem problem, ReadOnlySpan<int> subset, VoteScratch s)
    {
        int touched = 0;
        foreach (int i in subset)
        {
            int a = problem.AnswerIds[i];
            if (a < 0) continue;
            if (s.First[a] < 0)
            {
                s.First[a] = i;
                s.Weights[a] = 0;
                s.Counts[a] = 0;
                s.Touched[touched++] = a;
            }
            s.Weights[a] += problem.VoteWeights[i];
            s.Counts[a] += 1.0;
        }
        if (touched == 0) return (false, false);
        int bestWeighted = s.Touched[0], bestMajority = s.Touched[0];
        // Answers in order of first appearance, replaced only when strictly better: ties go to the earliest.
        for (int t = 1; t < touched; t++)
        {
            int a = s.Touched[t];
            if (s.Weights[a] > s.Weights[bestWeighted]) bestWeighted = a;
            if (s.Counts[a] > s.Counts[bestMajority]) bestMajority = a;
        }
        bool w = problem.CorrectFlags[s.First[bestWeighted]], m = problem.CorrectFlags[s.First[bestMajority]];
        for (int t = 0; t < touched; t++) s.First[s.Touched[t]] = -1;
        return (w, m);
    }

    /// <summary>A uniform integer in [0, range) by multiply-high (Lemire), cheaper than a modulo in the hot loop.</summary>
    private static int Below(ref SplitMix64 random, int range) => (int)Math.BigMul(random.NextUInt64(), (ulong)range, out _);

    /// <summary>C(n, k) as a double, or a value above <paramref name="cap"/> as soon as it passes it.</summary>
    internal static double Binomial(int n, int k, double cap)
    {
        k = Math.Min(k, n - k);
        double value = 1;
        for (int i = 1; i <= k; i++)
        {
            value = value * (n - k + i) / i;
            if (value > cap) return Math.Max(value, cap + 1);
        }
        return Math.Round(value);
    }

    private readonly record struct Expectation(double Coverage, double Naive, double Weighted, double Majority,
        double WeightedVariance, double MajorityVariance, bool Exact)
    {
        public double Mean(ReplayRule rule) => rule switch
        {
            ReplayRule.Coverage => Coverage, ReplayRule.Naive => Naive, ReplayRule.Weighted => Weighted, ReplayRule.Majority => Majority,
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
        };

        public double Variance(ReplayRule rule) => rule switch
        {
            ReplayRule.Weighted => WeightedVariance, ReplayRule.Majority => MajorityVariance, _ => 0,
        };
    }

    /// <summary>Per-thread buffers, so the hot loop allocates nothing.</summary>
    private sealed class VoteScratch
    {
        public readonly int[] Permutation, Subset, First, Touched;
        public readonly double[] Weights, Counts;

        public VoteScratch(int k, int answers)
        {
            Permutation = new int[k];
            Subset = new int[k];
            First = new int[Math.Max(answers, 1)];
            Array.Fill(First, -1);
            Touched = new int[Math.Max(answers, 1)];
            Weights = new double[Math.Max(answers, 1)];
            Counts = new double[Math.Max(answers, 1)];
        }
    }
}
