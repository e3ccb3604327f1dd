using TTScale.Compute;

namespace TTScale.Evaluation;

/// <summary>Accuracy with its 95% interval, over all problems or one level.</summary>
public sealed record AccuracyFigure(int Problems, int Correct, double Accuracy, double Low, double High);

/// <summary>
/// An eval's summary: accuracy (overall and by level) and the compute and memory it cost, in total and per problem.
/// KV figures per problem: the peak, and the mean over the engine steps the problem was in (then averaged over problems);
/// the verifier's KV peak apart.
/// The round figures are the search's per-round series (mean and peak over its rounds), averaged over the problems that had rounds.
/// </summary>
public sealed record EvalSummary(
    AccuracyFigure Overall, IReadOnlyDictionary<string, AccuracyFigure> ByLevel,
    long PromptTokens, long GeneratedTokens, long VerifierTokens, double Flops, double VerifierFlops, double TotalFlops, double EFlops,
    double MeanTotalFlops, double MeanEFlops, double MeanGeneratedTokens, long MaxPeakKvBytes, double MeanPeakKvBytes,
    double MeanPeakLogicalKvBytes, double MeanLogicalKvBytes, double WallSeconds,
    double MeanRoundLogicalKvBytes = 0, double MeanPeakRoundLogicalKvBytes = 0, double MeanRoundPhysicalKvBytes = 0, double MeanPeakRoundPhysicalKvBytes = 0,
    double MeanPeakVerifierKvBytes = 0)
{
    /// <summary>
    /// Summarises records in any order. They are summed in problem-id order: records arrive in finishing order, and
    /// floating-point sums taken in that order would differ in the last digits with the concurrency.
    /// </summary>
    public static EvalSummary From(IReadOnlyList<EvalRecord> records, double wallSeconds)
    {
        records = [.. records.OrderBy(r => r.Id, StringComparer.Ordinal)];
        int n = Math.Max(records.Count, 1);
        var searched = records.Where(r => r.Ledger.KvRounds is { Count: > 0 }).ToList();
        double RoundMean(Func<LedgerReport, double> figure) => searched.Count == 0 ? 0 : searched.Average(r => figure(r.Ledger));
        var byLevel = records.Where(r => r.Level is not null).GroupBy(r => r.Level!.Value).OrderBy(g => g.Key)
            .ToDictionary(g => g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), g => Accuracy(g.ToList()));
        return new EvalSummary(Accuracy(records), byLevel,
            records.Sum(r => r.Ledger.PromptTokens), records.Sum(r => r.Ledger.GeneratedTokens), records.Sum(r => r.Ledger.VerifierTokens),
            records.Sum(r => r.Ledger.Flops), records.Sum(r => r.Ledger.VerifierFlops), records.Sum(r => r.Ledger.TotalFlops), records.Sum(r => r.Ledger.EFlops),
            records.Sum(r => r.Ledger.TotalFlops) / n, records.Sum(r => r.Ledger.EFlops) / n, (double)records.Sum(r => r.Ledger.GeneratedTokens) / n,
            records.Count == 0 ? 0 : records.Max(r => r.Ledger.PeakPhysicalKvBytes), records.Sum(r => (double)r.Ledger.PeakPhysicalKvBytes) / n,
            records.Sum(r => (double)r.Ledger.PeakLogicalKvBytes) / n, records.Sum(r => r.Ledger.MeanLogicalKvBytes) / n, wallSeconds,
            RoundMean(l => l.MeanRoundLogicalKvBytes), RoundMean(l => l.PeakRoundLogicalKvBytes),
            RoundMean(l => l.MeanRoundPhysicalKvBytes), RoundMean(l => l.PeakRoundPhysicalKvBytes),
            records.Sum(r => (double)r.Ledger.PeakVerifierKvBytes) / n);
    }

    /// <summary>Accuracy with a Wilson score interval at 95%.</summary>
    public static AccuracyFigure Accuracy(IReadOnlyList<EvalRecord> records)
    {
        int n = records.Count, k = records.Count(r => r.Correct);
        if (n == 0) return new AccuracyFigure(0, 0, 0, 0, 0);
        double p = (double)k / n;
        var (low, high) = WilsonInterval.Bounds(p, n);
        return new AccuracyFigure(n, k, p, low, high);
    }
}
