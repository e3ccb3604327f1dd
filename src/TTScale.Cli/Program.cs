using System.CommandLine;
using TTScale.Cli;

var root = new RootCommand("TTScale: test-time compute strategies, scaling curves and budget allocation for ONNX language models.");
root.Subcommands.Add(DataCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(SweepCommand.Create());
root.Subcommands.Add(FitCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(PolicyCommand.Create());
root.Subcommands.Add(ReportCommand.Create(new FitReportInput(), new PolicyReportInput()));
// Errors are ours to report (one line, exit code 2), not System.CommandLine's stack trace.
return CliErrors.Run(() => root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
