using TTScale.Compute;
using TTScale.Evaluation;
using TTScale.Tasks;

namespace TTScale.Scaling;

/// <summary>
/// K samples per problem, from best-of-n eval records run with n = K: enough to replay best-of-N style strategies
/// at every N &lt;= K without new generation (see <see cref="PoolReplay"/>).
/// </summary>
public sealed class SamplePool
{
    /// <summary>Creates a pool from problems (ids must be unique).</summary>
    /// <exception cref="ArgumentException">No problems, or a repeated id.</exception>
    public SamplePool(IReadOnlyList<PoolProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count == 0) throw new ArgumentException("a sample pool needs at least one problem", nameof(problems));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in problems)
            if (!seen.Add(p.Id)) throw new ArgumentException($"problem '{p.Id}' appears twice in the pool", nameof(problems));
        Problems = problems;
        K = problems.Min(p => p.K);
    }

    /// <summary>The problems, in the order given.</summary>
    public IReadOnlyList<PoolProblem> Problems { get; }

    /// <summary>The largest N every problem can replay: the smallest sample count.</summary>
    public int K { get; }

    /// <summary>Whether a verifier scored the samples (any has a score).</summary>
    public bool Scored => Problems.Any(p => p.Samples.Any(s => s.Score is not null));

    /// <summary>
    /// Builds a pool from best-of-n records (each record's candidates are the K samples of one problem). Cost per
    /// sample is derived from the record's ledger: the prompt's share of policy FLOPs (prompt tokens over all policy
    /// tokens) is the shared prefill, also on the eFLOPs axis since a prefill is one compute-bound pass. The eFLOPs of the
    /// weight reads are a cost of the problem's forward passes, which read the weights once for every row they hold: N
    /// samples pay them for as many steps as the longest of the N runs (<see cref="PoolProblem.StepEFlops"/>). The rest of
    /// FLOPs, eFLOPs and the verifier's FLOPs is apportioned to samples by their tokens. Peak logical KV is taken as
    /// proportional to unique tokens: the prompt's share is shared, the rest apportioned by tokens.
    /// </summary>
    /// <exception cref="ArgumentException">A record without candidates, or a repeated id.</exception>
    public static SamplePool FromRecords(IEnumerable<EvalRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return new SamplePool(records.Select(FromRecord).ToList());
    }

    /// <summary>One record as a pool problem (see <see cref="FromRecords"/> for the cost split).</summary>
    public static PoolProblem FromRecord(EvalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var candidates = record.Candidates;
        if (candidates.Count == 0) throw new ArgumentException($"record '{record.Id}' has no candidates: a pool needs best-of-n records with n = K", nameof(record));
        var samples = candidates.Select(c => new PoolSample(AnswerNormalizer.Normalize(c.Answer), c.Correct, c.Score, c.Tokens)).ToList();
        var (shared, perSample, perSampleVerifier, stepEFlops) = SplitCost(record.Ledger, candidates.Select(c => c.Tokens).ToList());
        return new PoolProblem(record.Id, record.Level, samples, shared, perSample, perSampleVerifier, stepEFlops);
    }

    /// <summary>
    /// Splits a ledger into the shared prefill cost, each sample's share (see <see cref="FromRecords"/>), the verifier's
    /// part of each share (its FLOPs, taken off FLOPs and eFLOPs alike, and on eFLOPs also the bytes its calls read), and the
    /// weight reads' eFLOPs per forward pass (the longest sample's tokens, plus the prefill).
    /// </summary>
    public static (ComputeCost Shared, IReadOnlyList<ComputeCost> PerSample, IReadOnlyList<ComputeCost> PerSampleVerifier, double StepEFlops) SplitCost(
        LedgerReport ledger, IReadOnlyList<int> sampleTokens)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(sampleTokens);
        double policyTokens = ledger.PromptTokens + ledger.GeneratedTokens;
        double promptShare = policyTokens > 0 ? ledger.PromptTokens / policyTokens : 0;
        double sharedFlops = ledger.Flops * promptShare;
        double kvPerToken = policyTokens > 0 ? ledger.PeakLogicalKvBytes / policyTokens : 0;
        var shared = new ComputeCost(0, 0, sharedFlops, Math.Min(sharedFlops, ledger.EFlops), kvPerToken * ledger.PromptTokens);
        // The ledger's eFLOPs are FLOPs + I x bytes moved on its hardware: I recovered from them.
        double flopsPerByte = ledger.BytesMoved > 0 ? Math.Max(0, ledger.EFlops - ledger.TotalFlops) / ledger.BytesMoved : 0;
        double weightEFlops = Math.Max(0, Math.Min(flopsPerByte * ledger.WeightBytesRead, ledger.EFlops - shared.EFlops));
        var rest = new ComputeCost(0, 0, Math.Max(0, ledger.TotalFlops - shared.Flops), Math.Max(0, ledger.EFlops - shared.EFlops - weightEFlops),
            Math.Max(0, ledger.PeakLogicalKvBytes - shared.Kv));
        double totalTokens = sampleTokens.Sum(t => (double)t);
        double verifierFlops = Math.Min(ledger.VerifierFlops, rest.Flops);
        double verifierEFlops = Math.Min(ledger.VerifierFlops + flopsPerByte * ledger.VerifierBytesRead, rest.EFlops);
        var perSample = new ComputeCost[sampleTokens.Count];
        var perSampleVerifier = new ComputeCost[sampleTokens.Count];
        // A candidate's tokens leave out the end-of-sequence token the ledger counts as generated (one per sample that
        // stopped there): spread evenly, so that all K samples generate what the ledger says, as a direct run's tokens do.
        double endTokens = perSample.Length > 0 ? Math.Max(0, ledger.GeneratedTokens - totalTokens) / perSample.Length : 0;
        for (int i = 0; i < perSample.Length; i++)
        {
            double weight = totalTokens > 0 ? sampleTokens[i] / totalTokens : 1.0 / perSample.Length;
            perSample[i] = new ComputeCost(1, sampleTokens[i] + endTokens, weight * rest.Flops, weight * rest.EFlops, weight * rest.Kv);
            perSampleVerifier[i] = new ComputeCost(0, 0, weight * verifierFlops, weight * verifierEFlops, 0);
        }
        int passes = sampleTokens.DefaultIfEmpty(0).Max() + 1;
        return (shared, perSample, perSampleVerifier, weightEFlops / passes);
    }

    /// <summary>Mean expected cost per problem at N samples, on every axis; <paramref name="scored"/>: whether the verifier scores them.</summary>
    public ComputeCost ExpectedCost(int n, IEnumerable<PoolProblem>? subset = null, bool scored = true)
    {
        var problems = (subset ?? Problems).ToList();
        var total = new ComputeCost();
        foreach (var p in problems) total += p.ExpectedCost(n, scored ? n : 0);
        return problems.Count == 0 ? total : (1.0 / problems.Count) * total;
    }

    /// <summary>The powers of two up to K (1, 2, 4, ..., and K itself when it is not one): the usual replay budgets.</summary>
    public IReadOnlyList<int> DefaultBudgets()
    {
        var budgets = new List<int>();
        for (int n = 1; n <= K; n *= 2) budgets.Add(n);
        if (budgets[^1] != K) budgets.Add(K);
        return budgets;
    }
}
