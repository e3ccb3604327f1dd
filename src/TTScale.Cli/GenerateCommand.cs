using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TTScale.Compute;
using TTScale.Generation;
using TTScale.Onnx;
using TTScale.Randomness;

namespace TTScale.Cli;

/// <summary>
/// <c>ttscale generate</c>: N samples for one prompt (prefilled once, then forked), with what they cost. Standard output
/// is fixed by the seed; wall time, which is not, goes to standard error.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Model directory (default: the demo model models/arith-lm)." };
        var prompt = new Option<string>("--prompt") { Description = "The prompt. \\n is read as a newline.", Required = true };
        var count = new Option<int>("-n", "--samples") { Description = "Number of samples.", DefaultValueFactory = _ => 1 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature; 0 is greedy.", DefaultValueFactory = _ => 0.8 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling mass (1 = off).", DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int>("--top-k") { Description = "Keep the K most likely tokens (0 = off)." };
        var minP = new Option<double>("--min-p") { Description = "Drop tokens below this share of the top token's probability (0 = off)." };
        var seed = new Option<long>("--seed") { Description = "Seed: sample i draws from a stream derived from (seed, i).", DefaultValueFactory = _ => 1 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens per sample.", DefaultValueFactory = _ => 256 };
        var stop = new Option<string[]>("--stop") { Description = "Stop a sample once its text contains this (repeatable; \\n is a newline).", AllowMultipleArgumentsPerToken = false };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var threads = ThreadsOption();
        var hardware = new Option<string>("--hardware") { Description = $"Hardware profile for eFLOPs: {string.Join(", ", HardwareProfile.All.Select(p => p.Name))}.", DefaultValueFactory = _ => "cpu-local" };
        var promptTemplate = PromptTemplateOption.Create();
        var systemPrompt = PromptTemplateOption.CreateSystemPrompt();
        var json = new Option<bool>("--json") { Description = "Print one JSON object with 'samples' and 'ledger'." };
        var command = new Command("generate", "Sample completions of a prompt and report the compute spent.")
            { model, prompt, count, temperature, topP, topK, minP, seed, maxTokens, stop, device, threads, hardware, promptTemplate, systemPrompt, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            int n = result.GetValue(count);
            if (n < 1) throw new CliException("-n must be 1 or more");
            var sampling = new SamplingOptions
            {
                Temperature = result.GetValue(temperature), TopP = result.GetValue(topP), TopK = result.GetValue(topK),
                MinP = result.GetValue(minP), MaxTokens = result.GetValue(maxTokens),
                StopStrings = [.. (result.GetValue(stop) ?? []).Select(Unescape)],
            };
            ValidateSampling(sampling);
            var profile = Hardware(result.GetValue(hardware)!);
            var executionDevice = Device(result.GetValue(device)!, result.GetValue(threads));
            string directory = result.GetValue(model) ?? ModelPaths.Demo("arith-lm");
            string text = Unescape(result.GetValue(prompt)!);
            long s = result.GetValue(seed);
            var template = PromptTemplateOption.Read(result.GetValue(promptTemplate), result.GetValue(systemPrompt), directory);

            using var generator = OnnxGenerator.Load(directory, new GeneratorOptions { Device = executionDevice, PromptTemplate = template });
            PromptTemplateOption.WarnIfChatModelRunsBare(generator);
            var ledger = new ComputeLedger();
            using var root = CliErrors.Checked(() => generator.Start(text, s), "--prompt");
            await generator.PrefillAsync([root], ledger, cancellationToken);
            var samples = Enumerable.Range(0, n).Select(i => root.Fork(SplitMix64.Derive(s, i))).ToList();
            var completions = await generator.GenerateAsync(samples, sampling, ledger, cancellationToken);
            foreach (var sample in samples) sample.Dispose();

            var report = ledger.Report(profile);
            if (result.GetValue(json)) PrintJson(directory, executionDevice, text, generator.PromptTemplate, s, completions, report);
            else PrintText(completions, report);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wall time {report.WallSeconds:F2} s, {report.GeneratedTokens / Math.Max(report.WallSeconds, 1e-9):F0} generated tokens/s on {executionDevice}"));
            return 0;
        });
        return command;
    }

    private static string Unescape(string text) => text.Replace("\\n", "\n", StringComparison.Ordinal);

    internal static void ValidateSampling(SamplingOptions sampling)
    {
        try
        {
            sampling.Validate();
        }
        catch (ArgumentException e)
        {
            string option = e.ParamName switch
            {
                nameof(SamplingOptions.Temperature) => "--temperature", nameof(SamplingOptions.TopP) => "--top-p",
                nameof(SamplingOptions.TopK) => "--top-k", nameof(SamplingOptions.MinP) => "--min-p",
                nameof(SamplingOptions.MaxTokens) => "--max-tokens", nameof(SamplingOptions.StopStrings) => "--stop", _ => e.ParamName ?? "an option",
            };
            throw CliErrors.FromArgument(e, option);
        }
    }

    internal static HardwareProfile Hardware(string name) => CliErrors.Checked(() => HardwareProfile.Get(name), "--hardware");

    /// <summary>--threads, shared by every command that loads a model.</summary>
    internal static Option<int> ThreadsOption() => new("--threads")
    {
        Description = "CPU threads each ONNX Runtime session uses inside an operator, 0 to 1024; 0 lets ONNX Runtime choose (one per physical core). " +
            "Where several problems run at once their passes already fill the cores, and 1 can be faster.",
    };

    /// <summary>The --device and --threads options as one execution device.</summary>
    internal static ExecutionDevice Device(string device, int threads) =>
        CliErrors.Checked(() => ExecutionDevice.Parse(device) with { IntraOpThreads = threads }, "--threads");

    private static void PrintText(IReadOnlyList<Completion> completions, LedgerReport report)
    {
        var output = Console.Out;
        for (int i = 0; i < completions.Count; i++)
        {
            var c = completions[i];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"--- sample {i + 1}: {c.Tokens.Count} tokens, stopped by {Reason(c.Reason)}, log-prob {c.LogProbs.Sum():F2}"));
            output.Write(c.Text);
            if (!c.Text.EndsWith('\n')) output.WriteLine();
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"""
            --- ledger
            tokens         {report.PromptTokens} prompt, {report.GeneratedTokens} generated, {report.ForwardPasses} forward passes
            FLOPs          {report.TotalFlops:0.000E+00}
            bytes moved    {report.BytesMoved:0.000E+00} (weights {report.WeightBytesRead:0.000E+00}, KV {report.KvBytesRead:0.000E+00})
            eFLOPs         {report.EFlops:0.000E+00} on {report.Hardware}
            peak KV        {report.PeakPhysicalKvBytes} bytes physical, {report.PeakLogicalKvBytes} bytes logical
            """));
    }

    private static void PrintJson(string directory, ExecutionDevice device, string prompt, PromptTemplate? template, long seed, IReadOnlyList<Completion> completions, LedgerReport report)
    {
        var ledger = JsonSerializer.SerializeToNode(report, Jsonl.Options)!.AsObject();
        ledger.Remove("wall_seconds"); // not fixed by the seed: printed on standard error instead
        var root = new JsonObject
        {
            ["model"] = Path.GetFullPath(directory),
            ["device"] = device.ToString(),
            ["prompt"] = prompt,
            ["prompt_template"] = template?.Text,
            ["seed"] = seed,
            ["samples"] = new JsonArray([.. completions.Select((c, i) => (JsonNode)new JsonObject
            {
                ["index"] = i,
                ["text"] = c.Text,
                ["tokens"] = c.Tokens.Count,
                ["finish_reason"] = Reason(c.Reason),
                ["log_prob"] = Math.Round(c.LogProbs.Sum(), 4),
            })]),
            ["ledger"] = ledger,
        };
        Console.Out.WriteLine(root.ToJsonString(new JsonSerializerOptions(Jsonl.Options) { WriteIndented = true }));
    }

    private static string Reason(FinishReason reason) => reason switch
    {
        FinishReason.Eos => "eos", FinishReason.Stop => "stop", FinishReason.MaxTokens => "max_tokens", _ => "context_full",
    };
}
