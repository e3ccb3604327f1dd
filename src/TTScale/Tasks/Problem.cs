namespace TTScale.Tasks;

/// <summary>One problem to solve: what the model sees, and the gold answer it is graded against.</summary>
/// <param name="Id">Stable identifier (resume and joins use it).</param>
/// <param name="Prompt">The text the model continues.</param>
/// <param name="Answer">The gold answer, as the dataset writes it.</param>
/// <param name="Format">How answers are written, and so how one is extracted from a completion.</param>
/// <param name="Level">Difficulty level where the dataset has one.</param>
public sealed record Problem(string Id, string Prompt, string Answer, AnswerFormat Format, int? Level = null)
{
    /// <summary>The answer in a completion, as written; null where there is none.</summary>
    public string? ExtractAnswer(string completion) => AnswerExtractor.Extract(completion, Format);

    /// <summary>True when a step of a solution is its final-answer line (see <see cref="AnswerExtractor.IsFinalStep"/>).</summary>
    public bool IsFinalStep(string step) => AnswerExtractor.IsFinalStep(step, Format);

    /// <summary>True when the completion's answer means the gold answer.</summary>
    public bool IsCorrect(string completion) => AnswerNormalizer.Equivalent(ExtractAnswer(completion), Answer);
}
