using System.Text.Json;

namespace TTScale.Allocation;

/// <summary>
/// What to run for one prompt: a point of its bin's policy curve. A struct whose references point at tables built once
/// with the allocator, so returning it does not allocate.
/// </summary>
public readonly struct AllocationDecision
{
    internal AllocationDecision(int bin, int point, PolicyPoint source, IReadOnlyDictionary<string, JsonElement> parameters, double predictedAccuracy)
    {
        Bin = bin;
        Point = point;
        Strategy = source.Strategy;
        Parameters = parameters;
        BudgetLevel = source.BudgetLevel;
        Cost = source.Cost;
        PredictedAccuracy = predictedAccuracy;
    }

    private AllocationDecision(in AllocationDecision other, double predictedAccuracy)
    {
        this = other;
        PredictedAccuracy = predictedAccuracy;
    }

    /// <summary>The bin whose curve the decision comes from (the most likely bin where probabilities were given).</summary>
    public int Bin { get; }

    /// <summary>Index of the point on the bin's curve (its upper concave hull, cut at saturation), cheapest first.</summary>
    public int Point { get; }

    /// <summary>Strategy to run, as on the command line.</summary>
    public string Strategy { get; }

    /// <summary>Its hyperparameters; a shared read-only object, the same instance for every decision on this point.</summary>
    public IReadOnlyDictionary<string, JsonElement> Parameters { get; }

    /// <summary>The nominal budget (N) to run the strategy at.</summary>
    public double BudgetLevel { get; }

    /// <summary>Expected cost in the policy's unit.</summary>
    public double Cost { get; }

    /// <summary>
    /// Expected accuracy, held-out: the bin's, or in a batch <see cref="BudgetAllocator.Allocate"/> the mixture over the
    /// bins a prompt with bin probabilities (or features) may be in.
    /// </summary>
    public double PredictedAccuracy { get; }

    /// <summary>False for a default value (no decision).</summary>
    public bool IsValid => Strategy is not null;

    internal AllocationDecision WithAccuracy(double accuracy) => new(this, accuracy);

    /// <inheritdoc/>
    public override string ToString() => $"bin {Bin}: {Strategy} at {BudgetLevel} (cost {Cost}, accuracy {PredictedAccuracy:F3})";
}
