using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using TTScale.Randomness;
using TTScale.Tasks;

namespace TTScale.Cli;

/// <summary>
/// <c>ttscale data</c>: writes ArithChain problems, and turns a model's sampled attempts into step labels and
/// revision examples. The training pipeline calls these, so the task lives in one place: this code.
/// </summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Generate datasets and label sampled attempts.");
        data.Subcommands.Add(Arith());
        data.Subcommands.Add(Label());
        data.Subcommands.Add(Revisions());
        data.Subcommands.Add(RevisionPrompts());
        return data;
    }

    private static Command Arith()
    {
        var count = new Option<int>("--count") { Description = "Number of problems.", DefaultValueFactory = _ => 100 };
        var seed = new Option<long>("--seed") { Description = "Seed: (seed, index) fixes each problem.", DefaultValueFactory = _ => 1 };
        var levels = new Option<string>("--levels") { Description = "Levels to cycle through, e.g. 1-5 or 1,3-4.", DefaultValueFactory = _ => "1-5" };
        var output = new Option<string?>("--out") { Description = "Output JSONL file (default: standard output)." };
        var revisions = new Option<bool>("--revisions") { Description = "Add a synthetic revision example (1-4 corrupted attempts, then the solution) to each problem." };
        var slips = new Option<bool>("--slips") { Description = "Add 'slip': the solution with its first result one too high and the later steps carried on from it (does a verifier check arithmetic?)." };
        var command = new Command("arith", "Write ArithChain problems with reference solutions as JSONL.") { count, seed, levels, output, revisions, slips };
        command.SetAction(result =>
        {
            int n = result.GetValue(count);
            if (n < 0) throw new CliException("--count must be zero or more");
            long s = result.GetValue(seed);
            var levelList = ParseLevelsOption(result.GetValue(levels)!);
            bool withRevisions = result.GetValue(revisions), withSlips = result.GetValue(slips);
            var records = ArithChainGenerator.Generate(s, n, levelList).Select((problem, index) =>
            {
                RevisionExample? revision = null;
                if (withRevisions)
                {
                    // A stream apart from the one that drew the problem, so --revisions never changes the problems.
                    var rng = SplitMix64.ForStream(~s, index);
                    revision = ArithRevisionExamples.Synthetic(problem, ref rng);
                }
                return new ArithRecord(ProblemId(s, index), s, index, problem.Level, problem.Prompt, problem.Solution,
                    problem.Answer.ToString(CultureInfo.InvariantCulture), "arithchain", revision, withSlips ? problem.SolutionWithSlip(0, 1) : null);
            });
            Jsonl.Write(result.GetValue(output), records);
            return 0;
        });
        return command;
    }

    private static Command Label()
    {
        var input = new Option<string>("--in") { Description = "Samples JSONL: objects with 'prompt' and 'completions' (a list of strings).", Required = true };
        var output = new Option<string?>("--out") { Description = "Output JSONL file (default: standard output)." };
        var command = new Command("label", "Grade sampled completions with the exact ArithChain step checker: per-step and final-answer labels.") { input, output };
        command.SetAction(result =>
        {
            string path = result.GetValue(input)!;
            var records = ReadSamples(path).Select(sample => new LabelledSample(sample.Id, sample.Problem.Prompt,
                sample.Problem.Answer.ToString(CultureInfo.InvariantCulture),
                sample.Completions.Select(text => LabelCompletion(sample.Problem, text)).ToList())).ToList();
            Jsonl.Write(result.GetValue(output), records);
            return 0;
        });
        return command;
    }

    private static Command Revisions()
    {
        var input = new Option<string>("--in") { Description = "Samples JSONL: objects with 'prompt' and 'completions' (a model's own attempts).", Required = true };
        var output = new Option<string?>("--out") { Description = "Output JSONL file (default: standard output)." };
        var perProblem = new Option<int>("--per-problem") { Description = "Revision examples per problem.", DefaultValueFactory = _ => 2 };
        var seed = new Option<long>("--seed") { Description = "Seed for choosing which attempts go in context.", DefaultValueFactory = _ => 1 };
        var context = ContextOption();
        var command = new Command("revisions", "Build on-policy revision examples: a model's own attempts, right and wrong, in context, then the correct solution.") { input, output, perProblem, seed, context };
        command.SetAction(result =>
        {
            string path = result.GetValue(input)!;
            int k = result.GetValue(perProblem);
            if (k < 1) throw new CliException("--per-problem must be at least 1");
            long s = result.GetValue(seed);
            int contextTokens = ContextTokens(result.GetValue(context));
            var records = ReadSamples(path).SelectMany(sample =>
            {
                var rng = SplitMix64.ForStream(s, sample.Line);
                return ArithRevisionExamples.FromAttempts(sample.Problem, sample.Completions, k, ref rng, CharTokens, contextTokens)
                    .Select(example => new RevisionRecord(sample.Id, example.Prompt, example.Solution, example.PreviousAttempts));
            }).ToList();
            Jsonl.Write(result.GetValue(output), records);
            return 0;
        });
        return command;
    }

    private static Command RevisionPrompts()
    {
        var input = new Option<string>("--in") { Description = "JSONL: objects with 'prompt' and 'completions' (the previous attempts, oldest first).", Required = true };
        var output = new Option<string?>("--out") { Description = "Output JSONL file (default: standard output)." };
        var context = ContextOption();
        var reserve = new Option<int>("--reserve") { Description = "Tokens to leave free for the new attempt.", DefaultValueFactory = _ => 128 };
        var command = new Command("revision-prompts", "Write the revision prompt for each record's previous attempts (the last 4 that fit the context, at least 2 while they fit it themselves).") { input, output, context, reserve };
        command.SetAction(result =>
        {
            int contextTokens = ContextTokens(result.GetValue(context)), reserveTokens = result.GetValue(reserve);
            if (reserveTokens < 0) throw new CliException("--reserve must be zero or more");
            var records = ReadSamples(result.GetValue(input)!).Select(sample => new PromptRecord(sample.Id,
                ArithFormat.RevisionPrompt(sample.Problem.Prompt, sample.Completions, CharTokens, contextTokens, reserveTokens))).ToList();
            Jsonl.Write(result.GetValue(output), records);
            return 0;
        });
        return command;
    }

    private static Option<int> ContextOption() =>
        new("--context") { Description = "Context length in tokens of the model the prompts are for.", DefaultValueFactory = _ => 512 };

    /// <summary>--context checked: below 1 every attempt was dropped, and the examples were written without a word.</summary>
    private static int ContextTokens(int tokens) => tokens >= 1 ? tokens : throw new CliException("--context must be at least 1");

    /// <summary>Token count under the demo models' character-level vocabulary: one per character, plus the BOS token.</summary>
    private static int CharTokens(string text) => text.Length + 1;

    private static IReadOnlyList<int> ParseLevelsOption(string text)
    {
        try
        {
            return ArithChainGenerator.ParseLevels(text);
        }
        catch (FormatException e)
        {
            throw new CliException($"--levels: {e.Message}");
        }
    }

    private static string ProblemId(long seed, int index) => string.Create(CultureInfo.InvariantCulture, $"arith-s{seed}-{index}");

    private sealed record Sample(int Line, string? Id, ArithProblem Problem, IReadOnlyList<string> Completions);

    private static IEnumerable<Sample> ReadSamples(string path)
    {
        bool any = false;
        foreach (var (line, record) in Jsonl.Read(path))
        {
            any = true;
            string prompt = Jsonl.RequireString(record, "prompt", path, line);
            ArithProblem problem;
            try
            {
                var given = record["level"];
                int level = given is null ? 0 : given is JsonValue v && v.TryGetValue(out int l) ? l
                    : throw new FormatException($"'level' must be an integer, not {given.ToJsonString()}");
                problem = ArithFormat.ParsePrompt(prompt, level);
            }
            catch (FormatException e)
            {
                throw new CliException($"{path}:{line}: {e.Message}");
            }
            if (record["completions"] is not JsonArray completions || completions.Any(c => c is not JsonValue v || !v.TryGetValue(out string? _)))
                throw new CliException($"{path}:{line}: field 'completions' must be a list of strings");
            yield return new Sample(line, record["id"]?.ToString(), problem, completions.Select(c => c!.GetValue<string>()).ToList());
        }
        // As eval refuses an empty dataset: an empty file is a step upstream that wrote nothing, not an empty result.
        if (!any) throw new CliException($"{path}: no samples; give the JSONL of sampled completions, one problem a line");
    }

    private static LabelledCompletion LabelCompletion(ArithProblem problem, string text)
    {
        var steps = ArithStepChecker.Check(problem, text);
        int? answer = ArithAnswer.Extract(text);
        return new LabelledCompletion(text, answer?.ToString(CultureInfo.InvariantCulture), answer == problem.Answer,
            steps.Select(v => new LabelledStep(v.End, v.IsAnswer, v.Correct, v.PrefixCorrect)).ToList());
    }

    /// <summary>A problem as <c>data arith</c> writes it; <c>format</c> makes eval grade it as ArithChain (the answer line), as generated.</summary>
    private sealed record ArithRecord(string Id, long Seed, int Index, int Level, string Prompt, string Solution, string Answer, string Format, RevisionExample? Revision, string? Slip);
    private sealed record PromptRecord(string? Id, string Prompt);
    private sealed record RevisionRecord(string? Id, string Prompt, string Solution, int PreviousAttempts);
    private sealed record LabelledSample(string? Id, string Prompt, string Answer, IReadOnlyList<LabelledCompletion> Completions);
    private sealed record LabelledCompletion(string Text, string? Answer, bool Correct, IReadOnlyList<LabelledStep> Steps);
    private sealed record LabelledStep(int End, bool IsAnswer, bool Correct, bool PrefixCorrect);
}
