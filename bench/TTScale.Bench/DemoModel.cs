using TTScale.Onnx;
using TTScale.Tasks;

namespace TTScale.Bench;

/// <summary>The demo policy model and the prompts the benchmarks use.</summary>
internal static class DemoModel
{
    /// <summary>models/arith-lm, found above the working directory or the benchmark's own folder.</summary>
    public static string Directory { get; } = Find();

    /// <summary>Loads the demo model for a benchmark (one batch of up to 64 rows).</summary>
    public static OnnxGenerator Load() => OnnxGenerator.Load(Directory, new GeneratorOptions { MaxBatchRows = 64 });

    /// <summary>A level-3 ArithChain prompt.</summary>
    public static string Prompt { get; } = ArithChainGenerator.Generate(seed: 7, index: 0, level: 3).Prompt;

    /// <summary>A revision prompt with four previous attempts (about 230 tokens): where sharing the prefill matters.</summary>
    public static string LongPrompt { get; } = LongRevisionPrompt();

    private static string LongRevisionPrompt()
    {
        var problem = ArithChainGenerator.Generate(seed: 7, index: 4, level: 5);
        return ArithFormat.RevisionPrompt(problem.Prompt, Enumerable.Repeat(problem.Solution, 4).ToList());
    }

    private static string Find()
    {
        foreach (var start in new[] { System.IO.Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "models", "arith-lm");
                if (File.Exists(Path.Combine(candidate, "model.onnx"))) return candidate;
            }
        throw new DirectoryNotFoundException("models/arith-lm not found; run the benchmarks from the repository");
    }
}
