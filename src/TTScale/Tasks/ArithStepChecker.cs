using System.Globalization;
using System.Text.RegularExpressions;

namespace TTScale.Tasks;

/// <summary>The verdict on one step (one line) of a completion.</summary>
/// <param name="Index">Step number, from 0.</param>
/// <param name="End">Character offset just past the step's delimiter (or the text's end for an unfinished last line).</param>
/// <param name="IsAnswer">True for the final answer line.</param>
/// <param name="Correct">The step alone is right: well-formed, starts from the previous step's written result, applies the problem's
/// operation for this position, and its arithmetic holds; an answer line is right when it repeats the last step's result.</param>
/// <param name="PrefixCorrect">This step and every step before it are right: the solution is still correct here.</param>
public readonly record struct StepVerdict(int Index, int End, bool IsAnswer, bool Correct, bool PrefixCorrect);

/// <summary>
/// The exact step checker for ArithChain: the oracle process verifier. Step i is right when it is arithmetically
/// right and consistent with step i-1 (it starts from step i-1's result, or the start value for step 0).
/// </summary>
public static partial class ArithStepChecker
{
    /// <summary>Checks every line of a completion against a problem.</summary>
    public static IReadOnlyList<StepVerdict> Check(ArithProblem problem, string completion)
    {
        var verdicts = new List<StepVerdict>();
        int? previous = problem.Start;
        bool prefix = true, answered = false;
        int position = 0;
        while (position < completion.Length)
        {
            int newline = completion.IndexOf('\n', position);
            int end = newline < 0 ? completion.Length : newline + 1;
            string line = completion[position..(newline < 0 ? completion.Length : newline)];
            int index = verdicts.Count;
            bool isAnswer = line.StartsWith(ArithFormat.AnswerPrefix, StringComparison.Ordinal);
            bool correct;
            if (isAnswer)
            {
                // The answer line must close a complete, right chain and repeat its last result.
                correct = !answered && index == problem.Operations.Count && ArithAnswer.Extract(line) is int answer && answer == previous;
                answered = true;
            }
            else
            {
                correct = !answered && index < problem.Operations.Count && IsRightStep(line, previous, problem.Operations[index], out previous);
            }
            prefix &= correct;
            verdicts.Add(new StepVerdict(index, end, isAnswer, correct, prefix));
            position = end;
        }
        return verdicts;
    }

    /// <summary>True when every step is right and the completion ends with the right answer line.</summary>
    public static bool IsFullyCorrect(ArithProblem problem, string completion)
    {
        var verdicts = Check(problem, completion);
        return verdicts.Count > 0 && verdicts[^1].IsAnswer && verdicts[^1].PrefixCorrect;
    }

    private static bool IsRightStep(string line, int? expectedInput, ArithOperation expected, out int? result)
    {
        result = null;
        var match = StepPattern().Match(line);
        if (!match.Success) return false;
        int input = int.Parse(match.Groups["a"].Value, CultureInfo.InvariantCulture);
        int operand = int.Parse(match.Groups["b"].Value, CultureInfo.InvariantCulture);
        int written = int.Parse(match.Groups["c"].Value, CultureInfo.InvariantCulture);
        result = written; // the next step must continue from what was written, right or wrong
        var operation = new ArithOperation(match.Groups["op"].Value[0], operand);
        return input == expectedInput && operation == expected && operation.Apply((long)input) == written;
    }

    // As many digits as a prompt's numbers and every running value may have (ArithFormat.MaxDigits).
    [GeneratedRegex(@"^(?<a>-?[0-9]{1,9})(?<op>[+\-x])(?<b>[0-9]{1,9})=(?<c>-?[0-9]{1,9})$")]
    private static partial Regex StepPattern();
}
