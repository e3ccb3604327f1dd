namespace TTScale.Scaling;

/// <summary>One of a problem's K pooled samples.</summary>
/// <param name="AnswerKey">The normalised answer (<see cref="TTScale.Tasks.AnswerNormalizer"/>); empty where there is none.</param>
/// <param name="Correct">Whether the sample is right.</param>
/// <param name="Score">The aggregated verifier (PRM) score; null where it was not scored.</param>
/// <param name="Tokens">Tokens generated for it.</param>
public sealed record PoolSample(string AnswerKey, bool Correct, float? Score, int Tokens);
