using BenchmarkDotNet.Attributes;
using TTScale.Compute;
using TTScale.Generation;
using TTScale.Onnx;

namespace TTScale.Bench;

/// <summary>
/// Best-of-16 on a long (revision) prompt, end to end: the prompt prefilled once and forked 16 ways, against 16
/// independent generations that each prefill it. Prints each side's prefills (its ledger's prompt tokens over the prompt's) and their FLOPs.
/// </summary>
[MemoryDiagnoser]
public class BestOfNBench
{
    private const int N = 16;
    private OnnxGenerator _lm = null!;
    private readonly SamplingOptions _sampling = new() { Temperature = 0.8, MaxTokens = 32, StopOnEos = false };
    private ComputeLedger _shared = new(), _independent = new();

    private int _promptLength;

    [GlobalSetup]
    public void Setup()
    {
        _lm = DemoModel.Load();
        using var probe = _lm.Start(DemoModel.LongPrompt, seed: 0);
        _promptLength = probe.Length;
    }

    [Benchmark(Baseline = true)]
    public IReadOnlyList<Completion> Independent()
    {
        _independent = new ComputeLedger();
        var rows = Enumerable.Range(0, N).Select(i => _lm.Start(DemoModel.LongPrompt, seed: i)).ToList();
        var completions = _lm.GenerateAsync(rows, _sampling, _independent).GetAwaiter().GetResult();
        rows.ForEach(r => r.Dispose());
        return completions;
    }

    [Benchmark]
    public IReadOnlyList<Completion> SharedPrefill()
    {
        _shared = new ComputeLedger();
        using var root = _lm.Start(DemoModel.LongPrompt, seed: 0);
        _lm.PrefillAsync([root], _shared).GetAwaiter().GetResult();
        var rows = Enumerable.Range(0, N).Select(i => root.Fork(i)).ToList();
        var completions = _lm.GenerateAsync(rows, _sampling, _shared).GetAwaiter().GetResult();
        rows.ForEach(r => r.Dispose());
        return completions;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (name, ledger) in new[] { ("shared prefill", _shared), ("independent", _independent) })
        {
            if (ledger.PromptTokens == 0) continue;
            long prefills = ledger.PromptTokens / _promptLength;
            Console.WriteLine($"// {name}: {prefills} prefill(s) of {_promptLength} tokens = {prefills * _lm.Cost.FlopsForTokens(0, _promptLength):E3} prefill FLOPs; " +
                $"{ledger.TotalFlops:E3} FLOPs in all, {ledger.GeneratedTokens} tokens generated");
        }
        _lm.Dispose();
    }
}
