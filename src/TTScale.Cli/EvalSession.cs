using System.Globalization;
using Spectre.Console;
using TTScale.Evaluation;
using TTScale.Strategies;
using TTScale.Tasks;

namespace TTScale.Cli;

/// <summary>What one run of a strategy over problems produced.</summary>
/// <param name="Records">Every record: resumed ones first, then new ones as they finished.</param>
/// <param name="WallSeconds">Wall time of this invocation (resumed problems cost none).</param>
/// <param name="Interrupted">Ctrl+C stopped it; the records written so far are kept.</param>
internal sealed record EvalRun(IReadOnlyList<EvalRecord> Records, double WallSeconds, bool Interrupted);

/// <summary>
/// Runs a strategy over problems for eval and sweep: resumes from the output file (problems already recorded are
/// skipped), appends each record as it finishes, shows progress on stderr, and stops cleanly on Ctrl+C.
/// </summary>
internal static class EvalSession
{
    /// <param name="stamp">The run's settings as each record keeps them (<see cref="RunSettings.RunStamp"/>); a resume checks them.</param>
    public static async Task<EvalRun> RunAsync(IReadOnlyList<Problem> problems, IStrategy solver, RunSettings settings, IReadOnlyDictionary<string, object> stamp,
        string? outputPath, CancellationToken cancellationToken, string? label = null)
    {
        using var output = outputPath is null ? null : EvalOutput.Open(outputPath, solver.Name, solver.Parameters, stamp);
        var records = new List<EvalRecord>();
        var todo = new List<Problem>();
        foreach (var problem in problems)
        {
            if (output?.Existing.TryGetValue(problem.Id, out var done) == true)
            {
                // The file records a problem's seed and answer: a rerun with another --seed or dataset must not mix in.
                if (done.Seed != EvalRunner.ProblemSeed(settings.Seed, problem.Id) || done.GoldAnswer != problem.Answer || done.Level != problem.Level)
                    throw new CliException($"{outputPath}: problem {problem.Id} was run with another --seed or dataset (its record has seed {done.Seed}, " +
                        $"answer {done.GoldAnswer}); use another --out");
                records.Add(done);
            }
            else todo.Add(problem);
        }
        // Problems of another dataset share no id with this one, so the checks above never meet them.
        if (records.Count == 0 && output?.Existing.Count > 0)
            throw new CliException($"{outputPath}: holds {output.Existing.Count} record(s), none of a problem in this dataset " +
                $"(the first is {output.Existing.Keys.First()}): it was run on another dataset; use another --out");
        if (records.Count > 0) Console.Error.WriteLine($"resuming {outputPath}: {records.Count} of {problems.Count} problems already done");

        var started = System.Diagnostics.Stopwatch.StartNew();
        if (solver is IPlannedStrategy { Plans: true } && todo.Count > 0) Console.Error.WriteLine($"{solver.Name}: planning over all {problems.Count} problems first");
        try
        {
            await WithProgressAsync(label, todo.Count, records.Count(r => r.Correct), records.Count, async progress =>
                await EvalRunner.RunAsync(todo, solver, settings.Seed, settings.Concurrency, settings.Hardware, solved =>
                {
                    var record = solved with { Run = stamp };
                    output?.Append(record);
                    records.Add(record);
                }, progress, cancellationToken, planOver: problems));
        }
        catch (ArgumentException e) when (solver is IPlannedStrategy { Plans: true })
        {
            throw CliErrors.FromArgument(e); // the plan's own checks (a budget too small for the set)
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"interrupted: {records.Count} of {problems.Count} problems done{(outputPath is null ? "" : "; rerun the same command to resume")}");
            return new EvalRun(records, started.Elapsed.TotalSeconds, Interrupted: true);
        }
        return new EvalRun(records, started.Elapsed.TotalSeconds, Interrupted: false);
    }

    /// <summary>A live progress bar on an interactive terminal; otherwise a plain line every tenth of the way.</summary>
    private static async Task WithProgressAsync(string? label, int total, int correctBefore, int doneBefore, Func<IProgress<EvalProgress>, Task> run)
    {
        string prefix = label is null ? "" : label + ": ";
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        string Describe(EvalProgress p) => string.Create(CultureInfo.InvariantCulture,
            $"acc {(double)(p.Correct + correctBefore) / Math.Max(1, p.Done + doneBefore):P1}, {p.GeneratedTokens / Math.Max(p.Elapsed.TotalSeconds, 1e-9):F0} tok/s");
        if (!console.Profile.Capabilities.Interactive)
        {
            int step = Math.Max(1, total / 10);
            await run(new Progress(p =>
            {
                if (p.Done % step == 0 || p.Done == p.Total)
                    Console.Error.WriteLine($"{prefix}{p.Done}/{p.Total} problems, {Describe(p)}, {p.Elapsed.TotalSeconds:F0} s");
            }));
            return;
        }
        await console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(label ?? "problems", maxValue: Math.Max(total, 1));
                await run(new Progress(p =>
                {
                    task.Value = p.Done;
                    task.Description = $"{prefix}{p.Done}/{p.Total} problems, {Describe(p)}";
                }));
            });
    }

    private sealed class Progress(Action<EvalProgress> report) : IProgress<EvalProgress>
    {
        public void Report(EvalProgress value) => report(value);
    }
}
