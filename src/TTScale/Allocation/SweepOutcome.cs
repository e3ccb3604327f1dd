using System.Text.Json;

namespace TTScale.Allocation;

/// <summary>
/// One problem solved with one option during a sweep: the policy builder's input row. An option is a strategy, its
/// hyperparameters and a budget level; rows with the same problem and option are averaged (several seeds).
/// </summary>
/// <param name="ProblemId">The problem's id; cross-validation folds are drawn over these.</param>
/// <param name="Bin">The problem's oracle difficulty bin (0 easiest), e.g. from <see cref="Scaling.DifficultyBins.FromPool"/> less one.</param>
/// <param name="Strategy">The strategy's name, as on the command line (best-of-n, beam, revise, ...).</param>
/// <param name="Parameters">Its hyperparameters (selection rule, beam width, ...), serialised as given into policy.json.</param>
/// <param name="BudgetLevel">The nominal budget the option was run at (N); options compete only within a level.</param>
/// <param name="Cost">What it cost on this problem, in the policy's unit (see <see cref="SweepOutcomes"/>).</param>
/// <param name="Correct">1 or 0, or a probability of being correct (an expectation from replay).</param>
public sealed record SweepOutcome(string ProblemId, int Bin, string Strategy, IReadOnlyDictionary<string, object?> Parameters,
    double BudgetLevel, double Cost, double Correct)
{
    /// <summary>A stable identity of the option: strategy, parameters in key order, and budget level.</summary>
    internal string OptionKey => $"{Strategy}|{CanonicalParameters(Parameters)}|{BudgetLevel.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";

    internal static string CanonicalParameters(IReadOnlyDictionary<string, object?> parameters) =>
        JsonSerializer.Serialize(new SortedDictionary<string, object?>(parameters.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal));
}
