namespace TTScale.Allocation;

/// <summary>
/// Online allocation for a stream of requests under a budget rate (mean spend per request). Each request deposits the
/// rate into a bank; the decision is the best option at the current dual price that the bank can pay for (the cheapest
/// where it can pay for none), so expected spend stays within <c>initialBank + rate * requests</c> while the rate covers
/// every cheapest option. A <see cref="Settle"/> that finds a request dearer than expected draws the bank down, and
/// later requests get the cheapest option until deposits pay it back. The price starts at the offline price for the rate
/// and follows a subgradient step on (spend - rate): it rises when requests overspend and falls when the bank fills.
/// Thread-safe (one short lock per request); does not allocate.
/// </summary>
public sealed class OnlineBudgetController
{
    private readonly BudgetAllocator _allocator;
    private readonly Lock _lock = new();
    private readonly double _step;
    private double _price;
    private double _bank;
    private double _spent;
    private long _requests;

    /// <summary>Starts a controller.</summary>
    /// <param name="allocator">The allocator (its policy and tables; its own price is not used).</param>
    /// <param name="rate">Budget per request in the policy's unit; at least the largest cheapest-option cost, so every request can be served.</param>
    /// <param name="initialBank">Budget available before the first request (a burst allowance).</param>
    /// <param name="learningRate">Price step per request, relative to the steepest first step of any bin's curve.</param>
    public OnlineBudgetController(BudgetAllocator allocator, double rate, double initialBank = 0, double learningRate = 0.05)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        if (!(rate > 0) || double.IsInfinity(rate)) throw new ArgumentException("--budget-rate must be positive", nameof(rate));
        if (!(initialBank >= 0)) throw new ArgumentException("--initial-bank must not be negative", nameof(initialBank));
        if (!(learningRate > 0)) throw new ArgumentException("--learning-rate must be positive", nameof(learningRate));
        double floor = 0;
        for (int b = 0; b < allocator.Bins; b++) floor = Math.Max(floor, allocator.Curve(b)[0].Cost);
        if (rate < floor) throw new ArgumentException($"--budget-rate must be at least {floor:G6}, the cost of the most expensive bin's cheapest option", nameof(rate));
        _allocator = allocator;
        Rate = rate;
        _bank = initialBank;
        _price = allocator.PriceForRate(rate);
        _step = learningRate * allocator.PriceBreakpoints()[^1]; // the steepest first step of any bin: hull slopes only fall
    }

    /// <summary>The budget per request.</summary>
    public double Rate { get; }

    /// <summary>The current dual price (accuracy per unit cost).</summary>
    public double Price { get { lock (_lock) return _price; } }

    /// <summary>Budget banked and not yet spent.</summary>
    public double Bank { get { lock (_lock) return _bank; } }

    /// <summary>Total charged so far (estimates, corrected by <see cref="Settle"/>).</summary>
    public double Spent { get { lock (_lock) return _spent; } }

    /// <summary>Requests decided so far.</summary>
    public long Requests { get { lock (_lock) return _requests; } }

    /// <summary>Decides one request and charges its expected cost to the bank.</summary>
    public AllocationDecision Decide(in DifficultySignal signal)
    {
        int bin = _allocator.ResolveBin(signal); // outside the lock: the model's prediction is pure
        _ = _allocator.Curve(bin); // a bin outside the policy throws here, before the bank moves
        lock (_lock)
        {
            _bank += Rate;
            _requests++;
            var capped = DifficultySignal.FromBin(bin, Math.Max(0, Math.Min(signal.MaxCost, _bank)));
            AllocationDecision decision = _allocator.Decide(capped, _price);
            _bank -= decision.Cost;
            _spent += decision.Cost;
            _price = Math.Max(0, _price + _step * (decision.Cost - Rate) / Rate);
            return decision;
        }
    }

    /// <summary>Corrects the bank once a request's real cost is known (positive difference: it cost more than expected).</summary>
    public void Settle(in AllocationDecision decision, double actualCost)
    {
        if (!(actualCost >= 0)) throw new ArgumentException("--actual-cost must not be negative", nameof(actualCost));
        lock (_lock)
        {
            _bank -= actualCost - decision.Cost;
            _spent += actualCost - decision.Cost;
        }
    }
}
