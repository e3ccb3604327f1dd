using BenchmarkDotNet.Attributes;
using TTScale.Generation;
using TTScale.Onnx;

namespace TTScale.Bench;

/// <summary>
/// Decode throughput of the demo model: a prompt prefilled once, forked into <see cref="Batch"/> rows, then
/// <see cref="Tokens"/> sampled tokens per row in batched steps. The prefill is outside the measurement.
/// Also prints the engine's overhead outside <c>InferenceSession.Run</c> as a share of step time.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class DecodeBench
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config() => AddColumn(new TokensPerSecondColumn());
    }

    private OnnxGenerator _lm = null!;
    private Sequence _root = null!;
    private List<Sequence> _rows = [];
    private readonly SamplingOptions _sampling = new() { Temperature = 0.8, MaxTokens = 64, StopOnEos = false };
    private TimeSpan _stepStart, _runStart;

    [Params(1, 8, 32, 64)]
    public int Batch { get; set; }

    [Params(64)]
    public int Tokens { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _lm = DemoModel.Load();
        _root = _lm.Start(DemoModel.Prompt, seed: 1);
        _lm.PrefillAsync([_root]).GetAwaiter().GetResult();
    }

    [IterationSetup]
    public void Fork()
    {
        _rows = Enumerable.Range(0, Batch).Select(i => _root.Fork(i)).ToList();
        _stepStart = _lm.StepTime;
        _runStart = _lm.OnnxRunTime;
    }

    [Benchmark]
    public IReadOnlyList<Completion> Decode() => _lm.GenerateAsync(_rows, _sampling with { MaxTokens = Tokens }).GetAwaiter().GetResult();

    [IterationCleanup]
    public void Release()
    {
        foreach (var row in _rows) row.Dispose();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        double step = (_lm.StepTime - _stepStart).TotalMilliseconds, run = (_lm.OnnxRunTime - _runStart).TotalMilliseconds;
        Console.WriteLine($"// engine overhead at batch {Batch}: {100 * (step - run) / step:F1}% of step time outside InferenceSession.Run (last iteration: {step:F1} ms in steps, {run:F1} ms in Run)");
        _root.Dispose();
        _lm.Dispose();
    }
}
