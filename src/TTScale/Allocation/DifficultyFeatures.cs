using TTScale.Evaluation;
using TTScale.Tasks;

namespace TTScale.Allocation;

/// <summary>
/// What a cheap probe of a prompt (its first k samples) says about its difficulty, with no gold answer: how much the
/// samples agree, how the verifier scores them, and how confident and long they are; and, free before any sample, how
/// long the prompt is. A probe of no samples (k = 0) leaves the sample features at 0, so the prompt's length is all
/// the difficulty model reads, and deciding costs no model call.
/// </summary>
/// <param name="Agreement">Share of samples giving the modal normalised answer (samples with no answer count as disagreeing).</param>
/// <param name="DistinctAnswers">Number of distinct normalised answers.</param>
/// <param name="MeanScore">Mean PRM score of the samples (0 where none was scored).</param>
/// <param name="ScoreSpread">Standard deviation of the PRM scores (0 where none was scored).</param>
/// <param name="MeanLogProbPerToken">Mean over samples of the per-token log-probability.</param>
/// <param name="MeanTokens">Mean sample length in tokens.</param>
/// <param name="PromptTokens">The prompt's length in tokens, as the model reads it (its template and start token included).</param>
public readonly record struct DifficultyFeatures(double Agreement, double DistinctAnswers, double MeanScore, double ScoreSpread,
    double MeanLogProbPerToken, double MeanTokens, double PromptTokens)
{
    /// <summary>How many features there are; the order of <see cref="CopyTo"/> and of <see cref="Names"/>.</summary>
    public const int Count = 7;

    /// <summary>The features' names in policy.json, in <see cref="CopyTo"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["agreement", "distinct_answers", "mean_score", "score_spread", "mean_log_prob_per_token", "mean_tokens", "prompt_tokens"];

    /// <summary>Whether every feature is a finite number.</summary>
    public bool AllFinite => double.IsFinite(Agreement) && double.IsFinite(DistinctAnswers) && double.IsFinite(MeanScore)
        && double.IsFinite(ScoreSpread) && double.IsFinite(MeanLogProbPerToken) && double.IsFinite(MeanTokens) && double.IsFinite(PromptTokens);

    /// <summary>Writes the features into <paramref name="destination"/> (length at least <see cref="Count"/>).</summary>
    public void CopyTo(Span<double> destination)
    {
        destination[0] = Agreement;
        destination[1] = DistinctAnswers;
        destination[2] = MeanScore;
        destination[3] = ScoreSpread;
        destination[4] = MeanLogProbPerToken;
        destination[5] = MeanTokens;
        destination[6] = PromptTokens;
    }

    /// <summary>Features of the first <paramref name="k"/> candidates of a probe (all of them where there are fewer).</summary>
    /// <param name="candidates">The probe's candidates (none needed where <paramref name="k"/> is 0).</param>
    /// <param name="k">Samples in the probe; 0: the prompt alone.</param>
    /// <param name="promptTokens">The prompt's length in tokens.</param>
    /// <param name="readScores">false: an unscored probe, whose score features are 0 even where the candidates carry scores (a pool's do).</param>
    public static DifficultyFeatures FromProbe(IReadOnlyList<CandidateRecord> candidates, int k, int promptTokens, bool readScores = true)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (k < 0) throw new ArgumentException("--probe must not be negative", nameof(k));
        if (promptTokens < 0) throw new ArgumentException("a prompt cannot have fewer than 0 tokens", nameof(promptTokens));
        if (k == 0) return new DifficultyFeatures(0, 0, 0, 0, 0, 0, promptTokens);
        int n = Math.Min(k, candidates.Count);
        if (n == 0) throw new ArgumentException("a probe needs at least one candidate", nameof(candidates));

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        double scoreSum = 0, scoreSquares = 0, logProbPerToken = 0, tokens = 0;
        int scored = 0;
        for (int i = 0; i < n; i++)
        {
            CandidateRecord c = candidates[i];
            if (!string.IsNullOrWhiteSpace(c.Answer))
            {
                string key = AnswerNormalizer.Normalize(c.Answer);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
            if (readScores && c.Score is float s)
            {
                scoreSum += s;
                scoreSquares += (double)s * s;
                scored++;
            }
            logProbPerToken += c.Tokens > 0 ? c.LogProb / c.Tokens : 0;
            tokens += c.Tokens;
        }
        int modal = counts.Count == 0 ? 0 : counts.Values.Max();
        double meanScore = scored == 0 ? 0 : scoreSum / scored;
        double spread = scored == 0 ? 0 : Math.Sqrt(Math.Max(0, scoreSquares / scored - meanScore * meanScore));
        return new DifficultyFeatures((double)modal / n, counts.Count, meanScore, spread, logProbPerToken / n, tokens / n, promptTokens);
    }
}
