using System.Text.RegularExpressions;

namespace TTScale.Tasks;

/// <summary>How a dataset writes its final answers, and so how to find one in a completion.</summary>
public enum AnswerFormat
{
    /// <summary>ArithChain's <c>A: n</c> line.</summary>
    ArithChain,
    /// <summary>GSM8K's <c>#### n</c>; failing that, the last <c>\boxed{}</c> (as instruct models write it), "the answer is n", then the last number.</summary>
    Gsm8k,
    /// <summary>The last <c>\boxed{...}</c> (MATH).</summary>
    Boxed,
    /// <summary>A multiple-choice letter A-E.</summary>
    Choice,
    /// <summary>The whole completion, trimmed.</summary>
    Plain,
}

/// <summary>Finds the final answer in a completion; null where there is none.</summary>
public static partial class AnswerExtractor
{
    /// <summary>The answer in <paramref name="completion"/> (as written; compare with <see cref="AnswerNormalizer"/>).</summary>
    public static string? Extract(string completion, AnswerFormat format) => format switch
    {
        AnswerFormat.ArithChain => ArithAnswer.Extract(completion)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnswerFormat.Gsm8k => Gsm8k(completion),
        AnswerFormat.Boxed => LastBoxed(completion),
        AnswerFormat.Choice => Choice(completion),
        _ => string.IsNullOrWhiteSpace(completion) ? null : completion.Trim(),
    };

    /// <summary>
    /// True when <paramref name="step"/> holds the format's final-answer line (ArithChain's <c>A: n</c>, GSM8K's <c>#### n</c>),
    /// after which the format writes nothing: a step search can finish the solution there instead of spending a round on
    /// the end-of-sequence token. Formats without such a line (boxed, choice, plain) finish only at end of sequence.
    /// </summary>
    public static bool IsFinalStep(string step, AnswerFormat format) => format switch
    {
        AnswerFormat.ArithChain => ArithAnswer.Extract(step) is not null,
        AnswerFormat.Gsm8k => HashesPattern().IsMatch(step),
        _ => false,
    };

    /// <summary>The contents of the last <c>\boxed{...}</c> or <c>\fbox{...}</c>, nested braces matched.</summary>
    public static string? LastBoxed(string text)
    {
        int start = Math.Max(text.LastIndexOf("\\boxed{", StringComparison.Ordinal), text.LastIndexOf("\\fbox{", StringComparison.Ordinal));
        if (start < 0) return null;
        int open = text.IndexOf('{', start), depth = 0;
        for (int i = open; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return text[(open + 1)..i].Trim();
        }
        return null; // unclosed: the completion was cut off
    }

    private static string? Gsm8k(string text)
    {
        var marked = HashesPattern().Matches(text);
        if (marked.Count > 0) return marked[^1].Groups["answer"].Value.Trim();
        if (LastBoxed(text) is string boxed) return boxed;
        var stated = AnswerIsPattern().Matches(text);
        if (stated.Count > 0) return stated[^1].Groups["number"].Value;
        var numbers = NumberPattern().Matches(text);
        return numbers.Count > 0 ? numbers[^1].Value.TrimEnd('.', ',') : null; // "$1,600, all told"
    }

    private static string? Choice(string text)
    {
        var stated = ChoiceStatedPattern().Matches(text);
        if (stated.Count > 0) return stated[^1].Groups["letter"].Value.ToUpperInvariant();
        var lone = LoneLetterPattern().Matches(text);
        return lone.Count > 0 ? lone[^1].Groups["letter"].Value.ToUpperInvariant() : null;
    }

    [GeneratedRegex(@"####\s*(?<answer>[^\n]+)")]
    private static partial Regex HashesPattern();

    [GeneratedRegex(@"answer is:?\s*(?<number>-?\$?-?[0-9,]*\.?[0-9]+)", RegexOptions.IgnoreCase)] // ASCII digits: the parsers read no others
    private static partial Regex AnswerIsPattern();

    [GeneratedRegex(@"-?[0-9][0-9,]*\.?[0-9]*|-?\.[0-9]+")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"answer is:?\s*\(?(?<letter>[A-Ea-e])\)?", RegexOptions.IgnoreCase)]
    private static partial Regex ChoiceStatedPattern();

    [GeneratedRegex(@"(?:^|[\s(])(?<letter>[A-E])(?:[).:]|$)", RegexOptions.Multiline)]
    private static partial Regex LoneLetterPattern();
}
