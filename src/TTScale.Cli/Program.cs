using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Globalization;
using TTScale.Cli;

// Figures print the same under every locale. Globalization itself stays on: without ICU, string.Normalize does nothing,
// and tokenizers with a Unicode normalizer (Qwen2's NFC) would tokenize unnormalized text.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;

// A plain command with RootCommand's help and version options: RootCommand takes its name, which the usage lines show,
// from the program's file (TTScale.Cli), not the name users know it by.
var root = new Command("ttscale", "TTScale: test-time compute strategies, scaling curves and budget allocation for ONNX language models.")
{
    Options = { new HelpOption(), new VersionOption() },
};
root.Subcommands.Add(DataCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(SweepCommand.Create());
root.Subcommands.Add(FitCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(PolicyCommand.Create());
root.Subcommands.Add(ReportCommand.Create(new FitReportInput(), new PolicyReportInput()));
// Errors are ours to report (one line each, exit code 2), not System.CommandLine's help page or stack trace.
if (args.Length == 0)
{
    root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = Console.Error }); // no command: the overview, as an error
    return CliErrors.UserError;
}
var parsed = root.Parse(args);
if (parsed.Action is ParseErrorAction) return CliErrors.ParseFailed(parsed);
if (CliErrors.DecimalComma(parsed) is string comma)
{
    Console.Error.WriteLine($"error: {comma}");
    return CliErrors.UserError;
}
return CliErrors.Run(() => parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
