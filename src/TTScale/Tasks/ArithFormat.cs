using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace TTScale.Tasks;

/// <summary>
/// The ArithChain text formats, all in one place. Every model, dataset and checker reads and writes these.
/// <code>
/// prompt      Q: 47 +28 -13 x3\n              start value, then each operation, applied left to right
/// solution    47+28=75\n75-13=62\n62x3=186\n  one step per line: value, operator, operand, '=', result
///             A: 186\n                         the final answer line, then end-of-sequence
/// revision    prompt + (attempt + "R:\n") for each of the last previous attempts, then the new attempt
/// </code>
/// The step delimiter is the newline: a step ends at each <c>\n</c>, the answer line included.
/// </summary>
public static partial class ArithFormat
{
    /// <summary>The step delimiter: each step, and the answer line, ends with it.</summary>
    public const string StepDelimiter = "\n";

    /// <summary>Starts the final answer line.</summary>
    public const string AnswerPrefix = "A: ";

    /// <summary>Ends each previous attempt inside a revision prompt.</summary>
    public const string RevisionSeparator = "R:\n";

    /// <summary>Revision prompts hold at most this many previous attempts.</summary>
    public const int MaxPreviousAttempts = 4;

    /// <summary>Revision prompts keep at least this many previous attempts (when there are that many) while they fit the context, even where the new attempt then gets less room.</summary>
    public const int MinPreviousAttempts = 2;

    /// <summary>The prompt of a problem.</summary>
    public static string Prompt(ArithProblem problem)
    {
        var text = new StringBuilder("Q: ").Append(problem.Start.ToString(CultureInfo.InvariantCulture));
        foreach (var operation in problem.Operations) text.Append(' ').Append(operation.ToString());
        return text.Append('\n').ToString();
    }

    /// <summary>One step line, e.g. <c>47+28=75\n</c>.</summary>
    public static string Step(int value, ArithOperation operation) => Step(value, operation, operation.Apply(value));

    /// <summary>One step line with the result as written, right or not (a slip: <c>47+28=76\n</c>).</summary>
    public static string Step(int value, ArithOperation operation, int result) =>
        string.Create(CultureInfo.InvariantCulture, $"{value}{operation.Op}{operation.Operand}={result}\n");

    /// <summary>The answer line, e.g. <c>A: 186\n</c>.</summary>
    public static string AnswerLine(int answer) => string.Create(CultureInfo.InvariantCulture, $"{AnswerPrefix}{answer}\n");

    /// <summary>The reference solution of a problem.</summary>
    public static string Solution(ArithProblem problem)
    {
        var text = new StringBuilder();
        var values = problem.Values;
        for (int i = 0; i < problem.Operations.Count; i++) text.Append(Step(values[i], problem.Operations[i]));
        return text.Append(AnswerLine(problem.Answer)).ToString();
    }

    /// <summary>
    /// The revision prompt: the problem's prompt, then the last previous attempts (oldest first), each followed
    /// by <see cref="RevisionSeparator"/>, as many as <see cref="FitRevision"/> keeps.
    /// </summary>
    /// <param name="prompt">The problem's prompt.</param>
    /// <param name="previousAttempts">Earlier attempts, oldest first, as generated (without end-of-sequence).</param>
    /// <param name="countTokens">Counts the tokens of a text under the model's tokenizer.</param>
    /// <param name="contextTokens">The model's context length.</param>
    /// <param name="reserveTokens">Tokens to leave free for the new attempt.</param>
    public static string RevisionPrompt(string prompt, IReadOnlyList<string> previousAttempts,
        Func<string, int>? countTokens = null, int contextTokens = int.MaxValue, int reserveTokens = 0) =>
        FitRevision(previousAttempts, kept =>
        {
            var text = new StringBuilder(prompt);
            foreach (string attempt in kept)
            {
                text.Append(attempt);
                if (attempt.Length > 0 && !attempt.EndsWith('\n')) text.Append('\n');
                text.Append(RevisionSeparator);
            }
            return text.ToString();
        }, countTokens, contextTokens, reserveTokens);

    /// <summary>
    /// Which earlier attempts a revision sees, whatever writes them out (this format, or a chat model's turns): the last
    /// <see cref="MaxPreviousAttempts"/>, then fewer, dropping the oldest, while the text plus <paramref name="reserveTokens"/>
    /// exceeds <paramref name="contextTokens"/>, but never below <see cref="MinPreviousAttempts"/> while the text itself
    /// fits (the new attempt then gets less room than it asked for). Below that, only what a model can hold.
    /// </summary>
    /// <param name="previousAttempts">Earlier attempts, oldest first.</param>
    /// <param name="render">The revision text for the attempts kept, oldest first.</param>
    /// <param name="countTokens">Counts the tokens of a text under the model's tokenizer; null: keep the last <see cref="MaxPreviousAttempts"/>.</param>
    /// <param name="contextTokens">The model's context length.</param>
    /// <param name="reserveTokens">Tokens to leave free for the new attempt.</param>
    public static string FitRevision(IReadOnlyList<string> previousAttempts, Func<IReadOnlyList<string>, string> render,
        Func<string, int>? countTokens = null, int contextTokens = int.MaxValue, int reserveTokens = 0)
    {
        for (int keep = Math.Min(MaxPreviousAttempts, previousAttempts.Count); ; keep--)
        {
            string text = render(previousAttempts.Skip(previousAttempts.Count - keep).ToArray());
            if (countTokens is null || keep == 0) return text;
            int tokens = countTokens(text);
            if (tokens + reserveTokens <= contextTokens || (keep <= MinPreviousAttempts && tokens < contextTokens)) return text;
        }
    }

    /// <summary>Whether <paramref name="prompt"/> is an ArithChain prompt.</summary>
    public static bool IsPrompt(string prompt) => PromptPattern().IsMatch(prompt);

    /// <summary>The most digits a prompt's numbers, and every running value of its solution, may have: what the step checker and the answer line read.</summary>
    public const int MaxDigits = 9;

    private const long LargestValue = 999_999_999; // MaxDigits nines

    /// <summary>Reads a problem back from its prompt.</summary>
    /// <exception cref="FormatException">The text is not an ArithChain prompt, or a running value of its solution has more than <see cref="MaxDigits"/> digits.</exception>
    public static ArithProblem ParsePrompt(string prompt, int level = 0)
    {
        var match = PromptPattern().Match(prompt);
        if (!match.Success) throw new FormatException($"not an ArithChain prompt: '{prompt.TrimEnd()}'");
        var operations = match.Groups["op"].Captures
            .Select(c => new ArithOperation(c.Value[0], int.Parse(c.Value.AsSpan(1), CultureInfo.InvariantCulture)))
            .ToArray();
        int start = int.Parse(match.Groups["start"].Value, CultureInfo.InvariantCulture);
        // A larger value overflowed int (a wrong answer) or could not be read back from a right step, so a right solution was labelled wrong.
        long value = start;
        foreach (var operation in operations)
            if (Math.Abs(value = operation.Apply(value)) > LargestValue)
                throw new FormatException($"'{prompt.TrimEnd()}': its solution reaches {value}, more than {MaxDigits} digits");
        return new ArithProblem(start, operations, level);
    }

    [GeneratedRegex(@"^Q: (?<start>[0-9]{1,9})(?: (?<op>[+\-x][0-9]{1,9}))+\n?$")]
    private static partial Regex PromptPattern();
}
