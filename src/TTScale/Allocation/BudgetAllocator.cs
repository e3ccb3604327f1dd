using System.Text.Json;

namespace TTScale.Allocation;

/// <summary>The result of allocating a global budget over a batch.</summary>
/// <param name="Decisions">One decision per prompt, in batch order.</param>
/// <param name="TotalCost">Sum of the decisions' costs; never more than the budget.</param>
/// <param name="ExpectedCorrect">Sum of the decisions' predicted accuracies: the expected number of correct answers.</param>
public sealed record BatchAllocation(AllocationDecision[] Decisions, double TotalCost, double ExpectedCorrect);

/// <summary>
/// The embeddable allocator: answers, per prompt, "how much compute, with which strategy?" from a compute-optimal
/// <see cref="Policy"/>. Everything is precomputed at construction (each bin's menu cut at its saturation point and
/// reduced to its upper concave hull, one shared parameters object per option), so the instance is immutable,
/// thread-safe, and <see cref="Decide(in DifficultySignal)"/> does not allocate.
/// </summary>
public sealed class BudgetAllocator
{
    private readonly BinCurve[] _curves;
    private readonly DifficultyModel? _model;
    private readonly BinCurve[] _menus; // each bin's whole menu, for prompts only probably in it
    private readonly double[][][] _cross; // [a][b][j]: what the j-th option of bin a's menu reaches in bin b, for mixtures
    private readonly double[] _saturation; // per bin: no prompt that may be in it is planned past this cost
    private readonly double _tolerance; // a mixture saturates where it is within this of its best, as a bin does

    /// <summary>Builds an allocator; <paramref name="price"/> is the dual price <see cref="Decide(in DifficultySignal)"/> uses (accuracy per unit cost; 0 spends up to saturation).</summary>
    public BudgetAllocator(Policy policy, double price = 0)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!(price >= 0)) throw new ArgumentException("--price must not be negative", nameof(price));
        policy.Validate("policy");
        Policy = policy;
        Price = price;
        _curves = policy.Bins.Select(BinCurve.From).ToArray();
        _model = policy.DifficultyModel is null ? null : DifficultyModel.FromData(policy.DifficultyModel);
        _menus = policy.Bins.Select(BinCurve.Menu).ToArray();
        _cross = _menus.Select(a => policy.Bins.Select((b, i) => a.Points.Select(p => AccuracyIn(b, p) ?? _curves[i].Accuracies[0]).ToArray()).ToArray()).ToArray();
        _saturation = policy.Bins.Select(b => b.Saturation).ToArray();
        _tolerance = policy.Build?.SaturationTolerance ?? PolicyBuildOptions.DefaultSaturationTolerance;
    }

    /// <summary>Loads policy.json; with <paramref name="rate"/>, <see cref="Price"/> is set so that the mean spend over bins is at most that rate per prompt.</summary>
    public static BudgetAllocator Load(string path, double? rate = null)
    {
        var allocator = new BudgetAllocator(Policy.Load(path));
        return rate is double r ? allocator.WithPrice(allocator.PriceForRate(r)) : allocator;
    }

    /// <summary>The policy the allocator was built from.</summary>
    public Policy Policy { get; }

    /// <summary>The unit of every cost and budget.</summary>
    public CostUnit CostUnit => Policy.CostUnit;

    /// <summary>Number of difficulty bins.</summary>
    public int Bins => _curves.Length;

    /// <summary>The dual price <see cref="Decide(in DifficultySignal)"/> spends at: a step up the curve is taken while it gains more than this much accuracy per unit cost.</summary>
    public double Price { get; }

    /// <summary>The same policy at another price (the precomputed tables are shared, not copied).</summary>
    public BudgetAllocator WithPrice(double price) => new(this, price);

    private BudgetAllocator(BudgetAllocator other, double price)
    {
        if (!(price >= 0)) throw new ArgumentException("--price must not be negative", nameof(price));
        Policy = other.Policy;
        _curves = other._curves;
        _model = other._model;
        _menus = other._menus;
        _cross = other._cross;
        _saturation = other._saturation;
        _tolerance = other._tolerance;
        Price = price;
    }

    /// <summary>A bin's points (its hull cut at saturation), cheapest first.</summary>
    public ReadOnlySpan<AllocationDecision> Curve(int bin) => CurveOf(bin).Points;

    /// <summary>Decides one prompt at <see cref="Price"/>, within the signal's cost cap. Thread-safe; does not allocate.</summary>
    public AllocationDecision Decide(in DifficultySignal signal) => Decide(signal, Price);

    /// <summary>Decides one prompt at a given dual price, within the signal's cost cap. Thread-safe; does not allocate.</summary>
    public AllocationDecision Decide(in DifficultySignal signal, double price)
    {
        if (!(price >= 0)) throw new ArgumentException("--price must not be negative", nameof(price));
        BinCurve curve = CurveOf(ResolveBin(signal));
        return curve.Points[curve.PointAt(price, signal.MaxCost)];
    }

    /// <summary>The most accurate option costing at most <paramref name="budget"/> (the cheapest where none fits). Does not allocate.</summary>
    public AllocationDecision DecideWithin(in DifficultySignal signal, double budget)
    {
        if (!(budget >= 0)) throw new ArgumentException("--budget must not be negative", nameof(budget));
        BinCurve curve = CurveOf(ResolveBin(signal));
        return curve.Points[curve.PointAt(0, Math.Min(budget, signal.MaxCost))];
    }

    /// <summary>The bin a signal maps to: its own, the most probable one, or the difficulty model's prediction.</summary>
    public int ResolveBin(in DifficultySignal signal)
    {
        switch (signal.Kind)
        {
            case DifficultySignalKind.Bin:
                return signal.Bin;
            case DifficultySignalKind.Probabilities:
                ReadOnlySpan<double> p = signal.Probabilities;
                if (p.Length != Bins) throw new ArgumentException($"bin probabilities need {Bins} entries, got {p.Length}", nameof(signal));
                int best = 0;
                for (int b = 1; b < p.Length; b++) if (p[b] > p[best]) best = b;
                return best;
            case DifficultySignalKind.Features:
                if (_model is null) throw new InvalidOperationException("the policy has no difficulty_model; pass a bin or bin probabilities");
                return _model.Predict(signal.Features);
            default:
                throw new ArgumentException("the difficulty signal is empty", nameof(signal));
        }
    }

    /// <summary>
    /// The prices at which some bin's decision changes (each hull step's gain per unit cost, and 0), ascending: at a
    /// breakpoint a step gains exactly the price and is not taken, so walking them covers every point of every bin.
    /// </summary>
    public IReadOnlyList<double> PriceBreakpoints() => [.. _curves.SelectMany(c => c.Slopes.Skip(1)).Append(0).Distinct().Order()];

    /// <summary>
    /// The smallest dual price at which the mean spend over bins, each weighted equally (bins are quantiles of the
    /// training problems), is at most <paramref name="rate"/> per prompt: the offline price for a budget rate.
    /// </summary>
    public double PriceForRate(double rate)
    {
        if (!(rate > 0)) throw new ArgumentException("--budget must be positive", nameof(rate));
        double floor = _curves.Average(c => c.Costs[0]);
        if (rate < floor) throw new ArgumentException($"--budget must be at least {floor:G6} (the mean cost of each bin's cheapest option)", nameof(rate));
        foreach (double price in PriceBreakpoints())
            if (_curves.Average(c => c.Costs[c.PointAt(price, double.PositiveInfinity)]) <= rate) return price;
        return double.PositiveInfinity; // unreachable: at the largest slope only cheapest points remain
    }

    /// <summary>
    /// Spends <paramref name="globalBudget"/> across a batch to maximise the expected number of correct answers: every
    /// prompt starts at its cheapest option, then the step with the largest accuracy gain per unit cost is taken while
    /// it fits (steps run along each prompt's upper concave hull, so this is optimal up to the last step that did not
    /// fit). Never past a bin's saturation point, a prompt's cost cap, or the budget. Prompts with bin probabilities (or
    /// features, through the model) choose from their most likely bin's whole menu, each option valued at its
    /// probability-weighted accuracy over the bins, up to where that mixture saturates and never past the saturation
    /// point of every bin they may be in.
    /// </summary>
    public BatchAllocation Allocate(IReadOnlyList<DifficultySignal> batch, double globalBudget)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!(globalBudget >= 0) || double.IsInfinity(globalBudget)) throw new ArgumentException("--budget must be a non-negative number", nameof(globalBudget));
        int n = batch.Count;
        var plans = new PromptPlan[n];
        var at = new int[n];
        double spent = 0;
        Span<double> probabilities = stackalloc double[Bins];
        for (int i = 0; i < n; i++)
        {
            plans[i] = Plan(batch[i], probabilities);
            spent += plans[i].Costs[0];
        }
        if (spent > globalBudget)
            throw new ArgumentException($"--budget must cover the cheapest option of every prompt ({spent:G6} {CostUnit.Name()} for {n} prompts)", nameof(globalBudget));

        // Max-heap on gain per unit cost; ties go to the earlier prompt so the result is deterministic.
        var queue = new PriorityQueue<int, (double Ratio, int Prompt)>(n, StepOrder.Instance);
        var taken = new List<int>(); // the prompts stepped up, in order, so the last steps can be undone
        for (int i = 0; i < n; i++)
            if (plans[i].Last > 0) queue.Enqueue(i, (plans[i].Ratio(1), i));
        while (queue.TryDequeue(out int i, out _))
        {
            PromptPlan plan = plans[i];
            int next = at[i] + 1;
            double step = plan.Costs[next] - plan.Costs[at[i]];
            if (spent + step > globalBudget) continue; // later steps of this prompt cost more still
            spent += step;
            at[i] = next;
            taken.Add(i);
            if (next < plan.Last) queue.Enqueue(i, (plan.Ratio(next + 1), i));
        }

        // Spend was summed step by step; the total is summed by prompt, which can round an ulp over the budget.
        double total = Total(plans, at);
        for (int s = taken.Count - 1; s >= 0 && total > globalBudget; s--)
        {
            at[taken[s]]--;
            total = Total(plans, at);
        }

        var decisions = new AllocationDecision[n];
        double expected = 0;
        for (int i = 0; i < n; i++)
        {
            decisions[i] = plans[i].Decision(at[i]);
            expected += decisions[i].PredictedAccuracy;
        }
        return new BatchAllocation(decisions, total, expected);
    }

    private static double Total(PromptPlan[] plans, int[] at)
    {
        double total = 0;
        for (int i = 0; i < plans.Length; i++) total += plans[i].Costs[at[i]];
        return total;
    }

    /// <summary>
    /// The cross-validated accuracy of the same option (strategy and hyperparameters) in another bin; null where that
    /// bin's menu lacks it, and the mixture then credits the option with nothing there beyond the bin's cheapest point.
    /// </summary>
    private static double? AccuracyIn(PolicyBin bin, AllocationDecision option)
    {
        foreach (var point in bin.Curve)
            if (point.Strategy == option.Strategy && point.Parameters.Count == option.Parameters.Count
                && point.Parameters.All(p => option.Parameters.TryGetValue(p.Key, out var v) && JsonElement.DeepEquals(p.Value, v)))
                return point.CvAccuracy;
        return null;
    }

    private PromptPlan Plan(in DifficultySignal signal, Span<double> probabilities)
    {
        ReadOnlySpan<double> mixture;
        int bin;
        switch (signal.Kind)
        {
            case DifficultySignalKind.Probabilities:
                bin = ResolveBin(signal);
                mixture = signal.Probabilities;
                break;
            case DifficultySignalKind.Features when _model is not null:
                bin = _model.Predict(signal.Features, probabilities);
                mixture = probabilities;
                break;
            default:
                return PromptPlan.ForBin(CurveOf(ResolveBin(signal)), signal.MaxCost);
        }
        return PromptPlan.ForMixture(_menus[bin], _cross[bin], _saturation, mixture, _tolerance, signal.MaxCost);
    }

    private BinCurve CurveOf(int bin)
    {
        if ((uint)bin >= (uint)_curves.Length) throw new ArgumentException($"--bin must be in [0, {_curves.Length - 1}] (got {bin})", nameof(bin));
        return _curves[bin];
    }

    private sealed class StepOrder : IComparer<(double Ratio, int Prompt)>
    {
        public static readonly StepOrder Instance = new();

        public int Compare((double Ratio, int Prompt) x, (double Ratio, int Prompt) y) =>
            x.Ratio != y.Ratio ? y.Ratio.CompareTo(x.Ratio) : x.Prompt.CompareTo(y.Prompt);
    }
}
