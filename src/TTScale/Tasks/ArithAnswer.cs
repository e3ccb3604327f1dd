using System.Globalization;
using System.Text.RegularExpressions;

namespace TTScale.Tasks;

/// <summary>Exact answer extraction and grading for ArithChain.</summary>
public static partial class ArithAnswer
{
    /// <summary>
    /// The integer on the last answer line (<c>A: 186</c>) of a completion, or null where there is none.
    /// Only a whole line counts: <c>A: 18</c> cut off before its newline is still read, but <c>A: 1x</c> is not.
    /// </summary>
    public static int? Extract(string completion)
    {
        var matches = AnswerLinePattern().Matches(completion);
        if (matches.Count == 0) return null;
        return int.TryParse(matches[^1].Groups["value"].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
            ? value : null;
    }

    /// <summary>True when the completion's extracted answer equals the problem's answer.</summary>
    public static bool IsCorrect(ArithProblem problem, string completion) => Extract(completion) == problem.Answer;

    [GeneratedRegex(@"^A: (?<value>-?[0-9]{1,9})$", RegexOptions.Multiline)]
    private static partial Regex AnswerLinePattern();
}
