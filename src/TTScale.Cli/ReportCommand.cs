using System.CommandLine;
using TTScale.Reporting.Figures;
using TTScale.Reporting.Model;
using TTScale.Reporting.Writing;

namespace TTScale.Cli;

/// <summary>
/// <c>ttscale report</c>: a sweep folder (with its fit and policy, where given) as a self-contained HTML page and as
/// Markdown with PNG figures. <paramref name="fitReader"/> and <paramref name="policyReader"/> read <c>--fit</c> and
/// <c>--policy</c> into the report model, <see cref="AdaptiveReportInput"/> each <c>--adaptive</c> run; every file is also
/// named, with its hash, in the provenance.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(IReportInput fitReader, IReportInput policyReader)
    {
        var sweep = new Argument<string>("sweep") { Description = "The sweep folder (made by ttscale sweep)." };
        var fit = new Option<string?>("--fit") { Description = "Scaling fits (fit.json from ttscale fit): fitted curves, saturation points, replayed best-of-N." };
        var policy = new Option<string?>("--policy") { Description = "Allocation policy (policy.json): compute-optimal table and the adaptive comparison." };
        var adaptive = new Option<string[]>("--adaptive")
        {
            Description = "Records of adaptive runs on the sweep's problems (ttscale eval --strategy adaptive, one file per budget): measured points of the adaptive figure.",
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string?>("--out") { Description = "Output folder for index.html, report.md and figures/ (default: SWEEP/report)." };
        var axis = new Option<string>("--axis") { Description = $"Compute axis: {string.Join(", ", ComputeAxes.Names)}.", DefaultValueFactory = _ => "flops" };
        var command = new Command("report", "Render a scaling study as a self-contained HTML page with plots, and as Markdown.") { sweep, fit, policy, adaptive, output, axis };
        command.SetAction(result =>
        {
            string axisText = result.GetValue(axis)!;
            var computeAxis = ComputeAxes.Parse(axisText)
                ?? throw new CliException($"--axis '{axisText}': use one of {string.Join(", ", ComputeAxes.Names)}");
            string folder = result.GetValue(sweep)!;
            string? fitPath = result.GetValue(fit), policyPath = result.GetValue(policy);
            string[] adaptivePaths = result.GetValue(adaptive) ?? [];
            foreach (var (option, path) in new[] { ("--fit", fitPath), ("--policy", policyPath) }.Concat(adaptivePaths.Select(p => ("--adaptive", (string?)p))))
                if (path is not null && !File.Exists(path)) throw new CliException($"{option} {path}: file not found");

            var sweepFolder = SweepFolder.Read(folder);
            var fitReport = fitPath is null ? null : FitCommand.ReadFile(fitPath);
            var data = SweepReportReader.Read(sweepFolder, computeAxis, CliFiles.Version, DateTimeOffset.UtcNow, fitReport, fitPath);
            data = Add(data, "Fit", fitPath, fitReader);
            data = Add(data, "Policy", policyPath, policyReader);
            var adaptiveReader = new AdaptiveReportInput(sweepFolder);
            foreach (string path in adaptivePaths) data = Add(data, "Adaptive run", path, adaptiveReader);

            string target = result.GetValue(output) ?? Path.Combine(folder, "report");
            var document = new ReportComposer(new ScottPlotFigureRenderer()).Compose(data);
            CliFiles.CreateFolder(target);
            var written = ReportOutput.Write(target, document);
            Console.Out.WriteLine($"report written to {written[0]} and {written[1]} ({written.Count - 2} figures)");
            return 0;
        });
        return command;
    }

    /// <summary>Names the file in the provenance (with its hash) and reads it in.</summary>
    private static ScalingReportData Add(ScalingReportData data, string name, string? path, IReportInput reader)
    {
        if (path is null) return data;
        return reader.Apply(data.WithProvenance($"{name} file", $"{Path.GetFullPath(path)} (sha256 {CliFiles.Sha256(path)})"), path);
    }
}
